/**
 * The outbox row as the transport record (schema 4): the state machine the sync engine
 * drives, one transaction and one audit entry per state change.
 *
 *   queued ──▶ uploading ──▶ sent ──▶ delivered
 *     ▲            │  ▲
 *     │            ▼  │
 *   failed ◀── failed-retrying
 *
 * - `uploading` carries the bytes the platform acknowledged (progress is not a state
 *   change: recorded without an audit entry).
 * - `sent` holds the platform's receipt (DER, verified by the caller) and its time;
 *   `delivered` once every recipient's notice is held (./outbox-notices.ts). A package
 *   with a receipt is never moved anywhere else: `moveAllowed` refuses it here, and the
 *   schema's triggers refuse it whatever the code does.
 * - `failed-retrying` carries the error and the next attempt time (the engine's backoff,
 *   persisted so a restart keeps the schedule); `failed` the error and what the clerk can
 *   do (`re-seal`, `tell-administrator`, `retry`); `requeueFailed` puts it back in line.
 */
import { NiemError, type ErrorKind } from '../api/errors.ts';
import type { LevelCode } from '../seal/levels.ts';
import type { FAILURE_ACTIONS, OUTBOX_STATES } from './migrations/0004-sync.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** Transport states of an outgoing package (docs/exchange.md). */
export type TransportState = (typeof OUTBOX_STATES)[number];

/** What the clerk can do about a failed package. */
export type FailureAction = (typeof FAILURE_ACTIONS)[number];

/** Why an attempt failed: a stable kind (translated for the clerk) and the platform's code. */
export interface TransportError {
  kind: ErrorKind;
  /** Technical detail (English) for logs and the detail view. */
  message: string;
  /** The platform's error code (`recipient-not-cleared` …), when it refused. */
  code?: string;
  /** The agency the refusal is about, when the platform named one. */
  organId?: string;
}

const HELD: readonly TransportState[] = ['sent', 'delivered'];

const NEXT: Record<TransportState, readonly TransportState[]> = {
  queued: ['uploading', 'sent', 'failed-retrying', 'failed'],
  uploading: ['uploading', 'sent', 'failed-retrying', 'failed'],
  'failed-retrying': ['uploading', 'sent', 'failed-retrying', 'failed'],
  failed: ['queued', 'sent', 'failed'],
  sent: ['sent', 'delivered'],
  delivered: ['delivered'],
};

/** Whether a row may go from `from` to `to`; never out of sent/delivered but forward. */
export function moveAllowed(from: TransportState, to: TransportState): boolean {
  return NEXT[from].includes(to);
}

/** True for the states that hold the platform's receipt. */
export const holdsReceipt = (state: TransportState): boolean => HELD.includes(state);

/** An outbox row the engine is about to send. */
export interface DueOutbox {
  id: number;
  state: TransportState;
  packageSha256: string;
  blobId: string;
  size: number;
  level: LevelCode;
  recipients: string[];
  attempts: number;
  bytesDone: number;
  nextAttemptAt: string | null;
}

interface DueRow {
  id: number;
  transport_state: TransportState;
  sha: string;
  package_blob: string;
  size: number;
  level: LevelCode;
  recipients: string;
  attempts: number;
  bytes_done: number;
  next_attempt_at: string | null;
}

const DUE_SQL = `
  SELECT o.id, o.transport_state, lower(hex(o.package_sha256)) AS sha, o.package_blob, b.size,
    o.level, o.attempts, o.bytes_done, o.next_attempt_at,
    (SELECT json_group_array(organ_id) FROM (SELECT organ_id FROM outbox_recipients
       WHERE outbox_id = o.id ORDER BY organ_id)) AS recipients
  FROM outbox o JOIN blobs b ON b.id = o.package_blob`;

const dueOutbox = (row: DueRow): DueOutbox => ({
  id: row.id,
  state: row.transport_state,
  packageSha256: row.sha,
  blobId: row.package_blob,
  size: row.size,
  level: row.level,
  recipients: JSON.parse(row.recipients) as string[],
  attempts: row.attempts,
  bytesDone: row.bytes_done,
  nextAttemptAt: row.next_attempt_at,
});

/**
 * The rows to send at `at`, oldest first: queued, uploading (interrupted: resumed),
 * failed-retrying whose next attempt is due (all of them with `retryingNow`: the clerk
 * asked). Failed rows wait for the clerk (`requeueFailed`).
 */
export function dueOutboxRows(
  vault: Vault,
  at: Date,
  options: { retryingNow?: boolean } = {},
): DueOutbox[] {
  const rows = vault.database
    .prepare(
      `${DUE_SQL} WHERE o.transport_state IN ('queued', 'uploading')
         OR (o.transport_state = 'failed-retrying' AND (? OR o.next_attempt_at <= ?))
       ORDER BY o.id`,
    )
    .all(options.retryingNow === true ? 1 : 0, at.toISOString()) as DueRow[];
  return rows.map(dueOutbox);
}

