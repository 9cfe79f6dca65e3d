/**
 * The vault's SQLite database: opened with the vault key (SQLite3 Multiple Ciphers,
 * cipher `sqlcipher`, a raw 256-bit key so no KDF runs), checked, and configured:
 *
 * - `locking_mode=EXCLUSIVE` before WAL is first used: one process owns the profile (a
 *   second open is `vault-in-use`), and SQLite keeps the WAL index in heap memory, so no
 *   `-shm` file is ever written.
 * - `journal_mode=WAL`, `synchronous=FULL`: every commit fsyncs the WAL before it returns,
 *   so a transaction that returned survives a power cut too, not only a killed process
 *   (NORMAL would keep the database consistent but could lose the last commits on power
 *   loss). One fsync per transaction is cheap at a clerk's pace; bulk work batches rows.
 * - `foreign_keys=ON`, `secure_delete=ON` (freed pages are zeroed before encryption),
 *   `temp_store=MEMORY` (sorts and temp tables never reach a plaintext temp file),
 *   `trusted_schema=OFF`, `cell_size_check=ON`.
 *
 * Errors become kinds: a key that does not decrypt page 1 is `vault-key-mismatch`, a
 * damaged page `vault-corrupt`, SQLITE_FULL `disk-full`, a locked file `vault-in-use`.
 */
import { chmodSync } from 'node:fs';
import { NiemError } from '../api/errors.ts';
import { Sqlite, sqliteCode, type SqliteDatabase } from './sqlite-lib.ts';

/** Length of the vault's database key, bytes. */
export const DATABASE_KEY_BYTES = 32;

/** How thorough the integrity check at open is. */
export type IntegrityCheck = 'quick' | 'full' | 'none';

export interface OpenDatabaseOptions {
  /** Create the file when missing (init); default false (`vault-not-found`). */
  create?: boolean;
  /** Read-only, without WAL or the exclusive lock (snapshots being examined). */
  readonly?: boolean;
  /** Milliseconds to wait for another process's lock before `vault-in-use`; default 500. */
  busyTimeoutMs?: number;
}

/** The SQLite error `err` as a stable kind; anything else unchanged. */
export function classifySqliteError(err: unknown, what: string): unknown {
  if (err instanceof NiemError) return err;
  const code = sqliteCode(err) ?? '';
  const detail = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  if (code === 'SQLITE_NOTADB') {
    return new NiemError('vault-key-mismatch', `${detail} (the key does not open it)`, {
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_CORRUPT'))
    return new NiemError('vault-corrupt', detail, { cause: err });
  if (code === 'SQLITE_FULL') return new NiemError('disk-full', detail, { cause: err });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new NiemError('vault-in-use', detail, { cause: err });
  }
  if (code === 'SQLITE_CANTOPEN') return new NiemError('vault-not-found', detail, { cause: err });
  return err;
}

function applyKey(db: SqliteDatabase, key: Uint8Array): void {
  if (key.length !== DATABASE_KEY_BYTES) throw new RangeError('the database key must be 32 bytes');
  db.pragma(`cipher='sqlcipher'`);
  // The raw-key form x'…' (64 hex digits) skips the KDF. The hex text is a JS string the
  // engine may keep until collected; the Buffer copies are zeroed by their owners.
  db.pragma(`key="x'${Buffer.from(key).toString('hex')}'"`);
}

/**
 * Opens the encrypted database at `path` with `key` (32 bytes, borrowed: not kept or
 * zeroed here). Verifies the key by reading the schema. The caller owns the connection.
 */
export function openDatabase(
  path: string,
  key: Uint8Array,
  options: OpenDatabaseOptions = {},
): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Sqlite(path, {
      fileMustExist: options.create !== true,
      readonly: options.readonly === true,
      timeout: options.busyTimeoutMs ?? 500,
    });
  } catch (err) {
    throw classifySqliteError(err, 'opening the vault database');
  }
  try {
    // The clerk's alone whatever the umask (SQLite gives the WAL the database's mode).
    if (options.create === true && path !== ':memory:') chmodSync(path, 0o600);
    applyKey(db, key);
    db.prepare('SELECT count(*) FROM sqlite_schema').get(); // reads page 1: checks the key
    if (options.readonly !== true) {
      db.pragma('locking_mode=EXCLUSIVE');
      const mode = db.pragma('journal_mode=WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
      db.pragma('synchronous=FULL');
      // Take the exclusive lock now, so a second process is refused at open, not later.
      db.exec('BEGIN IMMEDIATE; COMMIT');
    }
    db.pragma('foreign_keys=ON');
    db.pragma('secure_delete=ON');
    db.pragma('temp_store=MEMORY');
    db.pragma('trusted_schema=OFF');
    db.pragma('cell_size_check=ON');
    return db;
  } catch (err) {
    db.close();
    throw classifySqliteError(err, 'opening the vault database');
  }
}

/**
 * Runs `PRAGMA quick_check` (or `integrity_check` for 'full'); throws `vault-corrupt` with
 * the first problems when the answer is not `ok`.
 */
export function checkIntegrity(db: SqliteDatabase, level: IntegrityCheck): void {
  if (level === 'none') return;
  let rows: unknown[];
  try {
    rows = db.pragma(level === 'full' ? 'integrity_check' : 'quick_check', {
      simple: false,
    }) as unknown[];
  } catch (err) {
    throw classifySqliteError(err, 'checking the vault database');
  }
  const messages = rows.map((r) => Object.values(r as Record<string, unknown>)[0]);
  if (messages.length !== 1 || messages[0] !== 'ok') {
    throw new NiemError(
      'vault-corrupt',
      `the vault database failed its integrity check: ${messages.slice(0, 5).join('; ')}`,
    );
  }
}

/**
 * Runs `fn` as one IMMEDIATE transaction: all its changes commit together when it returns,
 * none when it throws. `fn` must be synchronous (a returned promise is refused: the
 * transaction would commit before the awaited work). SQLite errors become kinds.
 */
export function runTransaction<T>(db: SqliteDatabase, fn: (db: SqliteDatabase) => T): T {
  const wrapped = db.transaction(() => {
    const result = fn(db);
    if (result instanceof Promise) {
      result.catch(() => undefined);
      throw new TypeError('a vault transaction must be synchronous');
    }
    return result;
  });
  try {
    return wrapped.immediate();
  } catch (err) {
    throw classifySqliteError(err, 'a vault transaction');
  }
}
