/**
 * The exchange platform of the bench, as an operator runs it: `niem platform init` and
 * `niem platform admin directory import` once on a template data folder (embedded SQLite),
 * then for every measurement a fresh copy of that folder served by
 * `niem platform serve --json` in its own process on 127.0.0.1 (TLS, a free port), so the
 * client's memory and CPU are measured apart from the server's and every run starts from
 * an empty store. The server's peak RSS (VmHWM) and CPU time are read from /proc before it
 * is stopped with SIGTERM (a clean close of the server and the store).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { round1, round2 } from './bench-child.ts';
import type { BenchPki } from './exchange-pki.ts';

const repoRoot = join(import.meta.dirname, '..');
const niem = join(repoRoot, 'cli', 'niem.js');
/** The platform's process runs as deployed: replies are not re-checked against their schemas. */
const PLATFORM_ENV = { ...process.env, NODE_ENV: 'production', NIEM_LANG: 'en' };
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function platformCli(args: string[]): string {
  return execFileSync(process.execPath, [niem, 'platform', ...args, '--lang', 'en'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: PLATFORM_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Makes the template data folder `dir`: keys, trust, settings, the directory imported. */
export function initTemplate(dir: string, pki: BenchPki): void {
  // prettier-ignore
  platformCli(['init', '--data', dir, '--trust', pki.caChain, '--tls-cert', pki.tlsCert,
    '--tls-key', pki.tlsKey, '--receipt-cert', pki.receiptCert, '--receipt-key', pki.receiptKey,
    '--name', 'truc-bench', '--approved-level', 'toi-mat']);
  platformCli(['admin', '--data', dir, 'directory', 'import', pki.directory]);
}

/** The platform's policy as `admin policy show --json` prints it. */
export function templatePolicy(dir: string): Record<string, unknown> {
  return JSON.parse(platformCli(['admin', '--data', dir, 'policy', 'show', '--json'])) as Record<
    string,
    unknown
  >;
}

/** What the server process used, read just before it was stopped. */
export interface ServerUsage {
  peakRssMiB: number;
  cpuSeconds: number;
}

/** A running platform process. */
export interface BenchPlatform {
  readonly url: string;
  readonly pid: number;
  /** The server's CPU time so far (user + system), seconds. */
  cpuSeconds(): number;
  /** Stops it (SIGTERM, clean close) and says what it used. */
  stop(): Promise<ServerUsage>;
}

/** Every platform process started and not yet stopped (for a signal handler). */
export const runningPlatforms = new Set<ChildProcess>();

/** CPU time the whole machine spent busy since boot (every core; /proc/stat), seconds. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((s, v) => s + (v ?? 0), 0);
  return ticks / CLOCK_TICKS;
}

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function procPeakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round1(Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]) / 1024);
}

/**
 * Copies `template` to `dataDir` and serves it; resolves once it listens. `nodeArgs` go to
 * the server's `node` (e.g. `--cpu-prof` to profile it).
 */
export async function startBenchPlatform(
  template: string,
  dataDir: string,
  nodeArgs: readonly string[] = [],
): Promise<BenchPlatform> {
  cpSync(template, dataDir, { recursive: true });
  // prettier-ignore
  const child = spawn(process.execPath, [...nodeArgs, niem, 'platform', 'serve', '--data', dataDir,
    '--host', '127.0.0.1', '--port', '0', '--json'], {
    cwd: repoRoot,
    env: PLATFORM_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningPlatforms.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr += d;
    process.stderr.write(`[platform] ${d}`);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      runningPlatforms.delete(child);
      resolve();
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`bench: the platform printed ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`bench: the platform exited ${code}\n${stderr}`)),
    );
  });
  const pid = child.pid as number;
  return {
    url,
    pid,
    cpuSeconds: () => procCpuSeconds(pid),
    async stop() {
      const usage = { peakRssMiB: procPeakRssMiB(pid), cpuSeconds: round2(procCpuSeconds(pid)) };
      child.kill('SIGTERM');
      await exited;
      if (child.exitCode !== 0) throw new Error(`bench: the platform ended with ${child.exitCode}`);
      return usage;
    },
  };
}
