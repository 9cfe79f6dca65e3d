/**
 * How a RecipientInfo names the recipient's certificate: IssuerAndSerialNumber (what
 * Niêm and openssl write) or a subject key identifier (read from other tools), and the
 * comparison with a certificate.
 */
import { cmsError } from './cms-errors.ts';
import { octetString, primitive, sequence, tlv, type AsnNode } from '../ber/index.ts';
import { buf, childrenOf, decodeCms, expectUniversal, isContext, octets, present } from './asn.ts';
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
  return buf(sequence(id.issuer, id.serial));
}

/** KeyTransRecipientInfo rid: IssuerAndSerialNumber, or [0] IMPLICIT SubjectKeyIdentifier. */
export function encodeKeyTransRecipientId(id: RecipientId): Buffer {
  return id.kind === 'issuer-serial'
    ? encodeIssuerAndSerial(id)
    : buf(primitive('context', 0, id.subjectKeyIdentifier));
}

/**
 * KeyAgreeRecipientIdentifier: IssuerAndSerialNumber, or rKeyId [0] IMPLICIT
 * RecipientKeyIdentifier (SEQUENCE { subjectKeyIdentifier, date?, other? }).
 */
export function encodeKeyAgreeRecipientId(id: RecipientId): Buffer {
  return id.kind === 'issuer-serial'
    ? encodeIssuerAndSerial(id)
    : buf(tlv('context', true, 0, octetString(id.subjectKeyIdentifier)));
}

function readIssuerAndSerial(node: AsnNode, what: string): RecipientId {
  const [issuer, serial, extra] = childrenOf(node, what);
  if (extra !== undefined) throw cmsError('malformed', `${what}: too many fields`);
  return {
    kind: 'issuer-serial',
    issuer: Buffer.from(expectUniversal(issuer, 16, `${what} issuer`).raw),
    serial: Buffer.from(expectUniversal(serial, 2, `${what} serialNumber`).raw),
  };
}

/** Reads the rid of a KeyTransRecipientInfo. */
export function readKeyTransRecipientId(node: AsnNode | undefined): RecipientId {
  const what = 'KeyTransRecipientInfo rid';
  const n = present(node, what);
  if (n.tagClass === 'universal' && n.tagNumber === 16) return readIssuerAndSerial(n, what);
  return { kind: 'ski', subjectKeyIdentifier: octets(n, what, 0) };
}

/** Reads the rid of a RecipientEncryptedKey. */
export function readKeyAgreeRecipientId(node: AsnNode | undefined): RecipientId {
  const what = 'RecipientEncryptedKey rid';
  const n = present(node, what);
  if (n.tagClass === 'universal' && n.tagNumber === 16) return readIssuerAndSerial(n, what);
  if (!isContext(n, 0, true)) throw cmsError('malformed', `${what}: unexpected tag`);
  return { kind: 'ski', subjectKeyIdentifier: octets(childrenOf(n, what)[0], what) };
}

/** The magnitude bytes of a DER INTEGER (leading zero octets dropped). */
function serialMagnitude(encoded: Buffer): Buffer {
  const node = decodeCms(encoded);
  const content = node.constructed ? Buffer.alloc(0) : buf(node.value);
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
