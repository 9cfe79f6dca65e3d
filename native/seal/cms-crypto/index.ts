/**
 * Key management and content encryption of the Niêm package (the AuthEnvelopedData
 * layer): AES-256-GCM content encryption, RSA-OAEP KeyTransRecipientInfo, ECDH
 * KeyAgreeRecipientInfo, reading RecipientInfos and recovering the content key with a
 * private-key callback, the outer security label. docs/package-format.md is the spec.
 */
export * from './oids.ts';
export { cmsError, tamperedError, type CmsErrorKind } from './cms-errors.ts';
export {
  CEK_BYTES,
  ICV_BYTES,
  MAX_GCM_BYTES,
  NONCE_BYTES,
  GcmDecryptor,
  GcmEncryptor,
  GcmOpener,
  GcmSealer,
  authAttributesAad,
  encodeAuthAttributes,
  encodeContentEncryptionAlgorithm,
  generateContentKey,
  generateNonce,
  readContentEncryptionAlgorithm,
  type GcmAlgorithm,
  type GcmTrailer,
} from './gcm.ts';
export { PARTIAL_SUFFIX, writeAuthenticated } from './authenticated-file.ts';
export {
  recipientCertificate,
  type RecipientCertificate,
  type RecipientCurve,
} from './recipient-certificate.ts';
export {
  recipientIdMatches,
  recipientIdOf,
  type RecipientId,
  type RecipientIdKind,
} from './recipient-id.ts';
export type {
  DecryptAlgorithm,
  DecryptCallback,
  DeriveCallback,
  RecipientKey,
} from './recipient-key.ts';
export {
  encodeKeyTransRecipientInfo,
  encodeOaepAlgorithm,
  readKeyTransRecipientInfo,
  unwrapKeyTrans,
  type KeyTransOptions,
  type KeyTransRecipient,
  type OaepHash,
} from './ktri.ts';
export {
  encodeKeyAgreeRecipientInfo,
  readKeyAgreeRecipientInfo,
  unwrapKeyAgree,
  type KeyAgreeOptions,
  type KeyAgreeRecipient,
} from './kari.ts';
export {
  aesKeyUnwrap,
  aesKeyWrap,
  eccCmsSharedInfo,
  x963Kdf,
  type KdfHash,
} from './key-derivation.ts';
export {
  MAX_RECIPIENTS,
  encodeRecipientInfo,
  encodeRecipientInfos,
  openContentKey,
  readRecipientInfo,
  readRecipientInfos,
  type OpenedKey,
  type ParsedRecipient,
  type SealRecipient,
} from './recipient-infos.ts';
export { softwareRecipientKey } from './software-key.ts';
export {
  PACKAGE_CONTENT_TYPE,
  PACKAGE_FORMAT_VERSION,
  encodeAttribute,
  encodeSecurityLabel,
  niemAuthAttributes,
  readEnvelopeAttributes,
  readSecurityLabel,
  type EnvelopeAttributes,
  type SecurityLabel,
} from './envelope-attributes.ts';
export {
  MAX_IN_MEMORY_BYTES,
  decodeAuthEnvelopedData,
  encodeAuthEnvelopedData,
  type AuthEnvelopedFields,
  type DecodedAuthEnveloped,
} from './auth-enveloped.ts';
