/**
 * Who a certificate says the clerk is: the contract's Identity, built from the
 * certificate DER and what the token says about the matching private key. Pure: no
 * token is touched here.
 */
import { X509Certificate as NodeCertificate, createHash } from 'node:crypto';
import type { Name } from '@peculiar/x509';
import type { Identity } from '../api/contract.ts';
import { x509 } from './x509-lib.ts';

/** OID of organizationIdentifier (X.520), where Vietnamese certificates carry the OrganId. */
export const OID_ORGANIZATION_IDENTIFIER = '2.5.4.97';

/** What the token reported about the private key paired with the certificate. */
export interface PrivateKeyFacts {
  /** CKA_ID shared by the key and its certificate. */
  keyId: Uint8Array;
  /** CKA_EXTRACTABLE; undefined when the token would not say. */
  extractable: boolean | undefined;
  /** CKA_SENSITIVE; undefined when the token would not say. */
  sensitive: boolean | undefined;
  /** CKA_MODULUS of an RSA private key (public information), to check it matches the certificate. */
  modulus?: Uint8Array | undefined;
}

/**
 * Stable warning prefixes; each warning is `<prefix>: <English detail>`. The UI may
 * translate by prefix; the detail is for reviewers and logs.
 */
export const warningPrefixes = {
  extractable: 'private-key-extractable',
  notSensitive: 'private-key-not-sensitive',
  expired: 'certificate-expired',
  notYetValid: 'certificate-not-yet-valid',
  keyMismatch: 'certificate-key-mismatch',
  noSigningUsage: 'certificate-no-signing-usage',
} as const;

/** Display names for name attributes, keyed as @peculiar/x509's Name.toJSON() reports them. */
const attributeNames: Record<string, string> = {
  E: 'emailAddress',
  G: 'givenName',
  I: 'initials',
  SN: 'surname',
  T: 'title',
  '2.5.4.5': 'serialNumber',
  '2.5.4.9': 'street',
  [OID_ORGANIZATION_IDENTIFIER]: 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const curveNames: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function escapeValue(value: string): string {
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/**
 * A distinguished name as one readable line, most specific first (RFC 4514 order):
 * `CN=…, OU=…, O=…, organizationIdentifier=…, C=VN`. UTF-8 values are kept as text.
 */
export function readableName(name: Name): string {
  const rdns = name.toJSON().map((rdn) =>
    Object.entries(rdn)
      .flatMap(([type, values]) =>
        values.map((v) => `${attributeNames[type] ?? type}=${escapeValue(v)}`),
      )
      .join(' + '),
  );
  return rdns.reverse().join(', ');
}

function firstField(name: Name, type: string): string | null {
  const value = name.getField(type)[0];
  return value === undefined || value === '' ? null : value;
}

function upperHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Leading zero bytes removed, so an INTEGER's sign byte does not spoil a comparison. */
function unsignedBytes(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start));
}

