/**
 * What a failed upload means for its outbox row: try again later (failed-retrying, with
 * backoff) or stop and tell the clerk what to do (failed, with an action), and whether
 * the failure is the platform's or the session's rather than this package's (then the
 * run stops: the next packages would fail the same way).
 *
 * | failure                                     | row             | action             | run   |
 * | ------------------------------------------- | --------------- | ------------------ | ----- |
 * | platform-unreachable (network, 5xx, busy)    | failed-retrying |                    | stops |
 * | platform-bad-reply (bad JSON, hash, receipt) | failed-retrying |                    | goes on |
 * | platform-untrusted (TLS)                     | failed          | tell-administrator | stops |
 * | refused level-not-approved, forbidden,       | failed          | tell-administrator | goes on |
 * |   too-large, bad-request                     |                 |                    |       |
 * | refused recipient-not-cleared,               | failed          | re-seal            | goes on |
 * |   recipient-unknown, malformed-package       |                 |                    |       |
 * | refused auth-refused                         | failed          | tell-administrator | stops |
 * | refused unauthenticated, busy                | failed-retrying |                    | stops |
 * | refused digest-mismatch, conflict, other     | failed-retrying |                    | goes on |
 * | token kinds (removed, not signed in …)       | failed-retrying |                    | stops |
 * | disk-full, vault-locked, vault-in-use        | failed-retrying |                    | stops |
 * | vault-corrupt, not-found (the package blob)  | failed          | re-seal            | goes on |
 * | anything else                                | failed-retrying |                    | goes on |
 */
import { NiemError, type ErrorKind } from '../api/errors.ts';
import type { FailureAction, TransportError } from '../vault/index.ts';

/** A failure as the outbox records it. */
export interface ClassifiedFailure {
  error: TransportError;
  /** retry: failed-retrying at the next backoff time; fail: failed, waiting for the clerk. */
  outcome: 'retry' | 'fail';
  /** With `fail`: what the clerk can do. */
  action: FailureAction | undefined;
  /** True when the next packages would fail alike: the run stops here. */
  stopsRun: boolean;
}

const TOKEN_KINDS: readonly ErrorKind[] = [
  'pin-incorrect',
  'pin-locked',
  'pin-invalid',
  'pin-expired',
  'pin-not-initialized',
  'token-absent',
  'token-removed',
  'token-busy',
  'token-cancelled',
  'token-module-crashed',
  'token-unrecognized',
  'not-signed-in',
  'device-error',
  'module-unavailable',
  'native-restarted',
  'timeout',
];

const SESSION_KINDS: readonly ErrorKind[] = ['disk-full', 'vault-locked', 'vault-in-use'];

const refusedActions: Record<string, FailureAction> = {
  'level-not-approved': 'tell-administrator',
  forbidden: 'tell-administrator',
  'too-large': 'tell-administrator',
  'bad-request': 'tell-administrator',
  'recipient-not-cleared': 're-seal',
  'recipient-unknown': 're-seal',
  'malformed-package': 're-seal',
  'auth-refused': 'tell-administrator',
};

/** The error of `err` as the outbox keeps it (kind, message, the platform's code and agency). */
export function transportError(err: unknown): TransportError {
  if (err instanceof NiemError) {
    return {
      kind: err.kind,
      message: err.message.slice(0, 2000),
      ...(err.detail?.code === undefined ? {} : { code: err.detail.code.slice(0, 64) }),
      ...(err.detail?.organId === undefined ? {} : { organId: err.detail.organId.slice(0, 64) }),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: message.slice(0, 2000) };
}

const retry = (error: TransportError, stopsRun: boolean): ClassifiedFailure => ({
  error,
  outcome: 'retry',
  action: undefined,
  stopsRun,
});
const fail = (
  error: TransportError,
  action: FailureAction,
  stopsRun: boolean,
): ClassifiedFailure => ({
  error,
  outcome: 'fail',
  action,
  stopsRun,
});

/** What the failure `err` of an upload means (see the table above). */
export function classifyFailure(err: unknown): ClassifiedFailure {
  const error = transportError(err);
  switch (error.kind) {
    case 'platform-unreachable':
      return retry(error, true);
    case 'platform-bad-reply':
      return retry(error, false);
    case 'platform-untrusted':
      return fail(error, 'tell-administrator', true);
    case 'platform-refused': {
      const code = error.code ?? '';
      const action = refusedActions[code];
      if (action !== undefined) return fail(error, action, code === 'auth-refused');
      return retry(error, code === 'unauthenticated' || code === 'busy');
    }
    case 'vault-corrupt':
    case 'not-found':
      return fail(error, 're-seal', false);
    default:
      if (TOKEN_KINDS.includes(error.kind) || SESSION_KINDS.includes(error.kind)) {
        return retry(error, true);
      }
      return retry(error, false);
  }
}
