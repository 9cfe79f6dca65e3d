/**
 * Schema 4: the outbox row is the transport record through every state. A schema 3 vault
 * keeps everything: queued rows stay queued, an attempt a killed client left (`sending`)
 * is queued again, a failed row stays failed (action retry), a row holding a receipt is
 * sent whatever it said, and the rows of the old `sent` table become sent outbox rows with
 * their receipt and recipients, still read through the `sent` view and found by search.
 * The CHECKs tie each state to its columns, and the triggers refuse to take a package
 * holding a receipt back to queued / failed-retrying / failed, to change its receipt, to
 * turn delivered back into sent or to delete it; notices are append-only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migration as initial } from '../../native/vault/migrations/0001-initial.ts';
import { migration as search } from '../../native/vault/migrations/0002-search.ts';
import { migration as folding } from '../../native/vault/migrations/0003-search-folding.ts';
import { migration as sync } from '../../native/vault/migrations/0004-sync.ts';
import { migrate, migrations } from '../../native/vault/migrations/index.ts';
import { ftsTerms } from '../../native/vault/search-terms.ts';
import { Sqlite, type SqliteDatabase } from '../../native/vault/sqlite-lib.ts';

const T = '2026-01-31T08:00:00.000Z';
const T2 = '2026-02-01T09:30:00.000Z';
const sha = (n: number): Buffer => Buffer.alloc(32, n);
const blobId = (n: number): string => n.toString(16).padStart(32, '0');

function schema3(): SqliteDatabase {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  initial.up(db);
  search.up(db);
  folding.up(db);
  return db;
}

function addBlob(db: SqliteDatabase, n: number): string {
  db.prepare('INSERT INTO blobs VALUES (?, ?, 1000, ?, ?)').run(blobId(n), sha(n), sha(n), T);
  return blobId(n);
}

/** A schema 1 outbox row. */
function addOldOutbox(
  db: SqliteDatabase,
  n: number,
  state: string,
  extra: { receipt?: Buffer; lastError?: string; subject?: string } = {},
): number {
  const r = db
    .prepare(
      `INSERT INTO outbox (package_blob, package_sha256, level, subject, subject_listed,
         transport_state, attempts, last_error, receipt, created_at, updated_at)
       VALUES (?, ?, 'mat', ?, 1, ?, 2, ?, ?, ?, ?)`,
    )
    .run(
      addBlob(db, n),
      sha(n),
      extra.subject ?? `Công văn ${n}`,
      state,
      extra.lastError ?? null,
      extra.receipt ?? null,
      T,
      T2,
    );
  const id = Number(r.lastInsertRowid);
  db.prepare(`INSERT INTO outbox_recipients VALUES (?, '000.00.00.G99')`).run(id);
  return id;
}

function addOldSent(db: SqliteDatabase, n: number, receipt: Buffer | null): void {
  db.prepare(
    `INSERT INTO sent (package_blob, package_sha256, level, subject, subject_listed, recipients,
       receipt, sent_at) VALUES (?, ?, 'toi-mat', 'Quyết định điều động', 1, ?, ?, ?)`,
  ).run(addBlob(db, n), sha(n), '["000.00.00.G99","000.00.00.G22"]', receipt, T2);
}

interface Row {
  id: number;
  transport_state: string;
  receipt: Buffer | null;
  receipt_at: string | null;
  error_kind: string | null;
  error_message: string | null;
  action: string | null;
  attempts: number;
}
const row = (db: SqliteDatabase, n: number): Row =>
  db.prepare('SELECT * FROM outbox WHERE package_sha256 = ?').get(sha(n)) as Row;

const found = (db: SqliteDatabase, typed: string): number[] =>
  db
    .prepare(`SELECT rowid FROM outbox_search WHERE outbox_search MATCH ? ORDER BY rowid`)
    .pluck()
    .all(ftsTerms(typed)) as number[];

function migrated(): { db: SqliteDatabase; ids: Record<string, number> } {
  const db = schema3();
  const ids = {
    queued: addOldOutbox(db, 1, 'queued', { subject: 'Báo cáo định kỳ' }),
    sending: addOldOutbox(db, 2, 'sending'),
    failed: addOldOutbox(db, 3, 'failed', { lastError: 'connection refused' }),
    withReceipt: addOldOutbox(db, 4, 'failed', { receipt: Buffer.from([1, 2, 3]) }),
    delivered: addOldOutbox(db, 5, 'delivered'),
  };
  addOldSent(db, 6, Buffer.from([9, 9]));
  addOldSent(db, 7, null);
  sync.up(db);
  return { db, ids };
}

