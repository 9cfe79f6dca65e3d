/**
 * What the benches that measure in a fresh child process share (seal-open.ts,
 * vault-bench.ts): the bench file bundled with esbuild for the child (as the app ships
 * its native process), a child run with its stdout collected and its wall time, the
 * process's own memory figures from /proc/self/status, the rounding of the figures, the
 * machine's description and a generated input file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { build } from 'esbuild';

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Writes a bench input of `sizeMiB` MiB to `path`: one random MiB repeated, its first 8
 * bytes replaced by the block number (no two blocks alike), streamed.
 */
export async function writeNumberedBlocks(path: string, sizeMiB: number): Promise<void> {
  const block = randomBytes(1024 * 1024);
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < sizeMiB; i++) {
          const b = Buffer.from(block);
          b.writeBigUInt64BE(BigInt(i), 0);
          yield b;
        }
      })(),
    ),
    createWriteStream(path),
  );
}

/** What every bench's JSON says of the machine first: Node, OS and architecture, CPU. */
export function machineFacts(): { node: string; platform: string; cpu: string; cores: number } {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  };
}

/** A field of /proc/self/status (VmHWM: peak RSS, VmRSS: RSS now) in KiB; NaN if absent. */
export function procStatusKiB(field: 'VmHWM' | 'VmRSS'): number {
  const text = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(text)?.[1]);
}

/** A finished run: what it printed on stdout, its wall time from spawn to close, its exit code. */
export interface RunResult {
  stdout: string;
  seconds: number;
  code: number | null;
}

/**
 * Runs `command` with stdin ignored, stdout collected and stderr passed through.
 * `onChild` is told the child process when it starts and `undefined` once it has closed
 * (for a signal handler that has to stop it).
 */
export function run(
  command: string,
  args: string[],
  onChild?: (child: ChildProcess | undefined) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    onChild?.(p);
    let stdout = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      stdout += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      onChild?.(undefined);
      resolve({ stdout, seconds: (performance.now() - start) / 1000, code });
    });
  });
}

/**
 * The script the child runs: the bench file `entry` bundled (esbuild, one ESM file
 * dist/bench/NAME.mjs so that node_modules still resolve; esbuild, pkcs11js and `external`
 * left out), or `entry` itself with `typescript` (`--ts`).
 */
export async function childScript(
  entry: string,
  typescript: boolean,
  external: readonly string[] = [],
): Promise<string> {
  if (typescript) return entry;
  const outfile = join(import.meta.dirname, '..', 'dist', 'bench', `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: ['esbuild', 'pkcs11js', ...external],
    logLevel: 'warning',
  });
  return outfile;
}
