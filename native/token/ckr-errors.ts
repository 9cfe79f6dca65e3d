/**
 * PKCS#11 return values (CKR_*) and the error kind each one means for a clerk.
 * Pure data and functions: no module is loaded here, so unit tests and later layers
 * (fault injection, the process that hosts vendor modules) can share the table. Every
 * CKR of the specification has a row; vendor-defined values become `internal` with the
 * CKR value in the message, so a log always says what the token answered.
 */
import { NiemError, type ErrorKind } from '../api/errors.ts';

/**
 * CKR values from the PKCS#11 v2.40 specification (pkcs11t.h), by name, plus the v3.0
 * values a recent module may answer (CKR_ACTION_PROHIBITED, CKR_CURVE_NOT_SUPPORTED is
 * v2.40 but not exported by pkcs11js).
 */
export const ckrCodes = {
  CKR_OK: 0x0,
  CKR_CANCEL: 0x1,
  CKR_HOST_MEMORY: 0x2,
  CKR_SLOT_ID_INVALID: 0x3,
  CKR_GENERAL_ERROR: 0x5,
  CKR_FUNCTION_FAILED: 0x6,
  CKR_ARGUMENTS_BAD: 0x7,
  CKR_NO_EVENT: 0x8,
  CKR_NEED_TO_CREATE_THREADS: 0x9,
  CKR_CANT_LOCK: 0xa,
  CKR_ATTRIBUTE_READ_ONLY: 0x10,
  CKR_ATTRIBUTE_SENSITIVE: 0x11,
  CKR_ATTRIBUTE_TYPE_INVALID: 0x12,
  CKR_ATTRIBUTE_VALUE_INVALID: 0x13,
  CKR_ACTION_PROHIBITED: 0x1b,
  CKR_DATA_INVALID: 0x20,
  CKR_DATA_LEN_RANGE: 0x21,
  CKR_DEVICE_ERROR: 0x30,
  CKR_DEVICE_MEMORY: 0x31,
  CKR_DEVICE_REMOVED: 0x32,
  CKR_ENCRYPTED_DATA_INVALID: 0x40,
  CKR_ENCRYPTED_DATA_LEN_RANGE: 0x41,
  CKR_FUNCTION_CANCELED: 0x50,
  CKR_FUNCTION_NOT_PARALLEL: 0x51,
  CKR_FUNCTION_NOT_SUPPORTED: 0x54,
  CKR_KEY_HANDLE_INVALID: 0x60,
  CKR_KEY_SIZE_RANGE: 0x62,
  CKR_KEY_TYPE_INCONSISTENT: 0x63,
  CKR_KEY_NOT_NEEDED: 0x64,
  CKR_KEY_CHANGED: 0x65,
  CKR_KEY_NEEDED: 0x66,
  CKR_KEY_INDIGESTIBLE: 0x67,
  CKR_KEY_FUNCTION_NOT_PERMITTED: 0x68,
  CKR_KEY_NOT_WRAPPABLE: 0x69,
  CKR_KEY_UNEXTRACTABLE: 0x6a,
  CKR_MECHANISM_INVALID: 0x70,
  CKR_MECHANISM_PARAM_INVALID: 0x71,
  CKR_OBJECT_HANDLE_INVALID: 0x82,
  CKR_OPERATION_ACTIVE: 0x90,
  CKR_OPERATION_NOT_INITIALIZED: 0x91,
  CKR_PIN_INCORRECT: 0xa0,
  CKR_PIN_INVALID: 0xa1,
  CKR_PIN_LEN_RANGE: 0xa2,
  CKR_PIN_EXPIRED: 0xa3,
  CKR_PIN_LOCKED: 0xa4,
  CKR_SESSION_CLOSED: 0xb0,
  CKR_SESSION_COUNT: 0xb1,
  CKR_SESSION_HANDLE_INVALID: 0xb3,
  CKR_SESSION_PARALLEL_NOT_SUPPORTED: 0xb4,
  CKR_SESSION_READ_ONLY: 0xb5,
  CKR_SESSION_EXISTS: 0xb6,
  CKR_SESSION_READ_ONLY_EXISTS: 0xb7,
  CKR_SESSION_READ_WRITE_SO_EXISTS: 0xb8,
  CKR_SIGNATURE_INVALID: 0xc0,
  CKR_SIGNATURE_LEN_RANGE: 0xc1,
  CKR_TEMPLATE_INCOMPLETE: 0xd0,
  CKR_TEMPLATE_INCONSISTENT: 0xd1,
  CKR_TOKEN_NOT_PRESENT: 0xe0,
  CKR_TOKEN_NOT_RECOGNIZED: 0xe1,
  CKR_TOKEN_WRITE_PROTECTED: 0xe2,
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: 0xf0,
  CKR_UNWRAPPING_KEY_SIZE_RANGE: 0xf1,
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: 0xf2,
  CKR_USER_ALREADY_LOGGED_IN: 0x100,
  CKR_USER_NOT_LOGGED_IN: 0x101,
  CKR_USER_PIN_NOT_INITIALIZED: 0x102,
  CKR_USER_TYPE_INVALID: 0x103,
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 0x104,
  CKR_USER_TOO_MANY_TYPES: 0x105,
  CKR_WRAPPED_KEY_INVALID: 0x110,
  CKR_WRAPPED_KEY_LEN_RANGE: 0x112,
  CKR_WRAPPING_KEY_HANDLE_INVALID: 0x113,
  CKR_WRAPPING_KEY_SIZE_RANGE: 0x114,
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: 0x115,
  CKR_RANDOM_SEED_NOT_SUPPORTED: 0x120,
  CKR_RANDOM_NO_RNG: 0x121,
  CKR_DOMAIN_PARAMS_INVALID: 0x130,
  CKR_CURVE_NOT_SUPPORTED: 0x140,
  CKR_BUFFER_TOO_SMALL: 0x150,
  CKR_SAVED_STATE_INVALID: 0x160,
  CKR_INFORMATION_SENSITIVE: 0x170,
  CKR_STATE_UNSAVEABLE: 0x180,
  CKR_CRYPTOKI_NOT_INITIALIZED: 0x190,
  CKR_CRYPTOKI_ALREADY_INITIALIZED: 0x191,
  CKR_MUTEX_BAD: 0x1a0,
  CKR_MUTEX_NOT_LOCKED: 0x1a1,
  CKR_NEW_PIN_MODE: 0x1b0,
  CKR_NEXT_OTP: 0x1b1,
  CKR_EXCEEDED_MAX_ITERATIONS: 0x1b5,
  CKR_FIPS_SELF_TEST_FAILED: 0x1b6,
  CKR_LIBRARY_LOAD_FAILED: 0x1b7,
  CKR_PIN_TOO_WEAK: 0x1b8,
  CKR_PUBLIC_KEY_INVALID: 0x1b9,
  CKR_FUNCTION_REJECTED: 0x200,
} as const;

