/**
 * The requests of the token operations and their checks. The contract's schemas check
 * callers across process boundaries; these checks also guard direct callers (CLI,
 * tests) so nothing malformed reaches a token. Pure.
 */
import { NiemError } from '../api/errors.ts';
import {
  decryptAlgorithms,
  signAlgorithms,
  type DecryptAlgorithm,
  type SignAlgorithm,
} from './token-capabilities.ts';

/**
 * What to sign: the data (hashed on the token or in Node, see token-capabilities.ts), or
 * its digest computed by the caller (32 bytes for SHA-256, 48 for SHA-384).
 */
export type SignRequest =
  | { algorithm: SignAlgorithm; data: Uint8Array; digest?: undefined }
  | { algorithm: SignAlgorithm; digest: Uint8Array; data?: undefined };

/** What to decrypt: an RSA-OAEP ciphertext exactly one modulus long (e.g. a CMS encryptedKey). */
export interface DecryptRequest {
  algorithm: DecryptAlgorithm;
  data: Uint8Array;
}

/** The other party's public point for ECDH: uncompressed 0x04‖X‖Y on the key's curve. */
export interface DeriveEcdhRequest {
  publicPoint: Uint8Array;
}

/** A PIN change; both PINs null on a token with a PIN pad (the clerk types them there). */
export interface ChangePinRequest {
  tokenId: string;
  oldPin: string | null;
  newPin: string | null;
}

/** Largest `data` sign accepts (signed attributes are small; hash large content and pass the digest). */
export const MAX_SIGN_DATA = 1024 * 1024;

/** A sign request after its checks. */
export interface CheckedSign {
  algorithm: SignAlgorithm;
  input: { data: Uint8Array } | { digest: Uint8Array };
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Known algorithm, and exactly one of data (at most MAX_SIGN_DATA bytes) or digest. */
export function checkSignRequest(request: SignRequest): CheckedSign {
  const { algorithm, data, digest } = request as {
    algorithm?: unknown;
    data?: unknown;
    digest?: unknown;
  };
  if (!(signAlgorithms as readonly unknown[]).includes(algorithm)) {
    throw new NiemError('invalid-input', `unknown sign algorithm ${String(algorithm)}`);
  }
  const known = algorithm as SignAlgorithm;
  if (isBytes(data) && digest === undefined) {
    if (data.length > MAX_SIGN_DATA) {
      throw new NiemError(
        'invalid-input',
        `sign takes at most ${MAX_SIGN_DATA} bytes of data (got ${data.length}); hash it and pass the digest`,
      );
    }
    return { algorithm: known, input: { data } };
  }
  if (isBytes(digest) && data === undefined) return { algorithm: known, input: { digest } };
  throw new NiemError('invalid-input', 'sign needs exactly one of data or digest, as a Uint8Array');
}

/** Known algorithm and a Uint8Array. */
export function checkDecryptRequest(request: DecryptRequest): DecryptRequest {
  const { algorithm, data } = request as { algorithm?: unknown; data?: unknown };
  if (!(decryptAlgorithms as readonly unknown[]).includes(algorithm)) {
    throw new NiemError('invalid-input', `unknown decrypt algorithm ${String(algorithm)}`);
  }
  if (!isBytes(data)) throw new NiemError('invalid-input', 'data must be a Uint8Array');
  return { algorithm: algorithm as DecryptAlgorithm, data };
}

/** A Uint8Array (the curve checks come with the key). */
export function checkDeriveRequest(request: DeriveEcdhRequest): Uint8Array {
  const { publicPoint } = request as { publicPoint?: unknown };
  if (!isBytes(publicPoint)) {
    throw new NiemError('invalid-input', 'publicPoint must be a Uint8Array');
  }
  return publicPoint;
}

/** A token id, and each PIN a string or null. */
export function checkChangePinRequest(request: ChangePinRequest): ChangePinRequest {
  const { tokenId, oldPin, newPin } = request as {
    tokenId?: unknown;
    oldPin?: unknown;
    newPin?: unknown;
  };
  const pinOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (typeof tokenId !== 'string' || !pinOrNull(oldPin) || !pinOrNull(newPin)) {
    throw new NiemError('invalid-input', 'changePin needs tokenId, oldPin and newPin');
  }
  return { tokenId, oldPin, newPin };
}

/** A fresh Uint8Array holding `bytes` for the caller; `bytes` is zeroed (it may hold a secret). */
export function handOver(bytes: Buffer): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes);
  bytes.fill(0);
  return copy;
}
