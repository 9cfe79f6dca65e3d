/**
 * The business notices we send back about packages that came from the platform (schema
 * 5, `inbox_notices`): one per status history entry of such a package (01 arrived, 02
 * refused with its reason, 03 registered with its number, 04–06 …), signed by the clerk's
 * token (native/sync/notices-out.ts signs) and kept with its DER, `queued` until the
 * platform took it (`sent`) or refused it for good (`refused`). The bytes are written once
 * and never change, so a notice interrupted by a crash is re-sent as it was signed.
 *
 * Packages imported from a file never came through the platform: their statuses are
 * recorded without a notice. The clerk's own status changes (refuse, 04/05/06) follow the
 * order of the business: 02 only before 04; 04, 05, 06 only after 03, never backwards.
 */
import { NiemError } from '../api/errors.ts';
import type { LevelCode } from '../seal/levels.ts';
import { inboxPackageRow, recordStatus, type BusinessStatus } from './inbox-rows.ts';
import type { RegisterNumber } from './registers.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** What a notice to sign states (the history entry it reports and where it goes). */
export interface NoticeSource {
  historyId: number;
  inboxId: number;
  sha256: string;
  status: BusinessStatus;
  at: string;
  /** The history entry's note: a 02's reason. */
  note: string | null;
  /** The package's level (the notice's signed label). */
  level: LevelCode;
  /** The sender agency the notice goes to. */
  to: string;
  /** With 03: the incoming register number. */
  register: RegisterNumber | null;
}

/** Where a notice stands. */
export type NoticeState = 'queued' | 'sent' | 'refused';

/** A notice as lists show it. */
export interface InboxNotice {
  id: number;
  inboxId: number;
  status: BusinessStatus;
  to: string;
  state: NoticeState;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  /** The last failure (kind, and the platform's code for a refusal). */
  errorKind: string | null;
  errorCode: string | null;
}

const SOURCE_SQL = `
  SELECT h.id AS historyId, h.inbox_id AS inboxId, lower(hex(i.package_sha256)) AS sha256,
    h.status, h.at, h.note, i.level, a.sender_claim AS "to",
    CASE WHEN h.status = '03' THEN r.year END AS year,
    CASE WHEN h.status = '03' THEN r.number END AS number
  FROM inbox_status_history h
  JOIN inbox i ON i.id = h.inbox_id
  JOIN inbox_arrivals a ON a.inbox_id = h.inbox_id AND a.state IN ('stored', 'done')
  LEFT JOIN incoming_register r ON r.inbox_id = h.inbox_id
  WHERE NOT EXISTS (SELECT 1 FROM inbox_notices n WHERE n.history_id = h.id)`;

/**
 * Status entries of packages from the platform that have no notice yet, oldest first
 * (of inbox item `inboxId` only, when given).
 */
export function unsignedNotices(vault: Vault, inboxId?: number): NoticeSource[] {
  const rows = vault.database
    .prepare(`${SOURCE_SQL} ${inboxId === undefined ? '' : 'AND h.inbox_id = ?'} ORDER BY h.id`)
    .all(...(inboxId === undefined ? [] : [inboxId])) as (Omit<NoticeSource, 'register'> & {
    year: number | null;
    number: number | null;
  })[];
  return rows.map(({ year, number, ...row }) => ({
    ...row,
    register: year === null || number === null ? null : { year, number },
  }));
}

function insertNotice(vault: Vault, db: SqliteDatabase, source: NoticeSource, der: Uint8Array) {
  const { changes } = db
    .prepare(
      `INSERT INTO inbox_notices (inbox_id, history_id, status, to_organ_id, der, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (history_id) DO NOTHING`,
    )
    .run(source.inboxId, source.historyId, source.status, source.to, der, vault.timestamp());
  if (changes === 0) return false;
  recordAudit(vault, db, {
    action: 'notice.queue',
    package: source.sha256,
    level: source.level,
    detail: { inbox: source.inboxId, status: source.status, to: source.to },
  });
  return true;
}

/** Keeps the signed notice of `source` (queued); false when it already has one (kept as it was). */
export function queueSignedNotice(vault: Vault, source: NoticeSource, der: Uint8Array): boolean {
  return vault.transaction((db) => insertNotice(vault, db, source, der));
}

/** The notices waiting to be sent, oldest first. */
export function queuedNotices(
  vault: Vault,
): { id: number; inboxId: number; status: BusinessStatus; der: Uint8Array }[] {
  const rows = vault.database
    .prepare(
      `SELECT id, inbox_id AS inboxId, status, der FROM inbox_notices WHERE state = 'queued' ORDER BY id`,
    )
    .all() as { id: number; inboxId: number; status: BusinessStatus; der: Buffer }[];
  return rows.map((r) => ({ ...r, der: new Uint8Array(r.der) }));
}

function noticeAudit(vault: Vault, db: SqliteDatabase, id: number, action: string): void {
  const row = db
    .prepare(
      `SELECT n.inbox_id AS inboxId, n.status, lower(hex(i.package_sha256)) AS sha, i.level
       FROM inbox_notices n JOIN inbox i ON i.id = n.inbox_id WHERE n.id = ?`,
    )
    .get(id) as { inboxId: number; status: string; sha: string; level: LevelCode } | undefined;
  if (row === undefined) throw new NiemError('not-found', `no notice ${id}`);
  recordAudit(vault, db, {
    action,
    package: row.sha,
    level: row.level,
    detail: { inbox: row.inboxId, status: row.status, notice: id },
  });
}

