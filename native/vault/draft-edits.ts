/**
 * Editing a draft after it was created: its fields (subject, level, urgency, recipients,
 * metadata) and its documents one at a time. Each change is one transaction and moves the
 * draft's `updated_at`; a document's content is written to an encrypted blob before the
 * transaction that records it (discarded if that transaction fails). Changing the level
 * to or from Tuyệt mật moves the subject out of or back into lists and the search index.
 * Each change appends its audit entry (`draft.update`, `draft.document-add`,
 * `draft.document-remove`: ids and levels, never a subject or a file name) in its
 * transaction.
 */
import { NiemError } from '../api/errors.ts';
import {
  hidesSubjectInLists,
  isLevelCode,
  isUrgencyCode,
  type LevelCode,
  type UrgencyCode,
} from '../seal/levels.ts';
import { assertSafeName, nameKey } from '../seal/tar/names.ts';
import type { DraftDocumentInput } from './drafts.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** The fields an editor saves. `metadata` keys given replace the stored ones; absent keys in `replaceKeys` are removed; others are kept. */
export interface DraftEdit {
  subject: string;
  level: LevelCode;
  urgency: UrgencyCode;
  recipients: string[];
  metadata: Record<string, unknown>;
  /** Metadata keys the editor owns: removed when absent from `metadata`. */
  replaceKeys: readonly string[];
}

function requireDraft(db: SqliteDatabase, id: number): { metadata: string; level: LevelCode } {
  const row = db.prepare('SELECT metadata, level FROM drafts WHERE id = ?').get(id) as
    { metadata: string; level: LevelCode } | undefined;
  if (row === undefined) throw new NiemError('not-found', `no draft ${id}`);
  return row;
}

/** Replaces a draft's fields; `not-found` when there is no such draft. */
export function updateDraft(vault: Vault, id: number, edit: DraftEdit): void {
  if (edit.subject.trim() === '') throw new NiemError('invalid-input', 'draft: an empty subject');
  if (!isLevelCode(edit.level)) throw new NiemError('invalid-input', 'draft: an unknown level');
  if (!isUrgencyCode(edit.urgency)) {
    throw new NiemError('invalid-input', 'draft: an unknown urgency');
  }
  if (edit.recipients.some((r) => r.trim() === '' || r.length > 64)) {
    throw new NiemError('invalid-input', 'draft: a bad OrganId');
  }
  const now = vault.timestamp();
  vault.transaction((db) => {
    const before = requireDraft(db, id);
    const stored = JSON.parse(before.metadata) as Record<string, unknown>;
    const kept = Object.entries(stored).filter(([key]) => !edit.replaceKeys.includes(key));
    const metadata = { ...Object.fromEntries(kept), ...edit.metadata };
    db.prepare(
      `UPDATE drafts SET subject = ?, level = ?, urgency = ?, metadata = ?, subject_listed = ?,
         updated_at = ? WHERE id = ?`,
    ).run(
      edit.subject,
      edit.level,
      edit.urgency,
      JSON.stringify(metadata),
      hidesSubjectInLists(edit.level) ? 0 : 1,
      now,
      id,
    );
    db.prepare('DELETE FROM draft_recipients WHERE draft_id = ?').run(id);
    const add = db.prepare('INSERT INTO draft_recipients (draft_id, organ_id) VALUES (?, ?)');
    const recipients = new Set(edit.recipients);
    for (const organId of recipients) add.run(id, organId);
    recordAudit(vault, db, {
      action: 'draft.update',
      level: edit.level,
      detail: {
        draft: id,
        recipients: recipients.size,
        ...(before.level === edit.level ? {} : { previousLevel: before.level }),
      },
    });
  });
}

/**
 * Adds one document to a draft; resolves to its id. Refused: an unsafe name (`unsafe-name`,
 * the name could not travel in a package), a name the draft already has, compared as a
 * package would (`document-exists`), no such draft (`not-found`). All or nothing.
 */
export async function addDraftDocument(
  vault: Vault,
  draftId: number,
  document: DraftDocumentInput,
): Promise<number> {
  assertSafeName(document.name, 'document name');
  requireDraft(vault.database, draftId);
  const blob = await vault.writeBlob(document.content);
  let recorded = false;
  try {
    const id = vault.transaction((db) => {
      const { level } = requireDraft(db, draftId);
      const names = db
        .prepare('SELECT name FROM draft_documents WHERE draft_id = ?')
        .pluck()
        .all(draftId) as string[];
      const key = nameKey(document.name);
      if (names.some((n) => nameKey(n) === key)) {
        throw new NiemError('document-exists', 'the draft has a document of that name');
      }
      const position = db
        .prepare('SELECT coalesce(max(position) + 1, 0) FROM draft_documents WHERE draft_id = ?')
        .pluck()
        .get(draftId) as number;
      vault.recordBlob(db, blob);
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO draft_documents (draft_id, position, name, media_type, blob_id)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(draftId, position, document.name, document.mediaType ?? null, blob.id);
      db.prepare('UPDATE drafts SET updated_at = ? WHERE id = ?').run(vault.timestamp(), draftId);
      const documentId = Number(lastInsertRowid);
      recordAudit(vault, db, {
        action: 'draft.document-add',
        level,
        detail: { draft: draftId, document: documentId, bytes: blob.size },
      });
      return documentId;
    });
    recorded = true;
    return id;
  } finally {
    if (!recorded) await vault.discardBlob(blob).catch(() => undefined);
  }
}

/** Removes one document of a draft, then its blob file; `not-found` when it is not there. */
export async function removeDraftDocument(
  vault: Vault,
  draftId: number,
  documentId: number,
): Promise<void> {
  const changes = vault.transaction((db) => {
    const removed = db
      .prepare('DELETE FROM draft_documents WHERE id = ? AND draft_id = ?')
      .run(documentId, draftId).changes;
    if (removed > 0) {
      db.prepare('UPDATE drafts SET updated_at = ? WHERE id = ?').run(vault.timestamp(), draftId);
      const { level } = requireDraft(db, draftId);
      recordAudit(vault, db, {
        action: 'draft.document-remove',
        level,
        detail: { draft: draftId, document: documentId },
      });
    }
    return removed;
  });
  if (changes === 0) {
    throw new NiemError('not-found', `no document ${documentId} in draft ${draftId}`);
  }
  await vault.collectGarbage();
}
