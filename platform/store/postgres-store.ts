/**
 * The platform store on PostgreSQL, for several platform instances (processes) sharing one
 * database through their own pools. What makes that safe:
 * - migrate() holds a transaction-level advisory lock, so instances starting together
 *   apply the schema once;
 * - a mailbox cursor is `agencies.mailbox_seq + 1`, taken by an UPDATE … RETURNING in the
 *   transaction that inserts the entry: the agency row lock makes writers to one mailbox
 *   commit in cursor order, so a reader never finds a new entry below one it has seen;
 * - idempotent inserts (chunks, uploads, notices) are INSERT … ON CONFLICT DO NOTHING, which
 *   waits for a concurrent insert of the same key and then reports it as already there.
 * Chunks are bytea rows; readPackage reads a chunk (in slices of at most 2 MiB) per query,
 * never the whole package.
 */
import pg from 'pg';
import { NiemError } from '../../native/api/errors.ts';
import { POSTGRES_SCHEMA_VERSION, postgresInitial } from './migrations/postgres-0001-initial.ts';
import type {
  ChunkResult,
  MailboxEntryRecord,
  NewNotice,
  NewUpload,
  PlatformStore,
  SessionRecord,
  UploadRecord,
} from './platform-store.ts';
import { PostgresDirectoryStore, type Queryable } from './postgres-directory.ts';
import {
  entryFromRow,
  timeText,
  uploadFromRow,
  type MailboxRow,
  type UploadRow,
} from './store-rows.ts';
import {
  checkChunk,
  checkLimit,
  checkNewUpload,
  checkNewNotice,
  checkOffset,
  checkSha256,
  checkText,
  chunkCount,
  chunkLength,
  isoTime,
  MAX_CURSOR,
  parseCursor,
  staleUploadCutoff,
} from './store-values.ts';

/** Key of the advisory lock migrate() holds (an arbitrary constant of this project). */
const MIGRATE_LOCK = 0x4e49454d01n; // "NIEM", 1

/** Largest piece readPackage asks for in one query (bytes). */
const READ_SLICE = 2 * 1024 * 1024;

/** Opens a pool on `url`, checks it answers, and brings the schema up to date. */
export async function openPostgresStore(url: string): Promise<PlatformStore> {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection (server restart) must not kill the process; the
  // next query gets a fresh connection.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool);
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await pool.end();
    if (err instanceof NiemError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new NiemError('internal', `cannot open the database ${redactUrl(url)}: ${why}`, {
      cause: err,
    });
  }
}

