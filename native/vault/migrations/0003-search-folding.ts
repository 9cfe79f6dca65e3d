/**
 * Schema 3: the search index folds "đ" into "d" (./../search-terms.ts says why): the
 * triggers of schema 2 are replaced by triggers that feed folded text, and every index is
 * rebuilt from its table. Tables and rows are unchanged.
 */
import { foldedSql } from '../search-terms.ts';
import { SEARCHED_TABLES } from './0002-search.ts';
import type { Migration } from './migration.ts';

function foldedIndexFor(table: string): string {
  const subject = (row: string) =>
    foldedSql(`CASE WHEN ${row}subject_listed = 1 THEN coalesce(${row}subject, '') ELSE '' END`);
  const metadata = (row: string) =>
    foldedSql(
      `(SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(${row}metadata) WHERE type = 'text')`,
    );
  const insert = `INSERT INTO ${table}_search (rowid, subject, metadata)
    VALUES (new.id, ${subject('new.')}, ${metadata('new.')});`;
  return `
DROP TRIGGER ${table}_search_insert;
DROP TRIGGER ${table}_search_update;
CREATE TRIGGER ${table}_search_insert AFTER INSERT ON ${table} BEGIN ${insert} END;
CREATE TRIGGER ${table}_search_update AFTER UPDATE OF subject, subject_listed, metadata ON ${table} BEGIN
  DELETE FROM ${table}_search WHERE rowid = old.id;
  ${insert}
END;
INSERT INTO ${table}_search (${table}_search) VALUES ('delete-all');
INSERT INTO ${table}_search (rowid, subject, metadata)
  SELECT id, ${subject(`${table}.`)}, ${metadata(`${table}.`)} FROM ${table};
`;
}

export const migration: Migration = {
  version: 3,
  description: 'search index folds đ into d',
  up(db) {
    db.exec(SEARCHED_TABLES.map(foldedIndexFor).join('\n'));
  },
};
