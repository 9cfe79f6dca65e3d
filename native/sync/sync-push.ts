/**
 * The push step of a run: every due outbox row in order (queued, interrupted uploads,
 * failed-retrying whose time came) is uploaded; the platform's receipt, checked against
 * the row, moves it to sent. A failure moves it to failed-retrying (next attempt by the
 * backoff, stored) or failed (with the clerk's action), per ./sync-errors.ts; a failure
 * of the platform or the session stops the push, and the rows not reached get the same
 * failure (so the clerk sees why they did not leave and when they will be tried).
 *
 * Progress: every acknowledgement of the platform is an event; the bytes are stored at
 * most once a second. A stop (the signal) leaves the row uploading: the next run resumes
 * it from the chunks the platform holds, and so does a restart after the process died.
 */
import { NiemError } from '../api/errors.ts';
import {
  beginUpload,
  dueOutboxRows,
  outboxTransport,
  recordFailure,
  recordReceipt,
  recordRetry,
  recordUploadProgress,
  type DueOutbox,
  type Vault,
} from '../vault/index.ts';
import type { PackageSource, VerifiedReceipt } from './platform-api.ts';
import { backoffDelay, transferSignal } from './sync-backoff.ts';
import { emitOutbox, emitSafely, type SyncContext } from './sync-context.ts';
import { classifyFailure, type ClassifiedFailure } from './sync-errors.ts';
import type { SyncReport } from './sync-events.ts';

function packageSource(vault: Vault, row: DueOutbox): PackageSource {
  return {
    sha256: row.packageSha256,
    size: row.size,
    level: row.level,
    recipients: [...row.recipients],
    read: (offset) => vault.readBlob(row.blobId, offset),
  };
}

/** The receipt must name this package, its size, level, recipients and our agency. */
export function checkReceipt(receipt: VerifiedReceipt, row: DueOutbox, organId: string): void {
  const s = receipt.statement;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
  const problems = [
    s.sha256 !== row.packageSha256 && 'another package hash',
    s.size !== row.size && `size ${s.size}, not ${row.size}`,
    s.level !== row.level && `level ${s.level}, not ${row.level}`,
    !same(s.recipients, row.recipients) && 'other recipients',
    s.sender !== organId && `sender ${s.sender}, not ${organId}`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) {
    throw new NiemError(
      'platform-bad-reply',
      `the receipt for outbox package ${row.id} does not match it: ${problems.join('; ')}`,
    );
  }
}

/** Records `failure` on row `id` (failed-retrying at the next backoff time, or failed). */
export function applyFailure(
  context: SyncContext,
  report: SyncReport,
  id: number,
  failure: ClassifiedFailure,
  countAttempt: boolean,
): void {
  const { vault } = context;
  const row = outboxTransport(vault, id);
  if (row.state === 'sent' || row.state === 'delivered') return; // a receipt is never undone
  if (failure.outcome === 'fail' && failure.action !== undefined) {
    recordFailure(vault, id, failure.error, failure.action, { countAttempt });
  } else {
    const attempt = row.attempts + (countAttempt ? 1 : 0);
    const delay = backoffDelay(attempt, context.random, context.backoff);
    const next = new Date(context.clock().getTime() + delay).toISOString();
    recordRetry(vault, id, failure.error, next, { countAttempt });
  }
  const event = emitOutbox(context, id);
  if (event.error !== null && (event.state === 'failed' || event.state === 'failed-retrying')) {
    report.failures.push({
      id,
      packageSha256: row.packageSha256,
      state: event.state,
      error: event.error,
      action: event.action,
      nextAttemptAt: event.nextAttemptAt,
    });
  }
}

type Outcome = { kind: 'sent' | 'aborted' } | { kind: 'failed'; failure: ClassifiedFailure };

async function pushRow(
  context: SyncContext,
  report: SyncReport,
  due: DueOutbox,
  signal: AbortSignal,
): Promise<Outcome> {
  const { vault, platform } = context;
  const row = beginUpload(vault, due.id);
  emitOutbox(context, row.id);
  const limits = transferSignal(row.size, signal, context.limits);
  let lastStored = 0;
  let latest: [number, number] | undefined;
  const store = (): void => {
    if (latest === undefined) return;
    try {
      recordUploadProgress(vault, row.id, ...latest);
    } catch {
      // progress is advisory; the state change that follows is what counts
    }
  };
  const progress = (done: number, total: number): void => {
    limits.progress();
    latest = [done, total];
    const now = Date.now();
    if (now - lastStored >= 1000 || done >= total) {
      lastStored = now;
      store();
    }
    emitSafely(context, {
      type: 'outbox',
      id: row.id,
      state: 'uploading',
      bytesDone: Math.min(Math.max(done, 0), total),
      bytesTotal: total,
      nextAttemptAt: null,
      error: null,
      action: null,
    });
  };
  let receipt: VerifiedReceipt;
  try {
    receipt = await platform.upload(packageSource(vault, row), progress, limits.signal);
    checkReceipt(receipt, row, context.organId);
  } catch (err) {
    store(); // what the platform holds, for the clerk and the resume
    if (signal.aborted) return { kind: 'aborted' }; // stays uploading: resumed next time
    const timedOut = limits.timedOut();
    const cause =
      timedOut === undefined
        ? err
        : new NiemError('platform-unreachable', `upload cut: ${timedOut}`, { cause: err });
    const failure = classifyFailure(cause);
    applyFailure(context, report, row.id, failure, false);
    return { kind: 'failed', failure };
  } finally {
    limits.dispose();
  }
  const state = recordReceipt(vault, row.id, receipt.der, receipt.statement.receivedAt);
  report.sent += 1;
  if (state === 'delivered') report.delivered += 1;
  emitOutbox(context, row.id);
  return { kind: 'sent' };
}

/**
 * Uploads every due row (or the rows `pick` names); returns the failure that stopped the
 * push, if one did. Rows sealed while it runs are picked up too.
 */
export async function pushOutbox(
  context: SyncContext,
  report: SyncReport,
  signal: AbortSignal,
  pick: () => DueOutbox[] = () => dueOutboxRows(context.vault, context.clock()),
): Promise<ClassifiedFailure | undefined> {
  const tried = new Set<number>();
  for (;;) {
    if (signal.aborted) {
      report.aborted = true;
      return undefined;
    }
    const due = pick().find((r) => !tried.has(r.id));
    if (due === undefined) return undefined;
    tried.add(due.id);
    // A vault that refuses to record (locked, disk full) throws: the run ends there.
    const outcome = await pushRow(context, report, due, signal);
    if (outcome.kind === 'aborted') {
      report.aborted = true;
      return undefined;
    }
    if (outcome.kind === 'failed' && outcome.failure.stopsRun) {
      applyToWaiting(context, report, outcome.failure, tried);
      return outcome.failure;
    }
  }
}

/**
 * A failure of the platform or the session that stopped the run: every due row not tried
 * gets it as if its own attempt had failed so (counted as an attempt).
 */
export function applyToWaiting(
  context: SyncContext,
  report: SyncReport,
  failure: ClassifiedFailure,
  tried: ReadonlySet<number> = new Set(),
): void {
  for (const row of dueOutboxRows(context.vault, context.clock())) {
    if (tried.has(row.id)) continue;
    applyFailure(context, report, row.id, failure, true);
  }
}
