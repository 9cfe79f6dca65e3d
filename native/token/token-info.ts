/**
 * From what a PKCS#11 module reports about a token (CK_TOKEN_INFO) to the contract's
 * TokenInfo. Pure: no module is loaded here.
 */
import { createHash } from 'node:crypto';
import type { PinState, TokenInfo } from '../api/contract.ts';

/** CK_TOKEN_INFO flag bits (PKCS#11 v2.40, pkcs11t.h). */
export const tokenFlags = {
  CKF_LOGIN_REQUIRED: 0x4,
  CKF_USER_PIN_INITIALIZED: 0x8,
  CKF_PROTECTED_AUTHENTICATION_PATH: 0x100,
  CKF_TOKEN_INITIALIZED: 0x400,
  CKF_USER_PIN_COUNT_LOW: 0x10000,
  CKF_USER_PIN_FINAL_TRY: 0x20000,
  CKF_USER_PIN_LOCKED: 0x40000,
  CKF_USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;

/** The fields of CK_TOKEN_INFO this module reads (a subset of pkcs11js' TokenInfo). */
export interface RawTokenInfo {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
  /** Bytes, as the token reports them; 0 or inconsistent values mean "unknown". */
  minPinLen: number;
  maxPinLen: number;
}

/** Strips the blank (and NUL) padding PKCS#11 puts in fixed-width text fields. */
export function trimPadded(text: string): string {
  return text.replace(/[\s\0]+$/u, '').replace(/^[\s\0]+/u, '');
}

/** The state of the user PIN, from the token's flags; the worst condition wins. */
export function pinStateOf(flags: number): PinState {
  if (flags & tokenFlags.CKF_USER_PIN_LOCKED) return 'locked';
  if (flags & tokenFlags.CKF_USER_PIN_FINAL_TRY) return 'final-try';
  if (flags & tokenFlags.CKF_USER_PIN_COUNT_LOW) return 'count-low';
  return 'normal';
}

/**
 * Tries left when the token says (only FINAL_TRY → 1 and LOCKED → 0 are knowable from
 * PKCS#11 flags); `undefined` otherwise. COUNT_LOW says "fewer than the maximum", not how many.
 */
export function triesLeftOf(flags: number): number | undefined {
  if (flags & tokenFlags.CKF_USER_PIN_LOCKED) return 0;
  if (flags & tokenFlags.CKF_USER_PIN_FINAL_TRY) return 1;
  return undefined;
}

/**
 * The stable token id: the first 16 hex digits of SHA-256 over the module path,
 * manufacturer, model and serial (trimmed, NUL-separated so fields cannot run together).
 */
export function tokenIdOf(
  modulePath: string,
  manufacturer: string,
  model: string,
  serial: string,
): string {
  return createHash('sha256')
    .update([modulePath, manufacturer, model, serial].join('\0'), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

/** Builds the contract's TokenInfo for the token in `slot` of the module at `modulePath`. */
export function toTokenInfo(modulePath: string, slot: number, raw: RawTokenInfo): TokenInfo {
  const manufacturer = trimPadded(raw.manufacturerID);
  const model = trimPadded(raw.model);
  const serial = trimPadded(raw.serialNumber);
  return {
    id: tokenIdOf(modulePath, manufacturer, model, serial),
    label: trimPadded(raw.label),
    manufacturer,
    model,
    serial,
    module: modulePath,
    slot,
    pinState: pinStateOf(raw.flags),
    protectedAuthPath: (raw.flags & tokenFlags.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
    pinInitialized: (raw.flags & tokenFlags.CKF_USER_PIN_INITIALIZED) !== 0,
  };
}

/**
 * Whether a PIN of `length` bytes is outside the token's declared range, so presenting it
 * would only burn a try. A bound the token leaves unknown (0, CK_UNAVAILABLE_INFORMATION)
 * or reports inconsistently is not enforced.
 */
export function pinLengthOutOfRange(
  length: number,
  raw: Pick<RawTokenInfo, 'minPinLen' | 'maxPinLen'>,
): boolean {
  const sane = (n: number): boolean => Number.isInteger(n) && n > 0 && n < 0x10000;
  const min = sane(raw.minPinLen) ? raw.minPinLen : undefined;
  const max = sane(raw.maxPinLen) && raw.maxPinLen >= (min ?? 0) ? raw.maxPinLen : undefined;
  return (min !== undefined && length < min) || (max !== undefined && length > max);
}
