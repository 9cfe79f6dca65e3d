/**
 * The inbox: received packages kept as encrypted blobs. Import stores the package and
 * inspects what it states outside (level, format) without opening it: subject and sender
 * stay unknown (status 01, arrived). Opening it (./inbox-open.ts) verifies it into the
 * vault: the documents become encrypted blobs, the report, subject and metadata are
 * recorded, the package gets its incoming register number and status 03. Packages that
 * come from the platform arrive through ./inbox-arrivals.ts (resumable download, then
 * import and verification), and the notices signed back to their senders are kept by
 * ./inbox-notices.ts.
 *
 * The package streams from its blob straight into the package pipeline: no copy of it on disk.
 */
import { NiemError } from '../api/errors.ts';
import { inspectEnvelope } from '../seal/envelope/index.ts';
import { isUrgencyCode, type LevelCode, type UrgencyCode } from '../seal/levels.ts';
import type { PackageReport } from '../seal/pipeline/index.ts';
import type { StoredBlob } from './blob-store.ts';
import { BUSINESS_STATUSES, inboxPackageRow, recordStatus } from './inbox-rows.ts';
import type { BusinessStatus } from './inbox-rows.ts';
import type { RegisterNumber } from './registers.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { hex, recordAudit } from './vault-audit.ts';
import { pageBounds, searchRows, type PageRequest } from './paging.ts';
import type { Vault } from './vault.ts';

export type { BusinessStatus } from './inbox-rows.ts';
export {
  openInbox,
  openInboxInVault,
  type OpenInboxOptions,
  type OpenedInbox,
  type VerifyInboxOptions,
} from './inbox-open.ts';
export {
  exportInboxDocuments,
  inboxDocuments,
  inboxDocumentsKept,
  readInboxDocument,
  type ExportInboxOptions,
  type InboxDocument,
} from './inbox-documents.ts';
export * from './inbox-arrivals.ts';
export * from './inbox-verify.ts';
export * from './inbox-notices.ts';
export * from './inbox-reasons.ts';

/** An inbox row as lists show it. `subject` is null until opened (and for Tuyệt mật, hidden till then). */
export interface InboxSummary {
  id: number;
  subject: string | null;
  /** The outer level until opened, then the verified level inside. */
  level: LevelCode;
  /** The urgency its manifest states (`thuong`: none); null until opened. */
  urgency: UrgencyCode | null;
  senderOrganId: string | null;
  /** The sender's name as its (verified) manifest states it; null until opened or when absent. */
  senderName: string | null;
  status: BusinessStatus | null;
  register: RegisterNumber | null;
  packageSha256: string;
  receivedAt: string;
  openedAt: string | null;
}

/** What an import stored. */
export interface ImportedPackage {
  id: number;
  packageSha256: string;
  level: LevelCode;
  formatVersion: number | undefined;
}

/** One entry of a package's business status history. */
export interface StatusEntry {
  status: BusinessStatus;
  at: string;
  actor: string;
  note: string | null;
}

/**
 * Imports a package (its bytes as a stream) into the inbox: stored as an encrypted blob,
 * inspected from what was stored, recorded with status 01. `already-imported` for a
 * package the inbox holds; `malformed` for something that is not a Niêm package.
 */
