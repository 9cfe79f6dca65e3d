/**
 * The demo certificate authorities and the certificates they issue, for
 * scripts/demo-pki.ts. Built with @peculiar/x509 on Node's WebCrypto, which keeps
 * everything in-process (no openssl config files, UTF-8 names without escaping games).
 *
 * DEMO ONLY: the CA keys are RSA-3072 keys generated in software and written as PEM
 * files (mode 0600) so the demo can be rebuilt. A real CA keeps its keys in an HSM.
 */
import { createHash, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { x509 } from '../native/token/x509-lib.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** RSA-3072 with SHA-256, as seen on government CA keys. */
const caAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 3072,
};
const signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** OID of organizationIdentifier (X.520): the agency's OrganId. */
const OID_ORGANIZATION_IDENTIFIER = '2.5.4.97';

/** A CA: its certificate and its private key (software, demo only). */
export interface DemoCa {
  certificate: X509Certificate;
  privateKey: CryptoKey;
}

/** What goes in a clerk certificate's subject. */
export interface ClerkSubject {
  commonName: string;
  organisation: string;
  organisationalUnit: string;
  organId: string;
}

/** A positive random serial number, 16 bytes, as hex. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function validity(years: number, now: Date): { notBefore: Date; notAfter: Date } {
  // An hour of slack backwards so a clock a little behind still accepts the certificate.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 3600_000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  return { notBefore, notAfter };
}

const caKeyUsage = () =>
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);

/** Names of the demo chain, shaped like the Vietnamese government chain (and marked DEMO). */
export const demoCaNames = {
  root: {
    commonName: 'Niêm DEMO Root CA',
    organisation: 'Ban Cơ yếu Chính phủ (DEMO)',
  },
  issuing: {
    commonName: 'Niêm DEMO Cục Chứng thực số và Bảo mật thông tin (DEMO)',
    organisation: 'Ban Cơ yếu Chính phủ (DEMO)',
  },
} as const;

function caName(names: { commonName: string; organisation: string }) {
  return new x509.Name([{ C: ['VN'] }, { O: [names.organisation] }, { CN: [names.commonName] }]);
}

async function generateCaKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(caAlgorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/** Creates the self-signed root CA (20 years) and the issuing CA it certifies (10 years). */
export async function createDemoCas(
  now: Date = new Date(),
): Promise<{ root: DemoCa; issuing: DemoCa }> {
  const rootKeys = await generateCaKeys();
  const rootName = caName(demoCaNames.root);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: rootName,
    keys: rootKeys,
    signingAlgorithm,
    ...validity(20, now),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      caKeyUsage(),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const issuingKeys = await generateCaKeys();
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: caName(demoCaNames.issuing),
    issuer: root.subjectName,
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm,
    ...validity(10, now),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      caKeyUsage(),
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.publicKey),
    ],
  });
  return {
    root: { certificate: root, privateKey: rootKeys.privateKey },
    issuing: { certificate: issuing, privateKey: issuingKeys.privateKey },
  };
}

/**
 * Certifies a clerk's public key (read from the token) with the issuing CA: 3 years,
 * digitalSignature + nonRepudiation, plus keyEncipherment for RSA or keyAgreement for EC,
 * unless `keyUsage` (x509.KeyUsageFlags bits) says otherwise.
 */
export async function issueClerkCertificate(
  issuing: DemoCa,
  publicKey: KeyObject,
  subject: ClerkSubject,
  now: Date = new Date(),
  keyUsage?: number,
): Promise<X509Certificate> {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const isRsa = publicKey.asymmetricKeyType === 'rsa';
  const usages =
    keyUsage ??
    x509.KeyUsageFlags.digitalSignature |
      x509.KeyUsageFlags.nonRepudiation |
      (isRsa ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement);
  const name = new x509.Name([
    { C: ['VN'] },
    { O: [subject.organisation] },
    { OU: [subject.organisationalUnit] },
    { [OID_ORGANIZATION_IDENTIFIER]: [subject.organId] },
    { CN: [subject.commonName] },
  ]);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: issuing.certificate.subjectName,
    publicKey: spki,
    signingKey: issuing.privateKey,
    signingAlgorithm,
    ...validity(3, now),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      await x509.SubjectKeyIdentifierExtension.create(spki),
      await x509.AuthorityKeyIdentifierExtension.create(issuing.certificate.publicKey),
    ],
  });
}

/** What a demo platform certificate names: its subject and, for TLS, its addresses. */
export interface PlatformSubject {
  commonName: string;
  organisation: string;
  /** DNS names and IP addresses of the subjectAltName (TLS server certificates only). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

/** OID of the serverAuth extended key usage (RFC 5280 §4.2.1.12). */
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/**
 * Certifies a key of the exchange platform with the issuing CA (2 years): `tls` gives a
 * TLS server certificate (subjectAltName, EKU serverAuth, digitalSignature, plus
 * keyEncipherment for RSA), `receipt` a receipt-signing certificate (digitalSignature,
 * nonRepudiation).
 */
export async function issuePlatformCertificate(
  issuing: DemoCa,
  publicKey: KeyObject,
  subject: PlatformSubject,
  use: 'tls' | 'receipt',
  now: Date = new Date(),
): Promise<X509Certificate> {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const isRsa = publicKey.asymmetricKeyType === 'rsa';
  const flags = x509.KeyUsageFlags;
  const usages =
    use === 'tls'
      ? flags.digitalSignature | (isRsa ? flags.keyEncipherment : 0)
      : flags.digitalSignature | flags.nonRepudiation;
  const useExtensions =
    use === 'tls'
      ? [
          new x509.SubjectAlternativeNameExtension([
            ...(subject.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
            ...(subject.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
          ]),
          new x509.ExtendedKeyUsageExtension([OID_SERVER_AUTH]),
        ]
      : [];
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: new x509.Name([
      { C: ['VN'] },
      { O: [subject.organisation] },
      { CN: [subject.commonName] },
    ]),
    issuer: issuing.certificate.subjectName,
    publicKey: spki,
    signingKey: issuing.privateKey,
    signingAlgorithm,
    ...validity(2, now),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      ...useExtensions,
      await x509.SubjectKeyIdentifierExtension.create(spki),
      await x509.AuthorityKeyIdentifierExtension.create(issuing.certificate.publicKey),
    ],
  });
}

/** PKCS#8 PEM of a CA private key. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** PEM of a certificate, with a trailing newline. */
export function certificatePem(certificate: X509Certificate): string {
  return `${certificate.toString('pem').trim()}\n`;
}

/** SHA-256 of a certificate's DER, upper-case hex. */
export function fingerprintOf(certificate: X509Certificate): string {
  return createHash('sha256').update(Buffer.from(certificate.rawData)).digest('hex').toUpperCase();
}

/** DER of a certificate's serial number as an INTEGER (for CKA_SERIAL_NUMBER). */
export function serialNumberDer(certificate: X509Certificate): Buffer {
  let bytes = Buffer.from(certificate.serialNumber, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  if (bytes.length > 127) throw new Error('serial number too long');
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
