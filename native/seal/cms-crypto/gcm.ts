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
 * them late (provideTrailer / finish) and accounts for the authAttrs in the tag with
 * ./ghash.ts: one AES-GCM pass over the content, no buffering, with or without authAttrs.
 */
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  type CipherGCM,
  type DecipherGCM,
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

/**
 * AES-256-GCM encryption, one chunk at a time: `update` returns the ciphertext of a chunk,
 * `final` the (empty) rest, after which `tag` is set. For pull-based producers (async
 * generators) that need no stream machinery between them; GcmEncryptor wraps it as a
 * Transform.
 */
export class GcmSealer {
  readonly #cipher: CipherGCM;
  #tag: Buffer | undefined;
  #bytes = 0;

  /** `aad`: the DER SET OF of the authAttrs (encodeAuthAttributes().aad), if any. */
  constructor(key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) {
    if (key.length !== CEK_BYTES) throw new RangeError('the content key must be 32 bytes');
    if (nonce.length !== NONCE_BYTES) throw new RangeError('the GCM nonce must be 12 bytes');
    this.#cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: ICV_BYTES });
    if (aad !== undefined && aad.length > 0) this.#cipher.setAAD(aad);
  }

  /** The ICV (16 bytes), the AuthEnvelopedData's mac. Throws before final(). */
  get tag(): Buffer {
    if (this.#tag === undefined) throw new Error('the GCM tag exists only after the stream ended');
    return this.#tag;
  }

  /** The ciphertext of `chunk` (a new buffer; `chunk` is not kept). */
  update(chunk: Uint8Array): Buffer {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_GCM_BYTES) throw new RangeError('content over the GCM limit of 64 GiB');
    return this.#cipher.update(chunk);
  }

  /** Ends the encryption; returns the last ciphertext bytes (none for GCM) and sets `tag`. */
  final(): Buffer {
    const last = this.#cipher.final();
    this.#tag = this.#cipher.getAuthTag();
    return last;
  }
}

/** Encrypts a stream with AES-256-GCM; `tag` is readable once the stream has ended. */
export class GcmEncryptor extends Transform {
  readonly #sealer: GcmSealer;

  /** `aad`: the DER SET OF of the authAttrs (encodeAuthAttributes().aad), if any. */
  constructor(key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) {
    super();
    this.#sealer = new GcmSealer(key, nonce, aad);
  }

  /** The ICV (16 bytes), the AuthEnvelopedData's mac. Throws before the stream ended. */
  get tag(): Buffer {
    return this.#sealer.tag;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, this.#sealer.update(chunk));
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    const last = this.#sealer.final();
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
 * AES-GCM decryption, one chunk at a time, for an AuthEnvelopedData whose authAttrs and
 * mac come after the ciphertext. `update` returns **unauthenticated** plaintext; `finish`
 * takes the trailer and either returns the last bytes (the tag verified) or throws
 * `tampered`. A caller must not commit anything before finish returned.
 *
 * One AES-GCM pass: Node's decipher runs with no AAD, so it computes the tag T(∅, C); the
 * received tag T(A, C) is turned into the T(∅, C) it implies (./ghash.ts: the two differ
 * by a term that depends only on H, the authAttrs and the length of C) and given to the
 * decipher, which compares in constant time at final().
 */
export class GcmOpener {
  readonly #decipher: DecipherGCM;
  readonly #hashKey: Buffer;
  readonly #icvLength: number;
  #bytes = 0;
  #verified = false;

  constructor(key: Uint8Array, algorithm: GcmAlgorithm) {
    const { keyBytes, nonce, icvLength } = algorithm;
    if (key.length !== keyBytes) throw tamperedError();
    const bits = keyBytes * 8;
    const gcm = `aes-${bits}-gcm` as 'aes-256-gcm'; // the three are alike to the types
    this.#decipher = createDecipheriv(gcm, key, nonce, { authTagLength: icvLength });
    const ecb = createCipheriv(`aes-${bits}-ecb`, key, null);
    ecb.setAutoPadding(false);
    this.#hashKey = ecb.update(Buffer.alloc(16));
    this.#icvLength = icvLength;
  }

  /** True once finish() verified the tag. */
  get verified(): boolean {
    return this.#verified;
  }

  /** Plaintext of `chunk`, NOT yet authenticated. */
  update(chunk: Uint8Array): Buffer {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_GCM_BYTES) {
      throw cmsError('malformed', 'encrypted content over the GCM limit of 64 GiB');
    }
    return this.#decipher.update(chunk);
  }

  /** Checks the tag over everything given and the authAttrs; throws `tampered` on mismatch. */
  finish({ mac, aad }: GcmTrailer): Buffer {
    if (mac.length !== this.#icvLength) throw tamperedError();
    const difference = addAadToTag(
      Buffer.alloc(16),
      this.#hashKey,
      aad ?? Buffer.alloc(0),
      this.#bytes,
    );
    this.#hashKey.fill(0);
    const expected = Buffer.from(mac);
    for (let i = 0; i < expected.length; i++) {
      expected[i] = (expected[i] as number) ^ (difference[i] as number);
    }
    this.#decipher.setAuthTag(expected);
    let tail: Buffer;
    try {
      tail = this.#decipher.final();
    } catch {
      throw tamperedError();
    }
    this.#verified = true;
    return tail;
  }
}

/**
 * Decrypts an AES-GCM stream (a Transform around GcmOpener). Plaintext flows as the
 * ciphertext does; the stream ends (and `verified` becomes true) only once the trailer
 * was provided and the tag matched, otherwise it errors with `tampered`. The trailer may
 * be given at construction or at any time before or after the input ends: the end waits
 * for it, so a reader that fails before reaching the mac must destroy this stream.
 */
export class GcmDecryptor extends Transform {
  readonly #opener: GcmOpener;
  readonly #trailer: Promise<GcmTrailer>;
  #resolveTrailer: (trailer: GcmTrailer) => void = () => undefined;

  constructor(key: Uint8Array, algorithm: GcmAlgorithm, trailer?: GcmTrailer) {
    super();
    this.#opener = new GcmOpener(key, algorithm);
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
    return this.#opener.verified;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, this.#opener.update(chunk));
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.#trailer.then(
      (trailer) => {
        let tail: Buffer;
        try {
          tail = this.#opener.finish(trailer);
        } catch (err) {
          callback(err as Error);
          return;
        }
        callback(null, tail.length > 0 ? tail : undefined);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
