/**
 * The sync engine: moves sealed packages from the outbox to the platform and brings back
 * what the mailbox holds, over a PlatformApi (./platform-api.ts), one run at a time.
 *
 * A run (`runOnce`):
 * 1. with `retryFailed` (the clerk asked), the failed packages go back in line and those
 *    waiting for their next attempt are tried now;
 * 2. sign in (`platform.authenticate`);
 * 3. refresh the cached directory (./sync-directory.ts);
 * 4. push: every due outbox row in order (./sync-push.ts);
 * 5. pull: the mailbox, notices checked and recorded, packages handed to the inbox
 *    receiver, acknowledged up to what was handled (./sync-pull.ts);
 * 6. packages a notice says arrived but whose receipt we lack (the answer to the upload
 *    was lost) are asked again: the platform answers with the stored receipt, so a
 *    delivered package never stays shown as failed;
 * 7. the notices we signed for what we received (queued by the arrival path and by the
 *    clerk's status changes) are posted.
 * A failure of the platform or the session at sign-in or during the push stops the run;
 * the due packages it kept from leaving record it (failed-retrying with their next
 * attempt, or failed with the clerk's action), so the outbox always says why and when.
 *
 * In the background (`start`/`stop`): a run, then a wait until the earliest of the
 * interval (default 1 minute; after failed runs the backoff instead), the next attempt a
 * package has scheduled, or `wake()` (a package sealed, the clerk asked). A run-level
 * failure only an administrator can fix (an untrusted platform, a refused sign-in)
 * waits for `wake()`. `stop()` aborts the transfer in flight (it resumes next time) and
 * waits for the run to end.
 */
import { toWireError, type WireError } from '../api/errors.ts';
import {
  dueOutboxRows,
  nextScheduledAttempt,
  outboxTransport,
  recordSyncRun,
  requeueFailed,
  trustAnchorCertificates,
  type DueOutbox,
  type Vault,
} from '../vault/index.ts';
import { sendPendingNotices, type NoticesSent } from './notices-out.ts';
import type { PlatformApi } from './platform-api.ts';
import {
  backoffDelay,
  defaultBackoff,
  defaultTransferLimits,
  type BackoffPolicy,
  type TransferLimits,
} from './sync-backoff.ts';
import {
  emitOutbox,
  emitSafely,
  newReport,
  type ReceivePackage,
  type SyncContext,
} from './sync-context.ts';
import { refreshDirectory } from './sync-directory.ts';
import { classifyFailure, type ClassifiedFailure } from './sync-errors.ts';
import type { SyncEvent, SyncReport, SyncStep } from './sync-events.ts';
import { pullMailbox } from './sync-pull.ts';
import { applyToWaiting, pushOutbox } from './sync-push.ts';

export type { ReceivePackage, PackageEntry } from './sync-context.ts';
export type * from './sync-events.ts';
export { reportSucceeded } from './sync-events.ts';

/** What the engine works with; all but vault, platform and organId have defaults. */
export interface SyncEngineOptions {
  vault: Vault;
  platform: PlatformApi;
  /** Our agency's OrganId: the signed-in token's organizationIdentifier. */
  organId: string;
  /** The inbox arrival path; without it packages stay in the mailbox (notices still come). */
  receivePackage?: ReceivePackage;
  /**
   * Posts the notices we signed for packages we received (01, 02, 03 …), last step of a
   * run; default native/sync/notices-out.ts `sendPendingNotices`; false: none.
   */
  sendNotices?: ((platform: PlatformApi, signal: AbortSignal) => Promise<NoticesSent>) | false;
  /** Trust anchors (DER) for notices and the directory; default the vault's (`trust_anchors`). */
  trustAnchors?: () => Uint8Array[];
  /** Events for the UI (progress, states, notices, runs). */
  onEvent?: (event: SyncEvent) => void;
  /** The clock: next attempt times, due rows, statement checks. Default the system's. */
  clock?: () => Date;
  /** Uniform in [0, 1): the backoff's jitter. Default Math.random. */
  random?: () => number;
  backoff?: Partial<BackoffPolicy>;
  limits?: Partial<TransferLimits>;
  /** Background: milliseconds between runs when all is well. Default 60,000. */
  intervalMs?: number;
  /** Whether runs refresh the cached directory. Default true. */
  refreshDirectory?: boolean;
  /** Mailbox entries per page (1–500). Default 100. */
  mailboxPage?: number;
}

