/**
 * The algorithm names of the token API. Pure data with no imports, so the native
 * process can validate token-host messages without loading the PKCS#11 binding.
 */

/** Signature algorithms of the token API. */
export const signAlgorithms = [
  'rsa-pkcs1-sha256',
  'rsa-pkcs1-sha384',
  'rsa-pss-sha256',
  'rsa-pss-sha384',
  'ecdsa-sha256',
  'ecdsa-sha384',
] as const;
export type SignAlgorithm = (typeof signAlgorithms)[number];

/** Decryption algorithms (RSA-OAEP, MGF1 with the same hash, empty label). */
export const decryptAlgorithms = ['rsa-oaep-sha256', 'rsa-oaep-sha1'] as const;
export type DecryptAlgorithm = (typeof decryptAlgorithms)[number];
