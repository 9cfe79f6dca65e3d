/**
 * Byte formats around token signatures, and the hashes Niêm computes in Node. Pure.
 *
 * - RSA PKCS#1 v1.5 with CKM_RSA_PKCS signs a DigestInfo (RFC 8017 §9.2): the DER of
 *   the hash algorithm identifier followed by the hash.
 * - CKM_ECDSA returns r‖s, each as wide as the curve's order (PKCS#11 §2.3.1); CMS
 *   and X.509 want the DER ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER } (RFC 5753).
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';

/** The hashes the token layer uses, with their output length in bytes. */
export const hashLengths = { sha1: 20, sha256: 32, sha384: 48 } as const;
export type HashName = keyof typeof hashLengths;

/** DER prefix of DigestInfo for each hash (AlgorithmIdentifier with NULL parameters, OCTET STRING header). */
const digestInfoPrefixes: Record<HashName, Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
};

/** Hash of `data` in Node. */
export function hashOf(hash: HashName, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

/** `digest` as a Buffer, after checking it has the hash's length (`invalid-input` otherwise). */
export function checkedDigest(hash: HashName, digest: Uint8Array): Buffer {
  if (digest.length !== hashLengths[hash]) {
    throw new NiemError(
      'invalid-input',
      `a ${hash} digest is ${hashLengths[hash]} bytes, got ${digest.length}`,
    );
  }
  return Buffer.from(digest);
}

/** The DigestInfo a CKM_RSA_PKCS signature must cover for `digest`. */
export function digestInfo(hash: HashName, digest: Uint8Array): Buffer {
  return Buffer.concat([digestInfoPrefixes[hash], checkedDigest(hash, digest)]);
}

/** DER length octets. */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

/** A big-endian unsigned integer as a DER INTEGER (minimal, with a 0 byte if the top bit is set). */
function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = Buffer.from(bytes.subarray(start));
  if (body.length === 0) body = Buffer.from([0]);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

/**
 * r‖s (as CKM_ECDSA returns it) to the DER ECDSA-Sig-Value. Throws `internal` when the
 * token's answer is not two halves of equal, non-zero width.
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 264) {
    throw new NiemError('internal', `CKM_ECDSA returned ${raw.length} bytes, not r‖s`);
  }
  const half = raw.length / 2;
  const r = derUnsignedInteger(raw.subarray(0, half));
  const s = derUnsignedInteger(raw.subarray(half));
  const body = Buffer.concat([r, s]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
