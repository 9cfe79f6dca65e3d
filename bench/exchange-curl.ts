/**
 * The peer of the exchange bench's upload: the same package sent to the same platform by
 * `curl`, doing what a plain client of the wire protocol does (platform-wire.ts, "upload"):
 * POST /v1/uploads, one PUT per chunk with its `Content-Digest: sha-256=:…:` and the
 * bearer token, POST …/complete. The chunks are split into files and their digests
 * computed beforehand, outside the timing (curl cannot hash a range of a file), so curl
 * only moves bytes: the ceiling of what a client can do against this server.
 *
 * The chunk PUTs are one curl process (`-K` config, one `next` block per chunk) that
 * reuses one keep-alive TLS connection — or, with `parallel` > 1, `--parallel` with that
 * many transfers at once. `Expect:` is sent empty (no 100-continue round trip: the Niêm
 * client does not wait for one either). The token and headers live in config files, not
 * argv. The chunk process runs under /usr/bin/time for its peak RSS and CPU time.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round1, round2, run } from './bench-child.ts';

/** One chunk written to its own file, with its base64 SHA-256. */
export interface ChunkFile {
  index: number;
  path: string;
  length: number;
  digest: string;
}

/** Splits the package at `pkgPath` into `chunkBytes` files in `dir` (untimed). */
export function splitChunks(
  pkgPath: string,
  size: number,
  chunkBytes: number,
  dir: string,
): ChunkFile[] {
  const fd = openSync(pkgPath, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  const chunks: ChunkFile[] = [];
  try {
    for (let index = 0; index * chunkBytes < size; index++) {
      const length = Math.min(chunkBytes, size - index * chunkBytes);
      let at = 0;
      while (at < length) {
        const n = readSync(fd, buffer, at, length - at, index * chunkBytes + at);
        if (n === 0) throw new Error('bench: the package ended early');
        at += n;
      }
      const bytes = buffer.subarray(0, length);
      const path = join(dir, `chunk-${index}`);
      writeFileSync(path, bytes);
      chunks.push({
        index,
        path,
        length,
        digest: createHash('sha256').update(bytes).digest('base64'),
      });
    }
  } finally {
    closeSync(fd);
  }
  return chunks;
}

/** What the package declares at start. */
export interface Declared {
  sha256: string;
  size: number;
  level: string;
  recipients: string[];
}

export interface CurlOptions {
  origin: string;
  token: string;
  /** The CA chain PEM file curl verifies the server with. */
  caFile: string;
  /** Where config and output files go. */
  dir: string;
  pkg: Declared;
  chunks: readonly ChunkFile[];
  /** Chunk PUTs at once (1: sequential on one connection). */
  parallel: number;
}

/** One curl upload: times in seconds, the chunk process's peak RSS and CPU. */
export interface CurlUpload {
  seconds: number;
  startSeconds: number;
  transferSeconds: number;
  completeSeconds: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Options of the whole curl process, before the first transfer's (7.88 needs
 * no-progress-meter besides silent to keep --parallel's meter off stderr).
 */
const GLOBAL = ['silent', 'show-error', 'no-progress-meter'];

/** The option lines of one transfer. */
function block(o: CurlOptions, url: string, out: string, extra: string[]): string[] {
  return [
    `url = ${quote(`${o.origin}${url}`)}`,
    `cacert = ${quote(o.caFile)}`,
    'noproxy = "*"',
    `header = ${quote(`authorization: Bearer ${o.token}`)}`,
    'header = "Expect:"',
    ...extra,
    `output = ${quote(out)}`,
    'write-out = "%{http_code}\\n"',
  ];
}

async function curl(config: string, timeFile?: string): Promise<{ codes: string[] }> {
  const r =
    timeFile === undefined
      ? await run('curl', ['-K', config])
      : await run('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, 'curl', '-K', config]);
  if (r.code !== 0) throw new Error(`bench: curl -K ${config} exited ${r.code}`);
  return { codes: r.stdout.trim().split('\n') };
}

function expectCodes(what: string, codes: string[], allowed: string[], count: number): void {
  if (codes.length !== count || codes.some((c) => !allowed.includes(c))) {
    throw new Error(`bench: curl ${what} answered ${codes.join(',').slice(0, 300)}`);
  }
}

/** Uploads the package with curl; throws unless the platform answers with a receipt. */
export async function curlUpload(o: CurlOptions): Promise<CurlUpload> {
  const { sha256 } = o.pkg;
  const json = 'header = "content-type: application/json"';
  const startBody = join(o.dir, 'start.json');
  writeFileSync(startBody, JSON.stringify(o.pkg));
  const startCfg = join(o.dir, 'start.cfg');
  writeFileSync(
    startCfg,
    [
      ...GLOBAL,
      ...block(o, '/v1/uploads', join(o.dir, 'start.out'), [
        json,
        `data-binary = ${quote(`@${startBody}`)}`,
      ]),
    ].join('\n'),
    { mode: 0o600 },
  );
  const chunkCfg = join(o.dir, 'chunks.cfg');
  const lines = [...GLOBAL];
  if (o.parallel > 1) lines.push('parallel', `parallel-max = ${o.parallel}`);
  o.chunks.forEach((c, i) => {
    if (i > 0) lines.push('next');
    // prettier-ignore
    lines.push(...block(o, `/v1/uploads/${sha256}/chunks/${c.index}`, '/dev/null', [
      'header = "content-type: application/octet-stream"',
      `header = "content-digest: sha-256=:${c.digest}:"`,
      `upload-file = ${quote(c.path)}`,
    ]));
  });
  writeFileSync(chunkCfg, lines.join('\n'), { mode: 0o600 });
  const completeCfg = join(o.dir, 'complete.cfg');
  const completeOut = join(o.dir, 'complete.out');
  writeFileSync(
    completeCfg,
    [
      ...GLOBAL,
      ...block(o, `/v1/uploads/${sha256}/complete`, completeOut, [json, 'data-binary = ""']),
    ].join('\n'),
    { mode: 0o600 },
  );
  const timeFile = join(o.dir, 'chunks.time');

  const t0 = performance.now();
  const started = await curl(startCfg);
  const t1 = performance.now();
  const sent = await curl(chunkCfg, timeFile);
  const t2 = performance.now();
  const completed = await curl(completeCfg);
  const t3 = performance.now();

  expectCodes('start', started.codes, ['200', '201'], 1);
  expectCodes('chunks', sent.codes, ['204'], o.chunks.length);
  expectCodes('complete', completed.codes, ['200'], 1);
  const receipt = (JSON.parse(readFileSync(completeOut, 'utf8')) as { receipt?: unknown }).receipt;
  if (typeof receipt !== 'string') throw new Error('bench: curl complete without a receipt');
  const timeLine = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const [rssKiB, user, system] = timeLine.split(' ');
  return {
    seconds: round2((t3 - t0) / 1000),
    startSeconds: round2((t1 - t0) / 1000),
    transferSeconds: round2((t2 - t1) / 1000),
    completeSeconds: round2((t3 - t2) / 1000),
    peakRssMiB: round1(Number(rssKiB) / 1024),
    cpuSeconds: round2(Number(user) + Number(system)),
  };
}
