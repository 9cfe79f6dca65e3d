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
  explicit,
  integer,
  octetString,
  oid,
  primitive,
  sequence,
  type AsnNode,
} from '../ber/index.ts';
import {
  buf,
  childrenOf,
  decodeCms,
  expectUniversal,
  isContext,
  octets,
  oidOf,
  present,
  smallInteger,
} from './asn.ts';
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
    integer(0),
    fields.recipientInfos,
    sequence(
      oid(fields.contentType),
      fields.contentEncryptionAlgorithm,
      primitive('context', 0, fields.ciphertext),
    ),
  ];
  if (fields.authAttrs !== undefined) parts.push(fields.authAttrs);
  parts.push(octetString(fields.mac));
  return buf(sequence(oid(contentTypes.authEnvelopedData), explicit(0, sequence(...parts))));
}

/** An AuthEnvelopedData as read in memory. */
export interface DecodedAuthEnveloped {
  /** The RecipientInfos SET, for readRecipientInfos. */
  recipientInfos: AsnNode;
  contentType: string;
  algorithm: GcmAlgorithm;
  ciphertext: Buffer;
  /** The authAttrs field ([1]), for authAttributesAad and readEnvelopeAttributes. */
  authAttrs: AsnNode | undefined;
  mac: Buffer;
}

/** Reads a ContentInfo holding an AuthEnvelopedData (DER or BER) from memory. */
export function decodeAuthEnvelopedData(bytes: Uint8Array): DecodedAuthEnveloped {
  if (bytes.length > MAX_IN_MEMORY_BYTES) {
    throw new RangeError('too large to read in memory; use the streaming reader');
  }
  const info = childrenOf(expectUniversal(decodeCms(bytes), 16, 'ContentInfo'), 'ContentInfo');
  const type = oidOf(info[0], 'ContentInfo contentType');
  if (type !== contentTypes.authEnvelopedData) {
    throw cmsError('malformed', `ContentInfo: ${type} is not AuthEnvelopedData`);
  }
  if (!isContext(info[1], 0, true)) throw cmsError('malformed', 'ContentInfo content: not [0]');
  const wrapper = childrenOf(info[1], 'ContentInfo content');
  const fields = [
    ...childrenOf(expectUniversal(wrapper[0], 16, 'AuthEnvelopedData'), 'AuthEnvelopedData'),
  ];
  const version = smallInteger(fields.shift(), 'AuthEnvelopedData version');
  if (version !== 0) throw cmsError('malformed', `AuthEnvelopedData version ${version}`);
  if (isContext(fields[0], 0, true)) fields.shift(); // originatorInfo: not used
  const recipientInfos = expectUniversal(fields.shift(), 17, 'RecipientInfos');
  const eci = childrenOf(
    expectUniversal(fields.shift(), 16, 'authEncryptedContentInfo'),
    'authEncryptedContentInfo',
  );
  const contentType = oidOf(eci[0], 'encrypted contentType');
  const algorithm = readContentEncryptionAlgorithm(eci[1]);
  const ciphertext = octets(present(eci[2], 'encryptedContent'), 'encryptedContent', 0);
  const authAttrs = isContext(fields[0], 1, true) ? fields.shift() : undefined;
  const mac = octets(fields.shift(), 'mac');
  if (isContext(fields[0], 2, true)) fields.shift(); // unauthAttrs: ignored
  if (fields.length > 0) throw cmsError('malformed', 'AuthEnvelopedData: trailing fields');
  return { recipientInfos, contentType, algorithm, ciphertext, authAttrs, mac };
}
