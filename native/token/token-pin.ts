/**
 * Everything that presents a PIN to a token: the one C_Login of a sign-in (typed PIN or
 * PIN pad) and C_SetPIN. The rules that keep a clerk's tries safe live here: a PIN the
 * token would refuse for its length, a locked token, or a PIN-pad request on a token
 * without a pad are refused before the token sees anything; a wrong PIN is presented
 * once, never repeated; PINs are never stored, logged or put in a message.
 *
 * PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH): PKCS#11 says C_Login gets pPin NULL_PTR.
 * pkcs11js 2.1.7 cannot pass NULL (its C_Login demands a JS string: src/pkcs11.cpp,
 * GET_ARGS_STRING); an empty string reaches the module as a non-NULL pointer with
 * ulPinLen 0, which OpenSC and the vendor modules treat as "use the pad" (OpenSC's
 * pkcs15_login sets pPin to NULL when ulPinLen is 0 on a pad reader).
 */
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { TokenInfo } from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import { isCkr, toTokenError } from './ckr-errors.ts';
import type { LoadedModule } from './pkcs11-module.ts';
import { pinLengthOutOfRange, triesLeftOf } from './token-info.ts';

/** A token present now, as listed: where it is and what it said about itself. */
export interface PresentToken {
  module: LoadedModule;
  slot: Handle;
  info: TokenInfo;
  /** PIN length bounds (bytes) from CK_TOKEN_INFO, as read when listed. */
  minPinLen: number;
  maxPinLen: number;
}

/** What pkcs11js passes for "no PIN" (see the file comment). */
const PIN_PAD = '';

/** CKS_RO_USER_FUNCTIONS and CKS_RW_USER_FUNCTIONS: the application is logged in as user. */
const userSessionStates = new Set([1, 3]);

/**
 * Refuses, before any token call, a PIN that can only fail: token locked, `null` (PIN
 * pad) on a token without a pad, or a typed PIN outside the token's length range.
 * `role` says which PIN of a change is meant, for the message and the kind.
 */
export function refuseUselessPin(
  present: PresentToken,
  pin: string | null,
  role: 'pin' | 'old PIN' | 'new PIN' = 'pin',
): void {
  if (present.info.pinState === 'locked') {
    const message = 'the token reports the user PIN locked (CKF_USER_PIN_LOCKED); not presented';
    throw new NiemError('pin-locked', message, { triesLeft: 0 });
  }
  const kind = role === 'new PIN' ? 'new-pin-invalid' : 'pin-invalid';
  if (pin === null) {
    if (!present.info.protectedAuthPath) {
      throw new NiemError(
        kind,
        `no ${role} given, but the token has no PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH clear); nothing presented`,
      );
    }
    return;
  }
  if (pinLengthOutOfRange(Buffer.byteLength(pin, 'utf8'), present)) {
    throw new NiemError(
      kind,
      `${role} length outside the token's range ${present.minPinLen}..${present.maxPinLen}; nothing presented`,
    );
  }
}

function logoutQuietly(pkcs11: PKCS11, session: Handle): void {
  try {
    pkcs11.C_Logout(session);
  } catch {
    // Not logged in, session gone or token removed: the result is the same.
  }
}

/** Maps a failure of a call that verified a PIN, reading the token's flags for tries left. */
function pinError(
  pkcs11: PKCS11,
  present: PresentToken,
  err: unknown,
  operation: string,
): NiemError {
  if (!isCkr(err, 'CKR_PIN_INCORRECT')) return toTokenError(err, operation);
  let flags: number | undefined;
  try {
    flags = pkcs11.C_GetTokenInfo(present.slot).flags;
  } catch {
    flags = undefined;
  }
  const triesLeft = flags === undefined ? undefined : triesLeftOf(flags);
  if (triesLeft === 0) {
    return new NiemError(
      'pin-locked',
      `${operation}: CKR_PIN_INCORRECT, and the token is now locked`,
      {
        cause: err,
        triesLeft: 0,
      },
    );
  }
  return toTokenError(err, operation, triesLeft === undefined ? undefined : { triesLeft });
}

/**
 * The single C_Login of a sign-in (`pin` null: the clerk types on the PIN pad). Login
 * state is per application and token, so a stale login left by an earlier session of
 * this process would make C_Login answer CKR_USER_ALREADY_LOGGED_IN without looking at
 * the PIN: it is logged out first, so the clerk's PIN is always verified. If the token
 * still answers ALREADY_LOGGED_IN (a race with another session of this process), it
 * verified nothing and used no try: log out and present the PIN once more.
 */
export function presentPin(
  pkcs11: PKCS11,
  present: PresentToken,
  session: Handle,
  pin: string | null,
): void {
  const value = pin ?? PIN_PAD;
  if (userSessionStates.has(pkcs11.C_GetSessionInfo(session).state)) logoutQuietly(pkcs11, session);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, value);
    return;
  } catch (err) {
    if (!isCkr(err, 'CKR_USER_ALREADY_LOGGED_IN')) throw pinError(pkcs11, present, err, 'C_Login');
  }
  logoutQuietly(pkcs11, session);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, value);
  } catch (err) {
    throw pinError(pkcs11, present, err, 'C_Login');
  }
}

/** Kinds a C_SetPIN failure about the new PIN gets (the old PIN was right). */
const newPinFailures = ['CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE', 'CKR_PIN_TOO_WEAK'] as const;

/**
 * Changes the user PIN of `present` with C_SetPIN in a new read/write session: logged
 * in already when this process holds a login on the token (then C_SetPIN changes the
 * logged-in user's PIN), otherwise public (then it changes the user PIN, the old PIN
 * proving who asks). Both PINs `null`: the token's PIN pad asks for them.
 * Refused without a token call: PIN locked, a PIN outside the token's length range,
 * nulls on a token without a pad, one PIN null and the other not.
 */
export function changeUserPin(
  present: PresentToken,
  oldPin: string | null,
  newPin: string | null,
): void {
  if ((oldPin === null) !== (newPin === null)) {
    throw new NiemError('invalid-input', 'give both PINs, or neither (PIN pad); nothing presented');
  }
  refuseUselessPin(present, oldPin, 'old PIN');
  refuseUselessPin(present, newPin, 'new PIN');
  const { pkcs11 } = present.module;
  let session: Handle;
  try {
    session = pkcs11.C_OpenSession(
      present.slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
  } catch (err) {
    throw toTokenError(err, 'C_OpenSession');
  }
  try {
    pkcs11.C_SetPIN(session, oldPin ?? PIN_PAD, newPin ?? PIN_PAD);
  } catch (err) {
    const newPinFailure = newPinFailures.find((name) => isCkr(err, name));
    if (newPinFailure) {
      throw new NiemError('new-pin-invalid', `C_SetPIN: ${newPinFailure}`, { cause: err });
    }
    throw pinError(pkcs11, present, err, 'C_SetPIN');
  } finally {
    // Never C_Logout here: login state is shared by every session of this process on
    // the token, and the clerk may be signed in. Closing one session ends no login.
    try {
      pkcs11.C_CloseSession(session);
    } catch {
      // Already closed or token removed.
    }
  }
}
