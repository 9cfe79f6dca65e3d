/**
 * Schema 5: packages arriving from the platform, their documents kept in the vault, and
 * the business notices we sign back to their senders.
 *
 * - `inbox_arrivals`: one row per package the mailbox offered: `downloading` (its bytes so
 *   far are encrypted segment files under `<profile>/arrivals/`, one row each in
 *   `inbox_arrival_segments` with its offset and key, so a killed client resumes at the
 *   end of the last segment), `stored` (in the inbox, not yet verified), `done` (verified:
 *   registered 03, or refused 02 with its reason), `not-for-us` (not addressed to this
 *   profile's token: refused before anything was stored, with its reason).
 * - `inbox.manifest` (manifest.json's signed bytes) and `inbox.verified_at`,
 *   `inbox_documents.media_type`: a verified package keeps its documents in the vault (the
 *   blobs of `inbox_documents`), so exporting them needs no second open.
 * - `inbox_notices`: the notices (01 arrived, 02 refused, 03 registered, 04–06 …) signed by
 *   the clerk's token for the sender agency, one per status history entry, `queued` until
 *   the platform took it (`sent`) or refused it (`refused`, with the platform's code). The
 *   signed bytes are written once and never change (triggers): a notice interrupted by a
 *   crash is re-sent byte for byte, never signed again.
 */
import { LEVELS_SQL, type Migration } from './migration.ts';

const BUSINESS_STATUSES = `('01', '02', '03', '04', '05', '06', '13', '15', '16')`;
const ORGAN_ID = (column: string): string => `CHECK (length(${column}) BETWEEN 1 AND 64)`;

const schema = `
CREATE TABLE inbox_arrivals (
  package_sha256   BLOB PRIMARY KEY CHECK (length(package_sha256) = 32),
  size             INTEGER NOT NULL CHECK (size > 0),
  level            TEXT NOT NULL CHECK (level IN ${LEVELS_SQL}),
  sender_claim     TEXT NOT NULL ${ORGAN_ID('sender_claim')},
  state            TEXT NOT NULL CHECK (state IN ('downloading', 'stored', 'done', 'not-for-us')),
  inbox_id         INTEGER UNIQUE REFERENCES inbox (id) ON DELETE RESTRICT,
  sender_organ_id  TEXT CHECK (sender_organ_id IS NULL OR length(sender_organ_id) BETWEEN 1 AND 64),
  refusal_kind     TEXT CHECK (refusal_kind IS NULL OR length(refusal_kind) BETWEEN 1 AND 64),
  refusal_reason   TEXT CHECK (refusal_reason IS NULL OR length(refusal_reason) <= 2000),
  first_seen_at    TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  CHECK ((state IN ('stored', 'done')) = (inbox_id IS NOT NULL)),
  CHECK (state <> 'not-for-us' OR refusal_kind IS NOT NULL)
) STRICT;

CREATE TABLE inbox_arrival_segments (
  package_sha256  BLOB NOT NULL REFERENCES inbox_arrivals (package_sha256) ON DELETE CASCADE,
  start           INTEGER NOT NULL CHECK (start >= 0),
  size            INTEGER NOT NULL CHECK (size > 0),
  file_id         TEXT NOT NULL UNIQUE CHECK (length(file_id) = 32 AND file_id NOT GLOB '*[^0-9a-f]*'),
  key             BLOB NOT NULL CHECK (length(key) = 32),
  PRIMARY KEY (package_sha256, start)
) STRICT, WITHOUT ROWID;

ALTER TABLE inbox ADD COLUMN manifest BLOB CHECK (manifest IS NULL OR length(manifest) <= 1048576);
ALTER TABLE inbox ADD COLUMN verified_at TEXT;
ALTER TABLE inbox_documents ADD COLUMN media_type TEXT
  CHECK (media_type IS NULL OR length(media_type) BETWEEN 1 AND 255);

CREATE TABLE inbox_notices (
  id           INTEGER PRIMARY KEY,
  inbox_id     INTEGER NOT NULL REFERENCES inbox (id) ON DELETE RESTRICT,
  history_id   INTEGER NOT NULL UNIQUE REFERENCES inbox_status_history (id) ON DELETE RESTRICT,
  status       TEXT NOT NULL CHECK (status IN ${BUSINESS_STATUSES}),
  to_organ_id  TEXT NOT NULL ${ORGAN_ID('to_organ_id')},
  der          BLOB NOT NULL CHECK (length(der) BETWEEN 1 AND 65536),
  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'refused')),
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  error_kind   TEXT CHECK (error_kind IS NULL OR length(error_kind) BETWEEN 1 AND 64),
  error_code   TEXT CHECK (error_code IS NULL OR length(error_code) BETWEEN 1 AND 64),
  created_at   TEXT NOT NULL,
  sent_at      TEXT,
  CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
  CHECK (state <> 'refused' OR error_kind IS NOT NULL)
) STRICT;
CREATE INDEX inbox_notices_pending ON inbox_notices (state, id);
CREATE INDEX inbox_notices_by_package ON inbox_notices (inbox_id, id);

CREATE TRIGGER inbox_notices_signed_once BEFORE UPDATE OF inbox_id, history_id, status, to_organ_id, der
  ON inbox_notices
  BEGIN SELECT RAISE(ABORT, 'a notice is signed once: its bytes never change'); END;
CREATE TRIGGER inbox_notices_sent_kept BEFORE UPDATE OF state, sent_at ON inbox_notices
  WHEN old.state = 'sent' AND (new.state <> 'sent' OR new.sent_at IS NOT old.sent_at)
  BEGIN SELECT RAISE(ABORT, 'a sent notice stays sent'); END;
CREATE TRIGGER inbox_notices_no_delete BEFORE DELETE ON inbox_notices
  BEGIN SELECT RAISE(ABORT, 'notices are kept'); END;
`;

export const migration: Migration = {
  version: 5,
  description: 'inbox arrivals (resumable downloads), documents kept in the vault, notices out',
  up(db) {
    db.exec(schema);
  },
};
