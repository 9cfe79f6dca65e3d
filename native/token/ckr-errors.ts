/**
 * PKCS#11 return values (CKR_*) and the error kind each one means for a clerk.
 * Pure data and functions: no module is loaded here, so unit tests and later layers
 * (fault injection, the worker that will host vendor modules) can share the table.
 * A later issue extends `ckrKinds`; anything not listed becomes `internal` with the
 * CKR name in the message, so a log always says what the token answered.
 */
import { NiemError, type ErrorKind } from '../api/errors.ts';

/** CKR values from the PKCS#11 v2.40 specification (pkcs11t.h), by name. */
export const ckrCodes = {
  CKR_OK: 0x0,
  CKR_CANCEL: 0x1,
  CKR_HOST_MEMORY: 0x2,
  CKR_SLOT_ID_INVALID: 0x3,
  CKR_GENERAL_ERROR: 0x5,
  CKR_FUNCTION_FAILED: 0x6,
  CKR_ARGUMENTS_BAD: 0x7,
  CKR_ATTRIBUTE_SENSITIVE: 0x11,
  CKR_ATTRIBUTE_TYPE_INVALID: 0x12,
  CKR_DEVICE_ERROR: 0x30,
  CKR_DEVICE_MEMORY: 0x31,
  CKR_DEVICE_REMOVED: 0x32,
  CKR_FUNCTION_CANCELED: 0x50,
  CKR_FUNCTION_NOT_SUPPORTED: 0x54,
  CKR_OBJECT_HANDLE_INVALID: 0x82,
  CKR_OPERATION_ACTIVE: 0x90,
  CKR_PIN_INCORRECT: 0xa0,
  CKR_PIN_INVALID: 0xa1,
  CKR_PIN_LEN_RANGE: 0xa2,
  CKR_PIN_EXPIRED: 0xa3,
  CKR_PIN_LOCKED: 0xa4,
  CKR_SESSION_CLOSED: 0xb0,
  CKR_SESSION_COUNT: 0xb1,
  CKR_SESSION_HANDLE_INVALID: 0xb3,
  CKR_TOKEN_NOT_PRESENT: 0xe0,
  CKR_TOKEN_NOT_RECOGNIZED: 0xe1,
  CKR_USER_ALREADY_LOGGED_IN: 0x100,
  CKR_USER_NOT_LOGGED_IN: 0x101,
  CKR_USER_PIN_NOT_INITIALIZED: 0x102,
  CKR_USER_TYPE_INVALID: 0x103,
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 0x104,
  CKR_CRYPTOKI_NOT_INITIALIZED: 0x190,
  CKR_CRYPTOKI_ALREADY_INITIALIZED: 0x191,
  CKR_PIN_TOO_WEAK: 0x1b8,
} as const;

export type CkrName = keyof typeof ckrCodes;

/**
 * The error kind a clerk sees for a CKR value. Values absent here are `internal`.
 * CKR_USER_ALREADY_LOGGED_IN is deliberately absent: the token service handles it
 * (a stale login is logged out before the clerk's PIN is presented), it is never shown.
 */
export const ckrKinds: Partial<Record<CkrName, ErrorKind>> = {
  CKR_PIN_INCORRECT: 'pin-incorrect',
  CKR_PIN_LOCKED: 'pin-locked',
  CKR_PIN_INVALID: 'pin-invalid',
  CKR_PIN_LEN_RANGE: 'pin-invalid',
  CKR_TOKEN_NOT_PRESENT: 'token-absent',
  CKR_DEVICE_REMOVED: 'token-absent',
  CKR_SLOT_ID_INVALID: 'token-absent',
  CKR_USER_NOT_LOGGED_IN: 'not-signed-in',
};

const namesByCode = new Map<number, CkrName>(
  Object.entries(ckrCodes).map(([name, code]) => [code, name as CkrName]),
);

/** The CKR name of a numeric return value, or `CKR_0x…` when this table does not know it. */
export function ckrName(code: number): string {
  return namesByCode.get(code) ?? `CKR_0x${code.toString(16).toUpperCase()}`;
}

/** The error kind for a CKR name (as pkcs11js reports it) or a numeric value. */
export function kindForCkr(ckr: string | number): ErrorKind {
  const name = typeof ckr === 'number' ? ckrName(ckr) : ckr;
  return Object.hasOwn(ckrKinds, name) ? (ckrKinds[name as CkrName] ?? 'internal') : 'internal';
}

/** A PKCS#11 failure as pkcs11js throws it (`Pkcs11Error`): the CKR name and value. */
export interface CkrFailure {
  /** CKR name, e.g. `CKR_PIN_INCORRECT`. */
  readonly name: string;
  /** Numeric CKR value. */
  readonly code: number;
}

/**
 * Reads the CKR out of anything pkcs11js threw. pkcs11js' `Pkcs11Error` carries the
 * name as `message` and the value as `code`; a `NativeError` (load failure, bad
 * argument) has no CKR and yields `undefined`.
 */
export function ckrOf(err: unknown): CkrFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const fromMessage = /^(CKR_[A-Z0-9_]+)/.exec(err.message)?.[1];
  if (typeof code === 'number' && (code !== 0 || fromMessage === 'CKR_OK')) {
    return { name: fromMessage ?? ckrName(code), code };
  }
  if (fromMessage !== undefined && Object.hasOwn(ckrCodes, fromMessage)) {
    return { name: fromMessage, code: ckrCodes[fromMessage as CkrName] };
  }
  return undefined;
}

/** True when `err` is the PKCS#11 failure `name`. */
export function isCkr(err: unknown, name: CkrName): boolean {
  return ckrOf(err)?.name === name;
}

/**
 * Turns anything a PKCS#11 call threw into a NiemError with a stable kind. `operation`
 * names what was being done (e.g. `C_Login`), for the log; the message never carries
 * a PIN. NiemErrors pass through unchanged.
 */
export function toTokenError(
  err: unknown,
  operation: string,
  extra?: { triesLeft?: number },
): NiemError {
  if (err instanceof NiemError) return err;
  const ckr = ckrOf(err);
  if (ckr) {
    const options =
      extra?.triesLeft === undefined ? { cause: err } : { cause: err, triesLeft: extra.triesLeft };
    return new NiemError(kindForCkr(ckr.name), `${operation}: ${ckr.name}`, options);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new NiemError('internal', `${operation}: ${detail}`, { cause: err });
}
