/**
 * The recipient's private-key operation, as key management calls it: a callback, so the
 * same code runs on a token (TokenService.decrypt / deriveEcdh) or on a Node KeyObject
 * (tests, see ./software-key.ts). The private key never reaches this code.
 */
import { NiemError } from '../../api/errors.ts';
import type { DecryptAlgorithm } from '../../token/token-algorithms.ts';
import { tamperedError } from './cms-errors.ts';
import type { RecipientCertificate } from './recipient-certificate.ts';

export type { DecryptAlgorithm };

/**
 * RSA-OAEP decryption of an encryptedKey (one modulus long) with the recipient's key;
 * resolves to the content-encryption key. A ciphertext the key cannot decrypt must be
 * refused with a NiemError of kind `decrypt-failed` (the token does this); other errors
 * (token removed, PIN needed…) pass through the open unchanged.
 */
export type DecryptCallback = (
  algorithm: DecryptAlgorithm,
  encryptedKey: Uint8Array,
) => Promise<Uint8Array>;

/**
 * ECDH of the recipient's key with the originator's ephemeral public point (uncompressed
 * 04‖X‖Y, already checked to be on the curve); resolves to the raw shared secret Z (the
 * X coordinate, as long as a field element). A refusal is `decrypt-failed`.
 */
export type DeriveCallback = (ephemeralPublicPoint: Uint8Array) => Promise<Uint8Array>;

/** One certificate of ours and the private operation of its key. */
export interface RecipientKey {
  certificate: RecipientCertificate;
  /** For an RSA certificate. */
  decrypt?: DecryptCallback;
  /** For an EC certificate. */
  derive?: DeriveCallback;
}

/** `decrypt-failed` from the key's owner means a damaged or foreign key blob: `tampered`. */
export function rethrowAsTampered(err: unknown): never {
  if (err instanceof NiemError && err.kind === 'decrypt-failed') throw tamperedError(err);
  throw err;
}
