/**
 * The byte formats around token signatures, checked against Node's crypto: a DigestInfo
 * signed with raw RSA PKCS#1 v1.5 is the same signature Node makes with the hash, and
 * r‖s from CKM_ECDSA becomes the DER Node verifies (and makes), for every width and for
 * r or s with a high bit or leading zeros.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateEncrypt,
  sign,
  verify,
} from 'node:crypto';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import {
  checkedDigest,
  digestInfo,
  ecdsaRawToDer,
  hashOf,
} from '../../native/token/signature-encoding.ts';

describe('DigestInfo for CKM_RSA_PKCS', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const hash of ['sha256', 'sha384'] as const) {
    it(`makes, with raw RSA, the PKCS#1 v1.5 ${hash} signature Node makes`, () => {
      const data = Buffer.from(`Công văn số 1/${hash}`);
      const raw = privateEncrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
        digestInfo(hash, hashOf(hash, data)),
      );
      assert.deepEqual(raw, sign(hash, data, privateKey));
      assert.equal(verify(hash, data, publicKey, raw), true);
    });
  }

  it('refuses a digest of the wrong length as invalid-input', () => {
    for (const [hash, length] of [
      ['sha256', 48],
      ['sha384', 32],
      ['sha256', 0],
    ] as const) {
      assert.throws(
        () => digestInfo(hash, Buffer.alloc(length)),
        (err: unknown) => err instanceof NiemError && err.kind === 'invalid-input',
      );
      assert.throws(() => checkedDigest(hash, Buffer.alloc(length)), NiemError);
    }
    assert.equal(checkedDigest('sha384', Buffer.alloc(48)).length, 48);
  });

  it('hashes like Node', () => {
    const data = Buffer.from('x');
    assert.deepEqual(hashOf('sha384', data), createHash('sha384').update(data).digest());
  });
});

describe('ECDSA r‖s to DER', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    it(`gives the DER Node makes and verifies, on ${curve} (100 signatures)`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 100; i++) {
        const data = Buffer.from(`message ${i}`);
        const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        const der = ecdsaRawToDer(raw);
        assert.equal(verify('sha256', data, publicKey, der), true);
        // Node's DER of the same r,s is byte-for-byte the same.
        const back = verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der);
        assert.equal(back, true);
      }
    });
  }

  it('encodes high bits with a 0 byte, drops leading zeros, and uses long lengths for P-521', () => {
    const r = Buffer.alloc(32, 0);
    r[31] = 1;
    const s = Buffer.alloc(32, 0xff);
    assert.equal(
      ecdsaRawToDer(Buffer.concat([r, s])).toString('hex'),
      `3026020101022100${'ff'.repeat(32)}`,
    );
    const wide = ecdsaRawToDer(Buffer.alloc(132, 0x80));
    assert.equal(wide.subarray(0, 3).toString('hex'), '30818a');
  });

  it('refuses an answer that is not two equal halves', () => {
    for (const length of [0, 1, 63, 300]) {
      assert.throws(() => ecdsaRawToDer(Buffer.alloc(length, 1)), /not r‖s/);
    }
  });
});
