/**
 * Which pair on a token serves which use: key type, the key's PKCS#11 usage flag, the
 * certificate's keyUsage (absent = everything), a certificate that certifies another
 * key, and validity and expiry to choose among several.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import type { CertificateUse } from '../../native/token/certificate-identity.ts';
import {
  bestPairFor,
  fitsUse,
  identityPair,
  keyTypes,
  noPairFor,
  type PairCandidate,
} from '../../native/token/key-usage.ts';

const allUses: CertificateUse = {
  allowsSigning: true,
  allowsKeyEncipherment: true,
  allowsKeyAgreement: true,
  validNow: true,
  notAfter: new Date('2030-01-01'),
  keyType: 'rsa',
};

function candidate(
  id: number,
  options: {
    keyType?: number | undefined;
    sign?: boolean;
    decrypt?: boolean;
    derive?: boolean;
    use?: Partial<CertificateUse>;
    matchesKey?: boolean;
  } = {},
): PairCandidate {
  const keyType = 'keyType' in options ? options.keyType : keyTypes.CKK_RSA;
  return {
    key: {
      keyId: Buffer.from([id]),
      keyType,
      sign: options.sign,
      decrypt: options.decrypt,
      derive: options.derive,
    },
    certificate: Buffer.from([id]),
    use: {
      ...allUses,
      keyType: keyType === keyTypes.CKK_EC ? 'ec' : 'rsa',
      ...options.use,
    },
    matchesKey: options.matchesKey ?? true,
  };
}

const id = (c: PairCandidate | undefined): number | undefined => c?.key.keyId[0];

describe('fitsUse', () => {
  it('lets an RSA key with a keyUsage-less certificate sign and decrypt, but not derive', () => {
    const rsa = candidate(1);
    assert.equal(fitsUse(rsa, 'sign'), true);
    assert.equal(fitsUse(rsa, 'decrypt'), true);
    assert.equal(fitsUse(rsa, 'derive'), false);
  });

  it('lets an EC key sign and derive, never decrypt', () => {
    const ec = candidate(2, { keyType: keyTypes.CKK_EC });
    assert.deepEqual(
      (['sign', 'decrypt', 'derive'] as const).map((u) => fitsUse(ec, u)),
      [true, false, true],
    );
  });

  it('follows the key flags (false forbids, unreported allows)', () => {
    assert.equal(fitsUse(candidate(1, { sign: false }), 'sign'), false);
    assert.equal(fitsUse(candidate(1, { decrypt: false }), 'decrypt'), false);
    assert.equal(
      fitsUse(candidate(1, { keyType: keyTypes.CKK_EC, derive: false }), 'derive'),
      false,
    );
    assert.equal(fitsUse(candidate(1, { sign: true }), 'sign'), true);
  });

  it('follows the certificate keyUsage', () => {
    assert.equal(fitsUse(candidate(1, { use: { allowsSigning: false } }), 'sign'), false);
    assert.equal(
      fitsUse(candidate(1, { use: { allowsKeyEncipherment: false } }), 'decrypt'),
      false,
    );
    const ec = { keyType: keyTypes.CKK_EC, use: { allowsKeyAgreement: false } };
    assert.equal(fitsUse(candidate(1, ec), 'derive'), false);
  });

  it('refuses a certificate of another key, or of another key type', () => {
    assert.equal(fitsUse(candidate(1, { matchesKey: false }), 'sign'), false);
    assert.equal(fitsUse(candidate(1, { use: { keyType: 'ec' } }), 'sign'), false);
  });

  it('takes the type from the certificate when the token does not report CKA_KEY_TYPE', () => {
    const unknownType = candidate(1, { keyType: undefined, use: { keyType: 'ec' } });
    assert.equal(fitsUse(unknownType, 'derive'), true);
  });
});

describe('bestPairFor', () => {
  it('picks the signing, encryption and agreement pairs apart on a three-pair token', () => {
    const pairs = [
      candidate(1, { decrypt: false, use: { allowsKeyEncipherment: false } }),
      candidate(2, { sign: false, use: { allowsSigning: false } }),
      candidate(3, { keyType: keyTypes.CKK_EC, sign: false, use: { allowsSigning: false } }),
    ];
    assert.equal(id(bestPairFor(pairs, 'sign')), 1);
    assert.equal(id(bestPairFor(pairs, 'decrypt')), 2);
    assert.equal(id(bestPairFor(pairs, 'derive')), 3);
  });

  it('prefers a certificate valid now, then the one that expires last', () => {
    const expired = candidate(1, { use: { validNow: false, notAfter: new Date('2040-01-01') } });
    const soon = candidate(2, { use: { notAfter: new Date('2027-01-01') } });
    const later = candidate(3, { use: { notAfter: new Date('2029-01-01') } });
    assert.equal(id(bestPairFor([expired, soon, later], 'sign')), 3);
    assert.equal(id(bestPairFor([expired], 'sign')), 1);
  });

  it('finds nothing when nothing fits', () => {
    assert.equal(bestPairFor([candidate(1)], 'derive'), undefined);
    assert.equal(bestPairFor([], 'sign'), undefined);
  });
});

describe('identityPair', () => {
  it('is the signing pair when there is one', () => {
    const encryption = candidate(1, { sign: false, use: { allowsSigning: false } });
    assert.equal(id(identityPair([encryption, candidate(2)], 2)), 2);
  });

  it('falls back to any pair (the identity then warns) rather than refuse the login', () => {
    const encryption = candidate(1, { sign: false, use: { allowsSigning: false } });
    assert.equal(id(identityPair([encryption], 1)), 1);
  });

  it('is no-certificate when the token holds no pair', () => {
    for (const keys of [0, 2]) {
      assert.throws(
        () => identityPair([], keys),
        (err: unknown) => err instanceof NiemError && err.kind === 'no-certificate',
      );
    }
  });
});

describe('noPairFor', () => {
  it('is key-usage-mismatch saying what was needed', () => {
    const err = noPairFor('derive');
    assert.equal(err.kind, 'key-usage-mismatch');
    assert.match(err.message, /CKA_DERIVE.*keyAgreement/);
  });
});