export type CkrName = keyof typeof ckrCodes;

/**
 * The error kind a clerk sees for each CKR value; the table is total (the type makes a
 * missing name a compile error). `internal` means "a fault of Niêm or of the module,
 * nothing the clerk can act on": the message still names the CKR for the log.
 * Values absent from `ckrCodes` (vendor-defined) are `internal` too.
 *
 * Notes on the less obvious rows:
 * - CKR_USER_ALREADY_LOGGED_IN is handled by the token service (a stale login is logged
 *   out before the clerk's PIN is presented); it is never shown.
 * - CKR_TOKEN_NOT_PRESENT is `token-absent`; the token service turns it into
 *   `token-removed` when it happens inside a signed-in session.
 * - CKR_PIN_TOO_WEAK only comes from C_SetPIN / C_InitPIN: it is about the new PIN.
 * - CKR_GENERAL_ERROR ("unrecoverable") is what SoftHSM2 and many tokens answer for a
 *   hardware hiccup; retrying or replugging is the clerk's only move, as for DEVICE_ERROR.
 */
export const ckrKinds: Record<Exclude<CkrName, 'CKR_OK'>, ErrorKind> = {
  CKR_CANCEL: 'token-cancelled',
  CKR_HOST_MEMORY: 'internal',
  CKR_SLOT_ID_INVALID: 'token-absent',
  CKR_GENERAL_ERROR: 'device-error',
  CKR_FUNCTION_FAILED: 'device-error',
  CKR_ARGUMENTS_BAD: 'internal',
  CKR_NO_EVENT: 'internal',
  CKR_NEED_TO_CREATE_THREADS: 'internal',
  CKR_CANT_LOCK: 'internal',
  CKR_ATTRIBUTE_READ_ONLY: 'internal',
  CKR_ATTRIBUTE_SENSITIVE: 'internal',
  CKR_ATTRIBUTE_TYPE_INVALID: 'internal',
  CKR_ATTRIBUTE_VALUE_INVALID: 'internal',
  CKR_ACTION_PROHIBITED: 'key-usage-mismatch',
  CKR_DATA_INVALID: 'invalid-input',
  CKR_DATA_LEN_RANGE: 'invalid-input',
  CKR_DEVICE_ERROR: 'device-error',
  CKR_DEVICE_MEMORY: 'device-error',
  CKR_DEVICE_REMOVED: 'token-removed',
  CKR_ENCRYPTED_DATA_INVALID: 'decrypt-failed',
  CKR_ENCRYPTED_DATA_LEN_RANGE: 'decrypt-failed',
  CKR_FUNCTION_CANCELED: 'token-cancelled',
  CKR_FUNCTION_NOT_PARALLEL: 'internal',
  CKR_FUNCTION_NOT_SUPPORTED: 'mechanism-unsupported',
  CKR_KEY_HANDLE_INVALID: 'internal',
  CKR_KEY_SIZE_RANGE: 'mechanism-unsupported',
  CKR_KEY_TYPE_INCONSISTENT: 'key-usage-mismatch',
  CKR_KEY_NOT_NEEDED: 'internal',
  CKR_KEY_CHANGED: 'internal',
  CKR_KEY_NEEDED: 'internal',
  CKR_KEY_INDIGESTIBLE: 'internal',
  CKR_KEY_FUNCTION_NOT_PERMITTED: 'key-usage-mismatch',
  CKR_KEY_NOT_WRAPPABLE: 'internal',
  CKR_KEY_UNEXTRACTABLE: 'internal',
  CKR_MECHANISM_INVALID: 'mechanism-unsupported',
  CKR_MECHANISM_PARAM_INVALID: 'mechanism-unsupported',
  CKR_OBJECT_HANDLE_INVALID: 'internal',
  CKR_OPERATION_ACTIVE: 'token-busy',
  CKR_OPERATION_NOT_INITIALIZED: 'internal',
  CKR_PIN_INCORRECT: 'pin-incorrect',
  CKR_PIN_INVALID: 'pin-invalid',
  CKR_PIN_LEN_RANGE: 'pin-invalid',
  CKR_PIN_EXPIRED: 'pin-expired',
  CKR_PIN_LOCKED: 'pin-locked',
  CKR_SESSION_CLOSED: 'token-removed',
  CKR_SESSION_COUNT: 'token-busy',
  CKR_SESSION_HANDLE_INVALID: 'token-removed',
  CKR_SESSION_PARALLEL_NOT_SUPPORTED: 'internal',
  CKR_SESSION_READ_ONLY: 'internal',
  CKR_SESSION_EXISTS: 'internal',
  CKR_SESSION_READ_ONLY_EXISTS: 'token-busy',
  CKR_SESSION_READ_WRITE_SO_EXISTS: 'token-busy',
  CKR_SIGNATURE_INVALID: 'internal',
  CKR_SIGNATURE_LEN_RANGE: 'internal',
  CKR_TEMPLATE_INCOMPLETE: 'internal',
  CKR_TEMPLATE_INCONSISTENT: 'internal',
  CKR_TOKEN_NOT_PRESENT: 'token-absent',
  CKR_TOKEN_NOT_RECOGNIZED: 'token-unrecognized',
  CKR_TOKEN_WRITE_PROTECTED: 'token-write-protected',
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: 'internal',
  CKR_UNWRAPPING_KEY_SIZE_RANGE: 'internal',
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: 'internal',
  CKR_USER_ALREADY_LOGGED_IN: 'internal',
  CKR_USER_NOT_LOGGED_IN: 'not-signed-in',
  CKR_USER_PIN_NOT_INITIALIZED: 'pin-not-initialized',
  CKR_USER_TYPE_INVALID: 'internal',
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 'token-busy',
  CKR_USER_TOO_MANY_TYPES: 'token-busy',
  CKR_WRAPPED_KEY_INVALID: 'internal',
  CKR_WRAPPED_KEY_LEN_RANGE: 'internal',
  CKR_WRAPPING_KEY_HANDLE_INVALID: 'internal',
  CKR_WRAPPING_KEY_SIZE_RANGE: 'internal',
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: 'internal',
  CKR_RANDOM_SEED_NOT_SUPPORTED: 'internal',
  CKR_RANDOM_NO_RNG: 'internal',
  CKR_DOMAIN_PARAMS_INVALID: 'mechanism-unsupported',
  CKR_CURVE_NOT_SUPPORTED: 'mechanism-unsupported',
  CKR_BUFFER_TOO_SMALL: 'internal',
  CKR_SAVED_STATE_INVALID: 'internal',
  CKR_INFORMATION_SENSITIVE: 'internal',
  CKR_STATE_UNSAVEABLE: 'internal',
  CKR_CRYPTOKI_NOT_INITIALIZED: 'internal',
  CKR_CRYPTOKI_ALREADY_INITIALIZED: 'internal',
  CKR_MUTEX_BAD: 'internal',
  CKR_MUTEX_NOT_LOCKED: 'internal',
  CKR_NEW_PIN_MODE: 'internal',
  CKR_NEXT_OTP: 'internal',
  CKR_EXCEEDED_MAX_ITERATIONS: 'internal',
  CKR_FIPS_SELF_TEST_FAILED: 'device-error',
  CKR_LIBRARY_LOAD_FAILED: 'module-unavailable',
  CKR_PIN_TOO_WEAK: 'new-pin-invalid',
  CKR_PUBLIC_KEY_INVALID: 'invalid-input',
  CKR_FUNCTION_REJECTED: 'token-cancelled',
};