/** The platform took notice `id`. */
export function markNoticeSent(vault: Vault, id: number): void {
  vault.transaction((db) => {
    const { changes } = db
      .prepare(
        `UPDATE inbox_notices SET state = 'sent', sent_at = ?, attempts = attempts + 1,
           error_kind = NULL, error_code = NULL WHERE id = ? AND state = 'queued'`,
      )
      .run(vault.timestamp(), id);
    if (changes > 0) noticeAudit(vault, db, id, 'notice.sent');
  });
}

/** The platform refused notice `id` for good (`platform-refused`, its code): not sent again. */
export function markNoticeRefused(vault: Vault, id: number, kind: string, code?: string): void {
  vault.transaction((db) => {
    const { changes } = db
      .prepare(
        `UPDATE inbox_notices SET state = 'refused', attempts = attempts + 1, error_kind = ?,
           error_code = ? WHERE id = ? AND state = 'queued'`,
      )
      .run(kind.slice(0, 64), code?.slice(0, 64) ?? null, id);
    if (changes > 0) noticeAudit(vault, db, id, 'notice.refused');
  });
}

/** An attempt to send notice `id` failed for now (`kind`); it stays queued. */
export function markNoticeAttempt(vault: Vault, id: number, kind: string): void {
  vault.transaction((db) => {
    db.prepare(
      `UPDATE inbox_notices SET attempts = attempts + 1, error_kind = ?, error_code = NULL
       WHERE id = ? AND state = 'queued'`,
    ).run(kind.slice(0, 64), id);
  });
}

/** The notices of inbox item `inboxId`, oldest first. */
export function inboxNotices(vault: Vault, inboxId: number): InboxNotice[] {
  return vault.database
    .prepare(
      `SELECT id, inbox_id AS inboxId, status, to_organ_id AS "to", state, attempts,
         created_at AS createdAt, sent_at AS sentAt, error_kind AS errorKind, error_code AS errorCode
       FROM inbox_notices WHERE inbox_id = ? ORDER BY id`,
    )
    .all(inboxId) as InboxNotice[];
}

/** The signed bytes (DER) of notice `id`. */
export function noticeDer(vault: Vault, id: number): Uint8Array {
  const der = vault.database
    .prepare('SELECT der FROM inbox_notices WHERE id = ?')
    .pluck()
    .get(id) as Buffer | undefined;
  if (der === undefined) throw new NiemError('not-found', `no notice ${id}`);
  return new Uint8Array(der);
}

/** The statuses a clerk sets by hand. */
export type ClerkStatus = '02' | '04' | '05' | '06';
export const clerkStatuses: readonly ClerkStatus[] = ['02', '04', '05', '06'];

/** From which statuses each clerk status may follow. */
const allowedFrom: Record<ClerkStatus, readonly (BusinessStatus | null)[]> = {
  '02': ['01', '03'],
  '04': ['03'],
  '05': ['03', '04'],
  '06': ['03', '04', '05'],
};

/** Why a clerk's status change cannot be made, or undefined when it can. */
export type StatusChangeProblem = 'unknown-status' | 'reason-required' | 'not-allowed';

/** Checks a clerk's status change of inbox item `id` (`not-found` when there is none). */
export function statusChangeProblem(
  vault: Vault,
  id: number,
  status: string,
  note: string | undefined,
): StatusChangeProblem | undefined {
  const row = inboxPackageRow(vault.database, id);
  if (!(clerkStatuses as readonly string[]).includes(status)) return 'unknown-status';
  if (status === '02' && (note === undefined || note.trim() === '')) return 'reason-required';
  if (!allowedFrom[status as ClerkStatus].includes(row.status)) return 'not-allowed';
  return undefined;
}

/** Where notices about inbox item `id` go and at which level, or undefined (not from the platform). */
export function noticeTarget(
  vault: Vault,
  id: number,
): { to: string; level: LevelCode; sha256: string } | undefined {
  const row = vault.database
    .prepare(
      `SELECT a.sender_claim AS "to", i.level, lower(hex(i.package_sha256)) AS sha256
       FROM inbox i JOIN inbox_arrivals a ON a.inbox_id = i.id AND a.state IN ('stored', 'done')
       WHERE i.id = ?`,
    )
    .get(id) as { to: string; level: LevelCode; sha256: string } | undefined;
  return row;
}

/**
 * Records a clerk's status change of inbox item `id` at time `at` (checked again inside
 * the transaction) and, when `der` is given, its signed notice, in one transaction.
 */
export function recordClerkStatus(
  vault: Vault,
  id: number,
  change: { status: ClerkStatus; at: string; note?: string; to?: string; der?: Uint8Array },
): { historyId: number; notice: boolean } {
  return vault.transaction((db) => {
    const problem = statusChangeProblem(vault, id, change.status, change.note);
    if (problem !== undefined) {
      throw new NiemError('invalid-input', `status ${change.status} of inbox ${id}: ${problem}`);
    }
    const row = inboxPackageRow(db, id);
    const note = change.note?.trim() === '' ? undefined : change.note?.trim();
    const historyId = recordStatus(vault, db, row, change.status, change.at, note);
    if (change.der === undefined || change.to === undefined) return { historyId, notice: false };
    insertNotice(
      vault,
      db,
      {
        historyId,
        inboxId: id,
        sha256: row.sha,
        status: change.status,
        at: change.at,
        note: note ?? null,
        level: row.level,
        to: change.to,
        register: null,
      },
      change.der,
    );
    return { historyId, notice: true };
  });
}
