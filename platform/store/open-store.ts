/**
 * Opens the platform store the configuration asks for: PostgreSQL when a
 * `postgres://` or `postgresql://` URL is given, else embedded SQLite in the data folder.
 * The PostgreSQL driver is loaded only when used.
 */
import { NiemError } from '../../native/api/errors.ts';
import type { PlatformStore } from './platform-store.ts';

export interface OpenStoreOptions {
  /** The instance's data folder (SQLite's platform.db lives here when no URL is given). */
  dataDir: string;
  /** A `postgres://` or `postgresql://` URL selects PostgreSQL. */
  databaseUrl?: string | undefined;
}

/** Whether `url` names a PostgreSQL database. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Opens and migrates the store; the caller owns it and closes it. */
export async function openStore(options: OpenStoreOptions): Promise<PlatformStore> {
  const url = options.databaseUrl;
  if (url !== undefined && url !== '') {
    if (!isPostgresUrl(url)) {
      throw new NiemError(
        'invalid-input',
        'the database must be a postgres:// or postgresql:// URL (or none, for SQLite)',
      );
    }
    const { openPostgresStore } = await import('./postgres-store.ts');
    return openPostgresStore(url);
  }
  const { openSqliteStore } = await import('./sqlite-store.ts');
  return openSqliteStore(options.dataDir);
}
