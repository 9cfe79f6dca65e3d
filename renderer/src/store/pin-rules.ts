/**
 * Rules the store applies to PINs before anything reaches the token, shared by sign-in
 * and PIN change. The PIN itself is only ever an argument here.
 */
import type { ErrorKind, WireError } from '../../../native/api/errors.ts';

/** Same rule as the contract's PinSchema: 1–64 printable ASCII characters. */
const pinPattern = /^[\x20-\x7e]{1,64}$/;

export function isValidPin(pin: string): boolean {
  return pinPattern.test(pin);
}

/** Errors after which the token's PIN state or presence may have changed: list it again. */
export const refreshTokensAfter: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'pin-incorrect',
  'pin-locked',
  'token-absent',
  'token-removed',
  'token-module-crashed',
  'native-restarted',
]);

/** An error found in the renderer, before any call (nothing was sent, no try used). */
export function localError(kind: ErrorKind, message: string): WireError {
  return { kind, message };
}
