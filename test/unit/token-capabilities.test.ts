/**
 * From what a token lists to what it can do, and how each signature is made: the
 * combined mechanism (token hashes) for data, the raw one over a Node hash when the
 * token lacks the combined one, for a precomputed digest and for large data; ECDSA
 * always hashed in Node; RSA-OAEP with SHA-256 only when the probe passed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  COMBINED_DATA_LIMIT,
  computeCapabilities,
  mechanismFlags,
  planSignature,
  signAlgorithms,
  type MechanismTable,
  type TokenKeyInfo,
} from '../../native/token/token-capabilities.ts';

const { CKF_SIGN, CKF_DECRYPT, CKF_ENCRYPT, CKF_DERIVE } = mechanismFlags;

/** What SoftHSM2 2.6.1 lists (the parts this layer uses), with its flags. */
const softhsm: MechanismTable = new Map([
  [pkcs11js.CKM_RSA_PKCS, CKF_SIGN | CKF_DECRYPT | CKF_ENCRYPT],
  [pkcs11js.CKM_RSA_PKCS_PSS, CKF_SIGN],
  [pkcs11js.CKM_RSA_PKCS_OAEP, CKF_DECRYPT | CKF_ENCRYPT],
  [pkcs11js.CKM_SHA256_RSA_PKCS, CKF_SIGN],
  [pkcs11js.CKM_SHA384_RSA_PKCS, CKF_SIGN],
  [pkcs11js.CKM_SHA256_RSA_PKCS_PSS, CKF_SIGN],
  [pkcs11js.CKM_SHA384_RSA_PKCS_PSS, CKF_SIGN],
  [pkcs11js.CKM_ECDSA, CKF_SIGN],
  [pkcs11js.CKM_ECDH1_DERIVE, CKF_DERIVE],
]);

/** A card that only hashes on the host: raw mechanisms only. */
const rawOnly: MechanismTable = new Map([
  [pkcs11js.CKM_RSA_PKCS, CKF_SIGN | CKF_DECRYPT],
  [pkcs11js.CKM_ECDSA, CKF_SIGN],
]);

/** A token with the combined mechanisms only (no raw RSA). */
const combinedOnly: MechanismTable = new Map([
  [pkcs11js.CKM_SHA256_RSA_PKCS, CKF_SIGN],
  [pkcs11js.CKM_SHA256_RSA_PKCS_PSS, CKF_SIGN],
]);

const rsaKey: TokenKeyInfo = {
  keyId: '01',
  keyAlgorithm: 'RSA 3072',
  curve: null,
  certificate: new Uint8Array([0x30]),
};
const ecKey: TokenKeyInfo = {
  keyId: '02',
  keyAlgorithm: 'EC P-384',
  curve: 'P-384',
  certificate: new Uint8Array([0x30]),
};

describe('planSignature', () => {
  it('uses the combined mechanism for data, with PSS parameters hash = MGF1 = salt length', () => {
    const pkcs1 = planSignature('rsa-pkcs1-sha384', softhsm, { dataLength: 100 });
    assert.equal(pkcs1?.mechanism, pkcs11js.CKM_SHA384_RSA_PKCS);
    assert.equal(pkcs1?.feed, 'data');
    assert.equal(pkcs1?.parameter, undefined);
    const pss = planSignature('rsa-pss-sha256', softhsm, { dataLength: 100 });
    assert.equal(pss?.mechanism, pkcs11js.CKM_SHA256_RSA_PKCS_PSS);
    assert.deepEqual(pss?.parameter, {
      type: pkcs11js.CK_PARAMS_RSA_PSS,
      hashAlg: pkcs11js.CKM_SHA256,
      mgf: pkcs11js.CKG_MGF1_SHA256,
      saltLen: 32,
    });
    const pss384 = planSignature('rsa-pss-sha384', softhsm, { dataLength: 1 });
    assert.equal(pss384?.parameter?.saltLen, 48);
    assert.equal(pss384?.parameter?.mgf, pkcs11js.CKG_MGF1_SHA384);
  });

  it('uses the raw mechanism over a Node hash for a digest, and for data past the limit', () => {
    const digest = planSignature('rsa-pkcs1-sha256', softhsm, { digest: true });
    assert.equal(digest?.mechanism, pkcs11js.CKM_RSA_PKCS);
    assert.equal(digest?.feed, 'digest-info');
    const pss = planSignature('rsa-pss-sha384', softhsm, { digest: true });
    assert.equal(pss?.mechanism, pkcs11js.CKM_RSA_PKCS_PSS);
    assert.equal(pss?.feed, 'digest');
    const large = planSignature('rsa-pss-sha256', softhsm, {
      dataLength: COMBINED_DATA_LIMIT + 1,
    });
    assert.equal(large?.mechanism, pkcs11js.CKM_RSA_PKCS_PSS);
  });

  it('falls back to the raw mechanism when the token lacks the combined one', () => {
    const plan = planSignature('rsa-pkcs1-sha384', rawOnly, { dataLength: 10 });
    assert.equal(plan?.mechanism, pkcs11js.CKM_RSA_PKCS);
    assert.equal(plan?.feed, 'digest-info');
    assert.equal(planSignature('rsa-pss-sha256', rawOnly, { dataLength: 10 }), undefined);
  });

  it('keeps the combined mechanism for large data when there is no raw one, and has no digest plan', () => {
    const plan = planSignature('rsa-pss-sha256', combinedOnly, {
      dataLength: COMBINED_DATA_LIMIT * 4,
    });
    assert.equal(plan?.mechanism, pkcs11js.CKM_SHA256_RSA_PKCS_PSS);
    assert.equal(planSignature('rsa-pss-sha256', combinedOnly, { digest: true }), undefined);
  });

  it('signs ECDSA with CKM_ECDSA over a Node hash and asks for DER', () => {
    for (const algorithm of ['ecdsa-sha256', 'ecdsa-sha384'] as const) {
      const plan = planSignature(algorithm, softhsm, { dataLength: 10 });
      assert.equal(plan?.mechanism, pkcs11js.CKM_ECDSA);
      assert.equal(plan?.feed, 'digest');
      assert.equal(plan?.derEncode, true);
      assert.equal(plan?.hash, algorithm.slice(-6));
    }
  });

  it('ignores a mechanism listed without the sign flag', () => {
    const noFlag: MechanismTable = new Map([[pkcs11js.CKM_ECDSA, CKF_DERIVE]]);
    assert.equal(planSignature('ecdsa-sha256', noFlag, { digest: true }), undefined);
  });
});

