/**
 * Schema 2: full-text search (FTS5, inside the encrypted database) over the subject and
 * the metadata text of drafts, outbox, sent and inbox, kept current by triggers.
 *
 * One contentless FTS table per list (`<table>_search`, rowid = the row's id; contentless
 * so no second copy of the text is stored, `contentless_delete=1` so rows can be removed).
 * A subject is indexed only while `subject_listed = 1`: a Tuyệt mật subject enters the
 * index when the row is updated to subject_listed = 1 (opened by its recipient). The
 * metadata's text values (json_tree leaves) are indexed, not its keys. Tokenizer
 * unicode61 with remove_diacritics 2: "quyet" finds "Quyết" ("đ" is not a diacritic to
 * it: schema 3 folds đ into d so that "dinh" finds "định").
 */
import type { Migration } from './migration.ts';

/** The tables with a search index. */
export const SEARCHED_TABLES = ['drafts', 'outbox', 'sent', 'inbox'] as const;

function indexFor(table: string): string {
  const subject = `CASE WHEN new.subject_listed = 1 THEN coalesce(new.subject, '') ELSE '' END`;
  const metadata = `(SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(new.metadata) WHERE type = 'text')`;
  const insert = `INSERT INTO ${table}_search (rowid, subject, metadata) VALUES (new.id, ${subject}, ${metadata});`;
  return `
CREATE VIRTUAL TABLE ${table}_search USING fts5 (
  subject, metadata, content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER ${table}_search_insert AFTER INSERT ON ${table} BEGIN ${insert} END;
CREATE TRIGGER ${table}_search_update AFTER UPDATE OF subject, subject_listed, metadata ON ${table} BEGIN
  DELETE FROM ${table}_search WHERE rowid = old.id;
  ${insert}
END;
CREATE TRIGGER ${table}_search_delete AFTER DELETE ON ${table} BEGIN
  DELETE FROM ${table}_search WHERE rowid = old.id;
END;
INSERT INTO ${table}_search (rowid, subject, metadata)
  SELECT id, CASE WHEN subject_listed = 1 THEN coalesce(subject, '') ELSE '' END,
    (SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(${table}.metadata) WHERE type = 'text')
  FROM ${table};
`;
}

export const migration: Migration = {
  version: 2,
  description: 'full-text search (FTS5) over subjects and metadata',
  up(db) {
    db.exec(SEARCHED_TABLES.map(indexFor).join('\n'));
  },
};
