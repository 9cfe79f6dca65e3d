/** Limits of the SignedData reader and writer (docs/package-format.md section 9). */

/** Most SignerInfos in one SignedData. */
export const MAX_SIGNERS = 16;
/** Most certificates in SignedData.certificates. */
export const MAX_CERTIFICATES = 64;
/** Largest certificate read (bytes). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** Largest certificates field read whole: 64 certificates of up to 16 KiB. */
export const MAX_CERTIFICATES_FIELD_BYTES = 1024 * 1024;
/** Largest signerInfos field read whole: 16 signers with 64 KiB of signed attributes each. */
export const MAX_SIGNER_INFOS_BYTES = MAX_SIGNERS * (64 * 1024 + 4096);
