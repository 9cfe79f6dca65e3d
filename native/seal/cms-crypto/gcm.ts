/**
 * Content encryption of the AuthEnvelopedData: AES-GCM per RFC 5084 (Niêm writes
 * AES-256, a 12-byte nonce and a 16-byte ICV), as streaming Transforms over Node crypto.
 *
 * Decryption releases plaintext as it goes (streaming), but the stream ends only after
 * the tag verified: a failed tag makes the stream error with `tampered` instead of
 * ending. The caller therefore writes what it reads to a `.partial` location and commits
 * only when the stream finished (see writeAuthenticated in ./authenticated-file.ts).
 *
 * In CMS the authAttrs and the mac come after the ciphertext, so the decryptor takes
 * them late (provideTrailer) and adds the authAttrs to the tag with ./ghash.ts: one pass
 * over the content, no buffering, with or without authAttrs.
 */
import {
  createCipheriv,
  randomBytes,
  timingSafeEqual,
  type Cipheriv,
  type CipherGCM,
} from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { cmsError, tamperedError } from './cms-errors.ts';
import { integer, octetString, sequence, setOf, type AsnNode } from '../ber/index.ts';
import {
  algorithm,
  childrenOf,
  expectUniversal,
  octets,
  readAlgorithm,
  smallInteger,
} from './asn.ts';
import { addAadToTag } from './ghash.ts';
import { contentEncryption } from './oids.ts';

/** Content-encryption key length Niêm writes (AES-256), bytes. */
export const CEK_BYTES = 32;
/** GCM nonce length (RFC 5084 default and the only one read), bytes. */
export const NONCE_BYTES = 12;
/** GCM ICV (tag) length Niêm writes, bytes. */
export const ICV_BYTES = 16;
/** Largest GCM plaintext (SP 800-38D: 2^39 − 256 bits), bytes. */
export const MAX_GCM_BYTES = 2 ** 36 - 32;

/** A fresh random content-encryption key (AES-256). */
export function generateContentKey(): Buffer {
  return randomBytes(CEK_BYTES);
}

/** A fresh random 12-byte nonce. Never reuse one with the same key. */
export function generateNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** The content-encryption algorithm of a package, as read. */
export interface GcmAlgorithm {
  /** Key length in bytes: 32 for what Niêm writes; 16 or 24 read from other tools. */
  keyBytes: 16 | 24 | 32;
  nonce: Buffer;
  /** ICV (tag) length in bytes, 12 to 16. */
  icvLength: number;
}

const gcmByOid: Record<string, 16 | 24 | 32> = {
  [contentEncryption.aes128Gcm]: 16,
  [contentEncryption.aes192Gcm]: 24,
  [contentEncryption.aes256Gcm]: 32,
};

/**
 * The contentEncryptionAlgorithm Niêm writes: aes256-GCM with GCMParameters
 * { aes-nonce (12 bytes), aes-ICVlen 16 } (16 differs from the DEFAULT 12, so DER keeps it).
 */
export function encodeContentEncryptionAlgorithm(nonce: Uint8Array): Buffer {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('the GCM nonce must be 12 bytes');
  return algorithm(contentEncryption.aes256Gcm, sequence(octetString(nonce), integer(ICV_BYTES)));
}

/** Reads an AES-GCM contentEncryptionAlgorithm; anything else is `malformed`. */
export function readContentEncryptionAlgorithm(node: AsnNode | undefined): GcmAlgorithm {
  const what = 'contentEncryptionAlgorithm';
  const { oid, parameters } = readAlgorithm(node, what);
  const keyBytes = gcmByOid[oid];
  if (keyBytes === undefined) {
    throw cmsError('malformed', `${what}: ${oid} is not AES-GCM, the only content cipher read`);
  }
  const params = expectUniversal(parameters, 16, 'GCMParameters');
  const [nonceNode, icvNode, extra] = childrenOf(params, 'GCMParameters');
  if (extra !== undefined) throw cmsError('malformed', 'GCMParameters: too many fields');
  const nonce = octets(nonceNode, 'GCMParameters aes-nonce');
  if (nonce.length !== NONCE_BYTES) {
    throw cmsError('malformed', `GCMParameters: a ${nonce.length}-byte nonce (only 12 is read)`);
  }
  const icvLength = icvNode === undefined ? 12 : smallInteger(icvNode, 'aes-ICVlen');
  if (icvLength < 12 || icvLength > 16) {
    throw cmsError('malformed', `GCMParameters: ICV length ${icvLength} outside 12..16`);
  }
  return { keyBytes, nonce, icvLength };
}

/**
 * The two encodings of the authAttrs: `field` as it stands in the AuthEnvelopedData
 * ([1] IMPLICIT SET OF Attribute) and `aad` as GCM authenticates it (the same DER with
 * the universal SET OF tag, RFC 5083 §2.1). `attributes` are encoded Attribute values;
 * they are put in DER order.
 */
export function encodeAuthAttributes(attributes: Uint8Array[]): { field: Buffer; aad: Buffer } {
  const aad = Buffer.from(setOf(...attributes));
  const field = Buffer.from(aad);
  field[0] = 0xa1;
  return { field, aad };
}

