/**
 * A draft as the lists read it, shared by the drafts store (./drafts.ts) and the paged
 * list (./draft-queries.ts): the row, the SELECT that gives it (recipients as a JSON
 * array, the document count) and the fields every list shows. A Tuyệt mật subject
 * (`subject_listed = 0`) comes out null.
 */
import type { LevelCode, UrgencyCode } from '../seal/levels.ts';
import type { DraftSummary } from './drafts.ts';

/** One row of DRAFT_ROW_SQL. */
export interface DraftRow {
  id: number;
  subject: string;
  subject_listed: number;
  level: LevelCode;
  urgency: UrgencyCode;
  recipients: string | null;
  documents: number;
  created_at: string;
  updated_at: string;
}

/** Selects DraftRows from `drafts d`; a WHERE / ORDER BY may follow. */
export const DRAFT_ROW_SQL = `
  SELECT d.id, d.subject, d.subject_listed, d.level, d.urgency, d.created_at, d.updated_at,
    (SELECT json_group_array(organ_id) FROM draft_recipients WHERE draft_id = d.id) AS recipients,
    (SELECT count(*) FROM draft_documents WHERE draft_id = d.id) AS documents
  FROM drafts d`;

/** The fields every list shows, in their order; the subject null while it stays hidden. */
export function listedDraft(row: DraftRow): Omit<DraftSummary, 'updatedAt'> {
  return {
    id: row.id,
    subject: row.subject_listed === 1 ? row.subject : null,
    level: row.level,
    urgency: row.urgency,
    recipients: JSON.parse(row.recipients ?? '[]') as string[],
    documentCount: row.documents,
  };
}