/** Options of one run. */
export interface RunOptions {
  /**
   * The clerk asked: failed packages go back in line first, and packages waiting for
   * their next attempt are tried now.
   */
  retryFailed?: boolean;
}

/** A sync engine for one open vault and one platform (see the module comment). */
export interface SyncEngine {
  /** One run now (after the one under way, if any). Never rejects for a platform failure. */
  runOnce(signal?: AbortSignal, options?: RunOptions): Promise<SyncReport>;
  /** Runs in the background until stop(). */
  start(): void;
  /** The background loop runs at once (a package sealed, the clerk asked). */
  wake(): void;
  /** Stops the background loop and the run under way (its upload resumes next time). */
  stop(): Promise<void>;
  /** True while a run is under way. */
  readonly running: boolean;
  /** The report of the last run that ended. */
  readonly lastReport: SyncReport | undefined;
}

const RUN_LEVEL_FOR_ADMIN = new Set(['platform-untrusted']);

/** Whether a run that failed so must wait for wake() rather than retry by itself. */
function waitsForClerk(error: WireError | null): boolean {
  if (error === null) return false;
  return RUN_LEVEL_FOR_ADMIN.has(error.kind) || error.detail?.code === 'auth-refused';
}

const wire = (failure: ClassifiedFailure): WireError => {
  const { kind, message, code, organId } = failure.error;
  const detail = {
    ...(code === undefined ? {} : { code }),
    ...(organId === undefined ? {} : { organId }),
  };
  return { kind, message, ...(Object.keys(detail).length > 0 ? { detail } : {}) };
};

