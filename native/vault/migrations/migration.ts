/**
 * One schema version of the vault: `up` brings a database at `version - 1` to `version`.
 * Migrations are never edited once released; a change is a new file with the next number.
 */
import type { SqliteDatabase } from '../sqlite-lib.ts';

export interface Migration {
  /** The schema version after `up` (PRAGMA user_version); 1, 2, 3… without gaps. */
  readonly version: number;
  /** One line for logs and the docs. */
  readonly description: string;
  /** Applies the change; runs inside the runner's transaction, must be synchronous. */
  up(db: SqliteDatabase): void;
}

/** The level codes of native/seal/levels.ts as an SQL list, for CHECK constraints. */
export const LEVELS_SQL = `('thuong', 'mat', 'toi-mat', 'tuyet-mat')`;
