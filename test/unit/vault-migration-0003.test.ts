/**
 * Schema 3: the search index folds "đ" into "d". A clerk typing "dinh", "định" or "ĐỊNH"
 * finds "Quyết định" — for rows written before the migration and after it, in subjects
 * and metadata, in every searched list — while a Tuyệt mật subject still stays out of the
 * index until it is listed, and search words are never read as FTS5 operators.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migration as initial } from '../../native/vault/migrations/0001-initial.ts';
import { migration as search } from '../../native/vault/migrations/0002-search.ts';
import { migration as folding } from '../../native/vault/migrations/0003-search-folding.ts';
import { ftsTerms } from '../../native/vault/search-terms.ts';
import { Sqlite, type SqliteDatabase } from '../../native/vault/sqlite-lib.ts';

const T = '2026-01-31T08:00:00.000Z';

function addDraft(db: SqliteDatabase, subject: string, level: string, metadata = '{}'): number {
  const r = db
    .prepare(
      `INSERT INTO drafts (subject, level, metadata, subject_listed, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(subject, level, metadata, level === 'tuyet-mat' ? 0 : 1, T, T);
  return Number(r.lastInsertRowid);
}

const found = (db: SqliteDatabase, table: string, typed: string): number[] =>
  db
    .prepare(`SELECT rowid FROM ${table}_search WHERE ${table}_search MATCH ? ORDER BY rowid`)
    .pluck()
    .all(ftsTerms(typed)) as number[];

function schema2(): SqliteDatabase {
  const db = new Sqlite(':memory:');
  initial.up(db);
  search.up(db);
  return db;
}

describe('migration 0003 (search folds đ)', () => {
  it('before it, "dinh" misses "định" (the bug it fixes)', () => {
    const db = schema2();
    addDraft(db, 'Quyết định về công tác văn thư', 'mat');
    assert.deepEqual(found(db, 'drafts', 'dinh'), []);
  });

  it('rows written before and after it are found however đ is typed', () => {
    const db = schema2();
    const before = addDraft(
      db,
      'Quyết định về công tác văn thư',
      'mat',
      '{"codeNotation":"QĐ-VPCP"}',
    );
    folding.up(db);
    const after = addDraft(db, 'Đề nghị phối hợp', 'thuong');
    for (const typed of ['dinh', 'định', 'ĐỊNH', 'quyet dinh']) {
      assert.deepEqual(found(db, 'drafts', typed), [before], typed);
    }
    for (const typed of ['de nghi', 'Đề nghị', 'đe']) {
      assert.deepEqual(found(db, 'drafts', typed), [after], typed);
    }
    assert.deepEqual(found(db, 'drafts', 'QD-VPCP'), [before], 'metadata folded too');
  });

  it('an update re-indexes folded text; a Tuyệt mật subject stays out until listed', () => {
    const db = schema2();
    folding.up(db);
    const secret = addDraft(db, 'Kế hoạch điều động lực lượng', 'tuyet-mat');
    assert.deepEqual(found(db, 'drafts', 'dieu dong'), []);
    db.prepare('UPDATE drafts SET subject_listed = 1 WHERE id = ?').run(secret);
    assert.deepEqual(found(db, 'drafts', 'dieu dong'), [secret]);
    db.prepare('UPDATE drafts SET subject = ? WHERE id = ?').run('Báo cáo định kỳ', secret);
    assert.deepEqual(found(db, 'drafts', 'dieu dong'), []);
    assert.deepEqual(found(db, 'drafts', 'dinh ky'), [secret]);
    db.prepare('DELETE FROM drafts WHERE id = ?').run(secret);
    assert.deepEqual(found(db, 'drafts', 'dinh ky'), []);
  });

  it('search words are text, not FTS5 operators', () => {
    const db = schema2();
    folding.up(db);
    addDraft(db, 'Quyết định', 'thuong');
    for (const typed of ['dinh OR x', '"dinh', 'NEAR(dinh)', 'dinh*', '-dinh']) {
      assert.doesNotThrow(() => found(db, 'drafts', typed), typed);
    }
    assert.deepEqual(found(db, 'drafts', 'dinh OR khong-co'), [], 'OR is a required word');
  });
});
