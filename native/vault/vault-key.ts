/**
 * The vault key: 32 random bytes that encrypt the database (and, through it, every blob
 * key). Never stored in clear: `vault.key` in the profile is a DER CMS AuthEnvelopedData
 * (RFC 5083, AES-256-GCM) whose content is the key, made with the package layer's
 * RecipientInfos (KTRI RSA-OAEP for an RSA certificate, KARI ECDH for an EC one) for the
 * clerk's token certificate and, when configured, an agency recovery certificate.
 * Unwrapping goes through a RecipientKey: on the token (the token decrypts or derives;
 * its private key never leaves it) or a software key for recovery.
 *
 *   ContentInfo { id-ct-authEnvelopedData, AuthEnvelopedData { 0, recipientInfos,
 *     { id-data, aes256-GCM(nonce, 16), [0] GCM(key) }, [1] { contentType id-data }, mac } }
 *
 * `openssl cms -decrypt -inform DER -in vault.key -inkey recovery.key` reads it too.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import { oid } from '../seal/ber/index.ts';
import {
  ICV_BYTES,
  attributes,
  authAttributesAad,
  contentTypes,
  decodeAuthEnvelopedData,
  encodeAttribute,
  encodeAuthAttributes,
  encodeAuthEnvelopedData,
  encodeContentEncryptionAlgorithm,
  encodeRecipientInfos,
  generateContentKey,
  generateNonce,
  openContentKey,
  readEnvelopeAttributes,
  readRecipientInfos,
  recipientCertificate,
  type OaepHash,
  type RecipientKey,
} from '../seal/cms-crypto/index.ts';
import { DATABASE_KEY_BYTES } from './database.ts';
import { writeBytesAtomically } from './disk-files.ts';

/** File name of the wrapped key in the profile folder. */
export const KEY_FILE = 'vault.key';

/** Largest vault.key read, bytes (a few recipients fit in a few KiB). */
const MAX_KEY_FILE_BYTES = 256 * 1024;

/** A certificate the vault key is wrapped for. */
export interface KeyHolder {
  /** DER or PEM X.509 certificate (RSA, or EC P-256/P-384). */
  certificate: Uint8Array | string;
  /** RSA only: the OAEP hash its key can do ('sha1' for SoftHSM2 and similar tokens). */
  oaepHash?: OaepHash;
}

/** A fresh random database key (32 bytes). The caller owns it and zeroes it when done. */
export function generateDatabaseKey(): Buffer {
  return randomBytes(DATABASE_KEY_BYTES);
}

/** The DER AuthEnvelopedData of `key` for `holders` (at least one). */
export function wrapDatabaseKey(key: Uint8Array, holders: readonly KeyHolder[]): Buffer {
  if (key.length !== DATABASE_KEY_BYTES) throw new RangeError('the database key must be 32 bytes');
  if (holders.length === 0) throw new RangeError('the vault key needs at least one holder');
  const contentKey = generateContentKey();
  const nonce = generateNonce();
  try {
    const recipientInfos = encodeRecipientInfos(
      holders.map((h) => ({
        certificate: recipientCertificate(h.certificate),
        ...(h.oaepHash === undefined ? {} : { oaepHash: h.oaepHash }),
      })),
      contentKey,
    );
    const { field, aad } = encodeAuthAttributes([
      encodeAttribute(attributes.contentType, [oid(contentTypes.data)]),
    ]);
    const cipher = createCipheriv('aes-256-gcm', contentKey, nonce, { authTagLength: ICV_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
    return encodeAuthEnvelopedData({
      recipientInfos,
      contentType: contentTypes.data,
      contentEncryptionAlgorithm: encodeContentEncryptionAlgorithm(nonce),
      ciphertext,
      authAttrs: field,
      mac: cipher.getAuthTag(),
    });
  } finally {
    contentKey.fill(0);
  }
}

function unreadable(err: unknown): NiemError {
  return new NiemError('vault-corrupt', `vault.key cannot be read: ${String(err)}`, {
    cause: err,
  });
}

/**
 * Recovers the database key from `envelope` with one of `keys`. Not addressed to any of
 * them, or refused by the key, is `vault-key-mismatch`; a damaged file `vault-corrupt`;
 * token errors (removed, PIN…) pass through. The returned Buffer is the caller's to zero.
 */
export async function unwrapDatabaseKey(
  envelope: Uint8Array,
  keys: readonly RecipientKey[],
): Promise<Buffer> {
  let decoded;
  let recipients;
  try {
    decoded = decodeAuthEnvelopedData(envelope);
    recipients = readRecipientInfos(decoded.recipientInfos);
  } catch (err) {
    throw unreadable(err);
  }
  let contentKey: Buffer;
  try {
    ({ contentKey } = await openContentKey(recipients, [...keys], decoded.algorithm.keyBytes));
  } catch (err) {
    if (err instanceof NiemError && ['not-a-recipient', 'tampered'].includes(err.kind)) {
      throw new NiemError(
        'vault-key-mismatch',
        err.kind === 'not-a-recipient'
          ? 'the vault key is not wrapped for any certificate of this token or key'
          : 'the key refused to unwrap the vault key (damaged or foreign vault.key)',
        { cause: err },
      );
    }
    if (err instanceof NiemError && err.kind === 'malformed') throw unreadable(err);
    throw err;
  }
  try {
    const { authAttrs, algorithm, mac, ciphertext } = decoded;
    if (
      authAttrs === undefined ||
      readEnvelopeAttributes(authAttrs).contentType !== contentTypes.data
    ) {
      throw new Error('authAttrs without contentType id-data');
    }
    const decipher = createDecipheriv(
      `aes-${algorithm.keyBytes * 8}-gcm` as 'aes-256-gcm',
      contentKey,
      algorithm.nonce,
      {
        authTagLength: algorithm.icvLength,
      },
    );
    decipher.setAAD(authAttributesAad(authAttrs.raw));
    decipher.setAuthTag(mac);
    const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    if (key.length !== DATABASE_KEY_BYTES) {
      key.fill(0);
      throw new Error(`the wrapped key is ${key.length} bytes, not 32`);
    }
    return key;
  } catch (err) {
    throw unreadable(err);
  } finally {
    contentKey.fill(0);
  }
}

/** Writes `envelope` as `<profileDir>/vault.key` atomically (temp, fsync, rename). */
export async function writeKeyFile(profileDir: string, envelope: Uint8Array): Promise<void> {
  await writeBytesAtomically(join(profileDir, KEY_FILE), envelope);
}

/** Reads `<profileDir>/vault.key`; missing is `vault-not-found`. */
export async function readKeyFile(profileDir: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(profileDir, KEY_FILE));
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') {
      throw new NiemError('vault-not-found', `no ${KEY_FILE} in the profile folder`, {
        cause: err,
      });
    }
    throw err;
  }
  if (bytes.length > MAX_KEY_FILE_BYTES) throw unreadable(new Error('vault.key is too large'));
  return bytes;
}
