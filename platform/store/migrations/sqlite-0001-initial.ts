/**
 * SQLite schema 1 of the platform store (./postgres-0001-initial.ts is the same schema for
 * PostgreSQL; keep them equivalent).
 *
 * Conventions: times are ISO 8601 UTC text in `toISOString()` form, so they compare as text;
 * hashes lowercase hex; cursors per agency start at 1. An agency that is removed keeps its
 * row (`listed = 0`) so its mailbox sequence never restarts and its cursors never repeat.
 */

export const SQLITE_SCHEMA_VERSION = 1;

const LEVEL = (column: string): string =>
  `CHECK (${column} IN ('thuong', 'mat', 'toi-mat', 'tuyet-mat'))`;
const HEX64 = (column: string): string =>
  `CHECK (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*')`;
const TIME = (column: string): string => `CHECK (${column} GLOB '[0-9][0-9][0-9][0-9]-*Z')`;

export const sqliteInitial = `
-- Platform settings and the directory revision: one row per key, value as JSON text.
CREATE TABLE config (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL CHECK (json_valid(value))
) STRICT;

-- The directory. mailbox_seq is the last cursor given out in the agency's mailbox.
CREATE TABLE agencies (
  organ_id       TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  clearance      TEXT NOT NULL ${LEVEL('clearance')},
  key_transport  TEXT NOT NULL CHECK (key_transport IN ('oaep-sha256', 'oaep-sha1', 'ecdh')),
  listed         INTEGER NOT NULL CHECK (listed IN (0, 1)),
  mailbox_seq    INTEGER NOT NULL DEFAULT 0 CHECK (mailbox_seq >= 0)
) STRICT;

-- Clerk certificates (DER) of listed agencies; id keeps the order they were added in.
CREATE TABLE certificates (
  id        INTEGER PRIMARY KEY,
  sha256    TEXT NOT NULL UNIQUE ${HEX64('sha256')},
  organ_id  TEXT NOT NULL REFERENCES agencies (organ_id) ON DELETE CASCADE,
  der       BLOB NOT NULL
) STRICT;
CREATE INDEX certificates_organ ON certificates (organ_id, id);

-- Auth challenges: single use, until expires_at.
CREATE TABLE nonces (
  nonce       TEXT PRIMARY KEY,
  expires_at  TEXT NOT NULL ${TIME('expires_at')}
) STRICT;
CREATE INDEX nonces_expiry ON nonces (expires_at);

-- Sessions under the SHA-256 of their bearer token (never the token).
CREATE TABLE sessions (
  token_sha256        TEXT PRIMARY KEY ${HEX64('token_sha256')},
  organ_id            TEXT NOT NULL,
  certificate_sha256  TEXT NOT NULL ${HEX64('certificate_sha256')},
  expires_at          TEXT NOT NULL ${TIME('expires_at')}
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE uploads (
  sha256                     TEXT PRIMARY KEY ${HEX64('sha256')},
  size                       INTEGER NOT NULL CHECK (size >= 1),
  level                      TEXT NOT NULL ${LEVEL('level')},
  sender                     TEXT NOT NULL,
  sender_certificate_sha256  TEXT NOT NULL ${HEX64('sender_certificate_sha256')},
  chunk_bytes                INTEGER NOT NULL CHECK (chunk_bytes >= 1),
  state                      TEXT NOT NULL CHECK (state IN ('open', 'complete')),
  receipt                    BLOB,
  created_at                 TEXT NOT NULL ${TIME('created_at')},
  completed_at               TEXT,
  CHECK ((state = 'complete') = (receipt IS NOT NULL AND completed_at IS NOT NULL))
) STRICT;

-- Recipients of an upload, in the order the sender gave them.
CREATE TABLE upload_recipients (
  upload    TEXT NOT NULL REFERENCES uploads (sha256) ON DELETE CASCADE,
  position  INTEGER NOT NULL CHECK (position >= 0),
  organ_id  TEXT NOT NULL,
  PRIMARY KEY (upload, position),
  UNIQUE (upload, organ_id)
) STRICT;

-- The package bytes, one row per chunk; digest is the SHA-256 of bytes.
CREATE TABLE chunks (
  upload  TEXT NOT NULL REFERENCES uploads (sha256) ON DELETE CASCADE,
  idx     INTEGER NOT NULL CHECK (idx >= 0),
  digest  TEXT NOT NULL ${HEX64('digest')},
  bytes   BLOB NOT NULL,
  PRIMARY KEY (upload, idx)
) STRICT;

-- Business-status notices, stored once per (package, from, status).
CREATE TABLE notices (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL ${HEX64('sha256')},
  from_organ  TEXT NOT NULL,
  to_organ    TEXT NOT NULL,
  status      TEXT NOT NULL,
  der         BLOB NOT NULL,
  at          TEXT NOT NULL ${TIME('at')},
  UNIQUE (sha256, from_organ, status)
) STRICT;

-- Each agency's mailbox: a package it may fetch or a notice relayed to it.
CREATE TABLE mailbox (
  organ_id  TEXT NOT NULL REFERENCES agencies (organ_id),
  cursor    INTEGER NOT NULL CHECK (cursor >= 1),
  kind      TEXT NOT NULL CHECK (kind IN ('package', 'notice')),
  upload    TEXT REFERENCES uploads (sha256),
  notice    INTEGER REFERENCES notices (id),
  at        TEXT NOT NULL ${TIME('at')},
  PRIMARY KEY (organ_id, cursor),
  CHECK ((kind = 'package') = (upload IS NOT NULL AND notice IS NULL)),
  CHECK ((kind = 'notice') = (notice IS NOT NULL AND upload IS NULL))
) STRICT, WITHOUT ROWID;

-- The cursor up to which an agency has stored its mailbox.
CREATE TABLE acks (
  organ_id  TEXT PRIMARY KEY REFERENCES agencies (organ_id),
  cursor    INTEGER NOT NULL CHECK (cursor >= 0)
) STRICT;
`;
