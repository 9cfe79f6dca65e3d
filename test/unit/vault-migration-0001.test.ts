/**
 * Schema 1 behaves as the vault needs: levels, urgencies and statuses are checked,
 * deleting a draft or an inbox package takes its dependants along, a registered package
 * cannot be deleted, register numbers are unique per year, the audit trail is append-only,
 * and blob rows refuse keys of the wrong length.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migration } from '../../native/vault/migrations/0001-initial.ts';
import { Sqlite, type SqliteDatabase } from '../../native/vault/sqlite-lib.ts';

const T = '2026-01-31T08:00:00.000Z';
const sha = (n: number): Buffer => Buffer.alloc(32, n);
const blobId = (n: number): string => n.toString(16).padStart(32, '0');

function schema1(): SqliteDatabase {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migration.up(db);
  return db;
}

function addBlob(db: SqliteDatabase, n: number): string {
  db.prepare('INSERT INTO blobs VALUES (?, ?, 0, ?, ?)').run(blobId(n), sha(n), sha(n), T);
  return blobId(n);
}

function addDraft(db: SqliteDatabase, level = 'mat'): number {
  const r = db
    .prepare(
      `INSERT INTO drafts (subject, level, subject_listed, created_at, updated_at) VALUES ('s', ?, 1, ?, ?)`,
    )
    .run(level, T, T);
  return Number(r.lastInsertRowid);
}

function addInbox(db: SqliteDatabase, n: number): number {
  const blob = addBlob(db, n);
  const r = db
    .prepare(
      `INSERT INTO inbox (package_blob, package_sha256, level, subject_listed, received_at)
       VALUES (?, ?, 'toi-mat', 0, ?)`,
    )
    .run(blob, sha(n), T);
  return Number(r.lastInsertRowid);
}

const count = (db: SqliteDatabase, table: string): number =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('migration 0001 (initial schema)', () => {
  it('accepts only the four level codes and the known urgencies', () => {
    const db = schema1();
    for (const level of ['thuong', 'mat', 'toi-mat', 'tuyet-mat']) addDraft(db, level);
    assert.throws(() => addDraft(db, 'secret'), /CHECK constraint/);
    assert.throws(() => addDraft(db, 'TUYET-MAT'), /CHECK constraint/);
    assert.throws(
      () =>
        db
          .prepare(
            `INSERT INTO drafts (subject, level, urgency, subject_listed, created_at, updated_at)
             VALUES ('s', 'mat', 'rat-khan', 1, ?, ?)`,
          )
          .run(T, T),
      /CHECK constraint/,
    );
  });

  it('deleting a draft removes its recipients and documents', () => {
    const db = schema1();
    const id = addDraft(db);
    db.prepare(`INSERT INTO draft_recipients VALUES (?, '000.00.00.G22')`).run(id);
    db.prepare(
      `INSERT INTO draft_documents (draft_id, position, name, blob_id) VALUES (?, 0, 'a.pdf', ?)`,
    ).run(id, addBlob(db, 1));
    db.prepare('DELETE FROM drafts WHERE id = ?').run(id);
    assert.equal(count(db, 'draft_recipients'), 0);
    assert.equal(count(db, 'draft_documents'), 0);
    assert.equal(count(db, 'blobs'), 1, 'blob rows stay for the collector (files go after commit)');
  });

  it('refuses two documents of one draft with the same name, and a document of no blob', () => {
    const db = schema1();
    const id = addDraft(db);
    const insert = db.prepare(
      `INSERT INTO draft_documents (draft_id, position, name, blob_id) VALUES (?, ?, ?, ?)`,
    );
    insert.run(id, 0, 'a.pdf', addBlob(db, 1));
    assert.throws(() => insert.run(id, 1, 'a.pdf', addBlob(db, 2)), /UNIQUE/);
    assert.throws(() => insert.run(id, 2, 'b.pdf', blobId(99)), /FOREIGN KEY/);
  });

  it('an inbox package takes its status history along, but not once it is registered', () => {
    const db = schema1();
    const a = addInbox(db, 1);
    const b = addInbox(db, 2);
    const status = db.prepare(
      `INSERT INTO inbox_status_history (inbox_id, status, at, actor) VALUES (?, ?, ?, 'văn thư')`,
    );
    status.run(a, '01', T);
    assert.throws(() => status.run(a, '07', T), /CHECK constraint/);
    db.prepare('DELETE FROM inbox WHERE id = ?').run(a);
    assert.equal(count(db, 'inbox_status_history'), 0);
    db.prepare(
      `INSERT INTO incoming_register (year, number, inbox_id, registered_at, registered_by) VALUES (2026, 1, ?, ?, 'vt')`,
    ).run(b, T);
    assert.throws(() => db.prepare('DELETE FROM inbox WHERE id = ?').run(b), /FOREIGN KEY/);
  });

  it('register numbers are unique within a year and restart the next', () => {
    const db = schema1();
    const insert = db.prepare(
      `INSERT INTO outgoing_register (year, number, level, subject, subject_listed, registered_at, registered_by)
       VALUES (?, ?, 'mat', 's', 1, ?, 'vt')`,
    );
    insert.run(2026, 1, T);
    assert.throws(() => insert.run(2026, 1, T), /UNIQUE/);
    insert.run(2027, 1, T);
    assert.throws(() => insert.run(2026, 0, T), /CHECK constraint/);
  });

  it('a package sha256 appears once in the outbox', () => {
    const db = schema1();
    const insert = db.prepare(
      `INSERT INTO outbox (package_blob, package_sha256, level, subject, subject_listed, created_at, updated_at)
       VALUES (?, ?, 'mat', 's', 1, ?, ?)`,
    );
    insert.run(addBlob(db, 1), sha(7), T, T);
    assert.throws(() => insert.run(addBlob(db, 2), sha(7), T, T), /UNIQUE/);
    assert.throws(() => insert.run(addBlob(db, 3), Buffer.alloc(31), T, T), /CHECK constraint/);
  });

  it('the audit trail and its checkpoints are append-only', () => {
    const db = schema1();
    db.prepare(
      `INSERT INTO audit (at, actor, action, package, level, detail, prev_hash, hash)
       VALUES (?, 'vt', 'draft.create', NULL, 'mat', '{}', ?, ?)`,
    ).run(T, sha(0), sha(1));
    assert.throws(() => db.prepare(`UPDATE audit SET actor = 'x'`).run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
    db.prepare(`INSERT INTO audit_checkpoint VALUES (1, ?, ?, ?, ?, 'ecdsa-sha384')`).run(
      T,
      sha(1),
      sha(2),
      sha(3),
    );
    assert.throws(() => db.prepare('DELETE FROM audit_checkpoint').run(), /append-only/);
    assert.equal(count(db, 'audit'), 1);
  });

  it('removing an agency removes its certificates', () => {
    const db = schema1();
    db.prepare(
      `INSERT INTO agencies VALUES ('000.00.00.G22', 'Văn phòng Chính phủ', 'tuyet-mat', ?)`,
    ).run(T);
    db.prepare(
      `INSERT INTO agency_certificates (organ_id, certificate, fingerprint, key_transport) VALUES ('000.00.00.G22', x'30', ?, 'ecdh')`,
    ).run(sha(1));
    assert.throws(
      () =>
        db
          .prepare(
            `INSERT INTO agency_certificates (organ_id, certificate, fingerprint, key_transport) VALUES ('000.00.00.G22', x'30', ?, 'rsa-pkcs1')`,
          )
          .run(sha(2)),
      /CHECK constraint/,
    );
    db.prepare('DELETE FROM agencies').run();
    assert.equal(count(db, 'agency_certificates'), 0);
  });

  it('blob rows hold a 32-byte key and a random-looking hex name only', () => {
    const db = schema1();
    const insert = db.prepare('INSERT INTO blobs VALUES (?, ?, 0, ?, ?)');
    assert.throws(() => insert.run(blobId(1), Buffer.alloc(16), sha(1), T), /CHECK constraint/);
    assert.throws(() => insert.run('../../etc/passwd', sha(1), sha(1), T), /CHECK constraint/);
    assert.throws(() => insert.run('A'.repeat(32), sha(1), sha(1), T), /CHECK constraint/);
  });
});