/** Builds the engine; nothing runs before runOnce() or start(). */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { vault } = options;
  const clock = options.clock ?? (() => new Date());
  const listener = options.onEvent ?? (() => undefined);
  const context: SyncContext = {
    vault,
    platform: options.platform,
    organId: options.organId,
    trustAnchors: options.trustAnchors ?? (() => trustAnchorCertificates(vault)),
    receivePackage: options.receivePackage,
    clock,
    random: options.random ?? Math.random,
    backoff: { ...defaultBackoff, ...options.backoff },
    limits: { ...defaultTransferLimits, ...options.limits },
    refreshDirectory: options.refreshDirectory ?? true,
    mailboxPage: Math.min(Math.max(options.mailboxPage ?? 100, 1), 500),
    emit: listener,
  };
  const intervalMs = options.intervalMs ?? 60_000;
  const sendNotices =
    options.sendNotices ??
    ((platform: PlatformApi, signal: AbortSignal) => sendPendingNotices(vault, platform, signal));

  const phase = (p: 'start' | 'running' | 'end', step: SyncStep | null, error: WireError | null) =>
    emitSafely(context, { type: 'sync', phase: p, step, at: clock().toISOString(), error });

  /** A failure that kept every due package from leaving (sign-in, the platform gone). */
  const stopAll = (report: SyncReport, err: unknown): void => {
    const failure = classifyFailure(err);
    applyToWaiting(context, report, failure);
    report.error = wire(failure);
  };

  /** Rows a notice says arrived without our holding the receipt: asked again now. */
  const fetchReceipts = async (report: SyncReport, ids: Set<number>, signal: AbortSignal) => {
    const failed = [...ids].filter((id) => outboxTransport(vault, id).state === 'failed');
    for (const id of requeueFailed(vault, failed)) emitOutbox(context, id);
    const pick = (): DueOutbox[] =>
      [...ids]
        .map((id) => outboxTransport(vault, id))
        .filter((r) => ['queued', 'uploading', 'failed-retrying'].includes(r.state));
    const stop = await pushOutbox(context, report, signal, pick);
    if (stop !== undefined) report.error = wire(stop);
  };

  const execute = async (signal: AbortSignal, runOptions: RunOptions): Promise<SyncReport> => {
    const report = newReport(clock());
    phase('start', null, null);
    try {
      if (runOptions.retryFailed === true) {
        const ids = requeueFailed(vault);
        report.requeued = ids.length;
        for (const id of ids) emitOutbox(context, id);
      }
      phase('running', 'auth', null);
      try {
        await options.platform.authenticate();
      } catch (err) {
        if (signal.aborted) report.aborted = true;
        else stopAll(report, err);
        return report;
      }
      if (context.refreshDirectory && !signal.aborted) {
        phase('running', 'directory', null);
        try {
          report.directoryUpdated = await refreshDirectory(context);
        } catch (err) {
          if (classifyFailure(err).stopsRun) {
            stopAll(report, err);
            return report;
          }
          report.error = toWireError(err); // a bad directory: the rest goes on
        }
      }
      phase('running', 'push', null);
      const retryingNow = runOptions.retryFailed === true;
      const stopped = await pushOutbox(context, report, signal, () =>
        dueOutboxRows(vault, clock(), { retryingNow }),
      );
      if (stopped !== undefined) {
        report.error = wire(stopped);
        return report;
      }
      if (signal.aborted) {
        report.aborted = true;
        return report;
      }
      phase('running', 'pull', null);
      try {
        const pulled = await pullMailbox(context, report, signal);
        if (pulled.arrivedWithoutReceipt.size > 0 && !signal.aborted) {
          await fetchReceipts(report, pulled.arrivedWithoutReceipt, signal);
        }
      } catch (err) {
        if (signal.aborted) report.aborted = true;
        else report.error = toWireError(err);
      }
      if (sendNotices !== false && !signal.aborted) {
        phase('running', 'notices', null);
        try {
          report.noticesSent = (await sendNotices(options.platform, signal)).sent;
        } catch (err) {
          if (signal.aborted) report.aborted = true;
          else report.error ??= toWireError(err);
        }
      }
      return report;
    } catch (err) {
      // The vault refused (locked, disk full) or something unexpected: the run ends here.
      report.error = toWireError(err);
      return report;
    } finally {
      report.waitingForClerk = vault.isOpen
        ? (vault.database
            .prepare(`SELECT count(*) FROM outbox WHERE transport_state = 'failed'`)
            .pluck()
            .get() as number)
        : 0;
      report.endedAt = clock().toISOString();
      try {
        if (vault.isOpen) recordSyncRun(vault, report.endedAt, report.error);
      } catch {
        // bookkeeping only
      }
      lastReport = report;
      phase('end', null, report.error);
    }
  };

  let chain: Promise<unknown> = Promise.resolve();
  let active = 0;
  let lastReport: SyncReport | undefined;
  let loop: Promise<void> | undefined;
  /** Aborted by stop(): every run under way or waiting, and the background loop. */
  let stopper = new AbortController();
  let woken = false;
  let wakeUp: (() => void) | undefined;
  let failedRuns = 0;

  const runOnce = (signal?: AbortSignal, runOptions: RunOptions = {}): Promise<SyncReport> => {
    const stopped = stopper.signal; // a stop() after this call aborts this run too
    const next = chain.then(async () => {
      active += 1;
      const signals = signal === undefined ? [stopped] : [signal, stopped];
      try {
        return await execute(AbortSignal.any(signals), runOptions);
      } finally {
        active -= 1;
      }
    });
    chain = next.catch(() => undefined);
    return next;
  };

  const delayAfter = (report: SyncReport): number => {
    if (report.error === null) failedRuns = 0;
    else failedRuns += 1;
    if (waitsForClerk(report.error)) return Number.POSITIVE_INFINITY;
    let delay =
      failedRuns === 0
        ? intervalMs
        : Math.max(1_000, backoffDelay(failedRuns, context.random, context.backoff));
    const scheduled = vault.isOpen ? nextScheduledAttempt(vault) : undefined;
    if (scheduled !== undefined) {
      delay = Math.min(delay, Math.max(250, Date.parse(scheduled) - clock().getTime()));
    }
    return delay;
  };

  const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (woken || signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wakeUp = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      timer?.unref();
      signal.addEventListener('abort', done, { once: true });
      wakeUp = done;
    });

  const background = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted && vault.isOpen) {
      woken = false;
      const report = await runOnce();
      if (signal.aborted || !vault.isOpen) break;
      await sleep(delayAfter(report), signal);
    }
  };

  return {
    runOnce,
    start() {
      if (loop !== undefined) return;
      if (stopper.signal.aborted) stopper = new AbortController();
      const signal = stopper.signal;
      loop = background(signal).finally(() => {
        loop = undefined;
      });
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopper.abort(new Error('the sync engine stopped'));
      wakeUp?.();
      await loop;
      await chain;
      stopper = new AbortController(); // runOnce works again afterwards
    },
    get running() {
      return active > 0;
    },
    get lastReport() {
      return lastReport;
    },
  };
}
