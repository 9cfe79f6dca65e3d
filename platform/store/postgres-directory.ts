/**
 * The directory half of the PostgreSQL platform store: settings, agencies, certificates and
 * the directory snapshot, with the pool and the transaction helper the rest of the store
 * (./postgres-store.ts) builds on. Not opened on its own: openPostgresStore returns the
 * whole store.
 *
 * Concurrency: transactions run at READ COMMITTED and take row locks where an answer
 * depends on a row another instance may change at the same time (the agency row for its
 * mailbox sequence, the config row for the directory revision), always agency before
 * config. A deadlock or serialization failure is retried with the whole transaction.
 */
import type pg from 'pg';
import { NiemError } from '../../native/api/errors.ts';
import type {
  AgencyRecord,
  CertificateRecord,
  DirectorySnapshot,
  PlatformConfig,
} from './platform-store.ts';
import { agencyFromRow, type AgencyRow } from './store-rows.ts';
import {
  checkConfigChange,
  checkKeyTransport,
  checkLevel,
  checkText,
  configFromRows,
  DIRECTORY_REVISION_KEY,
  sha256Hex,
} from './store-values.ts';

/** A pool or one of its clients (inside a transaction). */
export type Queryable = pg.Pool | pg.PoolClient;

type Isolation = 'READ COMMITTED' | 'REPEATABLE READ';

const RETRY_CODES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 8;

