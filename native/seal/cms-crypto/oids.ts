/**
 * Every object identifier of the Niêm package format (docs/package-format.md has the
 * same table with the references). Dotted strings, compared as strings; ../ber/ encodes
 * and decodes them.
 */

/** CMS content types (RFC 5652, RFC 5083). */
export const contentTypes = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
} as const;

/** Content encryption, AES-GCM (RFC 5084). Niêm writes aes256-GCM; the others are read. */
export const contentEncryption = {
  aes128Gcm: '2.16.840.1.101.3.4.1.6',
  aes192Gcm: '2.16.840.1.101.3.4.1.26',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
} as const;

/** AES key wrap (RFC 3394, RFC 3565). Niêm writes aes256-wrap; the others are read. */
export const keyWrap = {
  aes128Wrap: '2.16.840.1.101.3.4.1.5',
  aes192Wrap: '2.16.840.1.101.3.4.1.25',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
} as const;

/** Digest algorithms. */
export const digests = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** RSA (RFC 8017, RFC 4055, RFC 3560). */
export const rsa = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
} as const;

/** Elliptic curves and ECDH key agreement schemes (RFC 5480, RFC 5753, SEC 1). */
export const ecc = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  stdDhSha1Kdf: '1.3.133.16.840.63.0.2',
  stdDhSha224Kdf: '1.3.132.1.11.0',
  stdDhSha256Kdf: '1.3.132.1.11.1',
  stdDhSha384Kdf: '1.3.132.1.11.2',
  stdDhSha512Kdf: '1.3.132.1.11.3',
  cofactorDhSha1Kdf: '1.3.133.16.840.63.0.3',
  cofactorDhSha224Kdf: '1.3.132.1.14.0',
  cofactorDhSha256Kdf: '1.3.132.1.14.1',
  cofactorDhSha384Kdf: '1.3.132.1.14.2',
  cofactorDhSha512Kdf: '1.3.132.1.14.3',
} as const;

/** Attributes (RFC 5652 §11, RFC 2634, RFC 5035). */
export const attributes = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  countersignature: '1.2.840.113549.1.9.6',
  securityLabel: '1.2.840.113549.1.9.16.2.2',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** X.509 extensions we read. */
export const extensions = {
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/**
 * Niêm's own arc: a UUID-based OID (ITU-T X.667, `2.25.<UUID as integer>`), which needs
 * no registration. UUID 0a114c45-0080-4be3-ad69-5b6f0bd8c80c, generated once for Niêm.
 * Sub-arcs are allocated here and in docs/package-format.md, never reused.
 */
export const niemArc = '2.25.13382095934472442692218014649466537996';

export const niem = {
  /** Security policy of the ESS security labels Niêm writes (the four levels). */
  securityPolicy: `${niemArc}.1`,
  /** Arc of Niêm attribute types. */
  attributeArc: `${niemArc}.2`,
  /** AuthEnvelopedData authAttrs: NiemEnvelopeInfo (format version and outer label). */
  envelopeInfo: `${niemArc}.2.1`,
} as const;
