/**
 * The vault: the clerk's encrypted local store in a profile folder.
 *
 *   <profile>/vault.key       the database key, wrapped (./vault-key.ts)
 *   <profile>/vault.db(-wal)  SQLite, page-encrypted with that key (./database.ts)
 *   <profile>/blobs/          encrypted files, keys in the database (./blob-store.ts)
 *   <profile>/snapshots/      encrypted VACUUM INTO copies (./snapshots.ts)
 *   <profile>/damaged/        damaged databases moved aside by a restore, never deleted
 *
 * `initVault` creates one, `openVault` opens it with the token's (or the recovery)
 * RecipientKeys, restoring the newest good snapshot when the database is damaged. A Vault
 * holds the key until `close()`, which closes the database and zeroes the key; every
 * method after that throws `vault-locked`. Synchronous SQLite: run in the native process
 * or the CLI only.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import type { RecipientKey } from '../seal/cms-crypto/index.ts';
import { BlobStore, type BlobStoreOptions, type StoredBlob } from './blob-store.ts';
import { checkIntegrity, openDatabase, runTransaction, type IntegrityCheck } from './database.ts';
import {
  SCHEMA_VERSION,
  migrate,
  schemaVersion,
  type MigrationResult,
} from './migrations/index.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { sweepWorkDir } from './work-dir.ts';
import { recordAudit } from './vault-audit.ts';
import { markCleanClose, takeCleanClose } from './clean-close.ts';
import {
  DATABASE_FILE,
  defaultSnapshotPolicy,
  listSnapshots,
  restoreFromSnapshot,
  snapshotDue,
  sweepSnapshotTemps,
  takeSnapshot,
  type RestoredSnapshot,
  type SnapshotInfo,
  type SnapshotPolicy,
} from './snapshots.ts';
import {
  KEY_FILE,
  generateDatabaseKey,
  readKeyFile,
  unwrapDatabaseKey,
  wrapDatabaseKey,
  writeKeyFile,
  type KeyHolder,
} from './vault-key.ts';

export type { KeyHolder } from './vault-key.ts';

/** Settings of an open vault; every field has a default. */
export interface VaultOptions {
  /**
   * Check at open: 'auto' (default: PRAGMA quick_check and the sweeps of leftovers only
   * when the last session did not end with close(), see ./clean-close.ts), 'quick',
   * 'full' (integrity_check) or 'none'.
   */
  integrityCheck?: IntegrityCheck | 'auto';
  /** Snapshot policy; default keep 3, at most one per hour. */
  snapshots?: Partial<SnapshotPolicy>;
  /** The clock (tests). */
  now?: () => Date;
  /** Blob store settings (tests). */
  blobs?: BlobStoreOptions;
  /**
   * Who is working in this session, as audit entries name them: the token certificate's
   * subject CN and serial (`CN #serial`). Default `unattributed`.
   */
  actor?: string;
}

/** What init needs: the clerk's token certificate and, when configured, the recovery one. */
export interface InitVaultOptions extends VaultOptions {
  /** The clerk's token encryption (RSA) or key-agreement (EC) certificate. */
  holder: KeyHolder;
  /** The agency recovery certificate, if the agency has one. */
  recovery?: KeyHolder;
}

/** What open found and did, for the UI/CLI to tell the clerk. */
export interface OpenReport {
  /** Set when the database was damaged (or missing) and a snapshot replaced it. */
  restored: RestoredSnapshot | undefined;
  migration: MigrationResult;
  /** Leftover files removed (interrupted writes, blobs of uncommitted rows). */
  sweptFiles: number;
  /** The check run at open: 'none' after a clean close (with 'auto'), else as asked. */
  integrity: IntegrityCheck;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const nowIso = (now: () => Date): string => now().toISOString();

/** An open vault. Owns its database connection and a copy of the database key. */
export class Vault {
  readonly profileDir: string;
  #db: SqliteDatabase | undefined;
  #key: Buffer | undefined;
  readonly #blobs: BlobStore;
  readonly #policy: SnapshotPolicy;
  readonly #now: () => Date;
  /** The actor of this session's audit entries (VaultOptions.actor). */
  readonly actor: string;

