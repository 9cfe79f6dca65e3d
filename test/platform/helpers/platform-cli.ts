/**
 * Runs `niem platform …` as a user does (cli/niem.js in a child process): one-shot
 * commands with their exit code and output, and `serve` as a long-running process whose
 * URL is read from its first line and which can be stopped with a signal or killed.
 * Not a test file itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/demo-manifest.ts';

const niem = join(repoRoot, 'cli/niem.js');

/** The result of a one-shot command. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `niem platform <args>` and waits for it. */
export function platformCli(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [niem, 'platform', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NIEM_LANG: undefined },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A running `niem platform serve`. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal that ended it). */
  stop(signal: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/** Starts `niem platform serve --data DIR --port 0 …`; resolves once it prints its URL. */
export function startServe(dataDir: string, ...args: string[]): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [niem, 'platform', 'serve', '--data', dataDir, '--port', '0', ...args],
    { cwd: repoRoot, env: { ...process.env, NIEM_LANG: undefined }, stdio: 'pipe' },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'SIGKILL'));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${out}`));
    }, 30_000);
    const look = () => {
      const url = /(https?:\/\/[0-9.:[\]a-z]+:\d+)/.exec(out)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve({
        url,
        child,
        output: () => out,
        stop: (signal) => {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${out}`));
    });
  });
}
