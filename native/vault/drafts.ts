/**
 * Drafts and their documents in the vault: the first store on top of the storage core,
 * and what the CLI's `niem draft …` commands call. Document contents go to encrypted blob
 * files; every change is one transaction. A Tuyệt mật draft's subject stays out of lists
 * and the search index (`subject_listed = 0`); getDraft shows it to the clerk who opens it.
 * Each change appends its audit entry (./vault-audit.ts) in its transaction.
 */
import { NiemError } from '../api/errors.ts';
import {
  isLevelCode,
  isUrgencyCode,
  type LevelCode,
  type UrgencyCode,
  hidesSubjectInLists,
} from '../seal/levels.ts';
import type { StoredBlob } from './blob-store.ts';
import { DRAFT_ROW_SQL, listedDraft, type DraftRow } from './draft-rows.ts';
import { recordAudit } from './vault-audit.ts';
import { pageBounds, searchRows, type PageRequest } from './paging.ts';
import type { Vault } from './vault.ts';

/** A document to put in a draft: its file name and its content as a stream (or bytes). */
export interface DraftDocumentInput {
  name: string;
  content: AsyncIterable<Uint8Array> | Uint8Array;
  mediaType?: string;
}

/** A new draft. The level is always chosen by a person: there is no default. */
export interface NewDraft {
  subject: string;
  level: LevelCode;
  urgency?: UrgencyCode;
  /** Recipients by OrganId. */
  recipients: string[];
  /** Other package metadata (DOMAIN.md names), JSON-serialisable. */
  metadata?: Record<string, unknown>;
  documents?: DraftDocumentInput[];
}

/** A draft as lists show it. `subject` is null while it must stay hidden (Tuyệt mật). */
export interface DraftSummary {
  id: number;
  subject: string | null;
  level: LevelCode;
  urgency: UrgencyCode;
  recipients: string[];
  documentCount: number;
  updatedAt: string;
}

/** One document of a draft (its content is read with readDraftDocument). */
export interface DraftDocument {
  id: number;
  name: string;
  size: number;
  sha256: string;
  mediaType: string | null;
}

/** A draft opened by the clerk: everything, the subject included. */
export interface DraftDetail extends Omit<DraftSummary, 'subject'> {
  subject: string;
  metadata: Record<string, unknown>;
  documents: DraftDocument[];
  createdAt: string;
}

function validate(draft: NewDraft): void {
  const bad = (what: string): never => {
    throw new NiemError('invalid-input', `draft: ${what}`);
  };
  if (draft.subject.trim() === '') bad('an empty subject');
  if (!isLevelCode(draft.level)) bad('an unknown level');
  if (draft.urgency !== undefined && !isUrgencyCode(draft.urgency)) bad('an unknown urgency');
  if (draft.recipients.some((r) => r.trim() === '' || r.length > 64)) bad('a bad OrganId');
  const names = (draft.documents ?? []).map((d) => d.name);
  if (names.some((n) => n.length === 0 || n.length > 255)) bad('a bad document name');
  if (new Set(names).size !== names.length) bad('two documents with the same name');
}

/** Creates a draft with its documents; resolves to its id. All or nothing. */
export async function createDraft(vault: Vault, draft: NewDraft): Promise<number> {
  validate(draft);
  const written: StoredBlob[] = [];
  try {
    for (const document of draft.documents ?? [])
      written.push(await vault.writeBlob(document.content));
    const now = vault.timestamp();
    return vault.transaction((db) => {
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO drafts (subject, level, urgency, metadata, subject_listed, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          draft.subject,
          draft.level,
          draft.urgency ?? 'thuong',
          JSON.stringify(draft.metadata ?? {}),
          hidesSubjectInLists(draft.level) ? 0 : 1,
          now,
          now,
        );
      const id = Number(lastInsertRowid);
      const recipient = db.prepare(
        'INSERT INTO draft_recipients (draft_id, organ_id) VALUES (?, ?)',
      );
      for (const organId of new Set(draft.recipients)) recipient.run(id, organId);
      const document = db.prepare(
        `INSERT INTO draft_documents (draft_id, position, name, media_type, blob_id) VALUES (?, ?, ?, ?, ?)`,
      );
      (draft.documents ?? []).forEach((d, i) => {
        const blob = written[i] as StoredBlob;
        vault.recordBlob(db, blob);
        document.run(id, i, d.name, d.mediaType ?? null, blob.id);
      });
      written.length = 0;
      recordAudit(vault, db, {
        action: 'draft.create',
        level: draft.level,
        detail: { draft: id, documents: (draft.documents ?? []).length },
      });
      return id;
    });
  } finally {
    for (const blob of written) await vault.discardBlob(blob).catch(() => undefined);
  }
}