/** `url` without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

class PostgresStore extends PostgresDirectoryStore implements PlatformStore {
  #closed = false;

  async migrate(): Promise<void> {
    await this.tx(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK.toString()]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const held = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM schema_migrations',
      );
      const version = held.rows[0]?.version ?? 0;
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new NiemError(
          'internal',
          `platform database has schema ${version}; this version knows up to ${POSTGRES_SCHEMA_VERSION}`,
        );
      }
      if (version < 1) {
        await client.query(postgresInitial);
        await client.query('INSERT INTO schema_migrations (version) VALUES (1)');
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  async putNonce(nonce: string, expiresAt: string): Promise<void> {
    await this.query(
      `INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2)
       ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at`,
      [checkText(nonce, 'nonce', 256), isoTime(expiresAt, 'expiresAt')],
    );
  }

  async takeNonce(nonce: string, now: string): Promise<boolean> {
    const at = isoTime(now, 'now');
    const taken = await this.query<{ live: boolean }>(
      'DELETE FROM nonces WHERE nonce = $1 RETURNING expires_at > $2::timestamptz AS live',
      [nonce, at],
    );
    return taken.rows[0]?.live === true;
  }

  async putSession(tokenSha256: string, session: SessionRecord): Promise<void> {
    await this.query(
      `INSERT INTO sessions (token_sha256, organ_id, certificate_sha256, expires_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (token_sha256) DO UPDATE SET organ_id = excluded.organ_id,
         certificate_sha256 = excluded.certificate_sha256, expires_at = excluded.expires_at`,
      [
        checkSha256(tokenSha256, 'tokenSha256'),
        checkText(session.organId, 'organId', 64),
        checkSha256(session.certificateSha256, 'certificateSha256'),
        isoTime(session.expiresAt, 'expiresAt'),
      ],
    );
  }

  async getSession(tokenSha256: string, now: string): Promise<SessionRecord | undefined> {
    const result = await this.query<{
      organ_id: string;
      certificate_sha256: string;
      expires_at: Date;
    }>(
      `SELECT organ_id, certificate_sha256, expires_at FROM sessions
       WHERE token_sha256 = $1 AND expires_at > $2::timestamptz`,
      [tokenSha256, isoTime(now, 'now')],
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return {
      organId: row.organ_id,
      certificateSha256: row.certificate_sha256,
      expiresAt: timeText(row.expires_at),
    };
  }

  async sweep(now: string): Promise<number> {
    const at = isoTime(now, 'now');
    return this.tx(async (client) => {
      const nonces = await client.query('DELETE FROM nonces WHERE expires_at <= $1', [at]);
      const sessions = await client.query('DELETE FROM sessions WHERE expires_at <= $1', [at]);
      // Chunks and recipients go with their upload (ON DELETE CASCADE). An upload being
      // completed holds its row lock; once complete it no longer matches.
      const uploads = await client.query(
        "DELETE FROM uploads WHERE state = 'open' AND created_at <= $1",
        [staleUploadCutoff(at)],
      );
      return (nonces.rowCount ?? 0) + (sessions.rowCount ?? 0) + (uploads.rowCount ?? 0);
    });
  }

  async getUpload(sha256: string): Promise<UploadRecord | undefined> {
    return this.#upload(this.pool, sha256);
  }

  /** The upload with its recipients, in one statement (one snapshot). */
  async #upload(db: Queryable, sha256: string, lock = ''): Promise<UploadRecord | undefined> {
    const result = await db.query<UploadRow & { recipients: string[] }>(
      `SELECT u.*, ARRAY(SELECT r.organ_id FROM upload_recipients r
                         WHERE r.upload = u.sha256 ORDER BY r.position) AS recipients
       FROM uploads u WHERE u.sha256 = $1 ${lock}`,
      [sha256],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : uploadFromRow(row, row.recipients);
  }

  async createUpload(upload: NewUpload, now: string): Promise<UploadRecord> {
    checkNewUpload(upload);
    const at = isoTime(now, 'now');
    return this.tx(async (client) => {
      const inserted = await client.query(
        `INSERT INTO uploads (sha256, size, level, sender, sender_certificate_sha256,
           chunk_bytes, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)
         ON CONFLICT (sha256) DO NOTHING`,
        [
          upload.sha256,
          upload.size,
          upload.level,
          upload.sender,
          upload.senderCertificateSha256,
          upload.chunkBytes,
          at,
        ],
      );
      if (inserted.rowCount === 1) {
        await client.query(
          `INSERT INTO upload_recipients (upload, position, organ_id)
           SELECT $1, r.position - 1, r.organ_id
           FROM unnest($2::text[]) WITH ORDINALITY AS r (organ_id, position)`,
          [upload.sha256, upload.recipients],
        );
      }
      return (await this.#upload(client, upload.sha256)) as UploadRecord;
    });
  }

  async putChunk(
    sha256: string,
    index: number,
    digest: string,
    bytes: Buffer,
  ): Promise<ChunkResult> {
    const upload = await this.getUpload(sha256);
    if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
    checkChunk(upload, index, digest, bytes);
    // One statement: inserted, or the digest already held (after waiting for a concurrent
    // insert of the same chunk to commit).
    const stored = await this.query(
      `INSERT INTO chunks (upload, idx, digest, bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (upload, idx) DO NOTHING`,
      [sha256, index, digest, bytes],
    );
    if (stored.rowCount === 1) return 'stored';
    const held = await this.query<{ digest: string }>(
      'SELECT digest FROM chunks WHERE upload = $1 AND idx = $2',
      [sha256, index],
    );
    return held.rows[0]?.digest === digest ? 'same' : 'conflict';
  }

  async chunkIndices(sha256: string): Promise<number[]> {
    const result = await this.query<{ idx: number }>(
      'SELECT idx FROM chunks WHERE upload = $1 ORDER BY idx',
      [sha256],
    );
    return result.rows.map((row) => row.idx);
  }

  async *readPackage(sha256: string, offset: number): AsyncIterable<Buffer> {
    checkOffset(offset);
    const upload = await this.getUpload(sha256);
    if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
    const count = chunkCount(upload.size, upload.chunkBytes);
    let from = offset % upload.chunkBytes;
    for (let index = Math.floor(offset / upload.chunkBytes); index < count; index += 1) {
      const length = chunkLength(upload.size, upload.chunkBytes, index);
      // A chunk is read in slices: bytea arrives as hex text (pg has no binary results), so a
      // whole 64 MiB chunk would cost three times its size at once.
      for (; from < length; from += READ_SLICE) {
        const result = await this.query<{ bytes: Buffer }>(
          'SELECT substring(bytes FROM $3 FOR $4) AS bytes FROM chunks WHERE upload = $1 AND idx = $2',
          [sha256, index, from + 1, READ_SLICE],
        );
        const bytes = result.rows[0]?.bytes;
        if (bytes === undefined) return; // held chunks only: stop at the first gap
        yield bytes;
      }
      from = 0;
    }
  }

  async completeUpload(sha256: string, receipt: Buffer, now: string): Promise<UploadRecord> {
    if (!Buffer.isBuffer(receipt) || receipt.length === 0) {
      throw new NiemError('invalid-input', 'receipt must be DER bytes');
    }
    const at = isoTime(now, 'now');
    return this.tx(async (client) => {
      const upload = await this.#upload(client, sha256, 'FOR UPDATE OF u');
      if (upload === undefined) throw new NiemError('not-found', `no upload ${sha256}`);
      if (upload.state === 'complete') return upload;
      const held = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM chunks WHERE upload = $1',
        [sha256],
      );
      const needed = chunkCount(upload.size, upload.chunkBytes);
      if (Number(held.rows[0]?.n) !== needed) {
        throw new NiemError('invalid-input', `upload has ${held.rows[0]?.n} of ${needed} chunks`);
      }
      await client.query(
        `UPDATE uploads SET state = 'complete', receipt = $2, completed_at = $3 WHERE sha256 = $1`,
        [sha256, receipt, at],
      );
      // Agency rows are locked in one order (sorted), so two completions cannot deadlock.
      for (const organId of [...upload.recipients].sort()) {
        const cursor = await nextCursor(client, organId);
        await client.query(
          `INSERT INTO mailbox (organ_id, cursor, kind, upload, at)
           VALUES ($1, $2, 'package', $3, $4)`,
          [organId, cursor, sha256, at],
        );
      }
      return (await this.#upload(client, sha256)) as UploadRecord;
    });
  }

  async mailbox(organId: string, after: string, limit: number): Promise<MailboxEntryRecord[]> {
    const from = parseCursor(after, 'after');
    const max = checkLimit(limit);
    if (from >= MAX_CURSOR) return [];
    const result = await this.query<MailboxRow>(
      `SELECT m.cursor, m.kind, m.at, u.sha256, u.size, u.level, u.sender, n.der
       FROM mailbox m
       LEFT JOIN uploads u ON u.sha256 = m.upload
       LEFT JOIN notices n ON n.id = m.notice
       WHERE m.organ_id = $1 AND m.cursor > $2 ORDER BY m.cursor LIMIT $3`,
      [organId, from.toString(), max],
    );
    return result.rows.map(entryFromRow);
  }

  async ackedCursor(organId: string): Promise<string> {
    const result = await this.query<{ cursor: string }>(
      'SELECT cursor FROM acks WHERE organ_id = $1',
      [organId],
    );
    return result.rows[0]?.cursor ?? '0';
  }

  async ack(organId: string, cursor: string): Promise<void> {
    const to = parseCursor(cursor, 'cursor');
    await this.tx(async (client) => {
      const seq = await client.query<{ mailbox_seq: string }>(
        'SELECT mailbox_seq FROM agencies WHERE organ_id = $1',
        [organId],
      );
      const last = BigInt(seq.rows[0]?.mailbox_seq ?? 0);
      if (to > last) {
        throw new NiemError(
          'invalid-input',
          `cursor ${cursor} is beyond the last entry (${last}) of ${organId}`,
        );
      }
      if (to === 0n) return;
      await client.query(
        `INSERT INTO acks (organ_id, cursor) VALUES ($1, $2)
         ON CONFLICT (organ_id) DO UPDATE SET cursor = GREATEST(acks.cursor, excluded.cursor)`,
        [organId, to.toString()],
      );
    });
  }

  async addNotice(notice: NewNotice, now: string): Promise<'stored' | 'same'> {
    const { from, to, status } = checkNewNotice(notice);
    const at = isoTime(now, 'now');
    return this.tx(async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO notices (sha256, from_organ, to_organ, status, der, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sha256, from_organ, status) DO NOTHING RETURNING id`,
        [notice.sha256, from, to, status, notice.der, at],
      );
      const id = inserted.rows[0]?.id;
      if (id === undefined) return 'same';
      const cursor = await nextCursor(client, to);
      await client.query(
        `INSERT INTO mailbox (organ_id, cursor, kind, notice, at) VALUES ($1, $2, 'notice', $3, $4)`,
        [to, cursor, id, at],
      );
      return 'stored';
    });
  }
}

/**
 * The next cursor of an agency's mailbox, locking its row until the transaction ends (an
 * agency never listed gets an unlisted row so its mailbox exists).
 */
async function nextCursor(client: pg.PoolClient, organId: string): Promise<string> {
  await client.query(
    `INSERT INTO agencies (organ_id, name, clearance, key_transport, listed)
     VALUES ($1, $1, 'thuong', 'oaep-sha256', false) ON CONFLICT (organ_id) DO NOTHING`,
    [organId],
  );
  const result = await client.query<{ mailbox_seq: string }>(
    'UPDATE agencies SET mailbox_seq = mailbox_seq + 1 WHERE organ_id = $1 RETURNING mailbox_seq',
    [organId],
  );
  const cursor = result.rows[0]?.mailbox_seq;
  if (cursor === undefined) throw new NiemError('internal', `no mailbox row for ${organId}`);
  return cursor;
}
