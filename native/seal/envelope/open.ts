/**
 * Opening: the streaming reader of the outer AuthEnvelopedData. The content key is
 * recovered from the RecipientInfos (before the ciphertext), then the ciphertext streams
 * through GcmOpener into the caller's `onPlaintext`, pulled by the consumer.
 *
 * **The plaintext given to onPlaintext is unauthenticated until openEnvelope resolves.**
 * The stream it receives ends normally only after the whole package was read, its
 * structure checked to the last byte and the GCM tag (over the content and the authAttrs,
 * hence the outer level) verified; on any failure it errors instead. A consumer must
 * therefore write to a temporary place and commit only when the stream ended:
 * openEnvelopeToFile does exactly that with writeAuthenticated (`.partial`, rename on
 * success, removed on failure).
 */
import { Readable } from 'node:stream';
import { NiemError } from '../../api/errors.ts';
import { BerReader, type ByteInput } from '../ber/index.ts';
import {
  GcmOpener,
  authAttributesAad,
  cmsError,
  openContentKey,
  tamperedError,
  writeAuthenticated,
  type RecipientCertificate,
  type RecipientKey,
  type SecurityLabel,
} from '../cms-crypto/index.ts';
import type { LevelCode } from '../levels.ts';
import { readEnvelopeHeader, readEnvelopeTrailer, type EnvelopeTrailer } from './read-header.ts';

export interface OpenOptions {
  /** Our certificates and their private operations (token or software keys). */
  keys: RecipientKey[];
  /**
   * Consumes the plaintext (the BER of the inner ContentInfo). The iterable errors when
   * the package is damaged and ends only when the tag verified: commit nothing before it
   * ended. Must read to the end (or fail); it is awaited.
   */
  onPlaintext: (chunks: AsyncIterable<Uint8Array>) => Promise<void>;
}

export interface OpenedEnvelope {
  /** The outer level (NiemEnvelopeInfo), authenticated by the tag; undefined if not stated. */
  level: LevelCode | undefined;
  /** The outer ESS label as read, when present. */
  label: SecurityLabel | undefined;
  formatVersion: number | undefined;
  /** Which of our certificates the package was opened with, and how. */
  recipient: { certificate: RecipientCertificate; type: 'ktri' | 'kari' };
  /** authEncryptedContentInfo contentType (id-data for Niêm). */
  contentType: string;
  /** Plaintext bytes. */
  plaintextBytes: number;
}

/** Opens a package streamed from `source`; see the module comment for the contract. */
export async function openEnvelope(
  source: ByteInput,
  options: OpenOptions,
): Promise<OpenedEnvelope> {
  const reader = new BerReader(source, { maxDepth: 32 });
  let plaintext: AsyncGenerator<Uint8Array, void> | undefined;
  /** What the package side threw (reading, decrypting, the tag): wrapped when not a NiemError. */
  let packageError: unknown;
  try {
    const header = await readEnvelopeHeader(reader);
    const opened = await openContentKey(header.recipients, options.keys, header.algorithm.keyBytes);
    let gcm: GcmOpener;
    try {
      gcm = new GcmOpener(opened.contentKey, header.algorithm);
    } finally {
      opened.contentKey.fill(0);
    }
    let plaintextBytes = 0;
    let trailer: EnvelopeTrailer | undefined;
    // Pull-based: the consumer's reads drive the file reads; the last chunk comes only
    // after the trailer was read and the tag verified, else the iteration throws.
    const decrypt = async function* (): AsyncGenerator<Uint8Array, void> {
      for await (const chunk of reader.contents(header.ciphertext)) {
        if (chunk.length === 0) continue;
        const plain = gcm.update(chunk);
        plaintextBytes += plain.length;
        yield plain;
      }
      const read = await readEnvelopeTrailer(reader);
      const { attributes } = read;
      if (attributes.contentType !== undefined && attributes.contentType !== header.contentType) {
        throw tamperedError();
      }
      const tail = gcm.finish({
        mac: read.mac,
        aad: read.authAttrs === undefined ? undefined : authAttributesAad(read.authAttrs),
      });
      trailer = read;
      if (tail.length > 0) {
        plaintextBytes += tail.length;
        yield tail;
      }
    };
    plaintext = (async function* (): AsyncGenerator<Uint8Array, void> {
      try {
        yield* decrypt();
      } catch (err) {
        packageError = err;
        throw err;
      }
    })();
    await options.onPlaintext(plaintext);
    if (trailer === undefined || !gcm.verified) {
      throw new NiemError('internal', 'onPlaintext returned before the end of the plaintext');
    }
    return {
      level: trailer.attributes.label?.level,
      label: trailer.attributes.label,
      formatVersion: trailer.attributes.formatVersion,
      recipient: { certificate: opened.certificate, type: opened.recipient.type },
      contentType: header.contentType,
      plaintextBytes,
    };
  } catch (err) {
    await plaintext?.return().catch(() => undefined);
    await reader.close().catch(() => undefined);
    // The consumer's own failures (a full disk, a refused file name) pass unchanged.
    if (err instanceof NiemError || (packageError === undefined && plaintext !== undefined)) {
      throw err;
    }
    throw cmsError('malformed', `the package could not be read: ${String(err)}`, err);
  }
}

/**
 * Opens `source` and writes the plaintext to `path` through `path.partial`, renamed only
 * once the tag verified; on any failure nothing remains (writeAuthenticated).
 */
export async function openEnvelopeToFile(
  source: ByteInput,
  path: string,
  keys: RecipientKey[],
): Promise<OpenedEnvelope> {
  return openEnvelope(source, {
    keys,
    onPlaintext: (chunks) => writeAuthenticated(Readable.from(chunks), path),
  });
}
