/**
 * Exchange bench (issue 6, "Tests and measures"): the reference platform and the Niêm
 * platform client on loopback, over TLS, with software keys. Three measurements:
 *
 * 1. upload: a sealed package of `--mib` MiB sent by the platform client (the sync
 *    engine's PlatformApi.upload, reading a file, in a child process for its own peak RSS)
 *    and the same bytes sent by curl (sequential, and two chunks at once) to the same
 *    server, `--runs` times each on a fresh platform: MiB/s and the ratio Niêm / curl
 *    (./exchange-upload.ts);
 * 2. small: `--small` small packages end to end between two clerks: seal (apart),
 *    upload, pull, download, open, 01 notice, the sender's pull of the notices
 *    (./exchange-small.ts);
 * 3. concurrent: `--clients` clients of several agencies at once, each `--rounds` rounds
 *    of upload + mailbox read + ack: p50/p99 per operation, requests/s, errors
 *    (./exchange-concurrent.ts).
 *
 * The platform is `niem platform serve` in its own process (./exchange-platform.ts) on an
 * embedded SQLite store in the work dir, its PKI made by the bench (./exchange-pki.ts).
 * Prints one JSON object on stdout, progress on stderr; the work dir is removed at the end
 * (also on failure or Ctrl-C). Nothing leaves 127.0.0.1.
 *
 *   source scripts/env.sh
 *   node bench/exchange-bench.ts [--mib 1024] [--runs 3] [--small 1000] [--clients 50]
 *     [--rounds 20] [--concurrency N] [--dir DIR] [--ts] [--profile DIR] [--quick] > out.json
 *
 * `--dir` (default /dev/shm when it has room for about three times the package, else the
 * OS temp dir) holds the package, curl's chunk files and the platform's database: tmpfs
 * takes the disk (and SQLite's fsyncs) out of the figures. `--ts` runs the upload child
 * from the TypeScript sources instead of the esbuild bundle; `--profile DIR` writes
 * `--cpu-prof` profiles of the upload child and of the platform processes to DIR.
 * `--concurrency N` sets the client's uploadConcurrency (default: its own default);
 * `--small 0` and `--clients 0` skip those parts.
 * `--quick` is a smoke run (8 MiB, 1 run, 20 packages, 4 clients, 2 rounds) for the tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NATIVE_NODE_FLAGS } from '../native/host/node-flags.ts';
import { childScript, machineFacts, round1 } from './bench-child.ts';
import { concurrentClients } from './exchange-concurrent.ts';
import {
  clerkIdentity,
  makeBenchPki,
  type BenchAgency,
  type BenchClerk,
  type BenchPki,
} from './exchange-pki.ts';
import {
  initTemplate,
  machineBusySeconds,
  runningPlatforms,
  startBenchPlatform,
  templatePolicy,
} from './exchange-platform.ts';
import { smallPackages } from './exchange-small.ts';
import { uploadScenario } from './exchange-upload.ts';

const MiB = 1024 * 1024;
/** The native process's Node flags, which the CLI launcher uses too (see there why). */
const NODE_FLAGS = NATIVE_NODE_FLAGS;
const TARGETS = { uploadRatio: 0.8, concurrentErrors: 0 };
const AGENCIES = 5;

