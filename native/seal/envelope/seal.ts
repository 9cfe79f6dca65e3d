/**
 * Sealing: the streaming writer of the outer AuthEnvelopedData (docs/package-format.md
 * §1–5). The inner ContentInfo(SignedData) flows through AES-256-GCM one chunk at a time
 * and leaves as OCTET STRING segments (≤ 1 MiB) of the indefinite-length [0]; only the small
 * fields (recipientInfos, algorithm, authAttrs, mac) are held whole.
 */
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
  GcmSealer,
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

/** Default largest contents bytes of an encryptedContent segment. */
export const SEGMENT_BYTES = 1024 * 1024;

export interface SealOptions {
  /** BER of the inner ContentInfo (id-signedData), as a stream of chunks. */
  inner: AsyncIterable<Uint8Array>;
  /** At least one; the sender is expected to be among them. */
  recipients: RecipientSpec[];
  /** The outer level, written in NiemEnvelopeInfo (authAttrs, bound by the GCM tag). */
  level: LevelCode;
  /** Largest segment of the encrypted content (tests); default SEGMENT_BYTES (1 MiB). */
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
  let sealer: GcmSealer;
  const { field, aad } = encodeAuthAttributes(niemAuthAttributes(level));
  try {
    recipientInfos = encodeRecipientInfos(recipients, contentKey);
    sealer = new GcmSealer(contentKey, nonce, aad);
  } finally {
    contentKey.fill(0);
  }
  const ciphertext = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of options.inner) {
      if (chunk.length > 0) yield sealer.update(chunk);
    }
    const last = sealer.final();
    if (last.length > 0) yield last;
  };

  yield sequenceStart(); // ContentInfo
  yield oid(contentTypes.authEnvelopedData);
  yield indefiniteHeader('context', 0);
  yield sequenceStart(); // AuthEnvelopedData
  yield integer(0);
  yield recipientInfos;
  yield sequenceStart(); // authEncryptedContentInfo
  yield oid(PACKAGE_CONTENT_TYPE);
  yield encodeContentEncryptionAlgorithm(nonce);
  yield* encodeOctetStringStream(ciphertext(), {
    tagClass: 'context',
    tagNumber: 0,
    segmentSize: options.segmentBytes ?? SEGMENT_BYTES,
  });
  yield END_OF_CONTENTS; // authEncryptedContentInfo
  yield field; // [1] authAttrs (DER)
  yield octetString(sealer.tag);
  yield END_OF_CONTENTS; // AuthEnvelopedData
  yield END_OF_CONTENTS; // [0]
  yield END_OF_CONTENTS; // ContentInfo
}