/** The earliest next attempt of a failed-retrying row, if any. */
export function nextScheduledAttempt(vault: Vault): string | undefined {
  const at = vault.database
    .prepare(`SELECT min(next_attempt_at) FROM outbox WHERE transport_state = 'failed-retrying'`)
    .pluck()
    .get() as string | null;
  return at ?? undefined;
}

/** The transport view of one row; `not-found` when there is none. */
export function outboxTransport(vault: Vault, id: number): DueOutbox {
  const row = vault.database.prepare(`${DUE_SQL} WHERE o.id = ?`).get(id) as DueRow | undefined;
  if (row === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
  return dueOutbox(row);
}

interface Current {
  state: TransportState;
  sha: string;
  level: LevelCode;
  attempts: number;
}

function current(db: SqliteDatabase, id: number): Current {
  const row = db
    .prepare(
      `SELECT transport_state AS state, lower(hex(package_sha256)) AS sha, level, attempts
       FROM outbox WHERE id = ?`,
    )
    .get(id) as Current | undefined;
  if (row === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
  return row;
}

function refuseMove(id: number, from: TransportState, to: TransportState): NiemError {
  return new NiemError(
    'internal',
    holdsReceipt(from)
      ? `outbox package ${id} holds a receipt: it stays ${from}, never ${to}`
      : `outbox package ${id} cannot go from ${from} to ${to}`,
  );
}

const CLEARED = `next_attempt_at = NULL, error_kind = NULL, error_code = NULL,
  error_organ_id = NULL, error_message = NULL, action = NULL`;

/**
 * queued / uploading / failed-retrying → uploading: one more attempt, the package's size
 * as the total. Returns the row as it now is.
 */
export function beginUpload(vault: Vault, id: number): DueOutbox {
  vault.transaction((db) => {
    const row = current(db, id);
    if (row.state === 'failed' || !moveAllowed(row.state, 'uploading')) {
      throw refuseMove(id, row.state, 'uploading');
    }
    db.prepare(
      `UPDATE outbox SET transport_state = 'uploading', attempts = attempts + 1, ${CLEARED},
         bytes_total = (SELECT size FROM blobs WHERE id = outbox.package_blob),
         bytes_done = min(bytes_done, (SELECT size FROM blobs WHERE id = outbox.package_blob)),
         updated_at = ? WHERE id = ?`,
    ).run(vault.timestamp(), id);
    recordAudit(vault, db, {
      action: 'outbox.upload',
      package: row.sha,
      level: row.level,
      detail: { outbox: id, attempt: row.attempts + 1, from: row.state },
    });
  });
  return outboxTransport(vault, id);
}

/**
 * Bytes of an uploading row the platform acknowledged (not a state change: no audit
 * entry). Ignored for a row that is not uploading any more.
 */
export function recordUploadProgress(vault: Vault, id: number, done: number, total: number): void {
  vault.transaction((db) => {
    db.prepare(
      `UPDATE outbox SET bytes_done = min(max(?, 0), ?), bytes_total = ?, updated_at = ?
       WHERE id = ? AND transport_state = 'uploading'`,
    ).run(Math.floor(done), Math.floor(total), Math.floor(total), vault.timestamp(), id);
  });
}

/**
 * sent → delivered when every recipient's notice is held (inside the caller's
 * transaction). Returns whether it moved.
 */
export function deliverIfComplete(vault: Vault, db: SqliteDatabase, id: number): boolean {
  const row = current(db, id);
  if (row.state !== 'sent') return false;
  const missing = db
    .prepare(
      `SELECT count(*) FROM outbox_recipients r WHERE r.outbox_id = ? AND NOT EXISTS (
         SELECT 1 FROM outbox_notices n WHERE n.outbox_id = r.outbox_id AND n.from_organ_id = r.organ_id)`,
    )
    .pluck()
    .get(id) as number;
  const recipients = db
    .prepare('SELECT count(*) FROM outbox_recipients WHERE outbox_id = ?')
    .pluck()
    .get(id) as number;
  if (missing > 0 || recipients === 0) return false;
  const now = vault.timestamp();
  db.prepare(
    `UPDATE outbox SET transport_state = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ?`,
  ).run(now, now, id);
  recordAudit(vault, db, {
    action: 'outbox.delivered',
    package: row.sha,
    level: row.level,
    detail: { outbox: id, recipients },
  });
  return true;
}

/**
 * Any state but delivered → sent, keeping the platform's receipt (DER, already verified
 * by the caller; null only for a package marked sent without one) and its time; then
 * delivered at once when every recipient's notice came first. A row already holding a
 * receipt keeps the one it has. Returns the state after.
 */
export function recordReceipt(
  vault: Vault,
  id: number,
  receipt: Uint8Array | null,
  receiptAt: string,
): TransportState {
  return vault.transaction((db) => {
    const row = current(db, id);
    if (holdsReceipt(row.state)) return row.state;
    db.prepare(
      `UPDATE outbox SET transport_state = 'sent', receipt = ?, receipt_at = ?, ${CLEARED},
         bytes_done = coalesce(bytes_total, (SELECT size FROM blobs WHERE id = outbox.package_blob)),
         updated_at = ? WHERE id = ?`,
    ).run(receipt === null ? null : Buffer.from(receipt), receiptAt, vault.timestamp(), id);
    recordAudit(vault, db, {
      action: 'outbox.sent',
      package: row.sha,
      level: row.level,
      detail: { outbox: id, receiptAt, receipt: receipt !== null },
    });
    return deliverIfComplete(vault, db, id) ? 'delivered' : 'sent';
  });
}

function errorColumns(error: TransportError): unknown[] {
  return [error.kind, error.code ?? null, error.organId ?? null, error.message.slice(0, 2000)];
}

function errorDetail(error: TransportError): Record<string, unknown> {
  return {
    error: error.kind,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.organId === undefined ? {} : { organId: error.organId }),
  };
}

/**
 * queued / uploading / failed-retrying → failed-retrying: the error and the next attempt
 * (ISO 8601 UTC). `attempt` counts a run that could not even start this row (the
 * platform unreachable at sign-in) as an attempt too.
 */
export function recordRetry(
  vault: Vault,
  id: number,
  error: TransportError,
  nextAttemptAt: string,
  options: { countAttempt?: boolean } = {},
): void {
  vault.transaction((db) => {
    const row = current(db, id);
    if (row.state === 'failed' || !moveAllowed(row.state, 'failed-retrying')) {
      throw refuseMove(id, row.state, 'failed-retrying');
    }
    const add = options.countAttempt === true ? 1 : 0;
    db.prepare(
      `UPDATE outbox SET transport_state = 'failed-retrying', next_attempt_at = ?,
         error_kind = ?, error_code = ?, error_organ_id = ?, error_message = ?, action = NULL,
         attempts = attempts + ?, updated_at = ? WHERE id = ?`,
    ).run(nextAttemptAt, ...errorColumns(error), add, vault.timestamp(), id);
    recordAudit(vault, db, {
      action: 'outbox.retrying',
      package: row.sha,
      level: row.level,
      detail: { outbox: id, attempt: row.attempts + add, nextAttemptAt, ...errorDetail(error) },
    });
  });
}

/** Any state without a receipt → failed, with the error and what the clerk can do. */
export function recordFailure(
  vault: Vault,
  id: number,
  error: TransportError,
  action: FailureAction,
  options: { countAttempt?: boolean } = {},
): void {
  vault.transaction((db) => {
    const row = current(db, id);
    if (!moveAllowed(row.state, 'failed')) throw refuseMove(id, row.state, 'failed');
    const add = options.countAttempt === true ? 1 : 0;
    db.prepare(
      `UPDATE outbox SET transport_state = 'failed', next_attempt_at = NULL,
         error_kind = ?, error_code = ?, error_organ_id = ?, error_message = ?, action = ?,
         attempts = attempts + ?, updated_at = ? WHERE id = ?`,
    ).run(...errorColumns(error), action, add, vault.timestamp(), id);
    recordAudit(vault, db, {
      action: 'outbox.failed',
      package: row.sha,
      level: row.level,
      detail: { outbox: id, attempt: row.attempts + add, action, ...errorDetail(error) },
    });
  });
}

/**
 * failed → queued, for the clerk's "try again" (all failed rows, or those of `ids`).
 * Returns the ids requeued.
 */
export function requeueFailed(vault: Vault, ids?: readonly number[]): number[] {
  return vault.transaction((db) => {
    const failed = db
      .prepare(
        `SELECT id, lower(hex(package_sha256)) AS sha, level FROM outbox
         WHERE transport_state = 'failed' ORDER BY id`,
      )
      .all() as { id: number; sha: string; level: LevelCode }[];
    const picked = ids === undefined ? failed : failed.filter((r) => ids.includes(r.id));
    const update = db.prepare(
      `UPDATE outbox SET transport_state = 'queued', ${CLEARED}, updated_at = ? WHERE id = ?`,
    );
    for (const row of picked) {
      update.run(vault.timestamp(), row.id);
      recordAudit(vault, db, {
        action: 'outbox.requeue',
        package: row.sha,
        level: row.level,
        detail: { outbox: row.id },
      });
    }
    return picked.map((r) => r.id);
  });
}
