/**
 * Public keys as tokens store them: the EC point inside its DER OCTET STRING (SoftHSM2)
 * or bare, RSA modulus and exponent, and refusal of anything else. And the check an
 * ECDH peer point passes before a token sees it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import {
  curveOfEcParams,
  decodeEcPoint,
  ecParamsByCurve,
  ecPublicKey,
  rsaPublicKey,
  validateEcPoint,
} from '../../native/token/token-public-key.ts';

function uncompressedPoint(curve: 'P-256' | 'P-384'): { point: Buffer; spki: Buffer } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  return { point, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

describe('EC points', () => {
  it('unwraps the DER OCTET STRING SoftHSM2 returns, and accepts a bare point', () => {
    const { point } = uncompressedPoint('P-384');
    const wrapped = Buffer.concat([Buffer.from([0x04, point.length]), point]);
    assert.deepEqual(decodeEcPoint(wrapped, 'P-384'), point);
    assert.deepEqual(decodeEcPoint(point, 'P-384'), point);
  });

  it('refuses a point of the wrong size or a compressed point', () => {
    const { point } = uncompressedPoint('P-256');
    assert.throws(() => decodeEcPoint(point, 'P-384'), /not an uncompressed P-384 point/);
    const compressed = Buffer.concat([Buffer.from([0x04, 33, 0x02]), point.subarray(1, 33)]);
    assert.throws(() => decodeEcPoint(compressed, 'P-256'));
  });

  it('rebuilds the same public key from CKA_EC_PARAMS and CKA_EC_POINT', () => {
    const { point, spki } = uncompressedPoint('P-256');
    const key = ecPublicKey(
      ecParamsByCurve['P-256'],
      Buffer.concat([Buffer.from([0x04, point.length]), point]),
    );
    assert.deepEqual(key.export({ type: 'spki', format: 'der' }), spki);
  });

  it('knows the named curves by their DER OID and refuses others', () => {
    assert.equal(curveOfEcParams(Buffer.from('06052b81040022', 'hex')), 'P-384');
    assert.equal(curveOfEcParams(Buffer.from('06082a8648ce3d030107', 'hex')), 'P-256');
    assert.equal(
      curveOfEcParams(Buffer.from('06052b8104000a', 'hex')),
      undefined,
      'secp256k1 is not supported',
    );
    assert.throws(
      () => ecPublicKey(Buffer.from('06052b8104000a', 'hex'), Buffer.alloc(65, 4)),
      /unsupported CKA_EC_PARAMS/,
    );
  });
});

describe('RSA public keys', () => {
  it('rebuild from modulus and exponent', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const key = rsaPublicKey(
      Buffer.from(jwk.n ?? '', 'base64url'),
      Buffer.from(jwk.e ?? '', 'base64url'),
    );
    assert.deepEqual(
      key.export({ type: 'spki', format: 'der' }),
      publicKey.export({ type: 'spki', format: 'der' }),
    );
  });
});

describe('ECDH peer points (validateEcPoint)', () => {
  const refusedAsInvalidInput = (fn: () => unknown, pattern: RegExp): void => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof NiemError);
      assert.equal(err.kind, 'invalid-input');
      assert.match(err.message, pattern);
      return true;
    });
  };

  for (const curve of ['P-256', 'P-384'] as const) {
    it(`accepts a point on ${curve} and gives the same public key`, () => {
      const { point, spki } = uncompressedPoint(curve);
      assert.deepEqual(validateEcPoint(point, curve).export({ type: 'spki', format: 'der' }), spki);
    });
  }

  it('refuses a point of another curve, a compressed point and a DER-wrapped point', () => {
    const { point } = uncompressedPoint('P-256');
    refusedAsInvalidInput(() => validateEcPoint(point, 'P-384'), /uncompressed P-384 point of 97/);
    const compressed = Buffer.concat([Buffer.from([0x02]), point.subarray(1, 33)]);
    refusedAsInvalidInput(() => validateEcPoint(compressed, 'P-256'), /33 bytes starting 02/);
    const wrapped = Buffer.concat([Buffer.from([0x04, point.length]), point]);
    refusedAsInvalidInput(() => validateEcPoint(wrapped, 'P-256'), /67 bytes/);
    refusedAsInvalidInput(() => validateEcPoint(new Uint8Array(0), 'P-256'), /with nothing/);
  });

  it('refuses a point off the curve, the all-zero point and coordinates beyond the field', () => {
    const { point } = uncompressedPoint('P-384');
    const off = Buffer.from(point);
    off[20] = (off[20] ?? 0) ^ 1;
    refusedAsInvalidInput(() => validateEcPoint(off, 'P-384'), /not on P-384/);
    const zero = Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]);
    refusedAsInvalidInput(() => validateEcPoint(zero, 'P-256'), /not on P-256/);
    const huge = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0xff)]);
    refusedAsInvalidInput(() => validateEcPoint(huge, 'P-256'), /outside the P-256 field/);
  });
});