/** The GCM AAD of a received authAttrs field ([1] … → SET OF …, bytes as received). */
export function authAttributesAad(field: Uint8Array): Buffer {
  const aad = Buffer.from(field);
  if (aad[0] !== 0xa1) throw cmsError('malformed', 'authAttrs: expected tag [1]');
  aad[0] = 0x31; // universal SET OF
  return aad;
}

/** Encrypts a stream with AES-256-GCM; `tag` is readable once the stream has ended. */
export class GcmEncryptor extends Transform {
  readonly #cipher: CipherGCM;
  #tag: Buffer | undefined;
  #bytes = 0;

  /** `aad`: the DER SET OF of the authAttrs (encodeAuthAttributes().aad), if any. */
  constructor(key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) {
    super();
    if (key.length !== CEK_BYTES) throw new RangeError('the content key must be 32 bytes');
    if (nonce.length !== NONCE_BYTES) throw new RangeError('the GCM nonce must be 12 bytes');
    this.#cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: ICV_BYTES });
    if (aad !== undefined && aad.length > 0) this.#cipher.setAAD(aad);
  }

  /** The ICV (16 bytes), the AuthEnvelopedData's mac. Throws before the stream ended. */
  get tag(): Buffer {
    if (this.#tag === undefined) throw new Error('the GCM tag exists only after the stream ended');
    return this.#tag;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_GCM_BYTES) {
      callback(new RangeError('content over the GCM limit of 64 GiB'));
      return;
    }
    callback(null, this.#cipher.update(chunk));
  }

  override _flush(callback: TransformCallback): void {
    const last = this.#cipher.final();
    this.#tag = this.#cipher.getAuthTag();
    callback(null, last.length > 0 ? last : undefined);
  }
}

/** What follows the ciphertext in an AuthEnvelopedData, as the decryptor needs it. */
export interface GcmTrailer {
  /** The mac field: the received ICV. */
  mac: Uint8Array;
  /** authAttributesAad() of the authAttrs field, when present. */
  aad?: Uint8Array;
}

/**
 * Decrypts an AES-GCM stream. Plaintext flows as the ciphertext does; the stream ends
 * (and `verified` becomes true) only once the trailer was provided and the tag matched,
 * otherwise it errors with `tampered`. The trailer may be given at construction or at
 * any time before or after the input ends: the end waits for it, so a reader that fails
 * before reaching the mac must destroy this stream.
 *
 * Cost: AES-CTR for the plaintext plus AES-GCM over it for the tag (two AES passes, one
 * GHASH), well above the SHA-256 that bounds the open.
 */
export class GcmDecryptor extends Transform {
  readonly #ctr: Cipheriv;
  readonly #tagger: CipherGCM;
  readonly #hashKey: Buffer;
  readonly #icvLength: number;
  readonly #trailer: Promise<GcmTrailer>;
  #resolveTrailer: (trailer: GcmTrailer) => void = () => undefined;
  #bytes = 0;
  #verified = false;

  constructor(key: Uint8Array, algorithm: GcmAlgorithm, trailer?: GcmTrailer) {
    super();
    const { keyBytes, nonce, icvLength } = algorithm;
    if (key.length !== keyBytes) throw tamperedError();
    const bits = keyBytes * 8;
    const gcm = `aes-${bits}-gcm` as 'aes-256-gcm'; // the three are alike to the types
    // GCM's keystream starts at inc32(J0) = nonce ‖ 00000002 (SP 800-38D §7.2); within
    // the GCM length limit the 32-bit counter never wraps, so plain CTR is the same.
    const counter = Buffer.concat([nonce, Buffer.from([0, 0, 0, 2])]);
    this.#ctr = createCipheriv(`aes-${bits}-ctr`, key, counter);
    // Re-encrypting the plaintext yields the same ciphertext, hence GCM's tag over it.
    this.#tagger = createCipheriv(gcm, key, nonce, { authTagLength: 16 });
    const ecb = createCipheriv(`aes-${bits}-ecb`, key, null);
    ecb.setAutoPadding(false);
    this.#hashKey = ecb.update(Buffer.alloc(16));
    this.#icvLength = icvLength;
    this.#trailer =
      trailer === undefined
        ? new Promise<GcmTrailer>((resolve) => (this.#resolveTrailer = resolve))
        : Promise.resolve(trailer);
  }

  /** Gives the mac and the authAttrs AAD read after the ciphertext. */
  provideTrailer(trailer: GcmTrailer): void {
    this.#resolveTrailer(trailer);
  }

  /** True once the tag verified (the stream then ends normally). */
  get verified(): boolean {
    return this.#verified;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_GCM_BYTES) {
      callback(cmsError('malformed', 'encrypted content over the GCM limit of 64 GiB'));
      return;
    }
    const plain = this.#ctr.update(chunk);
    this.#tagger.update(plain);
    callback(null, plain);
  }

  override _flush(callback: TransformCallback): void {
    const tail = this.#ctr.final();
    this.#tagger.final();
    const bare = this.#tagger.getAuthTag();
    this.#trailer.then(
      ({ mac, aad }) => {
        const full = addAadToTag(bare, this.#hashKey, aad ?? Buffer.alloc(0), this.#bytes);
        const expected = full.subarray(0, this.#icvLength);
        if (mac.length !== expected.length || !timingSafeEqual(expected, mac)) {
          callback(tamperedError());
          return;
        }
        this.#verified = true;
        callback(null, tail.length > 0 ? tail : undefined);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
