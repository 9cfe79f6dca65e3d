/**
 * The outbox and the sent list: sealed packages (encrypted blobs) waiting to leave, with
 * their recipients, transport state (queued, sending, sent, failed, delivered) and
 * outgoing register number; moved to `sent` once the platform gave its receipt. Drafts
 * enter the outbox through ./seal-draft.ts. Every change is one transaction with its
 * audit entry. A Tuyệt mật subject is never listed here (the sender's copy stays hidden).
 */
import { NiemError } from '../api/errors.ts';
import { isUrgencyCode, type LevelCode, type UrgencyCode } from '../seal/levels.ts';
import type { RegisterNumber } from './registers.ts';
import { recordAudit } from './vault-audit.ts';
import { pageBounds, type PageRequest } from './paging.ts';
import type { Vault } from './vault.ts';

/** Transport states of an outgoing package (DOMAIN.md). */
export type TransportState = 'queued' | 'sending' | 'sent' | 'failed' | 'delivered';

/** An outbox row as lists show it. `subject` is null while hidden (Tuyệt mật). */
export interface OutboxSummary {
  id: number;
  subject: string | null;
  level: LevelCode;
  /** The draft's urgency when it was sealed (`thuong`: none). */
  urgency: UrgencyCode;
  recipients: string[];
  transportState: TransportState;
  attempts: number;
  lastError: string | null;
  packageSha256: string;
  /** Bytes of the sealed package. */
  size: number;
  register: RegisterNumber | null;
  createdAt: string;
}

/** A sent package as lists show it. */
export interface SentSummary {
  id: number;
  subject: string | null;
  level: LevelCode;
  recipients: string[];
  packageSha256: string;
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
  attempts: number;
  last_error: string | null;
  sha: string;
  size: number;
  year: number | null;
  number: number | null;
  created_at: string;
}

const OUTBOX_SQL = `
  SELECT o.id, o.subject, o.subject_listed, o.level, json_extract(o.metadata, '$.urgency') AS urgency,
    o.transport_state, o.attempts, o.last_error,
    lower(hex(o.package_sha256)) AS sha, b.size, o.created_at, r.year, r.number,
    (SELECT json_group_array(organ_id) FROM outbox_recipients WHERE outbox_id = o.id) AS recipients
  FROM outbox o JOIN blobs b ON b.id = o.package_blob
  LEFT JOIN outgoing_register r ON r.package_sha256 = o.package_sha256`;

function outboxSummary(row: OutboxRow): OutboxSummary {
  return {
    id: row.id,
    subject: row.subject_listed === 1 ? row.subject : null,
    level: row.level,
    urgency: isUrgencyCode(row.urgency) ? row.urgency : 'thuong',
    recipients: JSON.parse(row.recipients) as string[],
    transportState: row.transport_state,
    attempts: row.attempts,
    lastError: row.last_error,
    packageSha256: row.sha,
    size: row.size,
    register:
      row.year === null || row.number === null ? null : { year: row.year, number: row.number },
    createdAt: row.created_at,
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

/** Records a transport state of outbox row `id` (sending, failed with a reason, …). */
export function setTransportState(
  vault: Vault,
  id: number,
  state: Exclude<TransportState, 'sent' | 'delivered'>,
  error?: string,
): void {
  const now = vault.timestamp();
  vault.transaction((db) => {
    const row = db
      .prepare('SELECT lower(hex(package_sha256)) AS sha, level FROM outbox WHERE id = ?')
      .get(id) as { sha: string; level: LevelCode } | undefined;
    if (row === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
    db.prepare(
      `UPDATE outbox SET transport_state = ?, last_error = ?, updated_at = ?,
         attempts = attempts + (CASE WHEN ? = 'sending' THEN 1 ELSE 0 END) WHERE id = ?`,
    ).run(state, state === 'failed' ? (error ?? null) : null, now, state, id);
    recordAudit(vault, db, {
      action: `outbox.${state}`,
      package: row.sha,
      level: row.level,
      detail: { outbox: id, ...(state === 'failed' && error ? { error } : {}) },
    });
  });
}

/** Moves outbox row `id` to the sent list with the platform's receipt; returns the sent id. */
export function markSent(vault: Vault, id: number, receipt?: Uint8Array): number {
  const now = vault.timestamp();
  return vault.transaction((db) => {
    const row = db
      .prepare(
        `SELECT package_blob, package_sha256, lower(hex(package_sha256)) AS sha, level, subject,
           subject_listed, metadata,
           (SELECT json_group_array(organ_id) FROM outbox_recipients WHERE outbox_id = o.id) AS recipients
         FROM outbox o WHERE id = ?`,
      )
      .get(id) as
      | {
          package_blob: string;
          package_sha256: Buffer;
          sha: string;
          level: LevelCode;
          subject: string;
          subject_listed: number;
          metadata: string;
          recipients: string;
        }
      | undefined;
    if (row === undefined) throw new NiemError('not-found', `no outbox package ${id}`);
    db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO sent (package_blob, package_sha256, level, subject, subject_listed, metadata,
           recipients, receipt, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.package_blob,
        row.package_sha256,
        row.level,
        row.subject,
        row.subject_listed,
        row.metadata,
        row.recipients,
        receipt === undefined ? null : Buffer.from(receipt),
        now,
      );
    const sentId = Number(lastInsertRowid);
    recordAudit(vault, db, {
      action: 'outbox.sent',
      package: row.sha,
      level: row.level,
      detail: { outbox: id, sent: sentId },
    });
    return sentId;
  });
}

/** A page of the sent list, newest first. */
export function listSent(vault: Vault, page: PageRequest = {}): SentSummary[] {
  const rows = vault.database
    .prepare(
      `SELECT id, subject, subject_listed, level, recipients, lower(hex(package_sha256)) AS sha, sent_at
       FROM sent ORDER BY sent_at DESC, id DESC LIMIT ? OFFSET ?`,
    )
    .all(...pageBounds(page)) as {
    id: number;
    subject: string;
    subject_listed: number;
    level: LevelCode;
    recipients: string;
    sha: string;
    sent_at: string;
  }[];
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject_listed === 1 ? r.subject : null,
    level: r.level,
    recipients: JSON.parse(r.recipients) as string[],
    packageSha256: r.sha,
    sentAt: r.sent_at,
  }));
}