  /** Use initVault / openVault. `key` is taken over (zeroed by close). */
  constructor(profileDir: string, db: SqliteDatabase, key: Buffer, options: VaultOptions) {
    this.profileDir = profileDir;
    this.#db = db;
    this.#key = key;
    this.#blobs = new BlobStore(profileDir, options.blobs);
    this.#policy = { ...defaultSnapshotPolicy, ...options.snapshots };
    this.#now = options.now ?? (() => new Date());
    this.actor = options.actor ?? 'unattributed';
  }

  /** False once closed (locked). */
  get isOpen(): boolean {
    return this.#db !== undefined;
  }

  /** The open connection (for the vault's stores and native/audit); `vault-locked` after close. */
  get database(): SqliteDatabase {
    if (this.#db === undefined) throw new NiemError('vault-locked', 'the vault is locked');
    return this.#db;
  }

  /** The clock of this vault, as ISO-8601 UTC text. */
  timestamp(): string {
    return nowIso(this.#now);
  }

  /** Runs `fn` as one transaction (see runTransaction): all of it commits, or none. */
  transaction<T>(fn: (db: SqliteDatabase) => T): T {
    return runTransaction(this.database, fn);
  }

  /**
   * Encrypts `source` into a new blob file (./blob-store.ts). Record it with `recordBlob`
   * in the transaction that uses it; if that transaction fails, `discardBlob` it.
   */
  async writeBlob(source: AsyncIterable<Uint8Array> | Uint8Array): Promise<StoredBlob> {
    if (!this.isOpen) throw new NiemError('vault-locked', 'the vault is locked');
    return this.#blobs.write(source);
  }

  /** Inserts the row of `blob` (inside a transaction) and zeroes the caller's key copy. */
  recordBlob(db: SqliteDatabase, blob: StoredBlob): void {
    db.prepare('INSERT INTO blobs (id, key, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)').run(
      blob.id,
      blob.key,
      blob.size,
      blob.sha256,
      this.timestamp(),
    );
    blob.key.fill(0);
  }

  /** Removes the file of a blob whose row never committed. */
  async discardBlob(blob: StoredBlob): Promise<void> {
    blob.key.fill(0);
    await this.#blobs.remove(blob.id);
  }

  /**
   * Reads back a blob just written, before its row is recorded (to check what was stored
   * rather than the source it came from). The key stays the caller's.
   */
  readWrittenBlob(blob: StoredBlob): AsyncGenerator<Buffer> {
    if (!this.isOpen) throw new NiemError('vault-locked', 'the vault is locked');
    return this.#blobs.read(blob.id, blob.key);
  }

  /**
   * The plaintext of blob `id` from byte `from` (default the start), streamed and
   * authenticated segment by segment; nothing before `from`'s segment is read.
   */
  async *readBlob(id: string, from = 0): AsyncGenerator<Buffer> {
    const row = this.database.prepare('SELECT key FROM blobs WHERE id = ?').get(id) as
      { key: Buffer } | undefined;
    if (row === undefined) throw new NiemError('not-found', `no blob ${id}`);
    try {
      for await (const chunk of this.#blobs.read(id, row.key, from)) {
        if (!this.isOpen) throw new NiemError('vault-locked', 'the vault was locked while reading');
        yield chunk;
      }
    } finally {
      row.key.fill(0);
    }
  }

  /**
   * Deletes blob rows no table references any more, then their files (after the commit;
   * a crash in between leaves files the next open sweeps). Returns how many went.
   */
  async collectGarbage(): Promise<number> {
    const unused = this.transaction((db) => {
      const ids = db
        .prepare(
          `SELECT id FROM blobs WHERE id NOT IN (
             SELECT blob_id FROM draft_documents UNION ALL SELECT blob_id FROM inbox_documents
             UNION ALL SELECT package_blob FROM outbox UNION ALL SELECT package_blob FROM sent
             UNION ALL SELECT package_blob FROM inbox)`,
        )
        .pluck()
        .all() as string[];
      const remove = db.prepare('DELETE FROM blobs WHERE id = ?');
      for (const id of ids) remove.run(id);
      return ids;
    });
    for (const id of unused) await this.#blobs.remove(id);
    return unused.length;
  }

  /** Takes a snapshot now (whatever the interval) and prunes to the policy's count. */
  async snapshot(): Promise<SnapshotInfo> {
    return takeSnapshot(this.database, this.profileDir, this.#now(), this.#policy.keep);
  }

  /** Takes a snapshot when the newest is older than the policy's interval. */
  async snapshotIfDue(): Promise<SnapshotInfo | undefined> {
    if (!(await snapshotDue(this.profileDir, this.#now(), this.#policy))) return undefined;
    return this.snapshot();
  }

  /**
   * Wraps the database key anew for `holder` (a new token certificate), keeping the
   * recovery certificate, and writes vault.key atomically: the old token no longer opens
   * it. Then, in one transaction, the holder is recorded and the audit trail gets
   * `vault.rewrap` (this session's actor and time; `detail` adds ids and labels, never a
   * key). Resolves with whether the recovery certificate is among the holders.
   */
  async rewrap(
    holder: KeyHolder,
    detail: Record<string, unknown> = {},
  ): Promise<{ recovery: boolean }> {
    const db = this.database;
    const key = this.#key;
    if (key === undefined) throw new NiemError('vault-locked', 'the vault is locked');
    const recovery = db
      .prepare(`SELECT certificate, oaep_hash FROM key_holders WHERE role = 'recovery'`)
      .get() as { certificate: Buffer; oaep_hash: 'sha1' | 'sha256' | null } | undefined;
    const holders: KeyHolder[] = [holder];
    if (recovery !== undefined) {
      holders.push({
        certificate: recovery.certificate,
        ...(recovery.oaep_hash === null ? {} : { oaepHash: recovery.oaep_hash }),
      });
    }
    // The key file first: a failure after it leaves a vault the new token opens and an
    // unrecorded re-wrap, which running it again records; never a record of a re-wrap
    // that did not happen.
    await writeKeyFile(this.profileDir, wrapDatabaseKey(key, holders));
    this.transaction((tx) => {
      recordHolder(tx, 'token', holder, this.timestamp());
      recordAudit(this, tx, {
        action: 'vault.rewrap',
        detail: { ...detail, recovery: recovery !== undefined },
      });
    });
    return { recovery: recovery !== undefined };
  }

  /**
   * Locks the vault: a snapshot when one is due, then the database closes, the key is
   * zeroed and dropped. Idempotent. Every method afterwards throws `vault-locked`.
   */
  async close(options: { snapshot?: boolean } = {}): Promise<void> {
    if (this.#db === undefined) return;
    try {
      if (options.snapshot !== false) await this.snapshotIfDue().catch(() => undefined);
    } finally {
      const db = this.#db;
      this.#db = undefined;
      db.close();
      this.#key?.fill(0);
      this.#key = undefined;
      await markCleanClose(this.profileDir).catch(() => undefined); // next open: full checks
    }
  }
}

function recordHolder(
  db: SqliteDatabase,
  role: 'token' | 'recovery',
  holder: KeyHolder,
  at: string,
): void {
  const certificate =
    typeof holder.certificate === 'string'
      ? Buffer.from(holder.certificate, 'utf8')
      : Buffer.from(holder.certificate);
  db.prepare(
    `INSERT INTO key_holders (role, certificate, oaep_hash, since) VALUES (?, ?, ?, ?)
     ON CONFLICT (role) DO UPDATE SET certificate = excluded.certificate,
       oaep_hash = excluded.oaep_hash, since = excluded.since`,
  ).run(role, certificate, holder.oaepHash ?? null, at);
}

/**
 * Creates a vault in `profileDir` (made if missing, mode 0700): a fresh key wrapped for the
 * holder (and recovery), an empty database at the current schema. Refuses (`vault-exists`)
 * when the folder has a database or snapshots; a lone vault.key (an init interrupted before
 * its database existed, so it protects nothing) is replaced.
 */
export async function initVault(profileDir: string, options: InitVaultOptions): Promise<Vault> {
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  const database = join(profileDir, DATABASE_FILE);
  if ((await exists(database)) || (await listSnapshots(profileDir)).length > 0) {
    throw new NiemError('vault-exists', 'the profile folder already holds a vault');
  }
  const key = generateDatabaseKey();
  try {
    const holders = [options.holder, ...(options.recovery === undefined ? [] : [options.recovery])];
    await writeKeyFile(profileDir, wrapDatabaseKey(key, holders));
    const db = openDatabase(database, key, { create: true });
    try {
      migrate(db);
      const now = nowIso(options.now ?? (() => new Date()));
      runTransaction(db, () => {
        recordHolder(db, 'token', options.holder, now);
        if (options.recovery !== undefined) recordHolder(db, 'recovery', options.recovery, now);
      });
    } catch (err) {
      db.close();
      throw err;
    }
    return new Vault(profileDir, db, key, options);
  } catch (err) {
    key.fill(0);
    throw err;
  }
}

function openChecked(path: string, key: Buffer, check: IntegrityCheck): SqliteDatabase {
  const db = openDatabase(path, key);
  try {
    checkIntegrity(db, check);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens the vault of `profileDir` with `keys` (tokenRecipientKeys of the signed-in token,
 * or a software recovery key). A damaged or missing database is replaced by the newest
 * good snapshot (reported in `report.restored`); with none, `vault-corrupt`, the damaged
 * file left in place. The schema is migrated (after a snapshot) and leftovers swept.
 */
export async function openVault(
  profileDir: string,
  keys: readonly RecipientKey[],
  options: VaultOptions = {},
): Promise<{ vault: Vault; report: OpenReport }> {
  const envelope = await readKeyFile(profileDir);
  const key = await unwrapDatabaseKey(envelope, keys);
  const now = options.now ?? (() => new Date());
  const path = join(profileDir, DATABASE_FILE);
  // Whether the last session closed the vault: taken (and removed) before anything else,
  // so a session that dies leaves no mark and the next open checks everything.
  const clean = await takeCleanClose(profileDir);
  const asked = options.integrityCheck ?? 'auto';
  const check: IntegrityCheck = asked === 'auto' ? (clean ? 'none' : 'quick') : asked;
  let db: SqliteDatabase;
  let restored: RestoredSnapshot | undefined;
  try {
    try {
      if (!(await exists(path))) throw new NiemError('vault-corrupt', 'vault.db is missing');
      db = openChecked(path, key, check);
    } catch (err) {
      if (!(err instanceof NiemError)) throw err;
      if (err.kind !== 'vault-corrupt' && err.kind !== 'vault-key-mismatch') throw err;
      restored = await restoreFromSnapshot(profileDir, key, now());
      if (restored === undefined) {
        throw new NiemError(
          'vault-corrupt',
          err.kind === 'vault-key-mismatch'
            ? `the database does not open with the key of ${KEY_FILE} (damaged, or from another vault) and no snapshot does`
            : `${err.message}; no intact snapshot`,
          { cause: err },
        );
      }
      db = openChecked(path, key, check);
    }
  } catch (err) {
    key.fill(0);
    throw err;
  }
  const vault = new Vault(profileDir, db, key, options);
  try {
    const before = schemaVersion(db);
    if (before > SCHEMA_VERSION) migrate(db); // throws vault-too-new, touches nothing
    if (before > 0 && before < SCHEMA_VERSION) await vault.snapshot(); // the state before
    const migration = migrate(db);
    let sweptFiles = 0;
    if (!clean) {
      // Leftovers exist only when a session died (interrupted writes, blobs of rows that
      // never committed): reading 100,000 file names costs more than the rest of the open.
      await sweepSnapshotTemps(profileDir);
      await sweepWorkDir(profileDir);
      const known = new Set(db.prepare('SELECT id FROM blobs').pluck().all() as string[]);
      sweptFiles = await new BlobStore(profileDir).sweep(known);
    }
    await vault.snapshotIfDue();
    return { vault, report: { restored, migration, sweptFiles, integrity: check } };
  } catch (err) {
    await vault.close({ snapshot: false });
    throw err;
  }
}

/**
 * Re-wraps the vault key of `profileDir` for a new token certificate, opening it with the
 * current keys (the recovery key, or the old token). The recovery recipient is kept.
 */
export async function rewrapVault(
  profileDir: string,
  currentKeys: readonly RecipientKey[],
  holder: KeyHolder,
  options: VaultOptions = {},
): Promise<OpenReport> {
  const { vault, report } = await openVault(profileDir, currentKeys, options);
  try {
    await vault.rewrap(holder);
  } finally {
    await vault.close();
  }
  return report;
}
