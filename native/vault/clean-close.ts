/**
 * The mark of a session that ended with Vault.close(): `<profile>/vault.closed`, holding
 * the size and modification time of vault.db as close() left it. openVault takes it
 * (reads and removes it) first; when it is there and vault.db is unchanged since and has
 * no WAL, the last session ended cleanly, so the open skips `PRAGMA quick_check` (which
 * reads every page: ~5 s for a 500 MiB vault) and the sweeps of leftovers. After a crash,
 * a kill or a power cut there is no mark, or the file changed: everything is checked.
 *
 * Skipping the check after a clean close loses little: every page carries the cipher's
 * HMAC, so a page damaged on disk is refused when it is read (`vault-corrupt`), and the
 * next open, finding no mark, checks the whole file and restores a snapshot. The mark is
 * not secret and proves nothing to an attacker; it only saves the honest case time.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE } from './snapshots.ts';

/** The mark's file name in the profile. */
export const CLEAN_CLOSE_FILE = 'vault.closed';

interface Mark {
  size: number;
  mtimeMs: number;
}

async function databaseState(profileDir: string): Promise<Mark | undefined> {
  try {
    const info = await stat(join(profileDir, DATABASE_FILE));
    return { size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

async function present(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes the mark after a close (the database file closed, its WAL folded in). */
export async function markCleanClose(profileDir: string): Promise<void> {
  const state = await databaseState(profileDir);
  if (state === undefined) return;
  await writeFile(join(profileDir, CLEAN_CLOSE_FILE), JSON.stringify(state), { mode: 0o600 });
}

/** Reads and removes the mark; true when vault.db is as the last close left it. */
export async function takeCleanClose(profileDir: string): Promise<boolean> {
  const path = join(profileDir, CLEAN_CLOSE_FILE);
  let mark: Mark | undefined;
  try {
    mark = JSON.parse(await readFile(path, 'utf8')) as Mark;
  } catch {
    return false;
  } finally {
    await rm(path, { force: true });
  }
  const state = await databaseState(profileDir);
  if (state === undefined || (await present(join(profileDir, `${DATABASE_FILE}-wal`)))) {
    return false;
  }
  return state.size === mark.size && state.mtimeMs === mark.mtimeMs;
}
