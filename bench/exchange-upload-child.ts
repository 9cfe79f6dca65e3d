/**
 * The Niêm side of the exchange bench's upload, in its own process so its peak RSS is its
 * own: the platform client (native/sync/platform-client.ts) signs in, then
 * `PlatformApi.upload` sends the package read from a file — the sync engine's path with a
 * file instead of the vault's blob — and verifies the platform's receipt. Prints one JSON
 * line (ChildUpload). The parent (./exchange-bench.ts) runs this file bundled by esbuild,
 * as the app ships its native process, with the CLI launcher's Node flags.
 *
 *   node exchange-upload-child.ts SPEC.json
 */
import { createReadStream, readFileSync } from 'node:fs';
import { procStatusKiB, round1, round2 } from './bench-child.ts';
import { benchClient, clerkIdentity, type BenchClerk } from './exchange-pki.ts';
import type { Declared } from './exchange-curl.ts';

/** What the parent hands the child (a JSON file). */
export interface UploadSpec {
  url: string;
  caChainPem: string;
  clerk: BenchClerk;
  path: string;
  pkg: Declared;
  /** Read size of the package file, bytes. */
  readBytes: number;
  /** The client's uploadConcurrency (absent: its default). */
  concurrency?: number;
}

/** What the child prints. */
export interface ChildUpload {
  /** upload() from its call to the verified receipt. */
  seconds: number;
  /** From the call to the platform's acknowledgement of the last chunk. */
  transferSeconds: number;
  /** From there to the verified receipt (the platform's check of the package, the receipt). */
  completeSeconds: number;
  /** The sign-in before it (challenge, proof, session), not in `seconds`. */
  authSeconds: number;
  peakRssMiB: number;
  /** RSS once signed in, before the upload: node, the code loaded, a TLS connection. */
  rssBeforeMiB: number;
  /** Process CPU time during upload(), user + system. */
  cpuSeconds: number;
  /** The same over the whole process (start, sign-in, upload). */
  processCpuSeconds: number;
  receiptSha256: string;
}

const cpuSecondsOf = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;

async function main(specPath: string): Promise<void> {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as UploadSpec;
  const client = benchClient(
    spec.url,
    spec.caChainPem,
    clerkIdentity(spec.clerk),
    spec.concurrency,
  );
  const a0 = performance.now();
  await client.authenticate();
  const authSeconds = (performance.now() - a0) / 1000;
  const rssBeforeMiB = round1(procStatusKiB('VmRSS') / 1024);
  const source = {
    ...spec.pkg,
    level: spec.pkg.level as 'mat',
    read: (offset: number): AsyncIterable<Uint8Array> =>
      createReadStream(spec.path, { start: offset, highWaterMark: spec.readBytes }),
  };
  let lastChunkAt = Number.NaN;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const receipt = await client.upload(source, (done, total) => {
    if (done === total) lastChunkAt = performance.now();
  });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  if (receipt.statement.sha256 !== spec.pkg.sha256) throw new Error('bench: receipt for another');
  const result: ChildUpload = {
    seconds: round2((t1 - t0) / 1000),
    transferSeconds: round2((lastChunkAt - t0) / 1000),
    completeSeconds: round2((t1 - lastChunkAt) / 1000),
    authSeconds: round2(authSeconds),
    peakRssMiB: round1(Math.max(procStatusKiB('VmHWM'), process.resourceUsage().maxRSS) / 1024),
    rssBeforeMiB,
    cpuSeconds: round2(cpuSecondsOf(cpu)),
    processCpuSeconds: round2(cpuSecondsOf(process.cpuUsage())),
    receiptSha256: receipt.statement.sha256,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const [, , specPath] = process.argv;
if (specPath === undefined) throw new Error('usage: exchange-upload-child.ts SPEC.json');
await main(specPath);
