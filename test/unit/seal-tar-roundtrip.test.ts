/**
 * Writer → reader round trips of Niêm bodies: Vietnamese (NFC) names, long names, empty
 * files, chunks split anywhere, deterministic output; a 3 GiB body generated on the fly
 * in bounded memory, and a member over 8 GiB (pax `size`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { manifestMtime, serializeManifest, type Manifest } from '../../native/seal/manifest.ts';
import { readNiemBody, writeNiemBody } from '../../native/seal/tar/body.ts';
import { detectBody } from '../../native/seal/tar/detect.ts';
import { BLOCK_SIZE, MAX_OCTAL_SIZE, decodeHeader } from '../../native/seal/tar/header.ts';
import { readTar } from '../../native/seal/tar/reader.ts';
import {
  fallbackName,
  memberHeader,
  writeTar,
  type TarContent,
} from '../../native/seal/tar/writer.ts';

const enc = new TextEncoder();
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function manifestFor(docs: Array<[string, Uint8Array]>): Manifest {
  return {
    formatVersion: 1,
    securityLevel: 'mat',
    promulgationInfo: { place: 'Hà Nội', promulgationDate: '2024-12-31' },
    documents: docs.map(([name, data]) => ({
      name,
      size: data.length,
      sha256: sha(data),
      mediaType: 'application/octet-stream',
    })),
  };
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of gen) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A deterministic pseudo-random generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** Re-splits a byte stream at random points (including 1-byte and empty chunks). */
async function* resplit(bytes: Uint8Array, seed: number): AsyncGenerator<Uint8Array> {
  const next = rng(seed);
  let at = 0;
  while (at < bytes.length) {
    const r = next();
    const n = r < 0.1 ? 0 : r < 0.3 ? 1 : Math.floor(next() * 3000);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function readBack(
  source: AsyncIterable<Uint8Array>,
): Promise<{ manifest: Manifest; files: Map<string, Uint8Array> }> {
  const body = await readNiemBody(source);
  const files = new Map<string, Uint8Array>();
  for await (const doc of body.documents) files.set(doc.name, await collect(doc.body));
  return { manifest: body.manifest, files };
}

const docs: Array<[string, Uint8Array]> = [
  ['Báo cáo tổng kết năm 2024.pdf'.normalize('NFC'), enc.encode('%PDF-1.7 báo cáo')],
  ['trống.txt', new Uint8Array(0)],
  ['empty.bin', new Uint8Array(0)],
  ['Quyết định ' + 'rất dài '.repeat(20) + '.docx', new Uint8Array(1500).fill(42)],
  ['exactly-512.bin', new Uint8Array(512).fill(1)],
  ['a', new Uint8Array(513).fill(2)],
];

describe('Niêm body round trip', () => {
  it('gives back the manifest and every document, for any chunk split', async () => {
    const manifest = manifestFor(docs);
    const archive = await collect(
      writeNiemBody(
        manifest,
        docs.map(([, d]) => d),
      ),
    );
    assert.equal(archive.length % BLOCK_SIZE, 0);
    assert.equal(detectBody(archive.subarray(0, BLOCK_SIZE)), 'niem-tar');
    for (let seed = 1; seed <= 40; seed++) {
      const { manifest: back, files } = await readBack(resplit(archive, seed));
      assert.deepEqual(back, manifest);
      assert.deepEqual(
        [...files.keys()],
        docs.map(([n]) => n),
      );
      for (const [name, data] of docs) assert.deepEqual(files.get(name), data, name);
    }
  });

  it('writes the canonical manifest first and deterministic headers', async () => {
    const manifest = manifestFor(docs);
    const contents: TarContent[] = docs.map(
      ([, d]) =>
        async function* () {
          for (let i = 0; i < d.length; i += 100) yield d.subarray(i, i + 100);
        },
    );
    const one = await collect(writeNiemBody(manifest, contents));
    const two = await collect(
      writeNiemBody(
        structuredClone(manifest),
        docs.map(([, d]) => d),
      ),
    );
    assert.deepEqual(one, two);
    const first = decodeHeader(one.subarray(0, BLOCK_SIZE));
    assert.equal(new TextDecoder().decode(first.nameBytes), 'manifest.json');
    const m = serializeManifest(manifest);
    assert.equal(first.size, m.length);
    assert.deepEqual(one.subarray(BLOCK_SIZE, BLOCK_SIZE + m.length), m);
    // mode 0644, uid/gid 0, mtime from the promulgation date, no user/group names
    const h = one.subarray(0, BLOCK_SIZE);
    const ascii = (a: number, b: number) => Buffer.from(h.subarray(a, b)).toString('latin1');
    assert.equal(ascii(100, 108), '0000644\0');
    assert.equal(ascii(108, 124), '0000000\u00000000000\0');
    assert.equal(parseInt(ascii(136, 147), 8), manifestMtime(manifest));
    assert.equal(manifestMtime(manifest), Date.UTC(2024, 11, 30, 17) / 1000);
    assert.equal(ascii(257, 265), 'ustar\u000000');
    assert.ok(h.subarray(265, 329).every((b) => b === 0));
    assert.ok(one.subarray(one.length - 1024).every((b) => b === 0));
  });

  it('stores names as NFC even when given NFD', async () => {
    const nfd = 'Công văn đến.pdf'.normalize('NFD');
    const data = enc.encode('x');
    const archive = await collect(writeNiemBody(manifestFor([[nfd, data]]), [data]));
    const { files } = await readBack(resplit(archive, 7));
    assert.deepEqual([...files.keys()], ['Công văn đến.pdf'.normalize('NFC')]);
  });

  it('refuses content that changed since the manifest was made', async () => {
    const data = enc.encode('original');
    await assert.rejects(
      collect(writeNiemBody(manifestFor([['a.pdf', data]]), [enc.encode('changed!')])),
      (err: unknown) => err instanceof Error && 'kind' in err && err.kind === 'invalid-input',
    );
    await assert.rejects(
      collect(writeNiemBody(manifestFor([['a.pdf', data]]), [])),
      (err: unknown) => err instanceof Error && 'kind' in err && err.kind === 'invalid-input',
    );
  });

  it('uses a pax path only when needed, with a safe ASCII fallback name', () => {
    assert.equal(memberHeader('plain.pdf', 1, 0).length, BLOCK_SIZE);
    const long = memberHeader('Tờ trình.pdf', 1, 0);
    assert.equal(long.length, 3 * BLOCK_SIZE);
    assert.equal(fallbackName('Tờ trình.pdf'), 'T__tr_nh.pdf');
    assert.equal(fallbackName('x'.repeat(200) + '.docx').length, 89);
    assert.ok(fallbackName('x'.repeat(200) + '.docx').endsWith('.docx'));
  });
});

/** `total` bytes as chunks of `chunk` bytes: mostly zeros, each chunk stamped with its index. */
function* generated(total: number, chunk: number): Generator<Uint8Array> {
  const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
  for (let i = 0, at = 0; at < total; i++, at += chunk) {
    const b = buffers[i % 2] ?? new Uint8Array(chunk);
    new DataView(b.buffer).setUint32(0, i);
    b[chunk - 1] = i & 0xff;
    yield total - at < chunk ? b.subarray(0, total - at) : b;
  }
}

async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  for await (const c of source) {
    for (let i = 0; i < c.length; i += size) yield c.subarray(i, i + size);
  }
}

describe('large bodies in bounded memory', () => {
  it('round-trips a 3 GiB document generated on the fly, buffers and RSS bounded', async () => {
    const size = 3 * 1024 ** 3 + 12_345;
    const chunk = 1024 * 1024;
    const hash = createHash('sha256');
    for (const c of generated(size, chunk)) hash.update(c);
    const manifest: Manifest = {
      formatVersion: 1,
      securityLevel: 'tuyet-mat',
      documents: [
        { name: 'Bản quét lưu trữ.tif', size, sha256: hash.digest('hex'), mediaType: 'image/tiff' },
        { name: 'nhỏ.txt', size: 3, sha256: sha(enc.encode('abc')), mediaType: 'text/plain' },
      ],
    };
    const base = process.memoryUsage();
    const peak = { rss: base.rss, arrayBuffers: base.arrayBuffers };
    const sample = () => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    };
    const timer = setInterval(sample, 50);
    try {
      const body = await readNiemBody(
        rechunk(
          writeNiemBody(manifest, [
            () => generated(size, chunk) as unknown as AsyncIterable<Uint8Array>,
            enc.encode('abc'),
          ]),
          65_537,
        ),
      );
      let count = 0;
      const seen: Array<[string, number]> = [];
      for await (const doc of body.documents) {
        let n = 0;
        for await (const c of doc.body) {
          n += c.length;
          if (++count % 4096 === 0) sample();
        }
        seen.push([doc.name, n]);
      }
      assert.deepEqual(seen, [
        ['Bản quét lưu trữ.tif', size],
        ['nhỏ.txt', 3],
      ]);
    } finally {
      clearInterval(timer);
    }
    sample();
    const mib = (n: number) => n / 1024 / 1024;
    // Buffers in flight stay a few chunks; the process as a whole far below the data size
    // (V8's young generation alone may add tens of MiB of RSS under this allocation rate).
    const buffers = mib(peak.arrayBuffers - base.arrayBuffers);
    const rss = mib(peak.rss - base.rss);
    assert.ok(buffers < 16, `array buffers grew by ${buffers.toFixed(1)} MiB`);
    assert.ok(rss < 128, `RSS grew by ${rss.toFixed(1)} MiB`);
  });

  it('round-trips a member over 8 GiB through a pax size record', async () => {
    const size = MAX_OCTAL_SIZE + 1 + 1024 ** 3; // 9 GiB
    const zeros = new Uint8Array(8 * 1024 * 1024);
    async function* content(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < size; at += zeros.length)
        yield at + zeros.length > size ? zeros.subarray(0, size - at) : zeros;
    }
    const entries = [
      { name: 'huge.bin', size, content: content() },
      { name: 'sau.txt', size: 2, content: enc.encode('ok') },
    ];
    const got: Array<[string, number, number]> = [];
    for await (const entry of readTar(writeTar(entries))) {
      let n = 0;
      let last = 0;
      for await (const c of entry.body) {
        n += c.length;
        last = c[c.length - 1] ?? 0;
      }
      got.push([entry.name, entry.size, n + last]);
    }
    assert.deepEqual(got, [
      ['huge.bin', size, size],
      ['sau.txt', 2, 2 + 'k'.charCodeAt(0)],
    ]);
  });
});
