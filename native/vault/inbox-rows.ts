/**
 * What the inbox modules share inside their transactions (not part of the vault's public
 * API): the row of a package as the open and the notices need it, and recording a
 * business status with its history entry and audit entry.
 */
import { NiemError } from '../api/errors.ts';
import type { LevelCode } from '../seal/levels.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** Business statuses (DOMAIN.md): 01 arrived … 16 recall refused. */
export type BusinessStatus = '01' | '02' | '03' | '04' | '05' | '06' | '13' | '15' | '16';
export const BUSINESS_STATUSES: readonly BusinessStatus[] = [
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '13',
  '15',
  '16',
];

/** An inbox row as the open, the export and the notices read it. */
export interface InboxPackageRow {
  id: number;
  packageBlob: string;
  sha: string;
  level: LevelCode;
  status: BusinessStatus | null;
  senderOrganId: string | null;
  subjectListed: boolean;
  verifiedAt: string | null;
  openedAt: string | null;
  /** Documents kept in the vault (rows of inbox_documents). */
  documents: number;
}

/** Inbox item `id`; `not-found` when there is none. */
export function inboxPackageRow(db: SqliteDatabase, id: number): InboxPackageRow {
  const row = db
    .prepare(
      `SELECT i.id, i.package_blob AS packageBlob, lower(hex(i.package_sha256)) AS sha, i.level,
         i.status, i.sender_organ_id AS senderOrganId, i.subject_listed AS subjectListed,
         i.verified_at AS verifiedAt, i.opened_at AS openedAt,
         (SELECT count(*) FROM inbox_documents d WHERE d.inbox_id = i.id) AS documents
       FROM inbox i WHERE i.id = ?`,
    )
    .get(id) as (Omit<InboxPackageRow, 'subjectListed'> & { subjectListed: number }) | undefined;
  if (row === undefined) throw new NiemError('not-found', `no inbox package ${id}`);
  return { ...row, subjectListed: row.subjectListed === 1 };
}

/**
 * Sets the status of inbox item `id` and appends its history entry (and audit entry),
 * inside the caller's transaction; resolves to the history entry's id.
 */
export function recordStatus(
  vault: Vault,
  db: SqliteDatabase,
  row: { id: number; sha: string; level: LevelCode },
  status: BusinessStatus,
  at: string,
  note?: string,
): number {
  db.prepare('UPDATE inbox SET status = ? WHERE id = ?').run(status, row.id);
  const { lastInsertRowid } = db
    .prepare(
      'INSERT INTO inbox_status_history (inbox_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?)',
    )
    .run(row.id, status, at, vault.actor, note ?? null);
  recordAudit(vault, db, {
    action: 'inbox.status',
    package: row.sha,
    level: row.level,
    detail: { inbox: row.id, status },
  });
  return Number(lastInsertRowid);
}
