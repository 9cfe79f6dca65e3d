/**
 * The inbox: received packages kept as encrypted blobs. Import stores the package and
 * inspects what it states outside (level, format) without opening it: subject and sender
 * stay unknown (status 01, arrived). Opening it with the token verifies tag, signatures
 * and levels (the package pipeline) and writes the documents to the clerk's folder only
 * on success; then, in one transaction, the verification report is saved, the subject
 * and metadata from manifest.json become listed and searchable (a Tuyệt mật subject only
 * now, opened by its recipient), the package gets its incoming register number (the
 * first time) and status 03. A refused open saves its report and audit entry, nothing else.
 *
 * The package streams from its blob straight into openPackage: no copy of it on disk.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import type { RecipientKey } from '../seal/cms-crypto/index.ts';
import { inspectEnvelope } from '../seal/envelope/index.ts';
import { isUrgencyCode, type LevelCode, type UrgencyCode } from '../seal/levels.ts';
import { parseManifest, type Manifest } from '../seal/manifest.ts';
import { PackageRefused, openPackage, type PackageReport } from '../seal/pipeline/index.ts';
import { MANIFEST_NAME } from '../seal/tar/index.ts';
import type { StoredBlob } from './blob-store.ts';
import { nextRegisterNumber, yearOf, type RegisterNumber } from './registers.ts';
import { hex, recordAudit } from './vault-audit.ts';
import { pageBounds, searchRows, type PageRequest } from './paging.ts';
import type { Vault } from './vault.ts';

/** Business statuses (DOMAIN.md): 01 arrived … 16 recall refused. */
export type BusinessStatus = '01' | '02' | '03' | '04' | '05' | '06' | '13' | '15' | '16';
const STATUSES: readonly string[] = ['01', '02', '03', '04', '05', '06', '13', '15', '16'];

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
  let blob: StoredBlob | undefined = await vault.writeBlob(source);
  const written = blob;
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
  year: number | null;
  number: number | null;
}

const INBOX_SQL = `
  SELECT i.id, i.subject, i.subject_listed, i.level,
    json_extract(i.metadata, '$.otherInfo.priority') AS priority, i.sender_organ_id,
    json_extract(i.metadata, '$.from.organName') AS sender_name, i.status,
    lower(hex(i.package_sha256)) AS sha, i.received_at, i.opened_at, r.year, r.number
  FROM inbox i LEFT JOIN incoming_register r ON r.inbox_id = i.id`;

