/**
 * What the sync engine tells the UI while it works (events) and what one run did (the
 * report the CLI prints and the app keeps). Errors are WireErrors: a stable kind the UI
 * translates, English detail for the log, the platform's code and agency in `detail`.
 */
import type { WireError } from '../api/errors.ts';
import type { BusinessStatus, FailureAction, TransportState } from '../vault/index.ts';

/** An outbox package moved (state change, upload progress, next attempt, error). */
export interface OutboxEvent {
  type: 'outbox';
  id: number;
  state: TransportState;
  /** Bytes the platform holds (uploading; the size once sent). */
  bytesDone: number;
  bytesTotal: number;
  /** With failed-retrying: the next attempt (ISO 8601 UTC), else null. */
  nextAttemptAt: string | null;
  /** With failed and failed-retrying: why, else null. */
  error: WireError | null;
  /** With failed: what the clerk can do, else null. */
  action: FailureAction | null;
}

/** A package of the mailbox is being received, was received, or could not be. */
export interface InboxEvent {
  type: 'inbox';
  /** The inbox row, when the receiver said which. */
  id: number | null;
  sha256: string;
  phase: 'receiving' | 'received' | 'failed';
  error: WireError | null;
}

/** A notice about a package we sent came: recorded, or refused (and not recorded). */
export interface NoticeEvent {
  type: 'notice';
  /** The outbox row it is about (null when refused before one was found). */
  outboxId: number | null;
  status: BusinessStatus | null;
  from: string | null;
  accepted: boolean;
  /** Why it was refused, else null. */
  refusal: NoticeRefusal | null;
}

/** A run started, moved to its next step, or ended (with the error that stopped part of it). */
export interface SyncPhaseEvent {
  type: 'sync';
  /** start, running (a step began), end. */
  phase: 'start' | 'running' | 'end';
  step: SyncStep | null;
  /** ISO 8601 UTC. */
  at: string;
  error: WireError | null;
}

/** The steps of a run, in order. */
export type SyncStep = 'auth' | 'directory' | 'push' | 'pull' | 'notices';

/** Every event the engine emits. */
export type SyncEvent = OutboxEvent | InboxEvent | NoticeEvent | SyncPhaseEvent;

/** Why a notice was refused (nothing of it recorded; the refusal is audited). */
export type NoticeRefusal =
  /** The signature or the signer's chain does not verify against the trust anchors. */
  | 'untrusted'
  /** Not a notice statement (bad DER, JSON, schema). */
  | 'malformed'
  /** Addressed to another agency. */
  | 'not-for-us'
  /** The signer's agency is not the notice's `from`. */
  | 'signer-not-sender'
  /** About a package this profile did not send. */
  | 'unknown-package'
  /** From an agency that is not a recipient of the package. */
  | 'not-a-recipient';

/** A package that failed in this run. */
export interface FailedPackage {
  id: number;
  packageSha256: string;
  state: 'failed' | 'failed-retrying';
  error: WireError;
  action: FailureAction | null;
  nextAttemptAt: string | null;
}

/** What one run did. */
export interface SyncReport {
  /** Packages the platform took (receipt stored) in this run. */
  sent: number;
  /** Packages that became delivered in this run. */
  delivered: number;
  /** Packages received into the inbox. */
  received: number;
  /** Notices recorded (about packages we sent). */
  notices: number;
  /** Notices we signed (about packages we received) that the platform took. */
  noticesSent: number;
  /** Notices refused (not recorded). */
  refusedNotices: { status: BusinessStatus | null; from: string | null; refusal: NoticeRefusal }[];
  /** Packages that failed in this run. */
  failures: FailedPackage[];
  /** Mailbox packages that could not be received (the mailbox stays unacknowledged from there). */
  inboxFailures: { sha256: string; error: WireError }[];
  /** Failed packages left waiting for the clerk (not retried without `retryFailed`). */
  waitingForClerk: number;
  /** Packages requeued at the clerk's request. */
  requeued: number;
  /** Whether the directory changed. */
  directoryUpdated: boolean;
  /** The error that stopped part of the run (sign-in, mailbox, the platform gone), else null. */
  error: WireError | null;
  /** True when the run was stopped (stop(), the signal) before it finished. */
  aborted: boolean;
  startedAt: string;
  endedAt: string;
}

/** True when everything the run could do was done: no failure, no error, not aborted. */
export function reportSucceeded(report: SyncReport): boolean {
  return (
    report.error === null &&
    !report.aborted &&
    report.failures.length === 0 &&
    report.inboxFailures.length === 0 &&
    report.refusedNotices.length === 0
  );
}