/**
 * Values some modules answer for five v2.40 names: p11-kit's pkcs11.h up to 0.24 (Debian
 * 12) defines them as 0x1C0..0x1C4 instead of 0x1B5..0x1B9, so a module built against
 * it (our fault module included) answers e.g. 0x1C3 for CKR_PIN_TOO_WEAK. No
 * specification assigns these values otherwise, so they are read as those names.
 */
export const ckrAliases: Readonly<Record<number, CkrName>> = {
  0x1c0: 'CKR_EXCEEDED_MAX_ITERATIONS',
  0x1c1: 'CKR_FIPS_SELF_TEST_FAILED',
  0x1c2: 'CKR_LIBRARY_LOAD_FAILED',
  0x1c3: 'CKR_PIN_TOO_WEAK',
  0x1c4: 'CKR_PUBLIC_KEY_INVALID',
};

const namesByCode = new Map<number, CkrName>([
  ...Object.entries(ckrAliases).map(([code, name]): [number, CkrName] => [Number(code), name]),
  ...Object.entries(ckrCodes).map(([name, code]): [number, CkrName] => [code, name as CkrName]),
]);

/** The CKR name of a numeric return value, or `CKR_0x…` when this table does not know it. */
export function ckrName(code: number): string {
  return namesByCode.get(code) ?? `CKR_0x${code.toString(16).toUpperCase()}`;
}

