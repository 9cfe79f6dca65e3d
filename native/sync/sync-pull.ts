/**
 * The pull step of a run: the mailbox read page by page from the cursor the profile
 * acknowledged; notices are checked and recorded (./sync-notices.ts); packages go to the
 * inbox receiver (the arrival path, an option of the engine). The mailbox is
 * acknowledged up to the last entry handled for good, never past an entry that was not:
 * a package that could not be received now stops the step there, and the next run starts
 * from it. Everything is idempotent, so an entry seen twice (an acknowledgement lost)
 * changes nothing.
 *
 * A page that breaks the protocol (cursors not ascending, or not after the one asked
 * for) is refused whole (`platform-bad-reply`) before any entry of it is used.
 */
import { NiemError, toWireError } from '../api/errors.ts';
import type { MailboxReply } from '../exchange/platform-wire.ts';
import { getSyncState, setMailboxCursor } from '../vault/index.ts';
import { emitSafely, type SyncContext } from './sync-context.ts';
import type { SyncReport } from './sync-events.ts';
import { handleNotice } from './sync-notices.ts';

/** Refuses a page whose cursors are not strictly ascending after `after`. */
export function checkPage(reply: MailboxReply, after: string | undefined): void {
  let previous = after === undefined ? -1n : BigInt(after);
  for (const entry of reply.entries) {
    const cursor = BigInt(entry.cursor);
    if (cursor <= previous) {
      throw new NiemError(
        'platform-bad-reply',
        `mailbox cursor ${entry.cursor} does not follow ${previous.toString()}`,
      );
    }
    previous = cursor;
  }
}

/** The inbox row id a receiver resolved with (`{ inboxId }`), else null. */
function inboxIdOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { inboxId?: unknown }).inboxId;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : null;
}

/** What the pull did besides the report's counts. */
export interface PullResult {
  /** Outbox rows without a receipt that a notice says arrived (their receipt is to be fetched). */
  arrivedWithoutReceipt: Set<number>;
}

/** Reads the mailbox to its end (or to the first entry that cannot be handled now). */
export async function pullMailbox(
  context: SyncContext,
  report: SyncReport,
  signal: AbortSignal,
): Promise<PullResult> {
  const { vault, platform } = context;
  const result: PullResult = { arrivedWithoutReceipt: new Set() };
  let after = getSyncState(vault).mailboxCursor ?? undefined;
  for (;;) {
    if (signal.aborted) {
      report.aborted = true;
      return result;
    }
    const reply = await platform.mailbox(after, context.mailboxPage);
    checkPage(reply, after);
    let handled: string | undefined;
    let blocked = false;
    for (const entry of reply.entries) {
      if (signal.aborted) {
        report.aborted = true;
        blocked = true;
        break;
      }
      if (entry.kind === 'notice') {
        const der = new Uint8Array(Buffer.from(entry.notice, 'base64'));
        const moved = await handleNotice(context, report, der, entry.cursor);
        if (moved !== undefined && moved.state !== 'sent' && moved.state !== 'delivered') {
          result.arrivedWithoutReceipt.add(moved.outboxId);
        }
        handled = entry.cursor;
        continue;
      }
      if (context.receivePackage === undefined) {
        blocked = true; // nobody to receive it: it stays in the mailbox
        break;
      }
      emitSafely(context, {
        type: 'inbox',
        id: null,
        sha256: entry.sha256,
        phase: 'receiving',
        error: null,
      });
      try {
        const received = await context.receivePackage(entry, platform, signal);
        report.received += 1;
        handled = entry.cursor;
        emitSafely(context, {
          type: 'inbox',
          id: inboxIdOf(received),
          sha256: entry.sha256,
          phase: 'received',
          error: null,
        });
      } catch (err) {
        blocked = true;
        if (signal.aborted) {
          report.aborted = true;
          break;
        }
        const error = toWireError(err);
        report.inboxFailures.push({ sha256: entry.sha256, error });
        emitSafely(context, {
          type: 'inbox',
          id: null,
          sha256: entry.sha256,
          phase: 'failed',
          error,
        });
        break;
      }
    }
    if (handled !== undefined) {
      await platform.ack(handled);
      setMailboxCursor(vault, handled);
      after = handled;
    }
    if (blocked || !reply.more || handled === undefined) return result;
  }
}
