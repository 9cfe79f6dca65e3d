/**
 * Interop of the streaming envelope with openssl 3.0, both directions: `openssl cms
 * -decrypt` opens what sealEnvelope writes (each recipient type) and yields the inner bytes
 * exactly; openEnvelope opens `openssl cms -encrypt -aes-256-gcm -stream` output with
 * RSA-OAEP-SHA256 and ECDH P-256/P-384 (SHA-256/384 KDF) recipients.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectEnvelope, openEnvelope, sealEnvelope } from '../../native/seal/envelope/index.ts';
import { makeTestPki, openssl, type TestParty, type TestPki } from './seal-cms-crypto-pki.ts';

let pki: TestPki;
let inner: Buffer;
before(() => {
  pki = makeTestPki();
  // a real inner ContentInfo(SignedData), as openssl signs it
  writeFileSync(join(pki.dir, 'body.bin'), randomBytes(200_000));
  // prettier-ignore
  inner = openssl(['cms', '-sign', '-stream', '-binary', '-outform', 'DER', '-nodetach',
    '-in', join(pki.dir, 'body.bin'), '-signer', pki.rsa.certPath, '-inkey', pki.rsa.keyPath]);
});
after(() => pki.cleanup());

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunksOf(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('Niêm → openssl cms -decrypt', () => {
  const cases: [string, () => TestParty, 'sha1' | undefined][] = [
    ['RSA-OAEP-SHA256', () => pki.rsa, undefined],
    ['RSA-OAEP-SHA1', () => pki.rsa, 'sha1'],
    ['ECDH P-256', () => pki.p256, undefined],
    ['ECDH P-384', () => pki.p384, undefined],
  ];
  for (const [name, party, oaepHash] of cases) {
    it(`opens our streamed BER envelope for ${name}`, async () => {
      const p = party();
      const sealed = await collect(
        sealEnvelope({
          inner: chunksOf(inner, 10_000),
          recipients: [
            { certificate: pki.p384.certificate },
            { certificate: p.certificate, oaepHash },
          ],
          level: 'tuyet-mat',
        }),
      );
      const path = join(pki.dir, `sealed-${name}.p7m`);
      writeFileSync(path, sealed);
      // prettier-ignore
      const plain = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', path,
        '-recip', p.certPath, '-inkey', p.keyPath, '-binary']);
      assert.deepEqual(plain, inner);
    });
  }
});

describe('openssl cms -encrypt -stream → Niêm', () => {
  it('opens RSA-OAEP-SHA256, P-256 and P-384 recipients', async () => {
    const innerPath = join(pki.dir, 'inner.ber');
    writeFileSync(innerPath, inner);
    // prettier-ignore
    const sealed = openssl(['cms', '-encrypt', '-aes-256-gcm', '-stream', '-binary',
      '-outform', 'DER', '-in', innerPath,
      '-recip', pki.rsa.certPath, '-keyopt', 'rsa_padding_mode:oaep',
      '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256',
      '-recip', pki.p256.certPath, '-keyopt', 'ecdh_kdf_md:sha256',
      '-recip', pki.p384.certPath, '-keyopt', 'ecdh_kdf_md:sha384']);
    for (const p of [pki.rsa, pki.p256, pki.p384]) {
      let plain: Buffer | undefined;
      const result = await openEnvelope(chunksOf(sealed, 3333), {
        keys: [p.key],
        onPlaintext: async (chunks) => {
          plain = await collect(chunks);
        },
      });
      assert.deepEqual(plain, inner);
      assert.equal(result.level, undefined); // openssl states no level
    }
    const info = await inspectEnvelope(chunksOf(sealed, 5000));
    assert.equal(info.recipients.length, 3);
    assert.equal(info.levelStatus, 'not stated');
    assert.equal(info.size, sealed.length);
    assert.ok(readFileSync(innerPath).equals(inner));
  });
});
