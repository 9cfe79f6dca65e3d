/**
 * The vault's private work folder, `<profile>/work/` (mode 0700): the only place the vault
 * puts a file outside its database and blobs, and only ciphertext (the encrypted database
 * copy a backup is made from). Each file is removed in a
 * `finally`; whatever a killed process left is removed at the next open (`sweepWorkDir`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Folder of the work files inside the profile. */
export const WORK_DIR = 'work';

/**
 * Runs `work` with a fresh path inside `<profile>/work/` (the file does not exist yet; the
 * caller creates it) and removes that path afterwards, whatever happens.
 */
export async function withWorkFile<T>(
  profileDir: string,
  suffix: string,
  work: (path: string) => Promise<T>,
): Promise<T> {
  const dir = join(profileDir, WORK_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${randomBytes(16).toString('hex')}${suffix}`);
  try {
    return await work(path);
  } finally {
    await rm(path, { force: true, recursive: true });
  }
}

/** Removes everything left in `<profile>/work/` (by a killed process); returns how many. */
export async function sweepWorkDir(profileDir: string): Promise<number> {
  const dir = join(profileDir, WORK_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return 0;
    throw err;
  }
  for (const name of names) await rm(join(dir, name), { force: true, recursive: true });
  return names.length;
}
