/**
 * The platform store on embedded SQLite: one file, `platform.db`, in the data folder (WAL,
 * synchronous=FULL, foreign keys on). better-sqlite3 is synchronous, so each method runs as
 * one transaction without yielding to the event loop: concurrent async requests of one
 * process never interleave inside a method. Writes take the write lock up front
 * (BEGIN IMMEDIATE), so another process on the same file (an admin command) serialises with
 * it too. Chunks are BLOB rows.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { NiemError } from '../../native/api/errors.ts';
import { Sqlite } from '../../native/vault/sqlite-lib.ts';
import { sqliteInitial, SQLITE_SCHEMA_VERSION } from './migrations/sqlite-0001-initial.ts';
import type {
  ChunkResult,
  MailboxEntryRecord,
  NewNotice,
  NewUpload,
  PlatformStore,
  SessionRecord,
  UploadRecord,
} from './platform-store.ts';
import { guarded, SqliteDirectoryStore } from './sqlite-directory.ts';
import { entryFromRow, uploadFromRow, type MailboxRow, type UploadRow } from './store-rows.ts';
import {
  checkChunk,
  checkLimit,
  checkNewUpload,
  checkNewNotice,
  checkOffset,
  checkSha256,
  checkText,
  chunkCount,
  isoTime,
  MAX_CURSOR,
  parseCursor,
  staleUploadCutoff,
} from './store-values.ts';

/** File name of the database inside the data folder. */
export const SQLITE_FILE = 'platform.db';

/** Opens (creating if needed) `platform.db` in `dataDir` and brings its schema up to date. */
export async function openSqliteStore(dataDir: string): Promise<PlatformStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Sqlite(file, { timeout: 10_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Keep the WAL from staying at the size of the largest chunk ever written.
    db.pragma('journal_size_limit = 67108864');
    const store = new SqliteStore(db);
    await store.migrate();
    return store;
  } catch (err) {
    db.close();
    throw err;
  }
}

