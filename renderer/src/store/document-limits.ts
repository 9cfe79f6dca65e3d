/**
 * What the renderer checks before sending a document: the contract's size limit (the
 * same number as native/api/drafts-contract.ts, which the renderer may not import at run
 * time; a unit test keeps them equal) and the base64 text the contract carries.
 */

/** Largest document added in one call, in bytes (8 MiB). */
export const DOCUMENT_MAX_BYTES = 8 * 1024 * 1024;

/** Base64 of `bytes`, in chunks (String.fromCharCode takes a bounded argument list). */
export function toBase64(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
