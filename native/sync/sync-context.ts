/**
 * What the steps of a sync run share: the vault, the platform, who we are, the clock and
 * the randomness of the backoff, the limits, the trust anchors, the inbox receiver and
 * the event sink; and the helpers that turn an outbox row into an event.
 */
import type { Vault } from '../vault/index.ts';
import { getOutbox } from '../vault/index.ts';
import type { MailboxEntry } from '../exchange/platform-wire.ts';
import type { PlatformApi } from './platform-api.ts';
import type { BackoffPolicy, TransferLimits } from './sync-backoff.ts';
import type { OutboxEvent, SyncEvent, SyncReport } from './sync-events.ts';

/** A package entry of the mailbox. */
export type PackageEntry = Extract<MailboxEntry, { kind: 'package' }>;

/**
 * Receives one package of the mailbox into the inbox (the arrival path: download with
 * resume into the vault, verify, register, send the 01 notice). Resolves once the entry
 * is handled for good: stored, or refused and recorded so that it need not come again;
 * the engine then may acknowledge the mailbox up to it. Rejects when it could not be
 * handled now (the platform unreachable, the disk full …): the engine acknowledges
 * nothing from this entry on and tries again in a later run. May resolve with the inbox
 * row's id for the UI (`{ inboxId }`); any other value is ignored.
 */
export type ReceivePackage = (
  entry: PackageEntry,
  platform: PlatformApi,
  signal: AbortSignal,
) => Promise<unknown>;

/** The shared state of one engine. */
export interface SyncContext {
  vault: Vault;
  platform: PlatformApi;
  /** Our agency's OrganId (the signed-in token's organizationIdentifier). */
  organId: string;
  /** The trust anchors (DER) notices and the directory are checked against. */
  trustAnchors: () => Uint8Array[];
  receivePackage: ReceivePackage | undefined;
  clock: () => Date;
  random: () => number;
  backoff: BackoffPolicy;
  limits: TransferLimits;
  /** Whether a run refreshes the cached directory. */
  refreshDirectory: boolean;
  /** Mailbox entries asked for per page. */
  mailboxPage: number;
  emit: (event: SyncEvent) => void;
}

/** The outbox event of row `id` as it now is in the vault. */
export function outboxEvent(vault: Vault, id: number): OutboxEvent {
  const o = getOutbox(vault, id);
  return {
    type: 'outbox',
    id,
    state: o.transportState,
    bytesDone: o.bytesDone,
    bytesTotal: o.size,
    nextAttemptAt: o.nextAttemptAt,
    error: o.error,
    action: o.action,
  };
}

/** Emits the event of row `id` as it now is (a listener's error is not the engine's). */
export function emitOutbox(context: SyncContext, id: number): OutboxEvent {
  const event = outboxEvent(context.vault, id);
  emitSafely(context, event);
  return event;
}

/** Emits `event`; a listener that throws does not stop the engine. */
export function emitSafely(context: SyncContext, event: SyncEvent): void {
  try {
    context.emit(event);
  } catch {
    // a listener's failure does not stop a transfer
  }
}

/** A fresh report at `at`. */
export function newReport(at: Date): SyncReport {
  const iso = at.toISOString();
  return {
    sent: 0,
    delivered: 0,
    received: 0,
    notices: 0,
    noticesSent: 0,
    refusedNotices: [],
    failures: [],
    inboxFailures: [],
    waitingForClerk: 0,
    requeued: 0,
    directoryUpdated: false,
    error: null,
    aborted: false,
    startedAt: iso,
    endedAt: iso,
  };
}
