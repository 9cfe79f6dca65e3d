/**
 * The large upload of the exchange bench (issue 6: "1 GiB upload through the sync engine
 * against a plain curl upload of the same bytes to the same server in the same run"):
 * one package sealed by the seal pipeline (a document of `sizeMiB` random MiB, level Mật,
 * from a clerk of one agency to a clerk of another), then `runs` rounds of
 *
 * - niem: a child process (./exchange-upload-child.ts) uploads it with the platform client;
 * - curl: curl uploads the same bytes chunk by chunk, sequentially on one connection;
 * - curl ×2: the same with two chunk PUTs at once (the Niêm client's default concurrency);
 *
 * each against a fresh platform process on a fresh copy of the template data folder (the
 * same package every time, never already held). Medians over the rounds.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealPackage } from '../native/seal/pipeline/index.ts';
import { round1, round2, run, writeNumberedBlocks } from './bench-child.ts';
import { curlUpload, splitChunks, type CurlUpload, type Declared } from './exchange-curl.ts';
import { sessionToken } from './exchange-session.ts';
import { machineBusySeconds, startBenchPlatform, type BenchPlatform } from './exchange-platform.ts';
import {
  BENCH_LEVEL,
  clerkIdentity,
  pemDers,
  type BenchClerk,
  type BenchPki,
} from './exchange-pki.ts';
import { median, since } from './exchange-stats.ts';
import type { ChildUpload, UploadSpec } from './exchange-upload-child.ts';

const MiB = 1024 * 1024;

export interface UploadScenario {
  work: string;
  template: string;
  pki: BenchPki;
  sender: BenchClerk;
  recipient: BenchClerk;
  sizeMiB: number;
  runs: number;
  chunkBytes: number;
  /** The child script (bundle or sources) and the Node flags it runs with. */
  script: string;
  nodeFlags: readonly string[];
  /** Extra `node` arguments of the platform processes (profiling). */
  serverNodeArgs: readonly string[];
  /** The client's chunks in flight (its uploadConcurrency); default: the client's default. */
  concurrency?: number;
  progress: (line: string) => void;
}