describe('computeCapabilities', () => {
  it('for the SoftHSM2 RSA token: four RSA algorithms, OAEP-SHA1 only without the probe', () => {
    const caps = computeCapabilities({
      table: softhsm,
      oaepSha256: false,
      keys: { sign: rsaKey, decrypt: rsaKey, derive: null },
    });
    assert.deepEqual(caps.sign, [
      'rsa-pkcs1-sha256',
      'rsa-pkcs1-sha384',
      'rsa-pss-sha256',
      'rsa-pss-sha384',
    ]);
    assert.deepEqual(caps.signDigest, caps.sign);
    assert.deepEqual(caps.decrypt, ['rsa-oaep-sha1']);
    assert.equal(caps.deriveEcdh, false);
    assert.equal(caps.mechanisms.length, 9);
    assert.ok(caps.mechanisms.includes('CKM_SHA256_RSA_PKCS_PSS'));
  });

  it('lists rsa-oaep-sha256 first when the probe passed', () => {
    const caps = computeCapabilities({
      table: softhsm,
      oaepSha256: true,
      keys: { sign: rsaKey, decrypt: rsaKey, derive: null },
    });
    assert.deepEqual(caps.decrypt, ['rsa-oaep-sha256', 'rsa-oaep-sha1']);
  });

  it('for an EC token: ECDSA and ECDH, no RSA', () => {
    const caps = computeCapabilities({
      table: softhsm,
      oaepSha256: false,
      keys: { sign: ecKey, decrypt: null, derive: ecKey },
    });
    assert.deepEqual(caps.sign, ['ecdsa-sha256', 'ecdsa-sha384']);
    assert.deepEqual(caps.decrypt, []);
    assert.equal(caps.deriveEcdh, true);
  });

  it('is empty for a token whose keys allow nothing or that lists nothing', () => {
    const none = computeCapabilities({
      table: softhsm,
      oaepSha256: false,
      keys: { sign: null, decrypt: null, derive: null },
    });
    assert.deepEqual([none.sign, none.signDigest, none.decrypt], [[], [], []]);
    assert.equal(none.deriveEcdh, false);
    const bare = computeCapabilities({
      table: new Map(),
      oaepSha256: false,
      keys: { sign: rsaKey, decrypt: rsaKey, derive: ecKey },
    });
    assert.deepEqual([bare.sign, bare.decrypt, bare.mechanisms], [[], [], []]);
    assert.equal(bare.deriveEcdh, false);
  });

  it('reports the combined-only token as signing data but not digests', () => {
    const caps = computeCapabilities({
      table: combinedOnly,
      oaepSha256: false,
      keys: { sign: rsaKey, decrypt: null, derive: null },
    });
    assert.deepEqual(caps.sign, ['rsa-pkcs1-sha256', 'rsa-pss-sha256']);
    assert.deepEqual(caps.signDigest, []);
  });

  it('is plain data that survives structured cloning', () => {
    const caps = computeCapabilities({
      table: softhsm,
      oaepSha256: false,
      keys: { sign: rsaKey, decrypt: rsaKey, derive: ecKey },
    });
    assert.deepEqual(structuredClone(caps), caps);
    assert.equal(signAlgorithms.length, 6);
  });
});
