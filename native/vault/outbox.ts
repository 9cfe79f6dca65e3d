/**
 * The outbox: sealed packages going out, each row the transport record of its package
 * through every state (./outbox-transport.ts: queued, uploading, sent, delivered,
 * failed-retrying, failed), with its recipients, outgoing register number, the
 * platform's receipt and the notices its recipients sent back (./outbox-notices.ts).
 * Drafts enter it through ./seal-draft.ts. The sent list is the view of the rows holding
 * a receipt (schema 4 merged schema 1's `sent` table into the outbox). Every change is one
 * transaction with its audit entry. A Tuyệt mật subject is never listed here (the
 * sender's copy stays hidden).
 */
import { NiemError, type ErrorKind, type WireError } from '../api/errors.ts';
import { isUrgencyCode, type LevelCode, type UrgencyCode } from '../seal/levels.ts';
import type { BusinessStatus } from './inbox.ts';
import { recordReceipt, type FailureAction, type TransportState } from './outbox-transport.ts';
import type { RegisterNumber } from './registers.ts';
import { recordAudit } from './vault-audit.ts';
import { pageBounds, type PageRequest } from './paging.ts';
import type { Vault } from './vault.ts';

export type { FailureAction, TransportState } from './outbox-transport.ts';

/** A notice as the outbox list carries it (./outbox-notices.ts has the whole of it). */
export interface OutboxNoticeRef {
  status: BusinessStatus;
  /** The recipient agency that sent it. */
  from: string;
  /** When the recipient signed it (ISO 8601 UTC). */
  at: string;
}

/** An outbox row as lists show it. `subject` is null while hidden (Tuyệt mật). */
export interface OutboxSummary {
  id: number;
  subject: string | null;
  level: LevelCode;
  /** The draft's urgency when it was sealed (`thuong`: none). */
  urgency: UrgencyCode;
  recipients: string[];
  transportState: TransportState;
  /** Bytes the platform acknowledged (uploading); `size` once sent. */
  bytesDone: number;
  /** Bytes of the sealed package. */
  size: number;
  /** Sending attempts so far. */
  attempts: number;
  /** With failed-retrying: when the next attempt is due (ISO 8601 UTC). */
  nextAttemptAt: string | null;
  /** With failed and failed-retrying: why (a kind the UI translates, the platform's code). */
  error: WireError | null;
  /** With failed: what the clerk can do. */
  action: FailureAction | null;
  /** The error's technical message (same as `error.message`); null without an error. */
  lastError: string | null;
  /** True when the platform's receipt is held (sent, delivered). */
  receipt: boolean;
  /** When the platform took the whole package (the receipt's time), else null. */
  receiptAt: string | null;
  /** When every recipient's notice was held, else null. */
  deliveredAt: string | null;
  /** The notices received, in the order they were signed. */
  notices: OutboxNoticeRef[];
  packageSha256: string;
  register: RegisterNumber | null;
  createdAt: string;
  updatedAt: string;
}

/** A sent package as lists show it (an outbox row holding a receipt). */
export interface SentSummary {
  /** The outbox row's id. */
  id: number;
  subject: string | null;
  level: LevelCode;
  recipients: string[];
  packageSha256: string;
  state: 'sent' | 'delivered';
  sentAt: string;
}

interface OutboxRow {
  id: number;
  subject: string;
  subject_listed: number;
  level: LevelCode;
  urgency: string | null;
  recipients: string;
  transport_state: TransportState;
  bytes_done: number;
  attempts: number;
  next_attempt_at: string | null;
  error_kind: string | null;
  error_code: string | null;
  error_organ_id: string | null;
  error_message: string | null;
  action: FailureAction | null;
  has_receipt: number;
  receipt_at: string | null;
  delivered_at: string | null;
  notices: string;
  sha: string;
  size: number;
  year: number | null;
  number: number | null;
  created_at: string;
  updated_at: string;
}

const OUTBOX_SQL = `
  SELECT o.id, o.subject, o.subject_listed, o.level, json_extract(o.metadata, '$.urgency') AS urgency,
    o.transport_state, o.bytes_done, o.attempts, o.next_attempt_at, o.error_kind, o.error_code,
    o.error_organ_id, o.error_message, o.action, o.receipt IS NOT NULL AS has_receipt,
    o.receipt_at, o.delivered_at, lower(hex(o.package_sha256)) AS sha, b.size, o.created_at,
    o.updated_at, r.year, r.number,
    (SELECT json_group_array(organ_id) FROM outbox_recipients WHERE outbox_id = o.id) AS recipients,
    (SELECT json_group_array(json_object('status', status, 'from', from_organ_id, 'at', at))
       FROM (SELECT status, from_organ_id, at FROM outbox_notices WHERE outbox_id = o.id
             ORDER BY at, id)) AS notices
  FROM outbox o JOIN blobs b ON b.id = o.package_blob
  LEFT JOIN outgoing_register r ON r.package_sha256 = o.package_sha256`;

