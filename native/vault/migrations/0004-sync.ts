/**
 * Schema 4: the outbox row is the transport record of a package through every state the
 * sync engine (native/sync/sync-engine.ts) moves it through, the notices its recipients
 * sent back, what the profile keeps of the platform (address, mailbox cursor, directory
 * ETag) and the profile's trust anchors.
 *
 * - `outbox` is rebuilt (SQLite cannot change a CHECK): states `queued`, `uploading`
 *   (`bytes_done` the platform acknowledged of `bytes_total`), `sent` (`receipt` DER and
 *   `receipt_at`), `delivered` (`delivered_at`: every recipient's notice held),
 *   `failed-retrying` (`next_attempt_at`, `error_*`), `failed` (`error_*` and the clerk's
 *   `action`). CHECKs tie each state to its columns, and triggers refuse, whatever the
 *   code does, to take a row holding a receipt out of sent/delivered, to change or drop
 *   its receipt, to turn delivered back into sent, or to delete it.
 * - Schema 1 moved a package out of the outbox into `sent` once the platform took it; a
 *   clerk now sees one outbox with the states. The rows of `sent` become outbox rows in
 *   state `sent` (receipt and time kept, recipients from its JSON), the table goes, and a
 *   view `sent` (same columns) lists the sent and delivered rows, so what read `sent`
 *   still reads it. Its search index goes with it; the outbox's is rebuilt.
 * - Old states: `sending` (an attempt a killed client left) becomes `queued`, `failed`
 *   becomes `failed` with kind `internal` and action `retry`, and any row holding a
 *   receipt becomes `sent` whatever it said.
 * - `outbox_notices`: the verified notices (01 arrived, 02 refused, 03 registered …),
 *   one per (package, recipient, status), append-only like the audit trail.
 * - `sync_state`: one row (id 1). `trust_anchors`: CA certificates (DER) the profile
 *   trusts for the platform's TLS, its receipts, notices and the directory.
 */
import { foldedSql } from '../search-terms.ts';
import type { SqliteDatabase } from '../sqlite-lib.ts';
import { LEVELS_SQL, type Migration } from './migration.ts';

/** The transport states of schema 4, in the order a package goes through them. */
export const OUTBOX_STATES = [
  'queued',
  'uploading',
  'sent',
  'delivered',
  'failed-retrying',
  'failed',
] as const;

/** What a clerk can do about a failed package. */
export const FAILURE_ACTIONS = ['re-seal', 'tell-administrator', 'retry'] as const;

const list = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(', ')})`;
const BUSINESS_STATUSES = list(['01', '02', '03', '04', '05', '06', '13', '15', '16']);
const HELD = `('sent', 'delivered')`;

const outboxTable = `
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  draft_id         INTEGER REFERENCES drafts (id) ON DELETE SET NULL,
  package_blob     TEXT NOT NULL REFERENCES blobs (id),
  package_sha256   BLOB NOT NULL UNIQUE CHECK (length(package_sha256) = 32),
  level            TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  subject          TEXT NOT NULL,
  subject_listed   INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  metadata         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  transport_state  TEXT NOT NULL DEFAULT 'queued' CHECK (transport_state IN ${list(OUTBOX_STATES)}),
  bytes_done       INTEGER NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
  bytes_total      INTEGER CHECK (bytes_total IS NULL OR bytes_total >= 0),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  TEXT,
  error_kind       TEXT CHECK (error_kind IS NULL OR length(error_kind) BETWEEN 1 AND 64),
  error_code       TEXT CHECK (error_code IS NULL OR length(error_code) BETWEEN 1 AND 64),
  error_organ_id   TEXT CHECK (error_organ_id IS NULL OR length(error_organ_id) BETWEEN 1 AND 64),
  error_message    TEXT CHECK (error_message IS NULL OR length(error_message) <= 2000),
  action           TEXT CHECK (action IS NULL OR action IN ${list(FAILURE_ACTIONS)}),
  receipt          BLOB CHECK (receipt IS NULL OR length(receipt) BETWEEN 1 AND 65536),
  receipt_at       TEXT,
  delivered_at     TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  CHECK (bytes_total IS NULL OR bytes_done <= bytes_total),
  CHECK ((transport_state IN ${HELD}) = (receipt_at IS NOT NULL)),
  CHECK (receipt IS NULL OR transport_state IN ${HELD}),
  CHECK ((transport_state = 'delivered') = (delivered_at IS NOT NULL)),
  CHECK ((transport_state = 'failed-retrying') = (next_attempt_at IS NOT NULL)),
  CHECK ((transport_state IN ('failed', 'failed-retrying')) = (error_kind IS NOT NULL)),
  CHECK ((transport_state = 'failed') = (action IS NOT NULL))
) STRICT;