class SqliteStore extends SqliteDirectoryStore implements PlatformStore {
  async migrate(): Promise<void> {
    this.write(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SQLITE_SCHEMA_VERSION) {
        throw new NiemError(
          'internal',
          `platform database has schema ${version}; this version knows up to ${SQLITE_SCHEMA_VERSION}`,
        );
      }
      if (version < 1) {
        this.db.exec(sqliteInitial);
        this.db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
      }
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async putNonce(nonce: string, expiresAt: string): Promise<void> {
    const nonceText = checkText(nonce, 'nonce', 256);
    const expires = isoTime(expiresAt, 'expiresAt');
    this.write(() => {
      this.stmt(
        `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)
           ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at`,
      ).run(nonceText, expires);
    });
  }

  async takeNonce(nonce: string, now: string): Promise<boolean> {
    const at = isoTime(now, 'now');
    return this.write(() => {
      const row = this.stmt('DELETE FROM nonces WHERE nonce = ? RETURNING expires_at').get(
        nonce,
      ) as { expires_at: string } | undefined;
      return row !== undefined && row.expires_at > at;
    });
  }

  async putSession(tokenSha256: string, session: SessionRecord): Promise<void> {
    checkSha256(tokenSha256, 'tokenSha256');
    const organId = checkText(session.organId, 'organId', 64);
    const cert = checkSha256(session.certificateSha256, 'certificateSha256');
    const expires = isoTime(session.expiresAt, 'expiresAt');
    this.write(() => {
      this.stmt(
        `INSERT INTO sessions (token_sha256, organ_id, certificate_sha256, expires_at)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (token_sha256) DO UPDATE SET organ_id = excluded.organ_id,
             certificate_sha256 = excluded.certificate_sha256, expires_at = excluded.expires_at`,
      ).run(tokenSha256, organId, cert, expires);
    });
  }

  async getSession(tokenSha256: string, now: string): Promise<SessionRecord | undefined> {
    const at = isoTime(now, 'now');
    const row = guarded(() =>
      this.stmt(
        `SELECT organ_id, certificate_sha256, expires_at FROM sessions
           WHERE token_sha256 = ? AND expires_at > ?`,
      ).get(tokenSha256, at),
    ) as { organ_id: string; certificate_sha256: string; expires_at: string } | undefined;
    if (row === undefined) return undefined;
    return {
      organId: row.organ_id,
      certificateSha256: row.certificate_sha256,
      expiresAt: row.expires_at,
    };
  }

  async sweep(now: string): Promise<number> {
    const at = isoTime(now, 'now');
    return this.write(() => {
      const nonces = this.stmt('DELETE FROM nonces WHERE expires_at <= ?').run(at);
      const sessions = this.stmt('DELETE FROM sessions WHERE expires_at <= ?').run(at);
      // Chunks and recipients go with their upload (ON DELETE CASCADE).
      const uploads = this.stmt("DELETE FROM uploads WHERE state = 'open' AND created_at <= ?").run(
        staleUploadCutoff(at),
      );
      return nonces.changes + sessions.changes + uploads.changes;
    });
  }

  async getUpload(sha256: string): Promise<UploadRecord | undefined> {
    return this.read(() => this.#upload(sha256));
  }

  #upload(sha256: string): UploadRecord | undefined {
    const row = this.stmt('SELECT * FROM uploads WHERE sha256 = ?').get(sha256) as
      UploadRow | undefined;
    if (row === undefined) return undefined;
    const recipients = this.stmt(
      'SELECT organ_id FROM upload_recipients WHERE upload = ? ORDER BY position',
    )
      .pluck()
      .all(sha256) as string[];
    return uploadFromRow(row, recipients);
  }

  async createUpload(upload: NewUpload, now: string): Promise<UploadRecord> {
    checkNewUpload(upload);
    const at = isoTime(now, 'now');
    return this.write(() => {
      const held = this.#upload(upload.sha256);
      if (held !== undefined) return held;
      this.stmt(
        `INSERT INTO uploads (sha256, size, level, sender, sender_certificate_sha256,
             chunk_bytes, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)`,
      ).run(
        upload.sha256,
        upload.size,
        upload.level,
        upload.sender,
        upload.senderCertificateSha256,
        upload.chunkBytes,
        at,
      );
      const add = this.stmt(
        'INSERT INTO upload_recipients (upload, position, organ_id) VALUES (?, ?, ?)',
      );
      upload.recipients.forEach((organId, position) => add.run(upload.sha256, position, organId));
      return this.#upload(upload.sha256) as UploadRecord;
    });
  }

  async putChunk(
    sha256: string,
    index: number,
    digest: string,
    bytes: Buffer,
  ): Promise<ChunkResult> {
    return this.write(() => {
      const upload = this.#upload(sha256);
      if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
      checkChunk(upload, index, digest, bytes);
      const held = this.stmt('SELECT digest FROM chunks WHERE upload = ? AND idx = ?').get(
        sha256,
        index,
      ) as { digest: string } | undefined;
      if (held !== undefined) return held.digest === digest ? 'same' : 'conflict';
      this.stmt('INSERT INTO chunks (upload, idx, digest, bytes) VALUES (?, ?, ?, ?)').run(
        sha256,
        index,
        digest,
        bytes,
      );
      return 'stored';
    });
  }

  async chunkIndices(sha256: string): Promise<number[]> {
    return guarded(
      () =>
        this.stmt('SELECT idx FROM chunks WHERE upload = ? ORDER BY idx')
          .pluck()
          .all(sha256) as number[],
    );
  }

  async *readPackage(sha256: string, offset: number): AsyncIterable<Buffer> {
    checkOffset(offset);
    const upload = await this.getUpload(sha256);
    if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
    const count = chunkCount(upload.size, upload.chunkBytes);
    const chunk = this.stmt('SELECT substr(bytes, ?) FROM chunks WHERE upload = ? AND idx = ?');
    let skip = offset % upload.chunkBytes;
    for (let index = Math.floor(offset / upload.chunkBytes); index < count; index += 1) {
      // substr on a BLOB counts bytes from 1 and returns a BLOB.
      const bytes = guarded(() => chunk.pluck().get(skip + 1, sha256, index)) as Buffer | undefined;
      if (bytes === undefined) return; // held chunks only: stop at the first gap
      skip = 0;
      if (bytes.length > 0) yield bytes;
    }
  }

  async completeUpload(sha256: string, receipt: Buffer, now: string): Promise<UploadRecord> {
    if (!Buffer.isBuffer(receipt) || receipt.length === 0) {
      throw new NiemError('invalid-input', 'receipt must be DER bytes');
    }
    const at = isoTime(now, 'now');
    return this.write(() => {
      const upload = this.#upload(sha256);
      if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
      if (upload.state === 'complete') return upload;
      const held = this.stmt('SELECT count(*) FROM chunks WHERE upload = ?')
        .pluck()
        .get(sha256) as number;
      const needed = chunkCount(upload.size, upload.chunkBytes);
      if (held !== needed) {
        throw new NiemError('invalid-input', `upload has ${held} of ${needed} chunks`);
      }
      this.stmt(
        `UPDATE uploads SET state = 'complete', receipt = ?, completed_at = ? WHERE sha256 = ?`,
      ).run(receipt, at, sha256);
      for (const organId of [...upload.recipients].sort()) {
        const cursor = this.#nextCursor(organId);
        this.stmt(
          `INSERT INTO mailbox (organ_id, cursor, kind, upload, at) VALUES (?, ?, 'package', ?, ?)`,
        ).run(organId, cursor, sha256, at);
      }
      return this.#upload(sha256) as UploadRecord;
    });
  }

  /** The next cursor of an agency's mailbox (an unknown one gets an unlisted row). */
  #nextCursor(organId: string): number {
    this.stmt(
      `INSERT INTO agencies (organ_id, name, clearance, key_transport, listed)
         VALUES (?, ?, 'thuong', 'oaep-sha256', 0) ON CONFLICT (organ_id) DO NOTHING`,
    ).run(organId, organId);
    return this.stmt(
      'UPDATE agencies SET mailbox_seq = mailbox_seq + 1 WHERE organ_id = ? RETURNING mailbox_seq',
    )
      .pluck()
      .get(organId) as number;
  }

