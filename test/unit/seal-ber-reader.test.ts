/**
 * The streaming reader over the streaming writer: every primitive read back through
 * arbitrary chunk splits (down to single bytes), a 20 MiB segmented OCTET STRING streamed
 * through random 1-byte…64 KiB splits in bounded memory, contents of implicitly tagged and
 * nested segmented strings, skipping, reading whole, leaving a stream early, push-style
 * producers through a PassThrough, and the Transform encoder in a pipeline.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { NiemError } from '../../native/api/errors.ts';
import {
  BerReader,
  bitString,
  boolean,
  cmsTime,
  concatBytes,
  createOctetStringEncoder,
  encodeIndefinite,
  encodeOctetStringStream,
  explicit,
  generalizedTime,
  ia5String,
  implicit,
  integer,
  nullValue,
  octetString,
  oid,
  printableString,
  readBitString,
  readBoolean,
  readInteger,
  readNull,
  readOctets,
  readOid,
  readString,
  readTime,
  sequence,
  setOf,
  utf8String,
  type BerHeader,
  type ByteInput,
} from '../../native/seal/ber/index.ts';

const MiB = 1024 * 1024;

/** xorshift32: deterministic randomness for splits and payloads. */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A size from 1 to max, log-uniform, so single bytes and full 64 KiB both come often. */
const logSize = (rand: () => number, max: number): number =>
  Math.max(1, Math.min(max, Math.floor(2 ** (rand() * Math.log2(max + 1)))));

/** Re-splits a byte stream at random points (across the producer's chunk boundaries too). */
async function* rechunk(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  rand: () => number,
  max = 65_536,
): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  let target = logSize(rand, max);
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(target - have, chunk.length - at);
      parts.push(chunk.subarray(at, at + n));
      have += n;
      at += n;
      if (have === target) {
        yield concatBytes(parts);
        parts = [];
        have = 0;
        target = logSize(rand, max);
      }
    }
  }
  if (have > 0) yield concatBytes(parts);
}

function* splitEvery(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c);
  return concatBytes(parts);
}

async function nextOf(reader: BerReader): Promise<BerHeader> {
  const h = await reader.next();
  assert.ok(h !== null, 'an element was expected');
  return h;
}

describe('every primitive through the streaming reader', () => {
  const when = new Date(Date.UTC(2026, 4, 4, 2, 5, 0));
  const serial = BigInt('0x01f5142ee5bcedd21654bb24eeaffa3494f7591b');
  const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const elements = [
    integer(-129),
    integer(serial),
    oid('1.2.840.113549.1.9.16.2.47'),
    octetString(payload),
    bitString(Uint8Array.of(0xa5, 0xf0), 4),
    nullValue(),
    boolean(true),
    cmsTime(when),
    generalizedTime(new Date(Date.UTC(2051, 0, 2, 3, 4, 5))),
    utf8String('Tuyệt mật'),
    printableString('CQ A'),
    ia5String('van-thu@cq.gov.vn'),
    setOf(integer(3), integer(1), integer(2)),
    explicit(0, integer(7)),
    implicit(1, octetString(Uint8Array.of(1, 2))),
  ];

  async function check(input: ByteInput): Promise<void> {
    const reader = new BerReader(input);
    reader.enter(await nextOf(reader));
    const node = async (): Promise<Parameters<typeof readInteger>[0]> =>
      reader.readNode(await nextOf(reader));
    assert.equal(readInteger(await node()), -129n);
    assert.equal(readInteger(await node()), serial);
    assert.equal(readOid(await node()), '1.2.840.113549.1.9.16.2.47');
    assert.deepEqual(readOctets(await node()), payload);
    assert.deepEqual(readBitString(await node()), {
      bytes: Uint8Array.of(0xa5, 0xf0),
      unusedBits: 4,
    });
    assert.equal(readNull(await node()), null);
    assert.equal(readBoolean(await node(), { der: true }), true);
    assert.equal(readTime(await node(), { der: true }).getTime(), when.getTime());
    assert.equal(readTime(await node()).toISOString(), '2051-01-02T03:04:05.000Z');
    assert.equal(readString(await node()), 'Tuyệt mật');
    assert.equal(readString(await node()), 'CQ A');
    assert.equal(readString(await node()), 'van-thu@cq.gov.vn');
    const set = await nextOf(reader);
    reader.enter(set);
    for (const expected of [1n, 2n, 3n]) assert.equal(readInteger(await node()), expected);
    assert.equal(await reader.next(), null, 'end of the SET');
    const tagged = await nextOf(reader);
    assert.equal(tagged.tagClass, 'context');
    reader.enter(tagged);
    assert.equal(readInteger(await node()), 7n);
    assert.equal(await reader.next(), null);
    const imp = await nextOf(reader);
    assert.deepEqual(await reader.readContents(imp), Uint8Array.of(1, 2));
    assert.equal(await reader.next(), null, 'end of the top SEQUENCE');
    assert.equal(await reader.next(), null, 'nothing after it');
    await reader.finish();
  }

  it('reads DER (definite lengths) split into single bytes and at random', async () => {
    const der = sequence(...elements);
    await check(der);
    await check(splitEvery(der, 1));
    for (let seed = 1; seed <= 20; seed++) await check(rechunk([der], prng(seed), 64));
  });

  it('reads BER (indefinite lengths from the streaming writer) split the same ways', async () => {
    const ber = await collect(encodeIndefinite('universal', 16, elements));
    assert.equal(ber[1], 0x80);
    await check(splitEvery(ber, 1));
    for (let seed = 1; seed <= 20; seed++) await check(rechunk([ber], prng(seed), 64));
  });

  it('gives absolute offsets and header bytes', async () => {
    const der = sequence(integer(1), sequence(octetString(new Uint8Array(200))));
    const reader = new BerReader(splitEvery(der, 3));
    const top = await nextOf(reader);
    assert.deepEqual([top.offset, top.headerLength, top.length, top.depth], [0, 3, 209, 0]);
    assert.deepEqual(top.headerBytes, der.subarray(0, 3));
    reader.enter(top);
    await reader.skip(await nextOf(reader));
    reader.enter(await nextOf(reader));
    const os = await nextOf(reader);
    assert.deepEqual([os.offset, os.headerLength, os.length, os.depth], [9, 3, 200, 2]);
    const node = await reader.readNode(os);
    assert.equal(node.offset, 9);
    assert.equal(node.depth, 2);
  });
});