export async function importInbox(
  vault: Vault,
  source: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<ImportedPackage> {
  return importInboxBlob(vault, await vault.writeBlob(source));
}

/**
 * importInbox of a package already written to a blob (`written`, taken over: recorded
 * with the inbox row, or removed on any failure). `inTransaction` runs inside the
 * transaction that records the row (the arrival's own bookkeeping).
 */
export async function importInboxBlob(
  vault: Vault,
  written: StoredBlob,
  inTransaction?: (db: SqliteDatabase, inboxId: number) => void,
): Promise<ImportedPackage> {
  let blob: StoredBlob | undefined = written;
  try {
    const packageSha256 = hex(written.sha256);
    const exists = vault.database
      .prepare('SELECT id FROM inbox WHERE package_sha256 = ?')
      .pluck()
      .get(written.sha256) as number | undefined;
    if (exists !== undefined) {
      throw new NiemError('already-imported', `the package is inbox item ${exists}`);
    }
    const inspected = await inspectEnvelope(vault.readWrittenBlob(written));
    const level = inspected.level;
    if (level === undefined || inspected.formatVersion === undefined) {
      throw new NiemError('malformed', 'not a Niêm package: it states no level label');
    }
    const now = vault.timestamp();
    const id = vault.transaction((db) => {
      vault.recordBlob(db, written);
      blob = undefined;
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO inbox (package_blob, package_sha256, level, subject, subject_listed, metadata,
             status, received_at) VALUES (?, ?, ?, NULL, 0, '{}', '01', ?)`,
        )
        .run(written.id, Buffer.from(packageSha256, 'hex'), level, now);
      const inboxId = Number(lastInsertRowid);
      db.prepare(
        'INSERT INTO inbox_status_history (inbox_id, status, at, actor) VALUES (?, ?, ?, ?)',
      ).run(inboxId, '01', now, vault.actor);
      recordAudit(vault, db, {
        action: 'inbox.import',
        package: packageSha256,
        level,
        detail: { inbox: inboxId, bytes: written.size },
      });
      inTransaction?.(db, inboxId);
      return inboxId;
    });
    return { id, packageSha256, level, formatVersion: inspected.formatVersion };
  } finally {
    if (blob !== undefined) await vault.discardBlob(blob).catch(() => undefined);
  }
}

interface InboxRow {
  id: number;
  subject: string | null;
  subject_listed: number;
  level: LevelCode;
  priority: string | null;
  sender_organ_id: string | null;
  sender_name: string | null;
  status: BusinessStatus | null;
  sha: string;
  received_at: string;
  opened_at: string | null;
  /** 1 once opened or verified: what the manifest states is known. */
  known: number;
  year: number | null;
  number: number | null;
}

const INBOX_SQL = `
  SELECT i.id, i.subject, i.subject_listed, i.level,
    json_extract(i.metadata, '$.otherInfo.priority') AS priority, i.sender_organ_id,
    json_extract(i.metadata, '$.from.organName') AS sender_name, i.status,
    lower(hex(i.package_sha256)) AS sha, i.received_at, i.opened_at,
    (i.opened_at IS NOT NULL OR i.verified_at IS NOT NULL) AS known, r.year, r.number
  FROM inbox i LEFT JOIN incoming_register r ON r.inbox_id = i.id`;

function inboxSummary(row: InboxRow): InboxSummary {
  return {
    id: row.id,
    subject: row.subject_listed === 1 ? row.subject : null,
    level: row.level,
    urgency: !row.known ? null : isUrgencyCode(row.priority) ? row.priority : 'thuong',
    senderOrganId: row.sender_organ_id,
    senderName: typeof row.sender_name === 'string' ? row.sender_name : null,
    status: row.status,
    register:
      row.year === null || row.number === null ? null : { year: row.year, number: row.number },
    packageSha256: row.sha,
    receivedAt: row.received_at,
    openedAt: row.opened_at,
  };
}

/** A page of the inbox, newest first. */
export function listInbox(vault: Vault, page: PageRequest = {}): InboxSummary[] {
  const rows = vault.database
    .prepare(`${INBOX_SQL} ORDER BY i.received_at DESC, i.id DESC LIMIT ? OFFSET ?`)
    .all(...pageBounds(page)) as InboxRow[];
  return rows.map(inboxSummary);
}

/** Inbox items whose listed subject or metadata text matches `query` (words ANDed). */
export function searchInbox(vault: Vault, query: string, limit = 50): InboxSummary[] {
  const select = { sql: INBOX_SQL, table: 'inbox', alias: 'i', orderBy: 'i.received_at DESC' };
  return searchRows<InboxRow>(vault, select, query, limit).map(inboxSummary);
}

/** One inbox row; `not-found` when there is none. */
export function getInbox(vault: Vault, id: number): InboxSummary {
  const row = vault.database.prepare(`${INBOX_SQL} WHERE i.id = ?`).get(id) as InboxRow | undefined;
  if (row === undefined) throw new NiemError('not-found', `no inbox package ${id}`);
  return inboxSummary(row);
}

/** The verification report saved by the last open of inbox item `id`, if any. */
export function inboxVerification(vault: Vault, id: number): PackageReport | undefined {
  const text = vault.database
    .prepare('SELECT verification FROM inbox WHERE id = ?')
    .pluck()
    .get(id) as string | null | undefined;
  return text === null || text === undefined ? undefined : (JSON.parse(text) as PackageReport);
}

/** Records business status `status` for inbox item `id` (with a note, e.g. a refusal reason). */
export function addInboxStatus(
  vault: Vault,
  id: number,
  status: BusinessStatus,
  note?: string,
): void {
  if (!BUSINESS_STATUSES.includes(status)) {
    throw new NiemError('invalid-input', 'unknown business status');
  }
  const now = vault.timestamp();
  vault.transaction((db) => {
    recordStatus(vault, db, inboxPackageRow(db, id), status, now, note);
  });
}

/** The business status history of inbox item `id`, oldest first. */
export function inboxStatusHistory(vault: Vault, id: number): StatusEntry[] {
  return vault.database
    .prepare(
      'SELECT status, at, actor, note FROM inbox_status_history WHERE inbox_id = ? ORDER BY at, id',
    )
    .all(id) as StatusEntry[];
}