/** The error kind for a CKR name (as pkcs11js reports it) or a numeric value. */
export function kindForCkr(ckr: string | number): ErrorKind {
  const name = typeof ckr === 'number' ? ckrName(ckr) : ckr;
  return Object.hasOwn(ckrKinds, name) ? ckrKinds[name as keyof typeof ckrKinds] : 'internal';
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
 * name as `message` and the value as `code` (the name is taken from the value: a value
 * pkcs11js does not know is `CKR_0x…`); a `NativeError` (load failure, bad argument)
 * has no CKR and yields `undefined`.
 */
export function ckrOf(err: unknown): CkrFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const fromMessage = /^(CKR_[A-Z0-9_]+)/.exec(err.message)?.[1];
  if (typeof code === 'number' && (code !== 0 || fromMessage === 'CKR_OK')) {
    // By value: pkcs11js names every value it does not know CKR_VENDOR_DEFINED, including
    // CKR_CURVE_NOT_SUPPORTED and the v3.0 values this table knows.
    return { name: ckrName(code), code };
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

/**
 * Kinds that mean the signed-in token session no longer exists (token pulled, session
 * handle invalid or closed, token not present, login state gone). Whoever holds a
 * session locks the app on them: drop everything decrypted, ask for a new login.
 */
export const sessionLostKinds: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'token-removed',
  'token-absent',
  'not-signed-in',
]);

/**
 * Whether `err` means "the token session is gone". Accepts a NiemError, a WireError or
 * anything with a string `kind` (errors that crossed a process boundary), or a raw
 * pkcs11js failure (read by its CKR).
 */
export function isSessionLost(err: unknown): boolean {
  if (err instanceof NiemError) return sessionLostKinds.has(err.kind);
  const ckr = ckrOf(err);
  if (ckr) return sessionLostKinds.has(kindForCkr(ckr.name));
  if (typeof err === 'object' && err !== null) {
    const kind = (err as { kind?: unknown }).kind;
    return typeof kind === 'string' && sessionLostKinds.has(kind as ErrorKind);
  }
  return false;
}