/** "RSA 3072", "EC P-384", or the key type in capitals for anything else. */
export function describeKeyAlgorithm(cert: NodeCertificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${details.modulusLength ?? '?'}`;
    case 'ec': {
      const curve = details.namedCurve ?? '?';
      return `EC ${curveNames[curve] ?? curve}`;
    }
    case 'ed25519':
      return 'Ed25519';
    default:
      return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}

/**
 * Whether an RSA certificate's modulus is the private key's (CKA_MODULUS, public
 * information); `undefined` when it cannot be told (not RSA, or the token did not say).
 */
function rsaModulusMatches(cert: NodeCertificate, key: PrivateKeyFacts): boolean | undefined {
  if (key.modulus === undefined || cert.publicKey.asymmetricKeyType !== 'rsa') return undefined;
  const jwk = cert.publicKey.export({ format: 'jwk' });
  const certModulus = Buffer.from(jwk.n ?? '', 'base64url');
  return unsignedBytes(certModulus).equals(unsignedBytes(key.modulus));
}

/**
 * Whether the certificate DER certifies the private key described by `key`: false only
 * when the token says something that contradicts it (an RSA modulus that differs).
 */
export function certificateMatchesKey(der: Uint8Array, key: PrivateKeyFacts): boolean {
  return rsaModulusMatches(new NodeCertificate(Buffer.from(der)), key) !== false;
}

/** What a certificate allows, for choosing among several on one token. */
export interface CertificateUse {
  /** keyUsage absent, or digitalSignature / nonRepudiation set. */
  allowsSigning: boolean;
  /** keyUsage absent, or keyEncipherment set (RSA key transport). */
  allowsKeyEncipherment: boolean;
  /** keyUsage absent, or keyAgreement set (ECDH). */
  allowsKeyAgreement: boolean;
  /** now is within notBefore..notAfter. */
  validNow: boolean;
  notAfter: Date;
  /** Type of the certified public key: 'rsa', 'ec', or what Node calls the others. */
  keyType: string;
}

/**
 * Reads the key usage, validity and key type of a certificate; throws if the DER does
 * not parse. A certificate without a keyUsage extension allows every use (RFC 5280).
 */
export function certificateUse(der: Uint8Array, now: Date = new Date()): CertificateUse {
  const cert = new x509.X509Certificate(der);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const allows = (bits: number): boolean => ku === null || (ku.usages & bits) !== 0;
  const keyType = new NodeCertificate(Buffer.from(der)).publicKey.asymmetricKeyType ?? 'unknown';
  return {
    allowsSigning: allows(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation),
    allowsKeyEncipherment: allows(x509.KeyUsageFlags.keyEncipherment),
    allowsKeyAgreement: allows(x509.KeyUsageFlags.keyAgreement),
    validNow: cert.notBefore <= now && now <= cert.notAfter,
    notAfter: cert.notAfter,
    keyType,
  };
}

/**
 * Builds the Identity a clerk and a reviewer see. Throws when the DER is not an X.509
 * certificate. `now` decides the validity warnings.
 */
export function identityFromCertificate(
  der: Uint8Array,
  key: PrivateKeyFacts,
  now: Date = new Date(),
): Identity {
  const cert = new x509.X509Certificate(der);
  const nodeCert = new NodeCertificate(Buffer.from(der));
  const subject = cert.subjectName;
  const issuer = cert.issuerName;
  const notBefore = cert.notBefore;
  const notAfter = cert.notAfter;

  const warnings: string[] = [];
  if (key.extractable === true) {
    warnings.push(
      `${warningPrefixes.extractable}: the private key has CKA_EXTRACTABLE set and can leave the token`,
    );
  }
  if (key.sensitive === false) {
    warnings.push(
      `${warningPrefixes.notSensitive}: the private key has CKA_SENSITIVE unset; its value is readable`,
    );
  }
  if (now < notBefore) {
    warnings.push(`${warningPrefixes.notYetValid}: valid from ${notBefore.toISOString()}`);
  }
  if (now > notAfter) {
    warnings.push(`${warningPrefixes.expired}: expired on ${notAfter.toISOString()}`);
  }
  if (rsaModulusMatches(nodeCert, key) === false) {
    warnings.push(
      `${warningPrefixes.keyMismatch}: the certificate's public key is not the private key's pair`,
    );
  }
  if (!certificateUse(der, now).allowsSigning) {
    warnings.push(
      `${warningPrefixes.noSigningUsage}: key usage allows neither digitalSignature nor nonRepudiation`,
    );
  }

  return {
    commonName: firstField(subject, 'CN') ?? '',
    organization: firstField(subject, 'O'),
    organizationalUnit: firstField(subject, 'OU'),
    organId: firstField(subject, OID_ORGANIZATION_IDENTIFIER),
    subject: readableName(subject),
    issuer: readableName(issuer),
    issuerCommonName: firstField(issuer, 'CN'),
    serialNumber: upperHex(unsignedBytes(Buffer.from(cert.serialNumber, 'hex'))),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    keyAlgorithm: describeKeyAlgorithm(nodeCert),
    fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase(),
    keyId: Buffer.from(key.keyId).toString('hex'),
    warnings,
  };
}
