/**
 * Public keys as tokens store them: the EC point inside its DER OCTET STRING (SoftHSM2)
 * or bare, RSA modulus and exponent, and refusal of anything else.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  curveOfEcParams,
  decodeEcPoint,
  ecParamsByCurve,
  ecPublicKey,
  rsaPublicKey,
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
