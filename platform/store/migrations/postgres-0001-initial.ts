/**
 * PostgreSQL schema 1 of the platform store: the same tables, columns and rules as
 * ./sqlite-0001-initial.ts (keep them equivalent), in PostgreSQL's types: times are
 * timestamptz, bytes bytea, sizes and cursors bigint. Chunk bytes are stored uncompressed
 * out of line (sealed packages are ciphertext: compressing them only costs time).
 */

export const POSTGRES_SCHEMA_VERSION = 1;

const LEVEL = (column: string): string =>
  `CHECK (${column} IN ('thuong', 'mat', 'toi-mat', 'tuyet-mat'))`;
const HEX64 = (column: string): string => `CHECK (${column} ~ '^[0-9a-f]{64}$')`;

export const postgresInitial = `
CREATE TABLE config (
  key    text PRIMARY KEY,
  value  text NOT NULL CHECK (value::jsonb IS NOT NULL)
);

CREATE TABLE agencies (
  organ_id       text PRIMARY KEY,
  name           text NOT NULL,
  clearance      text NOT NULL ${LEVEL('clearance')},
  key_transport  text NOT NULL CHECK (key_transport IN ('oaep-sha256', 'oaep-sha1', 'ecdh')),
  listed         boolean NOT NULL,
  mailbox_seq    bigint NOT NULL DEFAULT 0 CHECK (mailbox_seq >= 0)
);

CREATE TABLE certificates (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256    text NOT NULL UNIQUE ${HEX64('sha256')},
  organ_id  text NOT NULL REFERENCES agencies (organ_id) ON DELETE CASCADE,
  der       bytea NOT NULL
);
CREATE INDEX certificates_organ ON certificates (organ_id, id);

CREATE TABLE nonces (
  nonce       text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX nonces_expiry ON nonces (expires_at);

CREATE TABLE sessions (
  token_sha256        text PRIMARY KEY ${HEX64('token_sha256')},
  organ_id            text NOT NULL,
  certificate_sha256  text NOT NULL ${HEX64('certificate_sha256')},
  expires_at          timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE uploads (
  sha256                     text PRIMARY KEY ${HEX64('sha256')},
  size                       bigint NOT NULL CHECK (size >= 1),
  level                      text NOT NULL ${LEVEL('level')},
  sender                     text NOT NULL,
  sender_certificate_sha256  text NOT NULL ${HEX64('sender_certificate_sha256')},
  chunk_bytes                integer NOT NULL CHECK (chunk_bytes >= 1),
  state                      text NOT NULL CHECK (state IN ('open', 'complete')),
  receipt                    bytea,
  created_at                 timestamptz NOT NULL,
  completed_at               timestamptz,
  CHECK ((state = 'complete') = (receipt IS NOT NULL AND completed_at IS NOT NULL))
);

CREATE TABLE upload_recipients (
  upload    text NOT NULL REFERENCES uploads (sha256) ON DELETE CASCADE,
  position  integer NOT NULL CHECK (position >= 0),
  organ_id  text NOT NULL,
  PRIMARY KEY (upload, position),
  UNIQUE (upload, organ_id)
);

CREATE TABLE chunks (
  upload  text NOT NULL REFERENCES uploads (sha256) ON DELETE CASCADE,
  idx     integer NOT NULL CHECK (idx >= 0),
  digest  text NOT NULL ${HEX64('digest')},
  bytes   bytea NOT NULL,
  PRIMARY KEY (upload, idx)
);
ALTER TABLE chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE notices (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256      text NOT NULL ${HEX64('sha256')},
  from_organ  text NOT NULL,
  to_organ    text NOT NULL,
  status      text NOT NULL,
  der         bytea NOT NULL,
  at          timestamptz NOT NULL,
  UNIQUE (sha256, from_organ, status)
);

CREATE TABLE mailbox (
  organ_id  text NOT NULL REFERENCES agencies (organ_id),
  cursor    bigint NOT NULL CHECK (cursor >= 1),
  kind      text NOT NULL CHECK (kind IN ('package', 'notice')),
  upload    text REFERENCES uploads (sha256),
  notice    bigint REFERENCES notices (id),
  at        timestamptz NOT NULL,
  PRIMARY KEY (organ_id, cursor),
  CHECK ((kind = 'package') = (upload IS NOT NULL AND notice IS NULL)),
  CHECK ((kind = 'notice') = (notice IS NOT NULL AND upload IS NULL))
);

CREATE TABLE acks (
  organ_id  text PRIMARY KEY REFERENCES agencies (organ_id),
  cursor    bigint NOT NULL CHECK (cursor >= 0)
);
`;