function summary(row: DraftRow): DraftSummary {
  return { ...listedDraft(row), updatedAt: row.updated_at };
}

/** A page of drafts, most recently changed first. */
export function listDrafts(vault: Vault, page: PageRequest = {}): DraftSummary[] {
  const rows = vault.database
    .prepare(`${DRAFT_ROW_SQL} ORDER BY d.updated_at DESC, d.id DESC LIMIT ? OFFSET ?`)
    .all(...pageBounds(page)) as DraftRow[];
  return rows.map(summary);
}

/** Drafts whose listed subject or metadata text matches `query` (FTS5 syntax, words ANDed). */
export function searchDrafts(vault: Vault, query: string, limit = 50): DraftSummary[] {
  const select = { sql: DRAFT_ROW_SQL, table: 'drafts', alias: 'd', orderBy: 'd.updated_at DESC' };
  return searchRows<DraftRow>(vault, select, query, limit).map(summary);
}

/** One draft with its documents; `not-found` when there is none. */
export function getDraft(vault: Vault, id: number): DraftDetail {
  const db = vault.database;
  const row = db.prepare(`${DRAFT_ROW_SQL} WHERE d.id = ?`).get(id) as DraftRow | undefined;
  if (row === undefined) throw new NiemError('not-found', `no draft ${id}`);
  const extra = db.prepare('SELECT metadata, created_at FROM drafts WHERE id = ?').get(id) as {
    metadata: string;
    created_at: string;
  };
  const documents = db
    .prepare(
      `SELECT dd.id, dd.name, dd.media_type, b.size, hex(b.sha256) AS sha256
       FROM draft_documents dd JOIN blobs b ON b.id = dd.blob_id
       WHERE dd.draft_id = ? ORDER BY dd.position`,
    )
    .all(id) as {
    id: number;
    name: string;
    media_type: string | null;
    size: number;
    sha256: string;
  }[];
  return {
    ...summary(row),
    subject: row.subject,
    metadata: JSON.parse(extra.metadata) as Record<string, unknown>,
    createdAt: extra.created_at,
    documents: documents.map((d) => ({
      id: d.id,
      name: d.name,
      size: d.size,
      sha256: d.sha256.toLowerCase(),
      mediaType: d.media_type,
    })),
  };
}

/** The content of document `documentId` of draft `draftId`, streamed and authenticated. */
export function readDraftDocument(
  vault: Vault,
  draftId: number,
  documentId: number,
): AsyncGenerator<Buffer> {
  const row = vault.database
    .prepare('SELECT blob_id FROM draft_documents WHERE id = ? AND draft_id = ?')
    .get(documentId, draftId) as { blob_id: string } | undefined;
  if (row === undefined)
    throw new NiemError('not-found', `no document ${documentId} in draft ${draftId}`);
  return vault.readBlob(row.blob_id);
}

/** Deletes a draft, its recipients and documents, and then their blob files. */
export async function deleteDraft(vault: Vault, id: number): Promise<void> {
  const changes = vault.transaction((db) => {
    const level = db.prepare('SELECT level FROM drafts WHERE id = ?').pluck().get(id) as
      LevelCode | undefined;
    const deleted = db.prepare('DELETE FROM drafts WHERE id = ?').run(id).changes;
    if (deleted > 0)
      recordAudit(vault, db, { action: 'draft.delete', level, detail: { draft: id } });
    return deleted;
  });
  if (changes === 0) throw new NiemError('not-found', `no draft ${id}`);
  await vault.collectGarbage();
}
