/**
 * Opening: the streaming reader of the outer AuthEnvelopedData. The content key is
 * recovered from the RecipientInfos (before the ciphertext), then the ciphertext streams
 * through GcmDecryptor into the caller's `onPlaintext`.
 *
 * **The plaintext given to onPlaintext is unauthenticated until openEnvelope resolves.**
 * The stream it receives ends normally only after the whole package was read, its
 * structure checked to the last byte and the GCM tag (over the content and the authAttrs,
 * hence the outer level) verified; on any failure it errors instead. A consumer must
 * therefore write to a temporary place and commit only when the stream ended:
 * openEnvelopeToFile does exactly that with writeAuthenticated (`.partial`, rename on
 * success, removed on failure).
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { NiemError } from '../../api/errors.ts';
import { BerReader, type ByteInput } from '../ber/index.ts';
import {
  GcmDecryptor,
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
import { readEnvelopeHeader, readEnvelopeTrailer } from './read-header.ts';

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

/** Writes to `stream`, waiting when it is full; false when the stream went away. */
async function writeWithBackpressure(stream: GcmDecryptor, chunk: Uint8Array): Promise<boolean> {
  if (stream.destroyed) return false;
  if (stream.write(chunk)) return true;
  const ac = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: ac.signal }),
      once(stream, 'close', { signal: ac.signal }),
    ]);
  } catch {
    // 'error' raced in: the consumer's side reports it
  } finally {
    ac.abort();
  }
  return !stream.destroyed;
}

/** Opens a package streamed from `source`; see the module comment for the contract. */
export async function openEnvelope(
  source: ByteInput,
  options: OpenOptions,
): Promise<OpenedEnvelope> {
  const reader = new BerReader(source, { maxDepth: 32 });
  let decryptor: GcmDecryptor | undefined;
  let consumerFailed = false;
  try {
    const header = await readEnvelopeHeader(reader);
    const opened = await openContentKey(header.recipients, options.keys, header.algorithm.keyBytes);
    const gcm = new GcmDecryptor(opened.contentKey, header.algorithm);
    decryptor = gcm;
    opened.contentKey.fill(0);
    let plaintextBytes = 0;
    const consumer = options.onPlaintext(
      (async function* (): AsyncGenerator<Uint8Array> {
        for await (const chunk of gcm as AsyncIterable<Buffer>) {
          plaintextBytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    const consumed = consumer.then(
      () => {
        if (!gcm.readableEnded) {
          gcm.destroy(new NiemError('internal', 'onPlaintext returned before the end'));
        }
      },
      (err: unknown) => {
        consumerFailed = true;
        gcm.destroy();
        throw err;
      },
    );
    consumed.catch(() => undefined); // awaited below
    let trailer;
    try {
      for await (const chunk of reader.contents(header.ciphertext)) {
        if (!(await writeWithBackpressure(gcm, chunk))) break;
      }
      if (gcm.destroyed) {
        await consumed; // the consumer failed: its error
        throw new NiemError('internal', 'the plaintext consumer stopped early');
      }
      trailer = await readEnvelopeTrailer(reader);
      const { attributes } = trailer;
      if (attributes.contentType !== undefined && attributes.contentType !== header.contentType) {
        throw tamperedError();
      }
    } catch (err) {
      gcm.destroy(err instanceof Error ? err : new Error(String(err)));
      await consumed.catch(() => undefined);
      throw err;
    }
    gcm.provideTrailer({
      mac: trailer.mac,
      aad: trailer.authAttrs === undefined ? undefined : authAttributesAad(trailer.authAttrs),
    });
    gcm.end();
    await consumed;
    if (!gcm.verified) throw tamperedError();
    return {
      level: trailer.attributes.label?.level,
      label: trailer.attributes.label,
      formatVersion: trailer.attributes.formatVersion,
      recipient: { certificate: opened.certificate, type: opened.recipient.type },
      contentType: header.contentType,
      plaintextBytes,
    };
  } catch (err) {
    decryptor?.destroy();
    await reader.close().catch(() => undefined);
    if (err instanceof NiemError || consumerFailed) throw err;
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