const { values } = parseArgs({
  options: {
    mib: { type: 'string' },
    runs: { type: 'string' },
    small: { type: 'string' },
    clients: { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    dir: { type: 'string' },
    profile: { type: 'string' },
    ts: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});

function count(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: an integer ≥ ${min}`);
  return n;
}

const quick = values.quick;
const sizeMiB = count('mib', values.mib, quick ? 8 : 1024);
const runs = count('runs', values.runs, quick ? 1 : 3);
/** 0 skips the part. */
const small = count('small', values.small, quick ? 20 : 1000, 0);
const clients = count('clients', values.clients, quick ? 4 : 50, 0);
if (clients === 1) throw new Error('--clients: 0 (skip) or at least 2');
const concurrency =
  values.concurrency === undefined ? undefined : count('concurrency', values.concurrency, 2);
const rounds = count('rounds', values.rounds, quick ? 2 : 20);
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** /dev/shm when it can hold the package three times over (package, chunks, database). */
function defaultParent(): string {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= (3 * sizeMiB + 512) * MiB) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

function versionOf(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

/** What the small and concurrent parts share with the rest of the run. */
interface RunContext {
  work: string;
  template: string;
  pki: BenchPki;
  sender: BenchClerk;
  recipient: BenchClerk;
  profileArgs: string[];
}

async function runSmall(c: RunContext) {
  progress(`${small} small packages end to end…`);
  const platform = await startBenchPlatform(
    c.template,
    join(c.work, 'platform-small'),
    c.profileArgs,
  );
  const result = await smallPackages({
    url: platform.url,
    caChainPem: c.pki.caChainPem,
    sender: clerkIdentity(c.sender),
    recipient: clerkIdentity(c.recipient),
    count: small,
    documentBytes: 4096,
    cpu: { server: () => platform.cpuSeconds(), machine: machineBusySeconds },
    progress,
  });
  return { ...result, serverPeakRssMiB: (await platform.stop()).peakRssMiB };
}

async function runConcurrent(c: RunContext, agencies: number) {
  progress(`${clients} concurrent clients…`);
  const platform = await startBenchPlatform(
    c.template,
    join(c.work, 'platform-concurrent'),
    c.profileArgs,
  );
  const clerks = Array.from({ length: clients }, (_, i) => {
    const agency = c.pki.agencies[i % agencies] as BenchAgency;
    return clerkIdentity(agency.clerks[Math.floor(i / agencies)] as BenchClerk);
  });
  const result = await concurrentClients({
    url: platform.url,
    caChainPem: c.pki.caChainPem,
    clerks,
    agencyClerks: c.pki.agencies.map((a) => clerkIdentity(a.clerks[0] as BenchClerk)),
    rounds,
    documentBytes: 4096,
    cpu: { server: () => platform.cpuSeconds(), machine: machineBusySeconds },
    progress,
  });
  return { ...result, serverPeakRssMiB: (await platform.stop()).peakRssMiB };
}

async function main(): Promise<void> {
  const parent = values.dir ?? defaultParent();
  const work = mkdtempSync(join(parent, 'niem-exchange-bench-'));
  const filesystem = execFileSync('stat', ['-f', '-c', '%T', work], { encoding: 'utf8' }).trim();
  const cleanup = (): void => {
    for (const child of runningPlatforms) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const loadAtStart = loadavg().map(round1);
  if ((loadAtStart[0] ?? 0) > 0.5) {
    progress(`note: load average ${loadAtStart.join(' ')}: something else is running`);
  }
  const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const profileArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  try {
    const entry = join(import.meta.dirname, 'exchange-upload-child.ts');
    const script = await childScript(entry, values.ts, ['better-sqlite3-multiple-ciphers']);
    progress(`work dir ${work} (${filesystem}); making the PKI…`);
    const pkiDir = join(work, 'pki');
    mkdirSync(pkiDir);
    const agencies = Math.max(2, Math.min(AGENCIES, clients));
    const pki = await makeBenchPki(pkiDir, agencies, Math.max(1, Math.ceil(clients / agencies)));
    const template = join(work, 'template');
    initTemplate(template, pki);
    const policy = templatePolicy(template);
    const chunkBytes = Number(policy.chunkBytes);
    const [first, second] = pki.agencies as [BenchAgency, BenchAgency];
    const sender = first.clerks[0] as BenchClerk;
    const recipient = second.clerks[0] as BenchClerk;

    const upload = await uploadScenario({
      work,
      template,
      pki,
      sender,
      recipient,
      sizeMiB,
      runs,
      chunkBytes,
      script,
      nodeFlags: [...NODE_FLAGS, ...profileArgs],
      serverNodeArgs: profileArgs,
      ...(concurrency === undefined ? {} : { concurrency }),
      progress,
    });

    const context = { work, template, pki, sender, recipient, profileArgs };
    const smallResult = small === 0 ? null : await runSmall(context);
    const concurrent = clients === 0 ? null : await runConcurrent(context, agencies);
    const errors = concurrent?.errorCount ?? 0;

    const result = {
      bench: 'exchange',
      date: new Date().toISOString(),
      quick,
      machine: {
        ...machineFacts(),
        memoryGiB: round1(totalmem() / 1024 ** 3),
        /** 1, 5 and 15 minute load averages: other work on the machine shows here. */
        loadAverage: { start: loadAtStart, end: loadavg().map(round1) },
        curl: versionOf('curl', ['--version']),
      },
      workDir: { filesystem, note: 'package, curl chunk files and the platform databases here' },
      platform: {
        process:
          'node cli/niem.js platform serve (NODE_ENV=production), TLS on 127.0.0.1, embedded SQLite in the work dir, a fresh copy of one initialised data folder per measurement',
        policy,
      },
      niemProcess: values.ts
        ? `node ${NODE_FLAGS.join(' ')} bench/exchange-upload-child.ts (TypeScript sources)`
        : `node ${NODE_FLAGS.join(' ')} dist/bench/exchange-upload-child.mjs (esbuild bundle, as the app ships)`,
      keys: 'software EC P-256 clerk keys (ECDSA, ECDH) certified by a throwaway RSA-3072 CA pair; not a token',
      upload,
      small: smallResult,
      concurrent,
      targets: TARGETS,
      met: {
        uploadRatio: upload.ratio >= TARGETS.uploadRatio,
        concurrentErrors: concurrent === null ? null : errors === TARGETS.concurrentErrors,
      },
      errors,
      notes: [
        'upload: times are from the start request to the receipt (Niêm: verified) on a platform that holds nothing yet; `transfer` ends when the last chunk is acknowledged, `complete` is the platform reading the package back from its store (SHA-256, outer envelope, recipients) and signing the receipt. MiB/s are of the package bytes.',
        'upload: the Niêm client reads the file, hashes each chunk (a worker) and sends two chunks at once (its default); curl gets the chunk files and their Content-Digest values made beforehand, untimed, and only sends. Niêm signs in before its timing, as curl is handed a token before its own.',
        'upload: client peak RSS is VmHWM of the Niêm child (bundle or sources, with node) or /usr/bin/time %M of the curl process; CPU seconds are the client process and the platform process during the upload.',
        'small and concurrent: clients run in the bench process; they and the platform share the 2 cores, so latencies include CPU contention with the load generator.',
        'small: the recipient opens each package in memory (tag, signature, chain, document hash) and posts a signed 01 notice; the sender verifies each notice. No vault is involved.',
      ],
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    cleanup();
  }
}

await main();
