/**
 * How a RecipientInfo names the recipient's certificate: IssuerAndSerialNumber (what
 * Niêm and openssl write) or a subject key identifier (read from other tools), and the
 * comparison with a certificate.
 */
import { cmsError } from './cms-errors.ts';
import {
  contextTag,
  decodeDer,
  derOctetString,
  derSequence,
  expectTag,
  readOctets,
  tlv,
  Tag,
  type DerNode,
} from './der.ts';
import type { RecipientCertificate } from './recipient-certificate.ts';

/** A recipient identifier as read or written. Bytes are DER (issuer, serial) or raw (ski). */
export type RecipientId =
  | { kind: 'issuer-serial'; issuer: Buffer; serial: Buffer }
  | { kind: 'ski'; subjectKeyIdentifier: Buffer };

/** How to name a recipient when writing. */
export type RecipientIdKind = RecipientId['kind'];

/** The identifier of `certificate` of the given kind; `ski` needs the extension. */
export function recipientIdOf(
  certificate: RecipientCertificate,
  kind: RecipientIdKind = 'issuer-serial',
): RecipientId {
  if (kind === 'issuer-serial') {
    return { kind, issuer: certificate.issuer, serial: certificate.serial };
  }
  if (certificate.subjectKeyIdentifier === undefined) {
    throw new RangeError('the certificate has no subject key identifier');
  }
  return { kind, subjectKeyIdentifier: certificate.subjectKeyIdentifier };
}

/** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER } */
function encodeIssuerAndSerial(id: { issuer: Buffer; serial: Buffer }): Buffer {
  return derSequence(id.issuer, id.serial);
}

/** KeyTransRecipientInfo rid: IssuerAndSerialNumber, or [0] IMPLICIT SubjectKeyIdentifier. */
export function encodeKeyTransRecipientId(id: RecipientId): Buffer {
  return id.kind === 'issuer-serial'
    ? encodeIssuerAndSerial(id)
    : tlv(contextTag(0, false), id.subjectKeyIdentifier);
}

/**
 * KeyAgreeRecipientIdentifier: IssuerAndSerialNumber, or rKeyId [0] IMPLICIT
 * RecipientKeyIdentifier (SEQUENCE { subjectKeyIdentifier, date?, other? }).
 */
export function encodeKeyAgreeRecipientId(id: RecipientId): Buffer {
  return id.kind === 'issuer-serial'
    ? encodeIssuerAndSerial(id)
    : tlv(contextTag(0, true), derOctetString(id.subjectKeyIdentifier));
}

function readIssuerAndSerial(node: DerNode, what: string): RecipientId {
  const [issuer, serial, extra] = node.children;
  if (extra !== undefined) throw cmsError('malformed', `${what}: too many fields`);
  return {
    kind: 'issuer-serial',
    issuer: Buffer.from(expectTag(issuer, Tag.sequence, `${what} issuer`).encoded),
    serial: Buffer.from(expectTag(serial, Tag.integer, `${what} serialNumber`).encoded),
  };
}

/** Reads the rid of a KeyTransRecipientInfo. */
export function readKeyTransRecipientId(node: DerNode | undefined): RecipientId {
  const what = 'KeyTransRecipientInfo rid';
  if (node?.tag === Tag.sequence) return readIssuerAndSerial(node, what);
  return { kind: 'ski', subjectKeyIdentifier: readOctets(node, what, contextTag(0, false)) };
}

/** Reads the rid of a RecipientEncryptedKey. */
export function readKeyAgreeRecipientId(node: DerNode | undefined): RecipientId {
  const what = 'RecipientEncryptedKey rid';
  if (node?.tag === Tag.sequence) return readIssuerAndSerial(node, what);
  const rKeyId = expectTag(node, contextTag(0, true), what);
  return { kind: 'ski', subjectKeyIdentifier: readOctets(rKeyId.children[0], what) };
}

/** The magnitude bytes of a DER INTEGER (leading zero octets dropped). */
function serialMagnitude(encoded: Buffer): Buffer {
  const { content } = decodeDer(encoded, 'serialNumber');
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return content.subarray(start);
}

/**
 * Whether `id` names `certificate`: the same issuer Name DER and serial number, or the
 * same subject key identifier.
 */
export function recipientIdMatches(id: RecipientId, certificate: RecipientCertificate): boolean {
  if (id.kind === 'ski') {
    return (
      certificate.subjectKeyIdentifier !== undefined &&
      certificate.subjectKeyIdentifier.equals(id.subjectKeyIdentifier)
    );
  }
  return (
    id.issuer.equals(certificate.issuer) &&
    serialMagnitude(id.serial).equals(serialMagnitude(certificate.serial))
  );
}