function errorOf(row: OutboxRow): WireError | null {
  if (row.error_kind === null) return null;
  const detail = {
    ...(row.error_code === null ? {} : { code: row.error_code }),
    ...(row.error_organ_id === null ? {} : { organId: row.error_organ_id }),
  };
  return {
    kind: row.error_kind as ErrorKind,
    message: row.error_message ?? '',
    ...(Object.keys(detail).length === 0 ? {} : { detail }),
  };
}

function outboxSummary(row: OutboxRow): OutboxSummary {
  const held = row.transport_state === 'sent' || row.transport_state === 'delivered';
  return {
    id: row.id,
    subject: row.subject_listed === 1 ? row.subject : null,
    level: row.level,
    urgency: isUrgencyCode(row.urgency) ? row.urgency : 'thuong',
    recipients: JSON.parse(row.recipients) as string[],
    transportState: row.transport_state,
    bytesDone: held ? row.size : Math.min(row.bytes_done, row.size),
    size: row.size,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    error: errorOf(row),
    action: row.action,
    lastError: row.error_kind === null ? null : row.error_message,
    receipt: row.has_receipt === 1,
    receiptAt: row.receipt_at,
    deliveredAt: row.delivered_at,
    notices: JSON.parse(row.notices) as OutboxNoticeRef[],
    packageSha256: row.sha,
    register:
      row.year === null || row.number === null ? null : { year: row.year, number: row.number },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A page of the outbox, newest first. */
export function listOutbox(vault: Vault, page: PageRequest = {}): OutboxSummary[] {
  const rows = vault.database
    .prepare(`${OUTBOX_SQL} ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?`)
    .all(...pageBounds(page)) as OutboxRow[];
  return rows.map(outboxSummary);
}

/** One outbox row; `not-found` when there is none. */
export function getOutbox(vault: Vault, id: number): OutboxSummary {
  const row = vault.database.prepare(`${OUTBOX_SQL} WHERE o.id = ?`).get(id) as
    OutboxRow | undefined;
  if (row === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
  return outboxSummary(row);
}

/**
 * The sealed package of outbox row `id`, streamed (authenticated) from its blob, for
 * export or sending; the export is recorded in the audit trail first.
 */
export function exportOutboxPackage(vault: Vault, id: number): AsyncGenerator<Buffer> {
  const row = vault.transaction((db) => {
    const found = db
      .prepare(
        'SELECT package_blob, lower(hex(package_sha256)) AS sha, level FROM outbox WHERE id = ?',
      )
      .get(id) as { package_blob: string; sha: string; level: LevelCode } | undefined;
    if (found === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
    recordAudit(vault, db, {
      action: 'outbox.export',
      package: found.sha,
      level: found.level,
      detail: { outbox: id },
    });
    return found;
  });
  return vault.readBlob(row.package_blob);
}

/**
 * Marks outbox row `id` sent with the platform's receipt (DER, verified by the caller;
 * absent only for a package known sent without one) at `at` (default now): the row stays
 * in the outbox in state sent (./outbox-transport.ts recordReceipt). Returns its id.
 */
export function markSent(vault: Vault, id: number, receipt?: Uint8Array, at?: string): number {
  recordReceipt(vault, id, receipt ?? null, at ?? vault.timestamp());
  return id;
}

/** A page of the sent list (outbox rows holding a receipt), newest first. */
export function listSent(vault: Vault, page: PageRequest = {}): SentSummary[] {
  const rows = vault.database
    .prepare(
      `SELECT id, subject, subject_listed, level, recipients, lower(hex(package_sha256)) AS sha,
         sent_at, transport_state FROM sent ORDER BY sent_at DESC, id DESC LIMIT ? OFFSET ?`,
    )
    .all(...pageBounds(page)) as {
    id: number;
    subject: string;
    subject_listed: number;
    level: LevelCode;
    recipients: string;
    sha: string;
    sent_at: string;
    transport_state: 'sent' | 'delivered';
  }[];
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject_listed === 1 ? r.subject : null,
    level: r.level,
    recipients: JSON.parse(r.recipients) as string[],
    packageSha256: r.sha,
    state: r.transport_state,
    sentAt: r.sent_at,
  }));
}