  async mailbox(organId: string, after: string, limit: number): Promise<MailboxEntryRecord[]> {
    const from = parseCursor(after, 'after');
    const max = checkLimit(limit);
    if (from >= MAX_CURSOR) return [];
    const rows = guarded(() =>
      this.stmt(
        `SELECT m.cursor, m.kind, m.at, u.sha256, u.size, u.level, u.sender, n.der
           FROM mailbox m
           LEFT JOIN uploads u ON u.sha256 = m.upload
           LEFT JOIN notices n ON n.id = m.notice
           WHERE m.organ_id = ? AND m.cursor > ? ORDER BY m.cursor LIMIT ?`,
      ).all(organId, from, max),
    ) as MailboxRow[];
    return rows.map(entryFromRow);
  }

  async ackedCursor(organId: string): Promise<string> {
    const cursor = guarded(() =>
      this.stmt('SELECT cursor FROM acks WHERE organ_id = ?').pluck().get(organId),
    ) as number | undefined;
    return String(cursor ?? 0);
  }

  async ack(organId: string, cursor: string): Promise<void> {
    const to = parseCursor(cursor, 'cursor');
    this.write(() => {
      const last = this.stmt('SELECT mailbox_seq FROM agencies WHERE organ_id = ?')
        .pluck()
        .get(organId) as number | undefined;
      if (to > BigInt(last ?? 0)) {
        throw new NiemError(
          'invalid-input',
          `cursor ${cursor} is beyond the last entry (${last ?? 0}) of ${organId}`,
        );
      }
      if (to === 0n) return;
      this.stmt(
        `INSERT INTO acks (organ_id, cursor) VALUES (?, ?)
           ON CONFLICT (organ_id) DO UPDATE SET cursor = max(cursor, excluded.cursor)`,
      ).run(organId, to);
    });
  }

  async addNotice(notice: NewNotice, now: string): Promise<'stored' | 'same'> {
    const { from, to, status } = checkNewNotice(notice);
    const at = isoTime(now, 'now');
    return this.write(() => {
      const id = this.stmt(
        `INSERT INTO notices (sha256, from_organ, to_organ, status, der, at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (sha256, from_organ, status) DO NOTHING RETURNING id`,
      )
        .pluck()
        .get(notice.sha256, from, to, status, notice.der, at) as number | undefined;
      if (id === undefined) return 'same';
      const cursor = this.#nextCursor(to);
      this.stmt(
        `INSERT INTO mailbox (organ_id, cursor, kind, notice, at) VALUES (?, ?, 'notice', ?, ?)`,
      ).run(to, cursor, id, at);
      return 'stored';
    });
  }
}