function inboxSummary(row: InboxRow): InboxSummary {
  return {
    id: row.id,
    subject: row.subject_listed === 1 ? row.subject : null,
    level: row.level,
    urgency: row.opened_at === null ? null : isUrgencyCode(row.priority) ? row.priority : 'thuong',
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

/** Options of openInbox. */
export interface OpenInboxOptions {
  /** The token's decryption / key-agreement keys. */
  keys: RecipientKey[];
  /** Root certificates (DER) the signers must chain to. */
  trustAnchors: readonly Uint8Array[];
  /** The clerk's folder for the documents (written only when everything verified). */
  outDir: string;
  /** Tests: the time for the chain checks. */
  now?: Date;
}

/** What a successful open recorded. */
export interface OpenedInbox {
  report: PackageReport;
  register: RegisterNumber;
  subject: string | null;
}

function manifestMetadata(manifest: Manifest): Record<string, unknown> {
  const { documents: _documents, subject: _subject, ...rest } = manifest;
  return rest;
}

/** Opens inbox item `id` into `options.outDir`; see the module comment. */
export async function openInbox(
  vault: Vault,
  id: number,
  options: OpenInboxOptions,
): Promise<OpenedInbox> {
  const row = vault.database
    .prepare(
      'SELECT package_blob, lower(hex(package_sha256)) AS sha, level FROM inbox WHERE id = ?',
    )
    .get(id) as { package_blob: string; sha: string; level: LevelCode } | undefined;
  if (row === undefined) throw new NiemError('not-found', `no inbox package ${id}`);
  {
    let report: PackageReport;
    try {
      report = await openPackage({
        path: `inbox ${id}`,
        bytes: vault.readBlob(row.package_blob),
        keys: options.keys,
        trustAnchors: options.trustAnchors,
        outDir: options.outDir,
        ...(options.now ? { now: options.now } : {}),
      });
    } catch (err) {
      recordRefusal(vault, id, row, err);
      throw err;
    }
    let manifest: Manifest | undefined;
    if (report.content === 'niem-body') {
      manifest = parseManifest(await readFile(join(report.outDir, MANIFEST_NAME)));
    }
    const level = report.levels.inside ?? report.levels.outside ?? row.level;
    const subject = manifest?.subject ?? null;
    const sender =
      manifest?.from?.organId ?? report.signedData?.signers[0]?.organizationIdentifier ?? null;
    const now = vault.timestamp();
    const register = vault.transaction((db) => {
      db.prepare(
        `UPDATE inbox SET level = ?, subject = ?, subject_listed = ?, metadata = ?, sender_organ_id = ?,
           verification = ?, opened_at = coalesce(opened_at, ?) WHERE id = ?`,
      ).run(
        level,
        subject,
        subject === null ? 0 : 1,
        JSON.stringify(manifest === undefined ? {} : manifestMetadata(manifest)),
        sender,
        JSON.stringify(report),
        now,
        id,
      );
      const existing = db
        .prepare('SELECT year, number FROM incoming_register WHERE inbox_id = ?')
        .get(id) as RegisterNumber | undefined;
      let assigned = existing;
      if (assigned === undefined) {
        assigned = nextRegisterNumber(db, 'incoming', yearOf(now));
        db.prepare(
          `INSERT INTO incoming_register (year, number, inbox_id, registered_at, registered_by)
           VALUES (?, ?, ?, ?, ?)`,
        ).run(assigned.year, assigned.number, id, now, vault.actor);
        setStatus(vault, db, id, '03', row.sha, level, now);
      }
      recordAudit(vault, db, {
        action: 'inbox.open',
        package: row.sha,
        level,
        detail: { inbox: id, documents: report.documents.length, register: assigned },
      });
      return assigned;
    });
    return { report, register, subject };
  }
}

function recordRefusal(
  vault: Vault,
  id: number,
  row: { sha: string; level: LevelCode },
  err: unknown,
): void {
  const kind = err instanceof NiemError ? err.kind : 'internal';
  try {
    vault.transaction((db) => {
      if (err instanceof PackageRefused) {
        db.prepare('UPDATE inbox SET verification = ? WHERE id = ?').run(
          JSON.stringify(err.report),
          id,
        );
      }
      recordAudit(vault, db, {
        action: 'inbox.open-refused',
        package: row.sha,
        level: row.level,
        detail: { inbox: id, kind },
      });
    });
  } catch {
    // the refusal itself is what the clerk must see; a locked vault cannot record it
  }
}

function setStatus(
  vault: Vault,
  db: Vault['database'],
  id: number,
  status: BusinessStatus,
  sha: string,
  level: LevelCode,
  at: string,
  note?: string,
): void {
  db.prepare('UPDATE inbox SET status = ? WHERE id = ?').run(status, id);
  db.prepare(
    'INSERT INTO inbox_status_history (inbox_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?)',
  ).run(id, status, at, vault.actor, note ?? null);
  recordAudit(vault, db, {
    action: 'inbox.status',
    package: sha,
    level,
    detail: { inbox: id, status },
  });
}

/** Records business status `status` for inbox item `id` (with a note, e.g. a refusal reason). */
export function addInboxStatus(
  vault: Vault,
  id: number,
  status: BusinessStatus,
  note?: string,
): void {
  if (!STATUSES.includes(status)) throw new NiemError('invalid-input', 'unknown business status');
  const now = vault.timestamp();
  vault.transaction((db) => {
    const row = db
      .prepare('SELECT lower(hex(package_sha256)) AS sha, level FROM inbox WHERE id = ?')
      .get(id) as { sha: string; level: LevelCode } | undefined;
    if (row === undefined) throw new NiemError('not-found', `no inbox package ${id}`);
    setStatus(vault, db, id, status, row.sha, row.level, now, note);
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
