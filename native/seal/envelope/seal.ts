/**
 * Sealing: the streaming writer of the outer AuthEnvelopedData (docs/package-format.md
 * §1–5). The inner ContentInfo(SignedData) flows through AES-256-GCM one chunk at a time
 * and leaves as 64 KiB OCTET STRING segments of the indefinite-length [0]; only the small
 * fields (recipientInfos, algorithm, authAttrs, mac) are held whole.
 */
import { Readable } from 'node:stream';
import {
  END_OF_CONTENTS,
  encodeOctetStringStream,
  indefiniteHeader,
  integer,
  octetString,
  oid,
  UniversalTag,
} from '../ber/index.ts';
import {
  GcmEncryptor,
  PACKAGE_CONTENT_TYPE,
  contentTypes,
  encodeAuthAttributes,
  encodeContentEncryptionAlgorithm,
  encodeRecipientInfos,
  generateContentKey,
  generateNonce,
  niemAuthAttributes,
  type SealRecipient,
} from '../cms-crypto/index.ts';
import type { LevelCode } from '../levels.ts';

/** A recipient of a sealed package: its certificate, and for RSA the OAEP hash. */
export type RecipientSpec = SealRecipient;

/** Default contents bytes per encryptedContent segment. */
export const SEGMENT_BYTES = 64 * 1024;

export interface SealOptions {
  /** BER of the inner ContentInfo (id-signedData), as a stream of chunks. */
  inner: AsyncIterable<Uint8Array>;
  /** At least one; the sender is expected to be among them. */
  recipients: RecipientSpec[];
  /** The outer level, written in NiemEnvelopeInfo (authAttrs, bound by the GCM tag). */
  level: LevelCode;
  /** Segment size of the encrypted content (tests); default 64 KiB. */
  segmentBytes?: number;
}

const sequenceStart = (): Uint8Array => indefiniteHeader('universal', UniversalTag.sequence);

/**
 * The package as a stream of BER chunks: ContentInfo { id-ct-authEnvelopedData,
 * [0] AuthEnvelopedData { 0, recipientInfos, authEncryptedContentInfo { id-data,
 * aes256-GCM, [0] segments }, [1] authAttrs, mac } }, the constructed parts in the
 * indefinite form. Fresh key and nonce each call; the key lives in the cipher only.
 * An error of `inner` ends the stream with that error (the output is then incomplete).
 */
export async function* sealEnvelope(options: SealOptions): AsyncGenerator<Uint8Array, void> {
  const { recipients, level } = options;
  const contentKey = generateContentKey();
  const nonce = generateNonce();
  let recipientInfos: Uint8Array;
  let encryptor: GcmEncryptor;
  const { field, aad } = encodeAuthAttributes(niemAuthAttributes(level));
  try {
    recipientInfos = encodeRecipientInfos(recipients, contentKey);
    encryptor = new GcmEncryptor(contentKey, nonce, aad);
  } finally {
    contentKey.fill(0);
  }
  const source = Readable.from(options.inner, { objectMode: false });
  source.on('error', (err) => encryptor.destroy(err));
  source.pipe(encryptor);

  yield sequenceStart(); // ContentInfo
  yield oid(contentTypes.authEnvelopedData);
  yield indefiniteHeader('context', 0);
  yield sequenceStart(); // AuthEnvelopedData
  yield integer(0);
  yield recipientInfos;
  yield sequenceStart(); // authEncryptedContentInfo
  yield oid(PACKAGE_CONTENT_TYPE);
  yield encodeContentEncryptionAlgorithm(nonce);
  try {
    yield* encodeOctetStringStream(encryptor as AsyncIterable<Uint8Array>, {
      tagClass: 'context',
      tagNumber: 0,
      segmentSize: options.segmentBytes ?? SEGMENT_BYTES,
    });
  } finally {
    if (!encryptor.readableEnded) {
      source.destroy();
      encryptor.destroy();
    }
  }
  yield END_OF_CONTENTS; // authEncryptedContentInfo
  yield field; // [1] authAttrs (DER)
  yield octetString(encryptor.tag);
  yield END_OF_CONTENTS; // AuthEnvelopedData
  yield END_OF_CONTENTS; // [0]
  yield END_OF_CONTENTS; // ContentInfo
}
