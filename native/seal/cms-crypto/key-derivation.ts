/**
 * The pieces of ECDH key agreement after the shared secret (RFC 5753 §7.2, SEC 1 §3.6.1,
 * RFC 3394): ECC-CMS-SharedInfo, the ANSI X9.63 KDF, AES key wrap, and the checks and
 * conversions of EC points.
 */
import { createCipheriv, createDecipheriv, createHash, ECDH } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { tamperedError } from './cms-errors.ts';
import { explicit, octetString, sequence } from '../ber/index.ts';
import { buf } from './asn.ts';
import type { RecipientCurve } from './recipient-certificate.ts';
import { uncompressedPointKey } from '../../token/token-public-key.ts';

/** Hashes of the X9.63 KDF read in KeyAgreeRecipientInfo (Niêm writes SHA-256 / SHA-384). */
export type KdfHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/**
 * ECC-CMS-SharedInfo ::= SEQUENCE {
 *   keyInfo         AlgorithmIdentifier,             -- the key-wrap algorithm, as encoded
 *   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,  -- the ukm, when there is one
 *   suppPubInfo [2] EXPLICIT OCTET STRING }          -- KEK length in bits, 32-bit big-endian
 * Present-but-empty ukm is still encoded (RFC 5753 says so); openssl sends no ukm.
 */
export function eccCmsSharedInfo(
  wrapAlgorithm: Uint8Array,
  kekBytes: number,
  ukm?: Uint8Array,
): Buffer {
  const bits = Buffer.alloc(4);
  bits.writeUInt32BE(kekBytes * 8);
  const parts: Uint8Array[] = [wrapAlgorithm];
  if (ukm !== undefined) parts.push(explicit(0, octetString(ukm)));
  parts.push(explicit(2, octetString(bits)));
  return buf(sequence(...parts));
}

/** ANSI X9.63 KDF: Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, …, truncated. */
export function x963Kdf(
  hash: KdfHash,
  z: Uint8Array,
  sharedInfo: Uint8Array,
  bytes: number,
): Buffer {
  const blocks: Buffer[] = [];
  let length = 0;
  for (let counter = 1; length < bytes; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(z).update(c).update(sharedInfo).digest();
    blocks.push(block);
    length += block.length;
  }
  const out = Buffer.concat(blocks);
  const key = Buffer.from(out.subarray(0, bytes));
  out.fill(0);
  return key;
}

/** RFC 3394 default initial value. */
const KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function wrapCipher(kek: Uint8Array): string {
  return `id-aes${kek.length * 8}-wrap`;
}

/** AES key wrap (RFC 3394) of `key` under `kek` (16, 24 or 32 bytes). */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Buffer {
  const cipher = createCipheriv(wrapCipher(kek), kek, KEY_WRAP_IV);
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

/** AES key unwrap; a failed integrity check is `tampered`. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) throw tamperedError();
  try {
    const decipher = createDecipheriv(wrapCipher(kek), kek, KEY_WRAP_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch (err) {
    throw tamperedError(err);
  }
}

/** Field element size of a curve, bytes. */
export const coordinateBytes: Record<RecipientCurve, number> = { 'P-256': 32, 'P-384': 48 };

const opensslCurve: Record<RecipientCurve, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
};

/** The uncompressed point (04‖X‖Y) of an EC public key. */
export function uncompressedPoint(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

/**
 * Checks an originator's public point and returns it uncompressed (04‖X‖Y). Compressed
 * points (02/03‖X, allowed by RFC 5753) are expanded. A point of the wrong size, with a
 * coordinate outside the field or off the curve is `tampered`: it can only come from a
 * changed package.
 */
export function checkedUncompressedPoint(point: Uint8Array, curve: RecipientCurve): Buffer {
  const size = coordinateBytes[curve];
  const first = point[0];
  let uncompressed: Buffer;
  if (first === 4 && point.length === 1 + 2 * size) {
    uncompressed = Buffer.from(point);
  } else if ((first === 2 || first === 3) && point.length === 1 + size) {
    try {
      uncompressed = ECDH.convertKey(
        Buffer.from(point),
        opensslCurve[curve],
        undefined,
        undefined,
        'uncompressed',
      ) as Buffer;
    } catch (err) {
      throw tamperedError(err);
    }
  } else {
    throw tamperedError();
  }
  try {
    // Node refuses coordinates outside the field and points off the curve; the NIST
    // curves have cofactor 1, so a point on the curve is in the group.
    pointPublicKey(uncompressed, curve);
  } catch (err) {
    throw tamperedError(err);
  }
  return uncompressed;
}

/** The public key of an uncompressed point (04‖X‖Y) on `curve`; throws if it is not one. */
export function pointPublicKey(point: Uint8Array, curve: RecipientCurve): KeyObject {
  const size = coordinateBytes[curve];
  const bytes = Buffer.from(point);
  if (bytes.length !== 1 + 2 * size || bytes[0] !== 4) {
    throw new RangeError(`not an uncompressed ${curve} point`);
  }
  return uncompressedPointKey(bytes, curve);
}
