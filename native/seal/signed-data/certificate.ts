/**
 * The parts of an X.509 certificate (RFC 5280) the SignedData code needs: issuer and
 * subject Names (DER, and CN / O / organizationIdentifier as text), serial, validity,
 * keyUsage, basicConstraints and subjectKeyIdentifier. Signatures and public keys are
 * left to Node's X509Certificate. Anything that does not parse is `malformed`.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import {
  decodeDer,
  expectPrimitive,
  expectSequence,
  expectSetOf,
  explicitInner,
  hasTag,
  readBitString,
  readBoolean,
  readOctets,
  readOid,
  readString,
  readTime,
  type AsnNode,
} from '../ber/index.ts';
import { NiemError } from '../../api/errors.ts';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const ORGANIZATION_IDENTIFIER = '2.5.4.97';
const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';
const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** keyUsage bits (RFC 5280 §4.2.1.3) as named flags. */
export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly nonRepudiation: boolean;
  readonly keyCertSign: boolean;
}

export interface NameParts {
  readonly commonName: string | undefined;
  readonly organization: string | undefined;
  readonly organizationIdentifier: string | undefined;
}

export interface ParsedCertificate {
  readonly der: Uint8Array;
  /** Contents octets of the serialNumber INTEGER (compared byte for byte). */
  readonly serial: Uint8Array;
  readonly serialHex: string;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly subject: NameParts;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Undefined when the certificate has no keyUsage extension. */
  readonly keyUsage: KeyUsage | undefined;
  /** Undefined when there is no basicConstraints extension (= not a CA). */
  readonly isCa: boolean;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
}

function bad(message: string): NiemError {
  return new NiemError('malformed', `certificate: ${message}`);
}

/** Parses one certificate (DER). */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const root = decodeDer(der, { maxNodes: 10_000 });
  const [tbs] = expectSequence(root, { min: 3, max: 3, what: 'Certificate' });
  const fields = [...expectSequence(tbs as AsnNode, { min: 6, what: 'TBSCertificate' })];
  if (hasTag(fields[0] as AsnNode, 'context', 0)) fields.shift();
  const [serialNode, , issuer, validity, subject, , ...rest] = fields as AsnNode[];
  if (
    serialNode === undefined ||
    issuer === undefined ||
    validity === undefined ||
    subject === undefined
  ) {
    throw bad('TBSCertificate too short');
  }
  const serial = expectPrimitive(serialNode, 'serialNumber').value;
  const [nb, na] = expectSequence(validity, { min: 2, max: 2, what: 'Validity' });
  let keyUsage: KeyUsage | undefined;
  let isCa = false;
  let subjectKeyId: Uint8Array | undefined;
  for (const field of rest) {
    if (!hasTag(field, 'context', 3)) continue;
    for (const ext of expectSequence(explicitInner(field, 3, 'extensions'), {
      what: 'Extensions',
    })) {
      const parts = expectSequence(ext, { min: 2, max: 3, what: 'Extension' });
      const id = readOid(parts[0] as AsnNode);
      const value = readOctets(parts.at(-1) as AsnNode);
      if (id === KEY_USAGE) {
        const { bytes } = readBitString(decodeDer(value));
        const b0 = bytes[0] ?? 0;
        keyUsage = {
          digitalSignature: (b0 & 0x80) !== 0,
          nonRepudiation: (b0 & 0x40) !== 0,
          keyCertSign: (b0 & 0x04) !== 0,
        };
      } else if (id === BASIC_CONSTRAINTS) {
        const bc = expectSequence(decodeDer(value), { max: 2, what: 'BasicConstraints' });
        const first = bc[0];
        isCa = first !== undefined && hasTag(first, 'universal', 1) && readBoolean(first);
      } else if (id === SUBJECT_KEY_IDENTIFIER) {
        subjectKeyId = readOctets(decodeDer(value));
      }
    }
  }
  let x509: X509Certificate;
  let publicKey: KeyObject;
  try {
    x509 = new X509Certificate(der);
    publicKey = x509.publicKey;
  } catch (err) {
    throw new NiemError('malformed', 'certificate: not accepted by the X.509 parser', {
      cause: err,
    });
  }
  return {
    der,
    serial,
    serialHex: Buffer.from(serial).toString('hex').toUpperCase(),
    issuerDer: issuer.raw,
    subjectDer: subject.raw,
    subject: nameParts(subject),
    notBefore: readTime(nb as AsnNode),
    notAfter: readTime(na as AsnNode),
    keyUsage,
    isCa,
    subjectKeyId,
    x509,
    publicKey,
  };
}

/** CN, O and organizationIdentifier of a Name (the last of each when repeated). */
export function nameParts(name: AsnNode): NameParts {
  let commonName: string | undefined;
  let organization: string | undefined;
  let organizationIdentifier: string | undefined;
  for (const rdn of expectSequence(name, { what: 'Name' })) {
    for (const atv of expectSetOf(rdn, { what: 'RelativeDistinguishedName' })) {
      const [type, value] = expectSequence(atv, { min: 2, max: 2, what: 'AttributeTypeAndValue' });
      const id = readOid(type as AsnNode);
      if (id !== CN && id !== O && id !== ORGANIZATION_IDENTIFIER) continue;
      const text = readString(value as AsnNode);
      if (id === CN) commonName = text;
      else if (id === O) organization = text;
      else organizationIdentifier = text;
    }
  }
  return { commonName, organization, organizationIdentifier };
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