/** Turns a full disk into NiemError('disk-full'); anything else passes unchanged. */
export function mapError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '53100') {
    return new NiemError('disk-full', 'platform database: disk full', { cause: err });
  }
  return err;
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Settings, agencies and certificates over a pg Pool. */
export class PostgresDirectoryStore {
  protected readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Runs `fn` in one transaction on one client, retrying it on serialization failures. */
  protected async tx<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    isolation: Isolation = 'READ COMMITTED',
    readOnly = false,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${isolation}${readOnly ? ' READ ONLY' : ''}`);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: do not give it back to the pool
        }
        if (RETRY_CODES.has(sqlState(err) ?? '') && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw mapError(err);
      } finally {
        client.release(broken);
      }
    }
  }

  /** One statement outside any transaction. */
  protected async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw mapError(err);
    }
  }

  async getConfig(): Promise<PlatformConfig> {
    return this.config(this.pool);
  }

  protected async config(db: Queryable): Promise<PlatformConfig> {
    const rows = await db.query<{ key: string; value: string }>('SELECT key, value FROM config');
    return configFromRows(rows.rows);
  }

  async setConfig(change: Partial<PlatformConfig>): Promise<PlatformConfig> {
    const checked = checkConfigChange(change);
    return this.tx(async (client) => {
      for (const [key, value] of Object.entries(checked)) {
        await client.query(
          `INSERT INTO config (key, value) VALUES ($1, $2)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [key, JSON.stringify(value)],
        );
      }
      return this.config(client);
    });
  }

  protected async bumpRevision(client: pg.PoolClient): Promise<void> {
    await client.query(
      `INSERT INTO config (key, value) VALUES ($1, '1')
       ON CONFLICT (key) DO UPDATE SET value = (config.value::bigint + 1)::text`,
      [DIRECTORY_REVISION_KEY],
    );
  }

  async putAgency(agency: AgencyRecord): Promise<'added' | 'replaced'> {
    const values = [
      checkText(agency.organId, 'organId', 64),
      checkText(agency.name, 'name', 1000),
      checkLevel(agency.clearance, 'clearance'),
      checkKeyTransport(agency.keyTransport),
    ];
    return this.tx(async (client) => {
      const inserted = await client.query(
        `INSERT INTO agencies (organ_id, name, clearance, key_transport, listed)
         VALUES ($1, $2, $3, $4, true) ON CONFLICT (organ_id) DO NOTHING RETURNING organ_id`,
        values,
      );
      let result: 'added' | 'replaced' = 'added';
      if (inserted.rowCount === 0) {
        const held = await client.query<{ listed: boolean }>(
          'SELECT listed FROM agencies WHERE organ_id = $1 FOR UPDATE',
          [values[0]],
        );
        if (held.rows[0]?.listed === true) result = 'replaced';
        await client.query(
          `UPDATE agencies SET name = $2, clearance = $3, key_transport = $4, listed = true
           WHERE organ_id = $1`,
          values,
        );
      }
      await this.bumpRevision(client);
      return result;
    });
  }

  async removeAgency(organId: string): Promise<boolean> {
    return this.tx(async (client) => {
      const changed = await client.query(
        'UPDATE agencies SET listed = false WHERE organ_id = $1 AND listed',
        [organId],
      );
      if (changed.rowCount === 0) return false;
      await client.query('DELETE FROM certificates WHERE organ_id = $1', [organId]);
      // Its clerks' sessions end with it.
      await client.query('DELETE FROM sessions WHERE organ_id = $1', [organId]);
      await this.bumpRevision(client);
      return true;
    });
  }

  async getAgency(organId: string): Promise<AgencyRecord | undefined> {
    const result = await this.query<AgencyRow>(
      `SELECT organ_id, name, clearance, key_transport FROM agencies
       WHERE organ_id = $1 AND listed`,
      [organId],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : agencyFromRow(row);
  }

  async addCertificate(organId: string, der: Buffer): Promise<boolean> {
    if (!Buffer.isBuffer(der) || der.length === 0) {
      throw new NiemError('invalid-input', 'certificate must be DER bytes');
    }
    const sha256 = sha256Hex(der);
    return this.tx(async (client) => {
      // FOR SHARE: a concurrent removeAgency waits until the certificate is in (or out).
      const agency = await client.query(
        'SELECT 1 FROM agencies WHERE organ_id = $1 AND listed FOR SHARE',
        [organId],
      );
      if (agency.rowCount === 0) throw new NiemError('not-found', `no agency ${organId}`);
      const inserted = await client.query(
        `INSERT INTO certificates (sha256, organ_id, der) VALUES ($1, $2, $3)
         ON CONFLICT (sha256) DO NOTHING RETURNING id`,
        [sha256, organId, der],
      );
      if (inserted.rowCount === 0) {
        const held = await client.query<{ organ_id: string }>(
          'SELECT organ_id FROM certificates WHERE sha256 = $1',
          [sha256],
        );
        const owner = held.rows[0]?.organ_id;
        if (owner === undefined || owner === organId) return false;
        throw new NiemError('invalid-input', `certificate already belongs to ${owner}`);
      }
      await this.bumpRevision(client);
      return true;
    });
  }

  async removeCertificate(sha256: string): Promise<boolean> {
    return this.tx(async (client) => {
      const deleted = await client.query('DELETE FROM certificates WHERE sha256 = $1', [sha256]);
      if (deleted.rowCount === 0) return false;
      // Sessions opened with the certificate end with it.
      await client.query('DELETE FROM sessions WHERE certificate_sha256 = $1', [sha256]);
      await this.bumpRevision(client);
      return true;
    });
  }

  async findCertificate(sha256: string): Promise<CertificateRecord | undefined> {
    const result = await this.query<{ organ_id: string; der: Buffer }>(
      'SELECT organ_id, der FROM certificates WHERE sha256 = $1',
      [sha256],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : { organId: row.organ_id, der: row.der, sha256 };
  }

  async directory(): Promise<DirectorySnapshot> {
    return this.tx(
      async (client) => {
        const rev = await client.query<{ value: string }>(
          'SELECT value FROM config WHERE key = $1',
          [DIRECTORY_REVISION_KEY],
        );
        const agencies = await client.query<AgencyRow>(
          `SELECT organ_id, name, clearance, key_transport FROM agencies
           WHERE listed ORDER BY organ_id COLLATE "C"`,
        );
        const certs = await client.query<{ organ_id: string; der: Buffer }>(
          `SELECT c.organ_id, c.der FROM certificates c JOIN agencies a USING (organ_id)
           WHERE a.listed ORDER BY c.id`,
        );
        const revision = rev.rows[0];
        return {
          revision: revision === undefined ? 0 : Number(JSON.parse(revision.value)),
          agencies: agencies.rows.map((row) => ({
            ...agencyFromRow(row),
            certificates: certs.rows.filter((c) => c.organ_id === row.organ_id).map((c) => c.der),
          })),
        };
      },
      'REPEATABLE READ',
      true,
    );
  }
}
