/**
 * Every schema version in order, and the runner: each pending migration runs in its own
 * transaction together with the new `user_version`, so a database is always at exactly one
 * version. A database newer than this code is refused (`vault-too-new`), never touched.
 */
import { NiemError } from '../../api/errors.ts';
import { runTransaction } from '../database.ts';
import type { SqliteDatabase } from '../sqlite-lib.ts';
import { migration as initial } from './0001-initial.ts';
import { migration as search } from './0002-search.ts';
import { migration as searchFolding } from './0003-search-folding.ts';
import { migration as sync } from './0004-sync.ts';
import { migration as notices } from './0005-notices.ts';
import type { Migration } from './migration.ts';

export type { Migration } from './migration.ts';

/** All migrations, version 1 first. */
export const migrations: readonly Migration[] = [initial, search, searchFolding, sync, notices];

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations.length;

/** The schema version recorded in `db` (0 for an empty database). */
export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** What migrate did: the version found and the version now. */
export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings `db` to the last version of `list` (default: all of them), one transaction per
 * migration. Throws `vault-too-new` for a database beyond `list`.
 */
export function migrate(
  db: SqliteDatabase,
  list: readonly Migration[] = migrations,
): MigrationResult {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} declares version ${m.version}`);
  });
  const from = schemaVersion(db);
  if (from > list.length) {
    throw new NiemError(
      'vault-too-new',
      `the vault has schema version ${from}; this Niêm knows up to ${list.length}`,
    );
  }
  for (const m of list.slice(from)) {
    runTransaction(db, () => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
  }
  return { from, to: list.length };
}
