/**
 * The one place that loads better-sqlite3-multiple-ciphers (SQLite with page-level
 * encryption, the better-sqlite3 API). It is synchronous: load it only in the native
 * process and the CLI, never in Electron main or the renderer. Import `Sqlite` and the
 * `SqliteDatabase` type from here; never import the package elsewhere for its values.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

const require = createRequire(import.meta.url);

/** The Database constructor of better-sqlite3-multiple-ciphers. */
export const Sqlite = require('better-sqlite3-multiple-ciphers') as typeof BetterSqlite3;

/** An open SQLite connection (owned by whoever opened it; closed by Vault.close). */
export type SqliteDatabase = BetterSqlite3.Database;

/** What SQLite errors carry besides the message: the extended result code name. */
export function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