/** One measured upload, either side. */
interface Measured {
  mibPerSec: number;
  transferMibPerSec: number;
  seconds: number;
  transferSeconds: number;
  completeSeconds: number;
  clientPeakRssMiB: number;
  clientCpuSeconds: number;
  serverCpuSeconds: number;
  serverPeakRssMiB: number;
  /** CPU time the machine spent on anything but this client and this server meanwhile. */
  otherCpuSeconds: number;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Seals the bench package; returns its path, what the upload declares, the seal time. */
async function makePackage(
  o: UploadScenario,
): Promise<{ path: string; pkg: Declared; sealSeconds: number }> {
  const input = join(o.work, 'document.bin');
  await writeNumberedBlocks(input, o.sizeMiB);
  const sender = clerkIdentity(o.sender);
  const recipient = clerkIdentity(o.recipient);
  const [, issuing] = pemDers(o.pki.caChainPem) as [Uint8Array, Uint8Array];
  const path = join(o.work, 'package.p7m');
  const t0 = performance.now();
  const sealed = await sealPackage({
    files: [input],
    level: BENCH_LEVEL,
    signers: [sender.signer],
    certificates: [issuing],
    sender: { certificate: sender.certDer },
    recipients: [{ certificate: recipient.certDer }],
    out: path,
  });
  const sealSeconds = since(t0) / 1000;
  rmSync(input);
  const pkg = {
    sha256: await sha256File(path),
    size: sealed.bytes,
    level: BENCH_LEVEL,
    recipients: [o.recipient.organId],
  };
  return { path, pkg, sealSeconds };
}

/** What a side's measurement returns: its figures and its client processes' whole CPU time. */
type ClientSide<T> = { figures: T; processCpuSeconds: number };

/**
 * Runs `measure` against a fresh platform process; adds the server's CPU time and peak RSS,
 * and the CPU time the rest of the machine used meanwhile (busy time of every core minus
 * the server and the client processes): other work on the machine shows there.
 */
async function onFreshPlatform<T>(
  o: UploadScenario,
  name: string,
  measure: (platform: BenchPlatform) => Promise<ClientSide<T>>,
): Promise<T & { serverCpuSeconds: number; serverPeakRssMiB: number; otherCpuSeconds: number }> {
  const dataDir = join(o.work, `platform-${name}`);
  const platform = await startBenchPlatform(o.template, dataDir, o.serverNodeArgs);
  let stopped = false;
  try {
    const cpu0 = platform.cpuSeconds();
    const busy0 = machineBusySeconds();
    const { figures, processCpuSeconds } = await measure(platform);
    const machine = machineBusySeconds() - busy0;
    const server = platform.cpuSeconds() - cpu0;
    stopped = true;
    const usage = await platform.stop();
    return {
      ...figures,
      serverCpuSeconds: round2(server),
      serverPeakRssMiB: usage.peakRssMiB,
      otherCpuSeconds: round2(Math.max(0, machine - server - processCpuSeconds)),
    };
  } finally {
    if (!stopped) await platform.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function rates(bytes: number, seconds: number, transferSeconds: number) {
  return {
    mibPerSec: round1(bytes / MiB / seconds),
    transferMibPerSec: round1(bytes / MiB / transferSeconds),
  };
}

async function niemRun(
  o: UploadScenario,
  path: string,
  pkg: Declared,
  r: number,
): Promise<Measured & { authSeconds: number; clientRssBeforeMiB: number }> {
  return onFreshPlatform(o, `niem-${r}`, async (platform) => {
    const spec: UploadSpec = {
      url: platform.url,
      caChainPem: o.pki.caChainPem,
      clerk: o.sender,
      path,
      pkg,
      readBytes: MiB,
      ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    };
    const specPath = join(o.work, 'upload-spec.json');
    writeFileSync(specPath, JSON.stringify(spec), { mode: 0o600 });
    const r = await run(process.execPath, [...o.nodeFlags, o.script, specPath]);
    if (r.code !== 0) throw new Error(`bench: the Niêm upload child failed (${r.code})`);
    const c = JSON.parse(r.stdout) as ChildUpload;
    const figures = {
      ...rates(pkg.size, c.seconds, c.transferSeconds),
      seconds: c.seconds,
      transferSeconds: c.transferSeconds,
      completeSeconds: c.completeSeconds,
      clientPeakRssMiB: c.peakRssMiB,
      clientRssBeforeMiB: c.rssBeforeMiB,
      clientCpuSeconds: c.cpuSeconds,
      authSeconds: c.authSeconds,
    };
    return { figures, processCpuSeconds: c.processCpuSeconds };
  });
}

async function curlRun(
  o: UploadScenario,
  chunks: ReturnType<typeof splitChunks>,
  pkg: Declared,
  name: string,
  parallel: number,
): Promise<Measured> {
  return onFreshPlatform(o, name, async (platform) => {
    const token = await sessionToken(platform.url, o.pki.caChainPem, clerkIdentity(o.sender));
    const dir = join(o.work, `curl-${name}`);
    mkdirSync(dir);
    try {
      // prettier-ignore
      const c: CurlUpload = await curlUpload({ origin: platform.url, token, caFile: o.pki.caChain,
        dir, pkg, chunks, parallel });
      const figures = {
        ...rates(pkg.size, c.seconds, c.transferSeconds),
        seconds: c.seconds,
        transferSeconds: c.transferSeconds,
        completeSeconds: c.completeSeconds,
        clientPeakRssMiB: c.peakRssMiB,
        clientCpuSeconds: c.cpuSeconds,
      };
      // The sign-in and the start and complete curls are not counted: a few ms of CPU.
      return { figures, processCpuSeconds: c.cpuSeconds };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The run whose total time is the median one, and every run. */
function medianOf<T extends Measured>(runs: T[]): { median: T; runs: T[] } {
  const m = median(runs.map((x) => x.seconds));
  return { median: runs.find((x) => x.seconds === m) as T, runs };
}

export async function uploadScenario(o: UploadScenario) {
  o.progress(`sealing a ${o.sizeMiB} MiB document…`);
  const { path, pkg, sealSeconds } = await makePackage(o);
  o.progress(
    `package ${pkg.size} bytes sealed in ${round1(sealSeconds)} s; splitting chunks for curl…`,
  );
  const chunkDir = join(o.work, 'chunks');
  mkdirSync(chunkDir);
  const chunks = splitChunks(path, pkg.size, o.chunkBytes, chunkDir);
  const niem: Awaited<ReturnType<typeof niemRun>>[] = [];
  const curl: Measured[] = [];
  const curl2: Measured[] = [];
  for (let r = 1; r <= o.runs; r++) {
    niem.push(await niemRun(o, path, pkg, r));
    o.progress(`run ${r} niem ${JSON.stringify(niem.at(-1))}`);
    curl.push(await curlRun(o, chunks, pkg, `curl-${r}`, 1));
    o.progress(`run ${r} curl ${JSON.stringify(curl.at(-1))}`);
    curl2.push(await curlRun(o, chunks, pkg, `curl2-${r}`, 2));
    o.progress(`run ${r} curl ×2 ${JSON.stringify(curl2.at(-1))}`);
  }
  rmSync(chunkDir, { recursive: true, force: true });
  rmSync(path);
  const n = medianOf(niem);
  const c = medianOf(curl);
  const c2 = medianOf(curl2);
  return {
    documentMiB: o.sizeMiB,
    packageBytes: pkg.size,
    packageMiB: round1(pkg.size / MiB),
    chunkBytes: o.chunkBytes,
    chunks: chunks.length,
    runs: o.runs,
    niemConcurrency: o.concurrency ?? 'the client default (2)',
    sealSeconds: round2(sealSeconds),
    niem: n,
    curl: c,
    curlParallel2: c2,
    ratio: round2(n.median.mibPerSec / c.median.mibPerSec),
    /** Niêm / curl of each round (run back to back): drift of the machine cancels out. */
    roundRatios: niem.map((x, i) => round2(x.mibPerSec / (curl[i]?.mibPerSec ?? Number.NaN))),
    transferRatio: round2(n.median.transferMibPerSec / c.median.transferMibPerSec),
    ratioToCurlParallel2: round2(n.median.mibPerSec / c2.median.mibPerSec),
  };
}
