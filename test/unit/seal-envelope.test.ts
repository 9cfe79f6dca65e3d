/**
 * Streaming AuthEnvelopedData (native/seal/envelope/): round trips for every recipient
 * type, 64 MiB through with bounded memory under random chunk splits, inspect without a
 * key, tampering and truncation refused with nothing committed, not-a-recipient, and a
 * property test of open over mutated envelopes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { NiemError } from '../../native/api/errors.ts';
import {
  inspectEnvelope,
  openEnvelope,
  openEnvelopeToFile,
  sealEnvelope,
  type RecipientSpec,
} from '../../native/seal/envelope/index.ts';
import type { RecipientKey } from '../../native/seal/cms-crypto/index.ts';
import { makeTestPki, type TestParty, type TestPki } from './seal-cms-crypto-pki.ts';

let pki: TestPki;
let out: string;
before(() => {
  pki = makeTestPki();
  out = mkdtempSync(join(tmpdir(), 'niem-env-'));
});
after(() => {
  pki.cleanup();
  rmSync(out, { recursive: true, force: true });
});

function kindOf(err: unknown): string {
  return err instanceof NiemError ? err.kind : `not a NiemError: ${String(err)}`;
}

async function* chunksOf(data: Uint8Array, size = 7000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function seal(
  inner: Uint8Array,
  parties: TestParty[],
  specs?: RecipientSpec[],
): Promise<Buffer> {
  return collect(
    sealEnvelope({
      inner: chunksOf(inner),
      recipients: specs ?? parties.map((p) => ({ certificate: p.certificate })),
      level: 'mat',
    }),
  );
}

/** Opens into memory; `committed` only once the plaintext stream ended (tag verified). */
async function open(
  bytes: Uint8Array,
  keys: RecipientKey[],
  split?: (data: Uint8Array) => AsyncIterable<Uint8Array>,
): Promise<{ plaintext: Buffer; level: string | undefined; type: string }> {
  let plaintext: Buffer | undefined;
  const result = await openEnvelope(split ? split(bytes) : chunksOf(bytes, 4096), {
    keys,
    onPlaintext: async (chunks) => {
      plaintext = await collect(chunks);
    },
  });
  assert.ok(plaintext, 'resolved without the plaintext committed');
  return { plaintext, level: result.level, type: result.recipient.type };
}

const inner = randomBytes(300_000);

describe('sealEnvelope / openEnvelope', () => {
  const cases: [string, () => TestParty, RecipientSpec['oaepHash']][] = [
    ['RSA-OAEP-SHA256', () => pki.rsa, undefined],
    ['RSA-OAEP-SHA1', () => pki.rsa, 'sha1'],
    ['ECDH P-256', () => pki.p256, undefined],
    ['ECDH P-384', () => pki.p384, undefined],
  ];
  for (const [name, party, oaepHash] of cases) {
    it(`round-trips for ${name}`, async () => {
      const p = party();
      const sealed = await seal(inner, [p], [{ certificate: p.certificate, oaepHash }]);
      const opened = await open(sealed, [p.key]);
      assert.deepEqual(opened.plaintext, inner);
      assert.equal(opened.level, 'mat');
      assert.equal(opened.type, p.certificate.keyType === 'rsa' ? 'ktri' : 'kari');
    });
  }

  it('round-trips with all recipients together, each opening', async () => {
    const parties = [pki.rsa, pki.p256, pki.p384];
    const sealed = await seal(inner, parties);
    for (const p of parties) assert.deepEqual((await open(sealed, [p.key])).plaintext, inner);
  });

  it('handles an empty inner stream', async () => {
    const sealed = await seal(new Uint8Array(0), [pki.p256]);
    assert.equal((await open(sealed, [pki.p256.key])).plaintext.length, 0);
  });

  it('inspect reads level, recipients and size without a key', async () => {
    const sealed = await seal(inner, [pki.rsa, pki.p384]);
    const info = await inspectEnvelope(chunksOf(sealed, 1000));
    assert.equal(info.formatVersion, 1);
    assert.equal(info.level, 'mat');
    assert.equal(info.levelStatus, 'unverified until opened');
    assert.equal(info.size, sealed.length);
    assert.equal(info.encryptedBytes, inner.length);
    assert.deepEqual(info.recipients.map((r) => r.type).sort(), ['kari', 'ktri']);
    const rsa = info.recipients.find((r) => r.type === 'ktri');
    assert.match(rsa?.issuer ?? '', /CN=Niêm TEST CA/);
    assert.match(rsa?.serial ?? '', /^[0-9a-f]+$/);
  });

  it('refuses a package not addressed to us as not-a-recipient', async () => {
    const sealed = await seal(inner, [pki.p256]);
    await assert.rejects(open(sealed, [pki.stranger.key]), (e) => kindOf(e) === 'not-a-recipient');
  });
});

