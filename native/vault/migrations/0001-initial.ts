/**
 * Schema 1: identities, the agency directory, drafts with their documents, outbox, sent,
 * inbox with its business status history, the outgoing and incoming registers, the
 * audit trail and its checkpoints, and the encrypted blob files' keys.
 *
 * Conventions: times are ISO-8601 UTC text (`2026-01-31T08:00:00.000Z`); levels are the
 * codes of native/seal/levels.ts; `subject_listed` is 0 while a subject must stay out of
 * lists and the search index (Tuyệt mật until opened by its recipient).
 */
import { LEVELS_SQL, type Migration } from './migration.ts';

const URGENCIES = `('thuong', 'khan', 'thuong-khan', 'hoa-toc', 'hoa-toc-hen-gio')`;
const BUSINESS_STATUSES = `('01', '02', '03', '04', '05', '06', '13', '15', '16')`;
const TRANSPORT_STATES = `('queued', 'sending', 'sent', 'failed', 'delivered')`;
const SHA256 = (column: string): string => `CHECK (length(${column}) = 32)`;
const JSON_TEXT = (column: string): string => `CHECK (json_valid(${column}))`;

const schema = `
-- Encrypted files under blobs/: the row holds the file's random AES key; the file never does.
CREATE TABLE blobs (
  id          TEXT PRIMARY KEY CHECK (length(id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  key         BLOB NOT NULL CHECK (length(key) = 32),
  size        INTEGER NOT NULL CHECK (size >= 0),
  sha256      BLOB NOT NULL ${SHA256('sha256')},
  created_at  TEXT NOT NULL
) STRICT;

-- Who holds the vault key (vault.key is wrapped for them): the clerk's token certificate and
-- the agency recovery certificate, kept so a re-wrap for a new token keeps the recovery.
CREATE TABLE key_holders (
  role         TEXT PRIMARY KEY CHECK (role IN ('token', 'recovery')),
  certificate  BLOB NOT NULL,
  oaep_hash    TEXT CHECK (oaep_hash IS NULL OR oaep_hash IN ('sha256', 'sha1')),
  since        TEXT NOT NULL
) STRICT;

-- The clerk's tokens: which token and certificates this vault has known.
CREATE TABLE identities (
  id                     INTEGER PRIMARY KEY,
  token_label            TEXT NOT NULL,
  token_serial           TEXT NOT NULL,
  signing_certificate    BLOB NOT NULL,
  encryption_certificate BLOB,
  organ_id               TEXT,
  added_at               TEXT NOT NULL,
  retired_at             TEXT,
  UNIQUE (token_serial, signing_certificate)
) STRICT;

-- The directory: agencies by OrganId, the highest level each may receive.
CREATE TABLE agencies (
  organ_id    TEXT PRIMARY KEY CHECK (length(organ_id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL CHECK (length(name) > 0),
  clearance   TEXT NOT NULL CHECK (clearance IN ${LEVELS_SQL}),
  updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE agency_certificates (
  id             INTEGER PRIMARY KEY,
  organ_id       TEXT NOT NULL REFERENCES agencies (organ_id) ON DELETE CASCADE ON UPDATE CASCADE,
  certificate    BLOB NOT NULL,
  fingerprint    BLOB NOT NULL ${SHA256('fingerprint')},
  key_transport  TEXT NOT NULL CHECK (key_transport IN ('rsa-oaep-sha256', 'rsa-oaep-sha1', 'ecdh')),
  not_after      TEXT,
  UNIQUE (organ_id, fingerprint)
) STRICT;

CREATE TABLE drafts (
  id              INTEGER PRIMARY KEY,
  subject         TEXT NOT NULL,
  level           TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  urgency         TEXT NOT NULL DEFAULT 'thuong' CHECK (urgency IN ${URGENCIES}),
  metadata        TEXT NOT NULL DEFAULT '{}' ${JSON_TEXT('metadata')},
  subject_listed  INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;

-- Recipients by OrganId; not a foreign key to agencies, so refreshing the directory never
-- blocks on drafts. Sealing checks them against the directory.
CREATE TABLE draft_recipients (
  draft_id  INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  organ_id  TEXT NOT NULL CHECK (length(organ_id) BETWEEN 1 AND 64),
  PRIMARY KEY (draft_id, organ_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE draft_documents (
  id        INTEGER PRIMARY KEY,
  draft_id  INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL CHECK (position >= 0),
  name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  media_type TEXT,
  blob_id   TEXT NOT NULL REFERENCES blobs (id),
  UNIQUE (draft_id, name),
  UNIQUE (draft_id, position)
) STRICT;

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  draft_id         INTEGER REFERENCES drafts (id) ON DELETE SET NULL,
  package_blob     TEXT NOT NULL REFERENCES blobs (id),
  package_sha256   BLOB NOT NULL UNIQUE ${SHA256('package_sha256')},
  level            TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  subject          TEXT NOT NULL,
  subject_listed   INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  metadata         TEXT NOT NULL DEFAULT '{}' ${JSON_TEXT('metadata')},
  transport_state  TEXT NOT NULL DEFAULT 'queued' CHECK (transport_state IN ${TRANSPORT_STATES}),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  TEXT,
  last_error       TEXT,
  receipt          BLOB,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE outbox_recipients (
  outbox_id  INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  organ_id   TEXT NOT NULL CHECK (length(organ_id) BETWEEN 1 AND 64),
  PRIMARY KEY (outbox_id, organ_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX outbox_next_attempt ON outbox (transport_state, next_attempt_at);

-- What left: moved here from the outbox once the platform gave its receipt.
CREATE TABLE sent (
  id               INTEGER PRIMARY KEY,
  package_blob     TEXT NOT NULL REFERENCES blobs (id),
  package_sha256   BLOB NOT NULL UNIQUE ${SHA256('package_sha256')},
  level            TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  subject          TEXT NOT NULL,
  subject_listed   INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  metadata         TEXT NOT NULL DEFAULT '{}' ${JSON_TEXT('metadata')},
  recipients       TEXT NOT NULL ${JSON_TEXT('recipients')},
  receipt          BLOB,
  sent_at          TEXT NOT NULL
) STRICT;
CREATE INDEX sent_by_time ON sent (sent_at);

CREATE TABLE inbox (
  id               INTEGER PRIMARY KEY,
  package_blob     TEXT NOT NULL REFERENCES blobs (id),
  package_sha256   BLOB NOT NULL UNIQUE ${SHA256('package_sha256')},
  level            TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  sender_organ_id  TEXT,
  subject          TEXT,
  subject_listed   INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  metadata         TEXT NOT NULL DEFAULT '{}' ${JSON_TEXT('metadata')},
  verification     TEXT CHECK (verification IS NULL OR json_valid(verification)),
  status           TEXT CHECK (status IS NULL OR status IN ${BUSINESS_STATUSES}),
  received_at      TEXT NOT NULL,
  opened_at        TEXT
) STRICT;
CREATE INDEX inbox_by_time ON inbox (received_at);

CREATE TABLE inbox_documents (
  id        INTEGER PRIMARY KEY,
  inbox_id  INTEGER NOT NULL REFERENCES inbox (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL CHECK (position >= 0),
  name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  blob_id   TEXT NOT NULL REFERENCES blobs (id),
  UNIQUE (inbox_id, name),
  UNIQUE (inbox_id, position)
) STRICT;

CREATE TABLE inbox_status_history (
  id        INTEGER PRIMARY KEY,
  inbox_id  INTEGER NOT NULL REFERENCES inbox (id) ON DELETE CASCADE,
  status    TEXT NOT NULL CHECK (status IN ${BUSINESS_STATUSES}),
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  note      TEXT
) STRICT;
CREATE INDEX inbox_status_by_package ON inbox_status_history (inbox_id, at);

-- Registers (sổ đi, sổ đến): numbers restart each year and are never reused.
CREATE TABLE outgoing_register (
  id              INTEGER PRIMARY KEY,
  year            INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
  number          INTEGER NOT NULL CHECK (number > 0),
  code_notation   TEXT,
  level           TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  subject         TEXT NOT NULL,
  subject_listed  INTEGER NOT NULL CHECK (subject_listed IN (0, 1)),
  package_sha256  BLOB CHECK (package_sha256 IS NULL OR length(package_sha256) = 32),
  registered_at   TEXT NOT NULL,
  registered_by   TEXT NOT NULL,
  UNIQUE (year, number)
) STRICT;

CREATE TABLE incoming_register (
  id              INTEGER PRIMARY KEY,
  year            INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
  number          INTEGER NOT NULL CHECK (number > 0),
  inbox_id        INTEGER NOT NULL UNIQUE REFERENCES inbox (id) ON DELETE RESTRICT,
  registered_at   TEXT NOT NULL,
  registered_by   TEXT NOT NULL,
  UNIQUE (year, number)
) STRICT;

-- The audit trail. native/audit/ computes prev_hash/hash (the chain) and the signed
-- checkpoints; these columns are its contract. Rows are append-only (triggers below).
CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  package    TEXT NULL CHECK (package IS NULL OR (length(package) = 64 AND package NOT GLOB '*[^0-9a-f]*')),
  level      TEXT NULL CHECK (level IS NULL OR level IN ${LEVELS_SQL}),
  detail     TEXT CHECK (detail IS NULL OR json_valid(detail)),
  prev_hash  BLOB NOT NULL,
  hash       BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE audit_checkpoint (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  hash         BLOB NOT NULL,
  signature    BLOB NOT NULL,
  certificate  BLOB NOT NULL,
  algorithm    TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
`;

export const migration: Migration = {
  version: 1,
  description: 'key holders, identities, directory, drafts, outbox, sent, inbox, registers, audit',
  up(db) {
    db.exec(schema);
  },
};
