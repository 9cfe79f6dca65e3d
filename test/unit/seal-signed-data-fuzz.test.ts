/**
 * Property test of the SignedData verifier on mutated input (ours and openssl's): byte
 * flips, overwrites with length-like bytes, truncations, insertions and deletions. The
 * verifier either returns a report (never 'valid' for a changed signed part) or throws
 * a NiemError; nothing else, and no hang. 2,000 runs with a fixed seed.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { NiemError } from '../../native/api/errors.ts';
import {
  signContent,
  softwareSigner,
  verifySignedData,
} from '../../native/seal/signed-data/index.ts';
import { makeSignedDataPki, openssl, type SignedDataPki } from './seal-signed-data-pki.ts';

let pki: SignedDataPki;
let samples: Buffer[];

before(async () => {
  pki = makeSignedDataPki();
  const parts: Buffer[] = [];
  for await (const c of signContent({
    content: [Buffer.from('fuzz body '.repeat(30))],
    signers: [softwareSigner(pki.rsa.key, pki.rsa.der), softwareSigner(pki.p256.key, pki.p256.der)],
    level: 'mat',
    certificates: pki.intermediates,
    segmentSize: 64,
  })) {
    parts.push(Buffer.from(c));
  }
  // prettier-ignore
  const theirs = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-stream', '-md', 'sha256',
    '-signer', pki.p256.certPath, '-inkey', pki.p256.keyPath], Buffer.from('openssl body'));
  samples = [Buffer.concat(parts), theirs];
});
after(() => pki.cleanup());

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x00, 0x80, 0x84, 0x88, 0xff, 0x30, 0xa0, 0x24),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
);

function apply(base: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(base);
  for (const m of muts) {
    const at = m.at % Math.max(1, b.length);
    switch (m.kind) {
      case 'flip':
        b[at] = (b[at] as number) ^ (1 << m.bit);
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
    }
  }
  return b;
}

it('the verifier only returns a report or throws a NiemError on mutated SignedData', async () => {
  let valid = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 97 }),
      async (which, muts, chunkSize) => {
        const base = samples[which] as Buffer;
        const input = apply(base, muts);
        const chunks: Buffer[] = [];
        for (let i = 0; i < input.length; i += chunkSize)
          chunks.push(input.subarray(i, i + chunkSize));
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('verifier hung')), 5000);
        });
        try {
          const report = await Promise.race([
            verifySignedData(chunks, {
              trustAnchors: [pki.root.der],
              onContent: async (c) => {
                for await (const _ of c);
              },
            }),
            hang,
          ]);
          if (report.verdict === 'valid') valid++;
        } catch (err) {
          assert.ok(err instanceof NiemError, `not a NiemError: ${String(err)}`);
        } finally {
          clearTimeout(timer);
        }
      },
    ),
    { numRuns: 2000, seed: 20_260_404 },
  );
  // Some mutations leave the signed parts intact (e.g. a re-segmentation-neutral change);
  // most must not verify.
  assert.ok(valid < 200, `${valid} mutated inputs verified`);
});
