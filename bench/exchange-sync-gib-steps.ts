/**
 * The measured steps of bench/exchange-sync-gib.ts: `node cli/niem.js …` run to completion
 * under `/usr/bin/time -f '%M %e %U %S'`, as a clerk types it (the launcher then starts
 * Node 24 with the CLI's Node flags in a child). %M is the peak RSS of the largest process
 * of the tree (the rusage of waited-for descendants), %e the wall time, %U + %S the CPU
 * time of the whole tree. Each step also says how much CPU the platform process and the
 * rest of the machine used meanwhile (/proc), since these machines are shared. Also: the
 * shapes of the CLI's `--json` answers the bench checks, and the source document.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { round1, round2 } from './bench-child.ts';
import { machineBusySeconds } from './exchange-platform.ts';

export const repoRoot = join(import.meta.dirname, '..');
/** The CLI as a clerk runs it: the launcher, which starts Node 24 with the CLI's flags. */
export const niemCli = join(repoRoot, 'cli', 'niem.js');
const MiB = 1024 * 1024;
const PIECE = 8 * MiB;

/** What one step used. */
export interface StepFigures {
  /** Wall time (/usr/bin/time %e). */
  seconds: number;
  /** Peak RSS of the largest process of the CLI's tree (/usr/bin/time %M). */
  peakRssMiB: number;
  /** User + system CPU time of the CLI's tree (%U + %S). */
  cpuSeconds: number;
  /** CPU time of the platform process during the step (not counted in the figures above). */
  platformCpuSeconds: number;
  /** Busy time of every core during the step minus the CLI's and the platform's: other work. */
  otherCpuSeconds: number;
}

/** A finished step: its output and its figures. */
export interface CliRun {
  stdout: string;
  stderr: string;
  figures: StepFigures;
}

/** Runs CLI steps in `work`; `platformCpu` reads the platform process's CPU seconds so far. */
export interface CliRunner {
  /**
   * Runs `niem ARGS` with `env`, timed; throws (with the command's output) unless it exits 0.
   * `name` names the time file in the work dir.
   */
  run(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun>;
  /** Stops the step running now, if any (its whole process group), for a signal handler. */
  killRunning(): void;
}

/** Throws `what` (and `detail`, as JSON) unless `ok`: a run that did not work prints no figures. */
export function expect(ok: boolean, what: string, detail?: unknown): asserts ok {
  if (!ok) {
    const more = detail === undefined ? '' : `\n${JSON.stringify(detail, null, 2)}`;
    throw new Error(`check failed: ${what}${more}`);
  }
}

/** Parses a step's `--json` stdout; throws with the text when it is not JSON. */
export function parseJson<T>(run: CliRun, what: string): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`${what}: not JSON on stdout:\n${run.stdout}\n${run.stderr}`);
  }
}

/** The time file's last line (a failed command has "Command exited…" before it). */
function readTimeFile(path: string): { kib: number; seconds: number; cpu: number } {
  const line = readFileSync(path, 'utf8').trim().split('\n').at(-1) ?? '';
  const [kib, seconds, user, system] = line.split(' ').map(Number);
  if ([kib, seconds, user, system].some((n) => n === undefined || !Number.isFinite(n))) {
    throw new Error(`bench: unreadable /usr/bin/time output "${line}" in ${path}`);
  }
  return {
    kib: kib as number,
    seconds: seconds as number,
    cpu: (user as number) + (system as number),
  };
}

/** A runner of CLI steps in `work` (time files) with `platformCpu` for the platform's share. */
export function cliRunner(work: string, platformCpu: () => number): CliRunner {
  let running: ChildProcess | undefined;
  return {
    run(name, args, env) {
      const timeFile = join(work, `${name}.time`);
      const busyBefore = machineBusySeconds();
      const platformBefore = platformCpu();
      return new Promise<CliRun>((resolve, reject) => {
        // prettier-ignore
        const child = spawn('/usr/bin/time', ['-f', '%M %e %U %S', '-o', timeFile,
          process.execPath, niemCli, ...args], {
          cwd: repoRoot,
          env,
          // Its own process group, so that a signal handler can stop the launcher and the CLI.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        running = child;
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code, signal) => {
          running = undefined;
          if (code !== 0) {
            const why = signal === null ? `exited ${code}` : `ended by ${signal}`;
            reject(new Error(`niem ${args.join(' ')} ${why}\n${stdout}\n${stderr}`));
            return;
          }
          try {
            const t = readTimeFile(timeFile);
            const platformCpuSeconds = platformCpu() - platformBefore;
            const other = machineBusySeconds() - busyBefore - t.cpu - platformCpuSeconds;
            const figures: StepFigures = {
              seconds: t.seconds,
              peakRssMiB: round1(t.kib / 1024),
              cpuSeconds: round2(t.cpu),
              platformCpuSeconds: round2(platformCpuSeconds),
              otherCpuSeconds: round2(Math.max(0, other)),
            };
            resolve({ stdout, stderr, figures });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
    },
    killRunning() {
      if (running?.pid !== undefined) {
        try {
          process.kill(-running.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * Writes `sizeMiB` MiB of random bytes to `path`, 8 MiB at a time from one reused buffer
 * (never the whole file in memory); returns their SHA-256, hex.
 */
export function writeRandomFile(path: string, sizeMiB: number): string {
  const buffer = Buffer.alloc(PIECE);
  const hash = createHash('sha256');
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (let left = sizeMiB * MiB; left > 0; left -= PIECE) {
      const piece = buffer.subarray(0, Math.min(PIECE, left));
      randomFillSync(piece);
      hash.update(piece);
      for (let at = 0; at < piece.length;) at += writeSync(fd, piece, at);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The SHA-256 of a file, hex, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** `niem sync --json`: the run's report (the fields the bench checks). */
export interface SyncAnswer {
  ok: boolean;
  report: {
    sent: number;
    delivered: number;
    received: number;
    notices: number;
    noticesSent: number;
    failures: unknown[];
    inboxFailures: unknown[];
    error: unknown;
    aborted: boolean;
  };
}

/** `niem seal ID --json`. */
export interface SealAnswer {
  outboxId: number;
  packageSha256: string;
  bytes: number;
  level: string;
  recipients: string[];
}

/** A row of `niem outbox list --json` (the fields the bench checks). */
export interface OutboxRow {
  id: number;
  transportState: string;
  bytesDone: number;
  size: number;
  receipt: boolean;
  receiptAt: string | null;
  deliveredAt: string | null;
  packageSha256: string;
  notices: { status: string; from: string }[];
}

/** A row of `niem inbox list --json` (the fields the bench checks). */
export interface InboxRow {
  id: number;
  status: string | null;
  packageSha256: string;
  register: { year: number; number: number } | null;
  senderOrganId: string | null;
}