CREATE TABLE outbox_recipients (
  outbox_id  INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  organ_id   TEXT NOT NULL CHECK (length(organ_id) BETWEEN 1 AND 64),
  PRIMARY KEY (outbox_id, organ_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (transport_state, next_attempt_at);

-- A receipt is evidence: once held, the row stays sent or delivered, keeps it, and stays.
CREATE TRIGGER outbox_receipt_kept BEFORE UPDATE ON outbox
  WHEN old.transport_state IN ${HELD} AND (
    new.transport_state NOT IN ${HELD}
    OR (old.transport_state = 'delivered' AND new.transport_state <> 'delivered')
    OR new.receipt_at IS NOT old.receipt_at
    OR (old.receipt IS NOT NULL AND (new.receipt IS NULL OR new.receipt <> old.receipt))
    OR new.package_sha256 <> old.package_sha256 OR new.package_blob <> old.package_blob)
  BEGIN SELECT RAISE(ABORT, 'an outbox package with a receipt stays sent or delivered'); END;
CREATE TRIGGER outbox_receipt_no_delete BEFORE DELETE ON outbox
  WHEN old.transport_state IN ${HELD}
  BEGIN SELECT RAISE(ABORT, 'an outbox package with a receipt is kept'); END;
`;

function outboxSearch(): string {
  const subject = (row: string) =>
    foldedSql(`CASE WHEN ${row}subject_listed = 1 THEN coalesce(${row}subject, '') ELSE '' END`);
  const metadata = (row: string) =>
    foldedSql(
      `(SELECT coalesce(group_concat(value, ' '), '') FROM json_tree(${row}metadata) WHERE type = 'text')`,
    );
  const insert = `INSERT INTO outbox_search (rowid, subject, metadata)
    VALUES (new.id, ${subject('new.')}, ${metadata('new.')});`;
  return `
CREATE TRIGGER outbox_search_insert AFTER INSERT ON outbox BEGIN ${insert} END;
CREATE TRIGGER outbox_search_update AFTER UPDATE OF subject, subject_listed, metadata ON outbox BEGIN
  DELETE FROM outbox_search WHERE rowid = old.id;
  ${insert}
END;
CREATE TRIGGER outbox_search_delete AFTER DELETE ON outbox BEGIN
  DELETE FROM outbox_search WHERE rowid = old.id;
END;
INSERT INTO outbox_search (outbox_search) VALUES ('delete-all');
INSERT INTO outbox_search (rowid, subject, metadata)
  SELECT id, ${subject('outbox.')}, ${metadata('outbox.')} FROM outbox;
`;
}

const otherTables = `
-- What read the sent list still reads it: the outbox rows holding a receipt.
CREATE VIEW sent AS
  SELECT o.id, o.package_blob, o.package_sha256, o.level, o.subject, o.subject_listed, o.metadata,
    (SELECT json_group_array(organ_id) FROM outbox_recipients WHERE outbox_id = o.id) AS recipients,
    o.receipt, o.receipt_at AS sent_at, o.transport_state, o.delivered_at
  FROM outbox o WHERE o.transport_state IN ${HELD};

-- Business-status notices a recipient signed about a package we sent, verified before
-- they were recorded (signature and chain, signer's agency = from, from a recipient).
CREATE TABLE outbox_notices (
  id                   INTEGER PRIMARY KEY,
  outbox_id            INTEGER NOT NULL REFERENCES outbox (id) ON DELETE RESTRICT,
  status               TEXT NOT NULL CHECK (status IN ${BUSINESS_STATUSES}),
  from_organ_id        TEXT NOT NULL CHECK (length(from_organ_id) BETWEEN 1 AND 64),
  at                   TEXT NOT NULL,
  statement            TEXT NOT NULL CHECK (json_valid(statement)),
  der                  BLOB NOT NULL CHECK (length(der) BETWEEN 1 AND 65536),
  signer               TEXT NOT NULL,
  signer_certificate   BLOB NOT NULL CHECK (length(signer_certificate) = 32),
  received_at          TEXT NOT NULL,
  UNIQUE (outbox_id, from_organ_id, status)
) STRICT;
CREATE TRIGGER outbox_notices_no_update BEFORE UPDATE ON outbox_notices
  BEGIN SELECT RAISE(ABORT, 'notices are kept as received'); END;
CREATE TRIGGER outbox_notices_no_delete BEFORE DELETE ON outbox_notices
  BEGIN SELECT RAISE(ABORT, 'notices are kept as received'); END;

-- The platform this profile syncs with. One row; a new platform address starts afresh.
CREATE TABLE sync_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  platform_url     TEXT CHECK (platform_url IS NULL OR length(platform_url) BETWEEN 1 AND 512),
  mailbox_cursor   TEXT CHECK (mailbox_cursor IS NULL OR (length(mailbox_cursor) BETWEEN 1 AND 20
                     AND mailbox_cursor NOT GLOB '*[^0-9]*')),
  directory_etag   TEXT,
  last_run_at      TEXT,
  last_error_kind  TEXT,
  last_error       TEXT CHECK (last_error IS NULL OR length(last_error) <= 2000),
  updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE trust_anchors (
  id           INTEGER PRIMARY KEY,
  certificate  BLOB NOT NULL,
  sha256       BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
  subject      TEXT NOT NULL,
  not_after    TEXT NOT NULL,
  added_at     TEXT NOT NULL,
  added_by     TEXT NOT NULL
) STRICT;
`;

interface OldOutboxRow {
  id: number;
  transport_state: string;
  receipt: Buffer | null;
  last_error: string | null;
  updated_at: string;
}

/** The schema 4 columns of a schema 1 outbox row's transport state. */
function newState(row: OldOutboxRow): Record<string, unknown> {
  const base = {
    transport_state: 'queued',
    receipt_at: null,
    delivered_at: null,
    error_kind: null,
    error_message: null,
    action: null,
  };
  const held = row.receipt !== null || row.transport_state === 'sent';
  if (row.transport_state === 'delivered') {
    return {
      ...base,
      transport_state: 'delivered',
      receipt_at: row.updated_at,
      delivered_at: row.updated_at,
    };
  }
  if (held) return { ...base, transport_state: 'sent', receipt_at: row.updated_at };
  if (row.transport_state === 'failed') {
    return {
      ...base,
      transport_state: 'failed',
      error_kind: 'internal',
      error_message: (row.last_error ?? 'failed before schema 4').slice(0, 2000),
      action: 'retry',
    };
  }
  return base; // queued, or sending (an attempt a killed client left): queued again
}

function rebuildOutbox(db: SqliteDatabase): void {
  db.exec(`
    CREATE TEMP TABLE outbox_v1 AS SELECT * FROM main.outbox;
    CREATE TEMP TABLE outbox_recipients_v1 AS SELECT * FROM main.outbox_recipients;
    DROP TABLE main.outbox_recipients;
    DROP TABLE main.outbox;
    ${outboxTable}`);
  const rows = db
    .prepare('SELECT id, transport_state, receipt, last_error, updated_at FROM temp.outbox_v1')
    .all() as OldOutboxRow[];
  const insert = db.prepare(
    `INSERT INTO main.outbox (id, draft_id, package_blob, package_sha256, level, subject,
       subject_listed, metadata, transport_state, attempts, error_kind, error_message, action,
       receipt, receipt_at, delivered_at, created_at, updated_at)
     SELECT id, draft_id, package_blob, package_sha256, level, subject, subject_listed, metadata,
       @transport_state, attempts, @error_kind, @error_message, @action, receipt, @receipt_at,
       @delivered_at, created_at, updated_at
     FROM temp.outbox_v1 WHERE id = @id`,
  );
  for (const row of rows) insert.run({ id: row.id, ...newState(row) });
  db.exec(`
    INSERT INTO main.outbox_recipients SELECT * FROM temp.outbox_recipients_v1;
    DROP TABLE temp.outbox_v1;
    DROP TABLE temp.outbox_recipients_v1;`);
}

interface SentRow {
  package_blob: string;
  package_sha256: Buffer;
  level: string;
  subject: string;
  subject_listed: number;
  metadata: string;
  recipients: string;
  receipt: Buffer | null;
  sent_at: string;
}

/** The rows of schema 1's `sent` become outbox rows in state `sent`. */
function moveSentIntoOutbox(db: SqliteDatabase): void {
  const rows = db.prepare('SELECT * FROM main.sent ORDER BY id').all() as SentRow[];
  const existing = db.prepare(
    'SELECT id, transport_state FROM main.outbox WHERE package_sha256 = ?',
  );
  const insert = db.prepare(
    `INSERT INTO main.outbox (package_blob, package_sha256, level, subject, subject_listed,
       metadata, transport_state, receipt, receipt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?)`,
  );
  const recipient = db.prepare(
    'INSERT OR IGNORE INTO main.outbox_recipients (outbox_id, organ_id) VALUES (?, ?)',
  );
  const held = db.prepare(
    `UPDATE main.outbox SET transport_state = 'sent', receipt = coalesce(receipt, ?),
       receipt_at = ?, next_attempt_at = NULL, error_kind = NULL, error_code = NULL,
       error_organ_id = NULL, error_message = NULL, action = NULL, updated_at = ? WHERE id = ?`,
  );
  for (const row of rows) {
    const same = existing.get(row.package_sha256) as
      { id: number; transport_state: string } | undefined;
    let id: number;
    if (same === undefined) {
      id = Number(
        insert.run(
          row.package_blob,
          row.package_sha256,
          row.level,
          row.subject,
          row.subject_listed,
          row.metadata,
          row.receipt,
          row.sent_at,
          row.sent_at,
          row.sent_at,
        ).lastInsertRowid,
      );
    } else {
      // The same package both in the outbox and sent (not written by Niêm, but possible in
      // a hand-edited vault): it was sent, so the outbox row takes the receipt.
      id = same.id;
      if (same.transport_state !== 'sent' && same.transport_state !== 'delivered') {
        held.run(row.receipt, row.sent_at, row.sent_at, id);
      }
    }
    let organIds: unknown;
    try {
      organIds = JSON.parse(row.recipients);
    } catch {
      organIds = [];
    }
    if (Array.isArray(organIds)) {
      for (const organId of organIds) if (typeof organId === 'string') recipient.run(id, organId);
    }
  }
  db.exec('DROP TABLE main.sent; DROP TABLE main.sent_search;');
}

export const migration: Migration = {
  version: 4,
  description: 'outbox transport states, notices, sync state, trust anchors; sent becomes a view',
  up(db) {
    rebuildOutbox(db);
    moveSentIntoOutbox(db);
    db.exec(outboxSearch());
    db.exec(otherTables);
  },
};
