/**
 * SignedData bench: signs and verifies a generated file (default 1 GiB) with
 * signContent / verifySignedData, file to file, and in the same run signs the same file
 * with `openssl cms -sign -stream` (same key, SHA-256). Prints one JSON object: MiB/s,
 * RSS growth over the baseline (sampled every 20 ms) and the ratio to openssl, plus the
 * content-digest throughput on the calling thread vs the worker thread for several sizes
 * (the reason for ContentDigester's 1 MiB threshold).
 *
 *   source scripts/env.sh && node bench/seal-signed-data.ts [--mib 1024] > sd-bench.json
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ContentDigester,
  signContent,
  softwareSigner,
  verifySignedData,
} from '../native/seal/signed-data/index.ts';
import { makeSignedDataPki } from '../test/unit/seal-signed-data-pki.ts';

const MiB = 1024 * 1024;
const argIndex = process.argv.indexOf('--mib');
const sizeMiB = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1024;

function rssSampler(): { stop: () => number } {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return (peak - base) / MiB;
    },
  };
}

async function timed<T>(
  work: () => Promise<T>,
): Promise<{ seconds: number; rssGrowthMiB: number; value: T }> {
  globalThis.gc?.();
  const rss = rssSampler();
  const start = performance.now();
  const value = await work();
  const seconds = (performance.now() - start) / 1000;
  return { seconds, rssGrowthMiB: Math.round(rss.stop() * 10) / 10, value };
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const pki = makeSignedDataPki();
  try {
    const input = join(pki.dir, 'content.bin');
    process.stderr.write(`writing ${sizeMiB} MiB…\n`);
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < MiB; i++) block[i] = (i * 2654435761) >>> 24;
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < sizeMiB; i++) {
            block[0] = i & 0xff;
            yield Buffer.from(block);
          }
        })(),
      ),
      createWriteStream(input),
    );
    const signer = softwareSigner(pki.rsa.key, pki.rsa.der);
    const ours = join(pki.dir, 'ours.p7m');

    process.stderr.write('signContent…\n');
    const sign = await timed(() =>
      pipeline(
        Readable.from(
          signContent({
            content: createReadStream(input, { highWaterMark: MiB }),
            signers: [signer],
            level: 'mat',
            certificates: pki.intermediates,
          }),
        ),
        createWriteStream(ours),
      ),
    );

    process.stderr.write('signContent, digest on the calling thread…\n');
    const signSync = await timed(() =>
      pipeline(
        Readable.from(
          signContent({
            content: createReadStream(input, { highWaterMark: MiB }),
            signers: [signer],
            level: 'mat',
            certificates: pki.intermediates,
            digestMode: 'sync',
          }),
        ),
        createWriteStream(join(pki.dir, 'sync.p7m')),
      ),
    );

    process.stderr.write('verifySignedData…\n');
    const verify = await timed(async () => {
      const sink = new Writable({ write: (_c, _e, cb) => cb(), highWaterMark: MiB });
      return verifySignedData(createReadStream(ours, { highWaterMark: MiB }), {
        trustAnchors: [pki.root.der],
        onContent: (chunks) => pipeline(Readable.from(chunks), sink),
      });
    });
    if (verify.value.verdict !== 'valid') throw new Error('bench: verification failed');

    process.stderr.write('openssl cms -sign -stream…\n');
    const start = performance.now();
    // prettier-ignore
    const o = spawnSync('/usr/bin/time', ['-f', '%M', 'openssl', 'cms', '-sign', '-stream', '-binary', '-outform', 'DER',
      '-md', 'sha256', '-nodetach', '-in', input, '-signer', pki.rsa.certPath, '-inkey', pki.rsa.keyPath,
      '-certfile', pki.issuing.certPath, '-out', join(pki.dir, 'openssl.p7m')], { encoding: 'utf8' });
    const opensslSeconds = (performance.now() - start) / 1000;
    if (o.status !== 0) throw new Error(`openssl failed: ${o.stderr}`);
    const opensslMaxRssMiB = round(Number(o.stderr.trim().split('\n').at(-1)) / 1024);

    process.stderr.write('digest thread comparison…\n');
    const digest: Record<string, { syncMiBs: number; workerMiBs: number }> = {};
    for (const size of [64 * 1024, MiB, 8 * MiB, 64 * MiB]) {
      const data = Buffer.alloc(size, 7);
      const rate = async (mode: 'sync' | 'worker'): Promise<number> => {
        const t0 = performance.now();
        const d = new ContentDigester(['sha256'], mode);
        for (let at = 0; at < size; at += 64 * 1024)
          await d.update(data.subarray(at, at + 64 * 1024));
        await d.digest();
        return round(size / MiB / ((performance.now() - t0) / 1000));
      };
      await rate('worker');
      digest[`${size / 1024} KiB`] = {
        syncMiBs: await rate('sync'),
        workerMiBs: await rate('worker'),
      };
    }

    const mib = sizeMiB;
    const result = {
      contentMiB: mib,
      packageBytes: statSync(ours).size,
      signer: 'RSA-3072 PKCS#1 v1.5, SHA-256 (software key)',
      niemSign: {
        MiBs: round(mib / sign.seconds),
        seconds: round(sign.seconds),
        rssGrowthMiB: sign.rssGrowthMiB,
      },
      niemSignDigestOnCallingThread: {
        MiBs: round(mib / signSync.seconds),
        seconds: round(signSync.seconds),
        rssGrowthMiB: signSync.rssGrowthMiB,
      },
      niemVerify: {
        MiBs: round(mib / verify.seconds),
        seconds: round(verify.seconds),
        rssGrowthMiB: verify.rssGrowthMiB,
      },
      opensslSignStream: {
        MiBs: round(mib / opensslSeconds),
        seconds: round(opensslSeconds),
        maxRssMiB: opensslMaxRssMiB,
      },
      signRatioToOpenssl: round(opensslSeconds / sign.seconds),
      digestThreads: digest,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    pki.cleanup();
  }
}

await main();
