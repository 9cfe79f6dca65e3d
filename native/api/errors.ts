/**
 * Error kinds that cross every process boundary. A kind is stable: the UI and the CLI
 * translate it with the catalog in ./i18n/error-messages.ts; `message` is technical
 * detail (English) for logs, never shown as the only text to a clerk.
 */
import { z } from 'zod';

export const errorKinds = [
  /** The PIN was wrong; the token decremented its counter. Never retried by Niêm. */
  'pin-incorrect',
  /** The user PIN is blocked on the token; the agency must unblock it with the SO PIN. */
  'pin-locked',
  /** The PIN does not meet the token's length or character rules; no try was used. */
  'pin-invalid',
  /** The token is not (or no longer) in the reader. */
  'token-absent',
  /** The token holds no certificate matching a private key (same CKA_ID). */
  'no-certificate',
  /** The call needs a signed-in session and there is none. */
  'not-signed-in',
  /** The token went away during a signed-in session (removed, session handle gone): sign in again. */
  'token-removed',
  /** The token failed the operation (device error, out of memory, failed function): retry or replug. */
  'device-error',
  /** The user PIN has expired (or must be changed): change it before anything else. */
  'pin-expired',
  /** The new PIN of a PIN change breaks the token's rules (length, characters, too weak); the old one stays. */
  'new-pin-invalid',
  /** The token's user PIN was never set (CKR_USER_PIN_NOT_INITIALIZED): the administrator must set it. */
  'pin-not-initialized',
  /** The token cannot do the mechanism or parameters the operation needs (e.g. RSA-OAEP with SHA-256). */
  'mechanism-unsupported',
  /** No key and certificate on the token allow this use (signing, key encipherment, key agreement). */
  'key-usage-mismatch',
  /** The token is busy: too many sessions, another operation or another user logged in. */
  'token-busy',
  /** The clerk (or the token) cancelled the operation, e.g. Cancel on a PIN pad. */
  'token-cancelled',
  /** The token is write-protected; a change (such as a new PIN) cannot be stored. */
  'token-write-protected',
  /** The reader holds a card its PKCS#11 module does not recognise. */
  'token-unrecognized',
  /** The token could not decrypt the data: not encrypted for this key, or damaged. */
  'decrypt-failed',
  /** A PKCS#11 module could not be loaded (missing file, wrong architecture, bad init). */
  'module-unavailable',
  /** Arguments did not match the contract's schema. Nothing was done. */
  'invalid-input',
  /** The native process did not answer within the call's time limit. */
  'timeout',
  /** The native process stopped (crash or exit) while the call was pending; it restarts. */
  'native-restarted',
  /** The vendor PKCS#11 module crashed the token process during the call; it restarts. */
  'token-module-crashed',
  /** A sealed package failed its integrity check (content tag, key unwrap): changed or damaged on the way. Nothing was written. */
  'tampered',
  /** A sealed package is not addressed to any certificate of the signed-in token. */
  'not-a-recipient',
  /** A package (or part of one) is not built as the format requires: bad BER/DER, limits exceeded. */
  'malformed',
  /** A signer's certificate does not chain to a trust anchor, was not valid at signing time, or does not allow signing. Nothing was kept. */
  'untrusted-signer',
  /** A signature in a form Niêm does not accept (no signed attributes, detached content, an unsupported algorithm). Nothing was kept. */
  'unsupported-signature',
  /** A file name (package member, or a file being sealed) could escape the output folder or is unusable on Windows (e.g. `../x`, `C:\x`, `CON`). Nothing was written. */
  'unsafe-name',
  /** The vault (the encrypted local store) is locked: the clerk logged out, went idle or removed the token. Sign in again. */
  'vault-locked',
  /** The signed-in token (or the recovery key) cannot unwrap this profile's vault key, or the key does not open its database. Nothing was changed. */
  'vault-key-mismatch',
  /** Vault data (the database, or an encrypted blob file) is damaged and no intact snapshot could replace it; the damaged file is kept. */
  'vault-corrupt',
  /** Another Niêm process has this profile's vault open. */
  'vault-in-use',
  /** The vault was written by a newer version of Niêm (a schema this version does not know). Nothing was changed. */
  'vault-too-new',
  /** The profile folder already holds a vault, so a new one was not created over it. */
  'vault-exists',
  /** The profile folder holds no vault (no vault.key or no vault.db): initialise it first. */
  'vault-not-found',
  /** The disk (or the quota) is full; what was being written was discarded, nothing half-written remains. */
  'disk-full',
  /** The item asked for (draft, package, document…) does not exist in the vault. */
  'not-found',
  /** A recipient agency of a draft is not cleared for the draft's level (directory clearance). Nothing was sealed. */
  'not-authorised',
  /** A recipient agency is not in the directory, or has no certificate there to seal for. Nothing was sealed. */
  'recipient-unknown',
  /** The package is already in the vault (same SHA-256); it was not imported twice. */
  'already-imported',
  /** `niem audit verify` found entries edited, inserted or deleted, or a bad checkpoint. */
  'audit-broken',
  /** A document is larger than the UI may add in one piece (drafts.addDocument's limit). Nothing was added. */
  'document-too-large',
  /** The draft already has a document with this name. Nothing was added. */
  'document-exists',
  /** A file to be written (an export, an opened package) already exists: nothing is overwritten. */
  'output-exists',
  /** The exchange platform cannot be reached (refused, dropped, timed out, overloaded): retried later. */
  'platform-unreachable',
  /** The platform's TLS certificate does not chain to the profile's trust anchors or does not match its address. */
  'platform-untrusted',
  /** The platform refused the request (`detail.code` says why, `detail.organId` whom it concerns). */
  'platform-refused',
  /** The platform's reply broke the protocol (malformed, wrong hash, bad receipt signature): nothing of it was kept. */
  'platform-bad-reply',
  /** Anything else; `message` says what, for the log. */
  'internal',
] as const;

export const ErrorKindSchema = z.enum(errorKinds);
export type ErrorKind = z.infer<typeof ErrorKindSchema>;

/** An error as it crosses a process boundary: plain data, no stack, no secrets. */
export const WireErrorSchema = z
  .object({
    kind: ErrorKindSchema,
    message: z.string().max(2000),
    /** Remaining PIN tries when the token reports them (count-low / final-try), else absent. */
    triesLeft: z.number().int().min(0).max(99).optional(),
    /** For platform-refused: the platform's error code and the agency it concerns. */
    detail: z
      .object({
        code: z.string().max(64).optional(),
        organId: z.string().max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type WireError = z.infer<typeof WireErrorSchema>;
export type ErrorDetail = NonNullable<WireError['detail']>;

/** Thrown inside the native side; converted to a WireError at the boundary. */
export class NiemError extends Error {
  readonly kind: ErrorKind;
  readonly triesLeft: number | undefined;
  readonly detail: ErrorDetail | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; triesLeft?: number; detail?: ErrorDetail },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NiemError';
    this.kind = kind;
    this.triesLeft = options?.triesLeft;
    this.detail = options?.detail;
  }
}

/** The result every contract method resolves to: errors are values, never exceptions across IPC. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Turns anything thrown into a WireError. Unknown errors become `internal`. */
export function toWireError(err: unknown): WireError {
  if (err instanceof NiemError) {
    const wire: WireError = { kind: err.kind, message: err.message.slice(0, 2000) };
    if (err.triesLeft !== undefined) wire.triesLeft = err.triesLeft;
    if (err.detail !== undefined) wire.detail = err.detail;
    return wire;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: message.slice(0, 2000) };
}