describe('streaming large contents', () => {
  /** A payload of `total` bytes in random-size chunks, made as it is read. */
  function* payload(total: number, seed: number): Generator<Uint8Array> {
    const rand = prng(seed);
    let done = 0;
    while (done < total) {
      const n = Math.min(total - done, logSize(rand, 65_536));
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) chunk[i] = (rand() * 256) | 0;
      done += n;
      yield chunk;
    }
  }

  function sha256(chunks: Iterable<Uint8Array>): string {
    const h = createHash('sha256');
    for (const c of chunks) h.update(c);
    return h.digest('hex');
  }

  it('streams 20 MiB through random 1-byte…64 KiB splits in bounded memory', async (t) => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (options?: object) => void;
    const total = 20 * MiB;
    const expected = sha256(payload(total, 7));
    const content = encodeIndefinite('universal', 16, [
      oid('1.2.840.113549.1.7.1'),
      encodeIndefinite('context', 0, [
        encodeOctetStringStream(payload(total, 7), { segmentSize: 65_536 }),
      ]),
    ]);
    const fullGc = (): void => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    fullGc();
    const before = process.memoryUsage();
    let peakBuffers = 0;
    let peakRss = 0;
    const sample = (): void => {
      fullGc();
      const m = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers - before.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - before.rss);
    };
    const reader = new BerReader(rechunk(content, prng(11)));
    reader.enter(await nextOf(reader));
    assert.equal(readOid(await reader.readNode(await nextOf(reader))), '1.2.840.113549.1.7.1');
    reader.enter(await nextOf(reader));
    const os = await nextOf(reader);
    assert.deepEqual([os.constructed, os.length], [true, 'indefinite']);
    const hash = createHash('sha256');
    let size = 0;
    let nextSample = 0;
    for await (const chunk of reader.contents(os)) {
      hash.update(chunk);
      size += chunk.length;
      if (size >= nextSample) {
        sample();
        nextSample += MiB;
      }
    }
    await reader.finish();
    sample();
    t.diagnostic(`peak growth over 20 MiB: array buffers ${peakBuffers} B, RSS ${peakRss} B`);
    assert.equal(size, total);
    assert.equal(hash.digest('hex'), expected);
    assert.ok(peakBuffers < 2 * MiB, `array buffers grew by ${peakBuffers} bytes`);
    assert.ok(peakRss < total / 2, `RSS grew by ${peakRss} bytes`);
  });

  it('joins nested constructed segments and [0] IMPLICIT segmented strings', async () => {
    const seg = (hex: string): Uint8Array => octetString(Buffer.from(hex, 'hex'));
    const nested = await collect(
      encodeIndefinite('context', 0, [
        seg('0102'),
        encodeIndefinite('universal', 4, [
          seg('03'),
          encodeIndefinite('universal', 4, [seg('04')]),
        ]),
        seg(''),
        Uint8Array.from([0x24, 0x03, ...seg('05')]),
      ]),
    );
    for (let seed = 1; seed <= 10; seed++) {
      const reader = new BerReader(rechunk([nested], prng(seed), 3));
      const h = await nextOf(reader);
      assert.deepEqual(await reader.readContents(h), Uint8Array.of(1, 2, 3, 4, 5));
      await reader.finish();
    }
  });

  it('streams the contents of a large primitive without copying', async () => {
    const big = new Uint8Array(3 * MiB).fill(0x5a);
    const der = sequence(octetString(big), integer(9));
    const reader = new BerReader(splitEvery(der, 65_536));
    reader.enter(await nextOf(reader));
    let n = 0;
    for await (const c of reader.contents(await nextOf(reader))) {
      assert.equal(c.buffer, der.buffer, 'a view into the input');
      n += c.length;
    }
    assert.equal(n, big.length);
    assert.equal(readInteger(await reader.readNode(await nextOf(reader))), 9n);
  });

  it('lets the caller leave a contents stream early and go on with the next element', async () => {
    const ber = await collect(
      encodeIndefinite('universal', 16, [
        encodeOctetStringStream([new Uint8Array(10_000)], { segmentSize: 1000 }),
        integer(42),
      ]),
    );
    for (let seed = 1; seed <= 5; seed++) {
      const reader = new BerReader(rechunk([ber], prng(seed), 500));
      reader.enter(await nextOf(reader));
      const os = await nextOf(reader);
      for await (const c of reader.contents(os)) {
        assert.ok(c.length > 0);
        break;
      }
      assert.equal(readInteger(await reader.readNode(await nextOf(reader))), 42n);
      assert.equal(await reader.next(), null);
      await reader.finish();
    }
  });

  it('skips and reads whole indefinite-length elements', async () => {
    const inner = await collect(
      encodeIndefinite('universal', 16, [
        integer(1),
        encodeIndefinite('context', 0, [
          encodeOctetStringStream([Uint8Array.of(7, 8, 9)], { segmentSize: 2 }),
        ]),
      ]),
    );
    const ber = await collect(encodeIndefinite('universal', 16, [inner, inner, integer(5)]));
    const reader = new BerReader(splitEvery(ber, 1));
    reader.enter(await nextOf(reader));
    await reader.skip(await nextOf(reader));
    const whole = await reader.readWhole(await nextOf(reader));
    assert.deepEqual(whole, inner);
    const node = await reader.readNode(await nextOf(reader));
    assert.equal(readInteger(node), 5n);
    assert.equal(node.offset, 2 * inner.length + 2);
    await reader.finish();
  });
});

