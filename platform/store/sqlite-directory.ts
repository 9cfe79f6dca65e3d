/**
 * The directory half of the SQLite platform store: settings, agencies, certificates and the
 * directory snapshot, with the transaction helpers the rest of the store (./sqlite-store.ts)
 * builds on. Not opened on its own: openSqliteStore returns the whole store.
 */
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { NiemError } from '../../native/api/errors.ts';
import { sqliteCode, type SqliteDatabase } from '../../native/vault/sqlite-lib.ts';
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

type SqliteStatement = BetterSqlite3.Statement<unknown[]>;

/** Runs `fn`, turning a full disk into NiemError('disk-full'). */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = sqliteCode(err);
    if (code === 'SQLITE_FULL') throw new NiemError('disk-full', 'platform database: disk full');
    throw err;
  }
}

/** Settings, agencies and certificates over one SQLite connection. */
export class SqliteDirectoryStore {
  protected readonly db: SqliteDatabase;

  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** The prepared statement of `sql`, prepared once per connection. */
  protected stmt(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE). */
  protected write<T>(fn: () => T): T {
    return guarded(() => this.db.transaction(fn).immediate());
  }

  /** Runs `fn` in one read transaction, so it sees one snapshot. */
  protected read<T>(fn: () => T): T {
    return guarded(() => this.db.transaction(fn).deferred());
  }

  async getConfig(): Promise<PlatformConfig> {
    return this.read(() => this.config());
  }

  protected config(): PlatformConfig {
    const rows = this.stmt('SELECT key, value FROM config').all() as {
      key: string;
      value: string;
    }[];
    return configFromRows(rows);
  }

  async setConfig(change: Partial<PlatformConfig>): Promise<PlatformConfig> {
    const checked = checkConfigChange(change);
    return this.write(() => {
      const put = this.stmt(
        'INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      );
      for (const [key, value] of Object.entries(checked)) put.run(key, JSON.stringify(value));
      return this.config();
    });
  }

  protected bumpRevision(): void {
    this.stmt(
      `INSERT INTO config (key, value) VALUES (?, '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`,
    ).run(DIRECTORY_REVISION_KEY);
  }

  async putAgency(agency: AgencyRecord): Promise<'added' | 'replaced'> {
    const organId = checkText(agency.organId, 'organId', 64);
    const name = checkText(agency.name, 'name', 1000);
    const clearance = checkLevel(agency.clearance, 'clearance');
    const transport = checkKeyTransport(agency.keyTransport);
    return this.write(() => {
      const before = this.stmt('SELECT listed FROM agencies WHERE organ_id = ?').get(organId) as
        { listed: number } | undefined;
      this.stmt(
        `INSERT INTO agencies (organ_id, name, clearance, key_transport, listed)
           VALUES (?, ?, ?, ?, 1)
           ON CONFLICT (organ_id) DO UPDATE SET name = excluded.name,
             clearance = excluded.clearance, key_transport = excluded.key_transport, listed = 1`,
      ).run(organId, name, clearance, transport);
      this.bumpRevision();
      return before?.listed === 1 ? 'replaced' : 'added';
    });
  }

  async removeAgency(organId: string): Promise<boolean> {
    return this.write(() => {
      const changed = this.stmt(
        'UPDATE agencies SET listed = 0 WHERE organ_id = ? AND listed = 1',
      ).run(organId).changes;
      if (changed === 0) return false;
      this.stmt('DELETE FROM certificates WHERE organ_id = ?').run(organId);
      // Its clerks' sessions end with it.
      this.stmt('DELETE FROM sessions WHERE organ_id = ?').run(organId);
      this.bumpRevision();
      return true;
    });
  }

  async getAgency(organId: string): Promise<AgencyRecord | undefined> {
    const row = guarded(() =>
      this.stmt(
        `SELECT organ_id, name, clearance, key_transport FROM agencies
           WHERE organ_id = ? AND listed = 1`,
      ).get(organId),
    ) as AgencyRow | undefined;
    return row === undefined ? undefined : agencyFromRow(row);
  }

  async addCertificate(organId: string, der: Buffer): Promise<boolean> {
    if (!Buffer.isBuffer(der) || der.length === 0) {
      throw new NiemError('invalid-input', 'certificate must be DER bytes');
    }
    const sha256 = sha256Hex(der);
    return this.write(() => {
      const agency = this.stmt('SELECT 1 FROM agencies WHERE organ_id = ? AND listed = 1').get(
        organId,
      );
      if (agency === undefined) throw new NiemError('not-found', `no agency ${organId}`);
      const held = this.stmt('SELECT organ_id FROM certificates WHERE sha256 = ?').get(sha256) as
        { organ_id: string } | undefined;
      if (held !== undefined) {
        if (held.organ_id === organId) return false;
        throw new NiemError('invalid-input', `certificate already belongs to ${held.organ_id}`);
      }
      this.stmt('INSERT INTO certificates (sha256, organ_id, der) VALUES (?, ?, ?)').run(
        sha256,
        organId,
        der,
      );
      this.bumpRevision();
      return true;
    });
  }

  async removeCertificate(sha256: string): Promise<boolean> {
    return this.write(() => {
      const changed = this.stmt('DELETE FROM certificates WHERE sha256 = ?').run(sha256);
      if (changed.changes === 0) return false;
      // Sessions opened with the certificate end with it.
      this.stmt('DELETE FROM sessions WHERE certificate_sha256 = ?').run(sha256);
      this.bumpRevision();
      return true;
    });
  }

  async findCertificate(sha256: string): Promise<CertificateRecord | undefined> {
    const row = guarded(() =>
      this.stmt('SELECT organ_id, der, sha256 FROM certificates WHERE sha256 = ?').get(sha256),
    ) as { organ_id: string; der: Buffer; sha256: string } | undefined;
    return row === undefined ? undefined : { organId: row.organ_id, der: row.der, sha256 };
  }

  async directory(): Promise<DirectorySnapshot> {
    return this.read(() => {
      const rev = this.stmt('SELECT value FROM config WHERE key = ?').get(
        DIRECTORY_REVISION_KEY,
      ) as { value: string } | undefined;
      const agencies = this.stmt(
        `SELECT organ_id, name, clearance, key_transport FROM agencies
           WHERE listed = 1 ORDER BY organ_id`,
      ).all() as AgencyRow[];
      const certs = this.stmt(
        `SELECT c.organ_id, c.der FROM certificates c JOIN agencies a USING (organ_id)
           WHERE a.listed = 1 ORDER BY c.id`,
      ).all() as { organ_id: string; der: Buffer }[];
      return {
        revision: rev === undefined ? 0 : Number(JSON.parse(rev.value)),
        agencies: agencies.map((row) => ({
          ...agencyFromRow(row),
          certificates: certs.filter((c) => c.organ_id === row.organ_id).map((c) => c.der),
        })),
      };
    });
  }
}
