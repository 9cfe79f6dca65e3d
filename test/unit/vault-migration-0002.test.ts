/**
 * Schema 2: full-text search over subjects and metadata. Rows present before the
 * migration are found after it; Vietnamese text is found with or without diacritics; a
 * Tuyệt mật subject stays out of the index until the row is marked listed (opened), and
 * a deleted row is no longer found.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migration as initial } from '../../native/vault/migrations/0001-initial.ts';
import { migration as search } from '../../native/vault/migrations/0002-search.ts';
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

function addInbox(db: SqliteDatabase, subject: string, level: string): number {
  const n = Number(db.prepare('SELECT count(*) FROM blobs').pluck().get()) + 1;
  const id = n.toString(16).padStart(32, '0');
  db.prepare('INSERT INTO blobs VALUES (?, ?, 0, ?, ?)').run(
    id,
    Buffer.alloc(32, n),
    Buffer.alloc(32),
    T,
  );
  const r = db
    .prepare(
      `INSERT INTO inbox (package_blob, package_sha256, level, subject, subject_listed, received_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(id, Buffer.alloc(32, n), level, subject, level === 'tuyet-mat' ? 0 : 1, T);
  return Number(r.lastInsertRowid);
}

const found = (db: SqliteDatabase, table: string, query: string): number[] =>
  db
    .prepare(`SELECT rowid FROM ${table}_search WHERE ${table}_search MATCH ? ORDER BY rowid`)
    .pluck()
    .all(query) as number[];

describe('migration 0002 (search)', () => {
  it('indexes rows written before it, and finds Vietnamese with or without diacritics', () => {
    const db = new Sqlite(':memory:');
    initial.up(db);
    const before = addDraft(
      db,
      'Quyết định về công tác văn thư',
      'mat',
      '{"codeNotation":"QĐ-VPCP"}',
    );
    search.up(db);
    const after = addDraft(db, 'Báo cáo quyết toán', 'thuong');
    assert.deepEqual(found(db, 'drafts', 'văn thư'), [before]);
    assert.deepEqual(found(db, 'drafts', 'van thu'), [before]);
    assert.deepEqual(found(db, 'drafts', 'quyet'), [before, after]);
    assert.deepEqual(found(db, 'drafts', 'bao cao'), [after]);
    assert.deepEqual(found(db, 'drafts', 'VPCP'), [before], 'metadata text values are indexed');
    assert.deepEqual(found(db, 'drafts', 'codeNotation'), [], 'metadata keys are not');
  });

  it('keeps a Tuyệt mật subject out of the index until it is opened', () => {
    const db = new Sqlite(':memory:');
    initial.up(db);
    search.up(db);
    const id = addInbox(db, 'Kế hoạch phòng thủ', 'tuyet-mat');
    const other = addInbox(db, 'Kế hoạch năm', 'mat');
    assert.deepEqual(found(db, 'inbox', 'phong thu'), []);
    assert.deepEqual(found(db, 'inbox', 'ke hoach'), [other]);
    db.prepare(`UPDATE inbox SET subject_listed = 1, opened_at = ? WHERE id = ?`).run(T, id);
    assert.deepEqual(found(db, 'inbox', 'phong thu'), [id]);
    db.prepare('DELETE FROM inbox WHERE id = ?').run(id);
    assert.deepEqual(found(db, 'inbox', 'phong thu'), []);
  });

  it('follows a changed subject: the old words are gone, the new ones found', () => {
    const db = new Sqlite(':memory:');
    initial.up(db);
    search.up(db);
    const id = addDraft(db, 'Giấy mời họp', 'thuong');
    db.prepare(`UPDATE drafts SET subject = 'Thông báo kết luận' WHERE id = ?`).run(id);
    assert.deepEqual(found(db, 'drafts', 'moi'), []);
    assert.deepEqual(found(db, 'drafts', 'ket luan'), [id]);
  });
});