describe('migration 0004 (outbox transport states, notices, sync state, trust anchors)', () => {
  it('is the fourth migration and runs through migrate()', () => {
    assert.equal(migrations[3], sync);
    const db = new Sqlite(':memory:');
    assert.deepEqual(migrate(db), { from: 0, to: migrations.length });
    assert.ok(migrations.length >= 4);
  });

  it('maps the old states and keeps ids, attempts and recipients', () => {
    const { db, ids } = migrated();
    assert.equal(row(db, 1).id, ids.queued);
    assert.equal(row(db, 1).transport_state, 'queued');
    assert.equal(row(db, 1).attempts, 2);
    assert.equal(row(db, 2).transport_state, 'queued', 'a sending left by a killed client');
    assert.deepEqual(
      [row(db, 3).transport_state, row(db, 3).error_kind, row(db, 3).action],
      ['failed', 'internal', 'retry'],
    );
    assert.equal(row(db, 3).error_message, 'connection refused');
    assert.equal(row(db, 4).transport_state, 'sent', 'a receipt is never shown failed');
    assert.deepEqual(row(db, 4).receipt, Buffer.from([1, 2, 3]));
    assert.equal(row(db, 4).error_kind, null);
    assert.equal(row(db, 5).transport_state, 'delivered');
    const recipients = db.prepare('SELECT count(*) FROM outbox_recipients').pluck().get();
    assert.equal(recipients, 5 + 2 * 2);
  });

  it('moves the sent table into the outbox and keeps a sent view', () => {
    const { db } = migrated();
    assert.deepEqual(
      [row(db, 6).transport_state, row(db, 6).receipt_at, row(db, 6).receipt],
      ['sent', T2, Buffer.from([9, 9])],
    );
    assert.equal(row(db, 7).transport_state, 'sent');
    assert.equal(row(db, 7).receipt, null, 'a package marked sent without a receipt stays so');
    const type = db.prepare(`SELECT type FROM sqlite_schema WHERE name = 'sent'`).pluck().get();
    assert.equal(type, 'view');
    assert.equal(
      db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sent_search%'`).pluck().get(),
      0,
    );
    const viewed = db
      .prepare(
        'SELECT lower(hex(package_sha256)) AS sha, recipients, sent_at FROM sent ORDER BY id',
      )
      .all() as { sha: string; recipients: string; sent_at: string }[];
    assert.deepEqual(
      viewed.map((v) => v.sha),
      [4, 5, 6, 7].map((n) => sha(n).toString('hex')),
    );
    assert.deepEqual(JSON.parse(viewed[2]?.recipients ?? '[]').sort(), [
      '000.00.00.G22',
      '000.00.00.G99',
    ]);
    // The blob collector's query still reads the view.
    assert.doesNotThrow(() => db.prepare('SELECT package_blob FROM sent').all());
  });

  it('rebuilds the search index: old rows, moved rows and new rows are found', () => {
    const { db } = migrated();
    assert.deepEqual(found(db, 'dinh ky'), [row(db, 1).id]);
    assert.deepEqual(
      found(db, 'dieu dong'),
      [row(db, 6).id, row(db, 7).id].sort((a, b) => a - b),
    );
    const r = db
      .prepare(
        `INSERT INTO outbox (package_blob, package_sha256, level, subject, subject_listed,
           created_at, updated_at) VALUES (?, ?, 'mat', 'Giấy mời họp', 1, ?, ?)`,
      )
      .run(addBlob(db, 8), sha(8), T, T);
    assert.deepEqual(found(db, 'giay moi'), [Number(r.lastInsertRowid)]);
  });

  it('ties each state to its columns (CHECK)', () => {
    const { db } = migrated();
    const id = row(db, 1).id;
    const set = (sql: string, ...args: unknown[]) =>
      db.prepare(`UPDATE outbox SET ${sql} WHERE id = ?`).run(...args, id);
    assert.throws(() => set(`transport_state = 'sent'`), /CHECK/, 'sent needs its receipt time');
    assert.throws(() => set(`transport_state = 'failed-retrying'`), /CHECK/, 'needs a time');
    assert.throws(
      () => set(`transport_state = 'failed', error_kind = 'platform-refused'`),
      /CHECK/,
      'failed needs an action',
    );
    assert.throws(() => set(`transport_state = 'failed', action = 'retry'`), /CHECK/);
    assert.throws(() => set(`action = 'ring the bell'`), /CHECK/);
    assert.throws(() => set(`transport_state = 'sending'`), /CHECK/);
    assert.throws(() => set(`bytes_done = 10, bytes_total = 5`), /CHECK/);
    assert.throws(() => set(`receipt = x'01'`), /CHECK/, 'a receipt only when sent');
    set(`transport_state = 'uploading', bytes_done = 5, bytes_total = 10`);
    set(
      `transport_state = 'failed-retrying', next_attempt_at = ?, error_kind = 'platform-unreachable'`,
      T2,
    );
    set(
      `transport_state = 'sent', next_attempt_at = NULL, error_kind = NULL, receipt = x'0102', receipt_at = ?`,
      T2,
    );
  });

  it('never takes a package holding a receipt out of sent or delivered (trigger)', () => {
    const { db } = migrated();
    const sent = row(db, 4).id;
    const delivered = row(db, 5).id;
    const update =
      (id: number, sql: string, ...args: unknown[]) =>
      () =>
        db.prepare(`UPDATE outbox SET ${sql} WHERE id = ?`).run(...args, id);
    const held = /receipt stays sent or delivered/;
    assert.throws(
      update(sent, `transport_state = 'queued', receipt = NULL, receipt_at = NULL`),
      held,
    );
    assert.throws(
      update(
        sent,
        `transport_state = 'failed', receipt = NULL, receipt_at = NULL, error_kind = 'x', action = 'retry'`,
      ),
      held,
    );
    assert.throws(
      update(
        sent,
        `transport_state = 'failed-retrying', receipt = NULL, receipt_at = NULL, error_kind = 'x', next_attempt_at = ?`,
        T2,
      ),
      held,
    );
    assert.throws(update(sent, `receipt = x'ff'`), held, 'the receipt is not replaced');
    assert.throws(update(sent, `receipt_at = ?`, T), held);
    assert.throws(
      update(delivered, `transport_state = 'sent', delivered_at = NULL`),
      held,
      'delivered is not downgraded',
    );
    assert.throws(() => db.prepare('DELETE FROM outbox WHERE id = ?').run(sent), /is kept/);
    update(sent, `transport_state = 'delivered', delivered_at = ?`, T2)();
    assert.equal(row(db, 4).transport_state, 'delivered');
    db.prepare('DELETE FROM outbox WHERE id = ?').run(row(db, 1).id); // no receipt: may go
  });

  it('keeps notices as received, one per package, agency and status', () => {
    const { db } = migrated();
    const id = row(db, 6).id;
    const add = (status: string) =>
      db
        .prepare(
          `INSERT INTO outbox_notices (outbox_id, status, from_organ_id, at, statement, der, signer,
             signer_certificate, received_at) VALUES (?, ?, '000.00.00.G99', ?, '{}', x'30', 'A #01', ?, ?)`,
        )
        .run(id, status, T2, sha(1), T2);
    add('01');
    add('03');
    assert.throws(() => add('01'), /UNIQUE/);
    assert.throws(() => add('99'), /CHECK/);
    assert.throws(() => db.prepare(`UPDATE outbox_notices SET status = '02'`).run(), /as received/);
    assert.throws(() => db.prepare('DELETE FROM outbox_notices').run(), /as received/);
  });

  it('keeps one sync state row and unique trust anchors', () => {
    const { db } = migrated();
    db.prepare(
      `INSERT INTO sync_state (id, platform_url, mailbox_cursor, updated_at) VALUES (1, ?, '42', ?)`,
    ).run('https://truc.example:8443', T);
    assert.throws(
      () => db.prepare(`INSERT INTO sync_state (id, updated_at) VALUES (2, ?)`).run(T),
      /CHECK/,
    );
    assert.throws(() => db.prepare(`UPDATE sync_state SET mailbox_cursor = '4x2'`).run(), /CHECK/);
    const anchor = db.prepare(
      `INSERT INTO trust_anchors (certificate, sha256, subject, not_after, added_at, added_by)
       VALUES (x'30', ?, 'CN=CA', ?, ?, 'A #01')`,
    );
    anchor.run(sha(1), T2, T);
    assert.throws(() => anchor.run(sha(1), T2, T), /UNIQUE/);
  });
});
