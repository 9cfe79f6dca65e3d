/**
 * Editing a draft after it was created: its fields (subject, level, urgency, recipients,
 * metadata) and its documents one at a time. Each change is one transaction and moves the
 * draft's `updated_at`; a document's content is written to an encrypted blob before the
 * transaction that records it (discarded if that transaction fails). Changing the level
 * to or from Tuyệt mật moves the subject out of or back into lists and the search index.
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

function requireDraft(db: SqliteDatabase, id: number): { metadata: string } {
  const row = db.prepare('SELECT metadata FROM drafts WHERE id = ?').get(id) as
    { metadata: string } | undefined;
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
    const stored = JSON.parse(requireDraft(db, id).metadata) as Record<string, unknown>;
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
    for (const organId of new Set(edit.recipients)) add.run(id, organId);
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
      requireDraft(db, draftId);
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
      return Number(lastInsertRowid);
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
    }
    return removed;
  });
  if (changes === 0) {
    throw new NiemError('not-found', `no document ${documentId} in draft ${draftId}`);
  }
  await vault.collectGarbage();
}