describe('bounded memory', () => {
  it('streams 64 MiB through seal and open under random chunk splits', async () => {
    const total = 64 * 1024 * 1024;
    const block = randomBytes(1 << 20);
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % n);
    };
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total;) {
        const n = Math.min(rnd(200_000), total - sent);
        const at = sent % block.length;
        const part = Buffer.alloc(n);
        for (let i = 0; i < n;) {
          const m = Math.min(n - i, block.length - ((at + i) % block.length));
          block.copy(part, i, (at + i) % block.length, ((at + i) % block.length) + m);
          i += m;
        }
        sent += n;
        yield part;
      }
    }
    async function* resplit(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const c of src) {
        for (let i = 0; i < c.length;) {
          const n = rnd(100_000);
          yield c.subarray(i, i + n);
          i += n;
        }
      }
    }
    const expected = createHash('sha256');
    for await (const c of source()) expected.update(c);
    seed = 12345;
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const got = createHash('sha256');
    let bytes = 0;
    try {
      const sealed = sealEnvelope({ inner: source(), recipients: [pki.p256], level: 'toi-mat' });
      const result = await openEnvelope(resplit(sealed), {
        keys: [pki.p256.key],
        onPlaintext: async (chunks) => {
          for await (const c of chunks) {
            got.update(c);
            bytes += c.length;
          }
        },
      });
      assert.equal(result.level, 'toi-mat');
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(bytes, total);
    assert.equal(got.digest('hex'), expected.digest('hex'));
    const growth = (peak - base) / 2 ** 20;
    assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MiB`);
  });
});

/** Offset of the first occurrence of `needle` in `hay`. */
function find(hay: Buffer, needle: Uint8Array): number {
  const at = hay.indexOf(Buffer.from(needle));
  assert.ok(at >= 0);
  return at;
}

describe('tampering, truncation, garbage', () => {
  let sealed: Buffer;
  before(async () => {
    sealed = await seal(inner, [pki.rsa]);
  });

  const flip = (at: number): Buffer => {
    const b = Buffer.from(sealed);
    b[at] = (b[at] as number) ^ 0x01;
    return b;
  };

  async function refused(bytes: Buffer, kinds: string[]): Promise<void> {
    const target = join(out, `t-${Math.random().toString(16).slice(2)}.ber`);
    await assert.rejects(openEnvelopeToFile(chunksOf(bytes, 5000), target, [pki.rsa.key]), (e) =>
      kinds.includes(kindOf(e)),
    );
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(`${target}.partial`), false);
  }

  it('commits a good package to the target file', async () => {
    const target = join(out, 'good.ber');
    const result = await openEnvelopeToFile(chunksOf(sealed), target, [pki.rsa.key]);
    assert.equal(result.level, 'mat');
    assert.deepEqual(readFileSync(target), inner);
    assert.equal(existsSync(`${target}.partial`), false);
  });

  it('a flipped ciphertext byte is tampered', async () => {
    await refused(flip(Math.floor(sealed.length / 2)), ['tampered']);
  });

  it('a flipped tag byte is tampered', async () => {
    await refused(flip(sealed.length - 8 - 3), ['tampered']);
  });

  it('a flipped encryptedKey byte of the recipient info is tampered', async () => {
    // the RSA encryptedKey: 04 82 01 00 <256 bytes>, found after the OAEP parameters
    const at = find(sealed, Uint8Array.of(0x04, 0x82, 0x01, 0x00)) + 10;
    await refused(flip(at), ['tampered']);
  });

  it('a changed outer level in authAttrs is tampered', async () => {
    const attrs = find(sealed, Uint8Array.of(0xa1, 0x5c));
    const at = attrs + find(sealed.subarray(attrs), Uint8Array.of(0x02, 0x01, 0x03)) + 2;
    const b = Buffer.from(sealed);
    b[at] = 0x05;
    await refused(b, ['tampered']);
  });

  it('truncation anywhere is malformed or tampered', async () => {
    for (const cut of [1, 10, 200, 500, sealed.length / 2, sealed.length - 30, sealed.length - 1]) {
      await refused(sealed.subarray(0, Math.floor(cut)), ['malformed', 'tampered']);
    }
  });

  it('garbage after the package is malformed', async () => {
    await refused(Buffer.concat([sealed, Buffer.from([0x05, 0x00])]), ['malformed']);
    await refused(Buffer.concat([sealed, Buffer.from([0x00])]), ['malformed']);
  });

  it('leaves no file in the output folder', () => {
    assert.deepEqual(
      readdirSync(out).filter((n) => n !== 'good.ber'),
      [],
    );
  });
});

describe('property: open over mutated envelopes', () => {
  it('only NiemError, no hang, nothing committed unless the tag verified', async () => {
    const small = randomBytes(3000);
    const sealed = await collect(
      sealEnvelope({
        inner: chunksOf(small, 700),
        recipients: [{ certificate: pki.p256.certificate }],
        level: 'thuong',
        segmentBytes: 1024,
      }),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({
        kind: fc.constant('set'),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('cut'), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop'), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({
        kind: fc.constant('insert'),
        at: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 8 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        async (ms, s) => {
          let b = Buffer.from(sealed);
          for (const m of ms) {
            const at = m.at % (b.length + 1);
            if (m.kind === 'flip') b[at % b.length] = (b[at % b.length] as number) ^ (1 << m.bit);
            else if (m.kind === 'set') b[at % b.length] = m.value;
            else if (m.kind === 'cut') b = b.subarray(0, at);
            else if (m.kind === 'drop')
              b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
            else b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
          }
          let committed: Buffer | undefined;
          const attempt = openEnvelope(chunksOf(b, 1 + (s % 3000)), {
            keys: [pki.p256.key],
            onPlaintext: async (chunks) => {
              committed = await collect(chunks);
            },
          }).then(
            () => 'ok' as const,
            (e: unknown) => e,
          );
          let timer: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([
            attempt,
            new Promise((resolve) => (timer = setTimeout(() => resolve('hang'), 5000))),
          ]);
          clearTimeout(timer);
          assert.notEqual(outcome, 'hang');
          if (outcome === 'ok') {
            assert.deepEqual(committed, small); // the tag verified: it is the original
          } else {
            assert.ok(outcome instanceof NiemError, `not a NiemError: ${String(outcome)}`);
            assert.equal(committed, undefined);
          }
        },
      ),
      { numRuns: 2000, seed: 20240517 },
    );
  });
});
