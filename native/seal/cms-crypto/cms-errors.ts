/**
 * The errors of key management and content decryption, as the open reports them.
 * `tampered` never says which step failed (content tag, key unwrap, RSA padding, ECDH
 * point): the clerk's next step is the same, and the difference would help an attacker.
 * The technical detail goes to `message` (English, for the log) only where it is safe.
 */
import { NiemError } from '../../api/errors.ts';

/** Kinds raised here: a structure we cannot read, a failed integrity check, not for us. */
export type CmsErrorKind = 'malformed' | 'tampered' | 'not-a-recipient';

export function cmsError(kind: CmsErrorKind, message: string, cause?: unknown): NiemError {
  return new NiemError(kind, message, cause === undefined ? undefined : { cause });
}

/** The one `tampered` error of the open: the same text whatever failed. */
export function tamperedError(cause?: unknown): NiemError {
  return cmsError('tampered', 'the package failed its integrity check', cause);
}
