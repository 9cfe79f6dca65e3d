/**
 * Schema 5 behaves as the arrival path and the notices need: rows written before it are
 * kept and gain the new columns empty; an arrival's state ties to its inbox row and its
 * refusal; segments go with their arrival and never share a file; a notice belongs to one
 * status entry, its signed bytes and its sent state never change, it is never deleted;
 * the states and statuses are checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrate, migrations } from '../../native/vault/migrations/index.ts';
import { migration } from '../../native/vault/migrations/0005-notices.ts';
import { Sqlite, type SqliteDatabase } from '../../native/vault/sqlite-lib.ts';

const T = '2026-01-31T08:00:00.000Z';
const sha = (n: number): Buffer => Buffer.alloc(32, n);
const fileId = (n: number): string => n.toString(16).padStart(32, '0');

function schema4(): SqliteDatabase {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 4));
  return db;
}

function addInbox(db: SqliteDatabase, n: number): number {
  db.prepare('INSERT INTO blobs VALUES (?, ?, 0, ?, ?)').run(fileId(n), sha(n), sha(n), T);
  const r = db
    .prepare(
      `INSERT INTO inbox (package_blob, package_sha256, level, subject_listed, status, received_at)
       VALUES (?, ?, 'mat', 0, '01', ?)`,
    )
    .run(fileId(n), sha(n), T);
  return Number(r.lastInsertRowid);
}

function addHistory(db: SqliteDatabase, inbox: number, status: string): number {
  const r = db
    .prepare(`INSERT INTO inbox_status_history (inbox_id, status, at, actor) VALUES (?, ?, ?, 'a')`)
    .run(inbox, status, T);
  return Number(r.lastInsertRowid);
}

function addArrival(db: SqliteDatabase, n: number, state: string, inbox: number | null): void {
  db.prepare(
    `INSERT INTO inbox_arrivals (package_sha256, size, level, sender_claim, state, inbox_id,
       first_seen_at, updated_at) VALUES (?, 100, 'mat', '000.00.00.G01', ?, ?, ?, ?)`,
  ).run(sha(n), state, inbox, T, T);
}

function addNotice(db: SqliteDatabase, inbox: number, history: number, status = '01'): number {
  const r = db
    .prepare(
      `INSERT INTO inbox_notices (inbox_id, history_id, status, to_organ_id, der, created_at)
       VALUES (?, ?, ?, '000.00.00.G01', x'3003020101', ?)`,
    )
    .run(inbox, history, status, T);
  return Number(r.lastInsertRowid);
}

const count = (db: SqliteDatabase, table: string): number =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('migration 0005 (arrivals, documents kept, notices out)', () => {
  it('is version 5, registered after 0004, and keeps rows written before it', () => {
    assert.equal(migration.version, 5);
    assert.equal(migrations[4], migration);
    const db = schema4();
    const inbox = addInbox(db, 1);
    migration.up(db);
    const row = db
      .prepare('SELECT manifest, verified_at, status FROM inbox WHERE id = ?')
      .get(inbox) as Record<string, unknown>;
    assert.deepEqual(row, { manifest: null, verified_at: null, status: '01' });
    db.prepare(
      `INSERT INTO inbox_documents (inbox_id, position, name, blob_id, media_type)
       VALUES (?, 0, 'a.pdf', ?, 'application/pdf')`,
    ).run(inbox, fileId(1));
    assert.throws(() =>
      db
        .prepare(
          `INSERT INTO inbox_documents (inbox_id, position, name, blob_id, media_type)
           VALUES (?, 1, 'b.pdf', ?, '')`,
        )
        .run(inbox, fileId(1)),
    );
    assert.throws(() =>
      db
        .prepare('UPDATE inbox SET manifest = ? WHERE id = ?')
        .run(Buffer.alloc(1024 * 1024 + 1), inbox),
    );
  });

  it('ties an arrival’s state to its inbox row and its refusal; segments go with it', () => {
    const db = schema4();
    migration.up(db);
    const inbox = addInbox(db, 1);
    addArrival(db, 1, 'downloading', null);
    assert.throws(() => addArrival(db, 2, 'stored', null), /CHECK/);
    assert.throws(() => addArrival(db, 3, 'downloading', inbox), /CHECK/);
    assert.throws(() => addArrival(db, 4, 'not-for-us', null), /CHECK/);
    assert.throws(() => addArrival(db, 5, 'arrived', null), /CHECK/);
    const segment = db.prepare(
      `INSERT INTO inbox_arrival_segments (package_sha256, start, size, file_id, key)
       VALUES (?, ?, ?, ?, ?)`,
    );
    segment.run(sha(1), 0, 10, fileId(7), Buffer.alloc(32));
    segment.run(sha(1), 10, 10, fileId(8), Buffer.alloc(32));
    assert.throws(() => segment.run(sha(1), 20, 10, fileId(8), Buffer.alloc(32)), /UNIQUE/);
    assert.throws(() => segment.run(sha(1), 30, 0, fileId(9), Buffer.alloc(32)), /CHECK/);
    assert.throws(() => segment.run(sha(1), 40, 1, 'G'.repeat(32), Buffer.alloc(32)), /CHECK/);
    assert.throws(() => segment.run(sha(1), 50, 1, fileId(10), Buffer.alloc(16)), /CHECK/);
    assert.throws(() => segment.run(sha(9), 0, 1, fileId(11), Buffer.alloc(32)), /FOREIGN KEY/);
    db.prepare(
      `UPDATE inbox_arrivals SET state = 'stored', inbox_id = ? WHERE package_sha256 = ?`,
    ).run(inbox, sha(1));
    db.prepare(
      `INSERT INTO inbox_arrivals (package_sha256, size, level, sender_claim, state, refusal_kind,
         refusal_reason, first_seen_at, updated_at)
       VALUES (?, 5, 'mat', '000.00.00.G01', 'not-for-us', 'not-a-recipient', 'Không gửi tới', ?, ?)`,
    ).run(sha(2), T, T);
    db.prepare('DELETE FROM inbox_arrivals WHERE package_sha256 = ?').run(sha(1));
    assert.equal(count(db, 'inbox_arrival_segments'), 0, 'segments went with their arrival');
    addArrival(db, 3, 'stored', inbox);
    assert.throws(() => db.prepare('DELETE FROM inbox WHERE id = ?').run(inbox), /FOREIGN KEY/);
  });

  it('keeps each notice as signed: one per status entry, bytes and sent state fixed', () => {
    const db = schema4();
    migration.up(db);
    const inbox = addInbox(db, 1);
    const arrived = addHistory(db, inbox, '01');
    const notice = addNotice(db, inbox, arrived);
    assert.throws(() => addNotice(db, inbox, arrived), /UNIQUE/);
    assert.throws(() => addNotice(db, inbox, addHistory(db, inbox, '03'), '07'), /CHECK/);
    assert.throws(() => db.prepare("UPDATE inbox_notices SET der = x'00'").run(), /signed once/);
    assert.throws(
      () => db.prepare(`UPDATE inbox_notices SET to_organ_id = '000.00.00.G09'`).run(),
      /signed once/,
    );
    assert.throws(() => db.prepare(`UPDATE inbox_notices SET state = 'sent'`).run(), /CHECK/);
    assert.throws(() => db.prepare(`UPDATE inbox_notices SET state = 'refused'`).run(), /CHECK/);
    db.prepare('UPDATE inbox_notices SET attempts = 2 WHERE id = ?').run(notice);
    db.prepare(`UPDATE inbox_notices SET state = 'sent', sent_at = ? WHERE id = ?`).run(T, notice);
    assert.throws(
      () => db.prepare(`UPDATE inbox_notices SET state = 'queued', sent_at = NULL`).run(),
      /stays sent/,
    );
    assert.throws(() => db.prepare(`UPDATE inbox_notices SET sent_at = 'x'`).run(), /stays sent/);
    assert.throws(() => db.prepare('DELETE FROM inbox_notices').run(), /kept/);
    assert.throws(
      () => db.prepare('DELETE FROM inbox_status_history WHERE id = ?').run(arrived),
      /FOREIGN KEY/,
    );
  });
});
