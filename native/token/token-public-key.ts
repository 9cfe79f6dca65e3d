/**
 * Public keys as tokens store them (RSA modulus and exponent; EC parameters and point)
 * turned into Node KeyObjects. Pure: callers read the attributes.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { NiemError } from '../api/errors.ts';

/** DER of the named-curve OIDs a token puts in CKA_EC_PARAMS, by JWK curve name. */
export const ecParamsByCurve = {
  'P-256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'P-384': Buffer.from('06052b81040022', 'hex'),
  'P-521': Buffer.from('06052b81040023', 'hex'),
} as const;

export type EcCurve = keyof typeof ecParamsByCurve;

const coordinateBytes: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** The curve named by CKA_EC_PARAMS, or undefined when it is not one we support. */
export function curveOfEcParams(params: Uint8Array): EcCurve | undefined {
  for (const [curve, der] of Object.entries(ecParamsByCurve)) {
    if (der.equals(params)) return curve as EcCurve;
  }
  return undefined;
}

/**
 * The uncompressed point (04‖x‖y) from CKA_EC_POINT. PKCS#11 says the value is a DER
 * OCTET STRING around the point (SoftHSM2 does this); some modules return the bare
 * point. Both are accepted; anything else throws.
 */
export function decodeEcPoint(value: Uint8Array, curve: EcCurve): Buffer {
  const pointLength = 1 + 2 * coordinateBytes[curve];
  const bytes = Buffer.from(value);
  if (bytes.length === pointLength && bytes[0] === 0x04) return bytes;
  if (bytes[0] === 0x04 && bytes.length > 2) {
    // OCTET STRING: tag 04, length in short form or long form of 1 byte (a point < 256 bytes).
    const first = bytes[1] ?? 0;
    const longForm = first === 0x81;
    const length = longForm ? (bytes[2] ?? 0) : first;
    const inner = bytes.subarray(longForm ? 3 : 2);
    const shapeOk = first < 0x80 || longForm;
    if (shapeOk && length === pointLength && inner.length === pointLength && inner[0] === 0x04) {
      return Buffer.from(inner);
    }
  }
  throw new Error(`CKA_EC_POINT is not an uncompressed ${curve} point`);
}

/** A public key from an RSA modulus and public exponent (big-endian, as CKA_MODULUS gives them). */
export function rsaPublicKey(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  return createPublicKey({
    key: {
      kty: 'RSA',
      n: Buffer.from(modulus).toString('base64url'),
      e: Buffer.from(exponent).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** A public key from CKA_EC_PARAMS and CKA_EC_POINT. */
export function ecPublicKey(params: Uint8Array, point: Uint8Array): KeyObject {
  const curve = curveOfEcParams(params);
  if (!curve) throw new Error(`unsupported CKA_EC_PARAMS ${Buffer.from(params).toString('hex')}`);
  return uncompressedPointKey(decodeEcPoint(point, curve), curve);
}

/**
 * The public key of an uncompressed point 04‖X‖Y on `curve` (length already checked by
 * the caller). Node refuses a point that is not on the curve.
 */
export function uncompressedPointKey(raw: Uint8Array, curve: EcCurve): KeyObject {
  const size = coordinateBytes[curve];
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: curve,
      x: bytes.subarray(1, 1 + size).toString('base64url'),
      y: bytes.subarray(1 + size).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** The field prime of each curve (big-endian, as wide as a coordinate). */
const fieldPrimes: Record<EcCurve, Buffer> = {
  'P-256': Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex'),
  'P-384': Buffer.from(
    'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    'hex',
  ),
  'P-521': Buffer.from('01' + 'ff'.repeat(65), 'hex'),
};

/** The size of a curve's field elements in bytes (32, 48, 66). */
export function coordinateLength(curve: EcCurve): number {
  return coordinateBytes[curve];
}

/**
 * Checks that `point` is an uncompressed point (0x04‖X‖Y) on `curve`, before a token
 * ever sees it: the right length, coordinates below the field prime, and on the curve
 * (Node's import refuses points off the curve; the NIST curves have cofactor 1, so a
 * point on the curve is in the group). Returns it as a public key; throws
 * `invalid-input` saying what is wrong.
 */
export function validateEcPoint(point: Uint8Array, curve: EcCurve): KeyObject {
  const size = coordinateBytes[curve];
  const bytes = Buffer.from(point);
  if (bytes.length !== 1 + 2 * size || bytes[0] !== 0x04) {
    throw new NiemError(
      'invalid-input',
      `the public point must be an uncompressed ${curve} point of ${1 + 2 * size} bytes (04‖X‖Y), got ${bytes.length} bytes starting ${bytes.subarray(0, 1).toString('hex') || 'with nothing'}`,
    );
  }
  const x = bytes.subarray(1, 1 + size);
  const y = bytes.subarray(1 + size);
  if (x.compare(fieldPrimes[curve]) >= 0 || y.compare(fieldPrimes[curve]) >= 0) {
    throw new NiemError(
      'invalid-input',
      `the public point has a coordinate outside the ${curve} field`,
    );
  }
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: curve, x: x.toString('base64url'), y: y.toString('base64url') },
      format: 'jwk',
    });
  } catch (err) {
    throw new NiemError('invalid-input', `the public point is not on ${curve}`, { cause: err });
  }
}
