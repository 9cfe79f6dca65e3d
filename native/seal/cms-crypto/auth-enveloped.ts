/**
 * A whole AuthEnvelopedData in memory (RFC 5083): for small packages, tests and interop
 * checks only. Packages of real size go through the streaming codec in ../ber/, which
 * uses the same field encoders (recipientInfos, content algorithm, authAttrs, mac).
 *
 *   ContentInfo { id-ct-authEnvelopedData, [0] EXPLICIT AuthEnvelopedData {
 *     version 0, (originatorInfo absent), recipientInfos,
 *     authEncryptedContentInfo { contentType, contentEncryptionAlgorithm,
 *                                [0] IMPLICIT OCTET STRING ciphertext },
 *     authAttrs [1] IMPLICIT OPTIONAL, mac OCTET STRING, unauthAttrs [2] OPTIONAL } }
 */
import { cmsError } from './cms-errors.ts';
import {
  contextTag,
  decodeDer,
  derExplicit,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  expectTag,
  readOctets,
  readOid,
  readSmallInteger,
  tlv,
  Tag,
  type DerNode,
} from './der.ts';
import { readContentEncryptionAlgorithm, type GcmAlgorithm } from './gcm.ts';
import { contentTypes } from './oids.ts';

/** Largest AuthEnvelopedData this in-memory reader takes, bytes. */
export const MAX_IN_MEMORY_BYTES = 64 * 1024 * 1024;

/** The encoded fields of an AuthEnvelopedData, in order. */
export interface AuthEnvelopedFields {
  /** encodeRecipientInfos(): the SET. */
  recipientInfos: Uint8Array;
  /** The content type inside (id-signedData for Niêm). */
  contentType: string;
  /** encodeContentEncryptionAlgorithm(). */
  contentEncryptionAlgorithm: Uint8Array;
  ciphertext: Uint8Array;
  /** encodeAuthAttributes().field, when there are authAttrs. */
  authAttrs?: Uint8Array;
  mac: Uint8Array;
}

/** DER ContentInfo around an AuthEnvelopedData made of `fields`. */
export function encodeAuthEnvelopedData(fields: AuthEnvelopedFields): Buffer {
  const parts = [
    derInteger(0),
    Buffer.from(fields.recipientInfos),
    derSequence(
      derOid(fields.contentType),
      Buffer.from(fields.contentEncryptionAlgorithm),
      tlv(contextTag(0, false), fields.ciphertext),
    ),
  ];
  if (fields.authAttrs !== undefined) parts.push(Buffer.from(fields.authAttrs));
  parts.push(derOctetString(fields.mac));
  return derSequence(derOid(contentTypes.authEnvelopedData), derExplicit(0, derSequence(...parts)));
}

/** An AuthEnvelopedData as read in memory. */
export interface DecodedAuthEnveloped {
  /** The RecipientInfos SET, for readRecipientInfos. */
  recipientInfos: DerNode;
  contentType: string;
  algorithm: GcmAlgorithm;
  ciphertext: Buffer;
  /** The authAttrs field ([1]), for authAttributesAad and readEnvelopeAttributes. */
  authAttrs: DerNode | undefined;
  mac: Buffer;
}

/** Reads a ContentInfo holding an AuthEnvelopedData (DER or BER) from memory. */
export function decodeAuthEnvelopedData(bytes: Uint8Array): DecodedAuthEnveloped {
  if (bytes.length > MAX_IN_MEMORY_BYTES) {
    throw new RangeError('too large to read in memory; use the streaming reader');
  }
  const info = expectTag(decodeDer(bytes, 'ContentInfo'), Tag.sequence, 'ContentInfo');
  const type = readOid(info.children[0], 'ContentInfo contentType');
  if (type !== contentTypes.authEnvelopedData) {
    throw cmsError('malformed', `ContentInfo: ${type} is not AuthEnvelopedData`);
  }
  const wrapper = expectTag(info.children[1], contextTag(0, true), 'ContentInfo content');
  const fields = [...expectTag(wrapper.children[0], Tag.sequence, 'AuthEnvelopedData').children];
  const version = readSmallInteger(fields.shift(), 'AuthEnvelopedData version');
  if (version !== 0) throw cmsError('malformed', `AuthEnvelopedData version ${version}`);
  if (fields[0]?.tag === contextTag(0, true)) fields.shift(); // originatorInfo: not used
  const recipientInfos = expectTag(fields.shift(), Tag.set, 'RecipientInfos');
  const eci = expectTag(fields.shift(), Tag.sequence, 'authEncryptedContentInfo');
  const contentType = readOid(eci.children[0], 'encrypted contentType');
  const algorithm = readContentEncryptionAlgorithm(eci.children[1]);
  const ciphertext = readOctets(eci.children[2], 'encryptedContent', contextTag(0, false));
  const authAttrs = fields[0]?.tag === contextTag(1, true) ? fields.shift() : undefined;
  const mac = readOctets(fields.shift(), 'mac');
  if (fields[0]?.tag === contextTag(2, true)) fields.shift(); // unauthAttrs: ignored
  if (fields.length > 0) throw cmsError('malformed', 'AuthEnvelopedData: trailing fields');
  return { recipientInfos, contentType, algorithm, ciphertext, authAttrs, mac };
}