describe('producers', () => {
  it('take push-style writes through a PassThrough, paced by the reader', async () => {
    const pass = new PassThrough({ highWaterMark: 1024 });
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    const produce = (async () => {
      for await (const chunk of encodeOctetStringStream(splitEvery(data, 999), {
        segmentSize: 4096,
      })) {
        if (!pass.write(chunk)) await new Promise((r) => pass.once('drain', r));
      }
      pass.end();
    })();
    const reader = new BerReader(pass);
    const got = await reader.readContents(await nextOf(reader));
    await produce;
    assert.deepEqual(got, data);
  });

  it('encode with the Transform in a pipeline', async () => {
    const data = new Uint8Array(150_000).map((_, i) => (i * 13) % 256);
    const out: Uint8Array[] = [];
    await pipeline(
      Readable.from(splitEvery(data, 7000)),
      createOctetStringEncoder({ segmentSize: 16_384, tagClass: 'context', tagNumber: 0 }),
      async function (source: AsyncIterable<Uint8Array>) {
        for await (const c of source) out.push(c);
      },
    );
    const enc = concatBytes(out);
    assert.deepEqual([...enc.subarray(0, 2)], [0xa0, 0x80]);
    assert.deepEqual([...enc.subarray(enc.length - 2)], [0, 0]);
    const reader = new BerReader(enc);
    assert.deepEqual(await reader.readContents(await nextOf(reader)), data);
    const empty = await collect(Readable.from([]).pipe(createOctetStringEncoder()));
    assert.deepEqual([...empty], [0x24, 0x80, 0, 0]);
  });

  it('refuse misuse by the caller as an internal error, not as bad input', async () => {
    const reader = new BerReader(sequence(integer(1)));
    const top = await nextOf(reader);
    reader.enter(top);
    assert.throws(
      () => reader.enter(top),
      (e: unknown) => e instanceof NiemError && e.kind === 'internal',
    );
  });
});
