/**
 * Backups of a vault: one tar file (pax, the package layer's writer and reader) holding
 * only ciphertext, so it can be kept anywhere the agency keeps backups:
 *
 *   niem-backup.json   {"format":"niem-vault-backup","version":1,"createdAt":…,"blobs":n}
 *   vault.key          the wrapped database key (token + recovery), as in the profile
 *   vault.db           VACUUM INTO copy of the database: same cipher and key, consistent
 *   blob-<32 hex>      each encrypted blob file the database references, as on disk
 *
 * Restoring needs the token (or the recovery key) that vault.key is wrapped for: the
 * restore writes the files into an empty profile (a staging folder renamed into place,
 * so a failed restore leaves nothing) and the caller then opens it with a full
 * integrity check.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NiemError } from '../api/errors.ts';
import { writePackageFile } from '../seal/pipeline/package-file.ts';
import { readTar, writeTar, type TarWriteEntry } from '../seal/tar/index.ts';
import { BLOBS_DIR } from './blob-store.ts';
import { DATABASE_FILE } from './snapshots.ts';
import { KEY_FILE } from './vault-key.ts';
import type { Vault } from './vault.ts';
import { withWorkFile } from './work-dir.ts';

const MANIFEST = 'niem-backup.json';
const BLOB_ENTRY = /^blob-([0-9a-f]{32})$/;

/** What a backup holds. */
export interface BackupSummary {
  path: string;
  bytes: number;
  files: number;
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  yield* createReadStream(path) as AsyncIterable<Buffer>;
}

async function entryFor(name: string, path: string): Promise<TarWriteEntry> {
  const { size } = await stat(path);
  return { name, size, content: () => fileChunks(path) };
}

/** Writes a backup of the open `vault` to `out` (never overwritten; nothing left on failure). */
export async function backupVault(vault: Vault, out: string): Promise<BackupSummary> {
  const ids = vault.database.prepare('SELECT id FROM blobs ORDER BY id').pluck().all() as string[];
  return withWorkFile(vault.profileDir, '.db', async (copy) => {
    vault.database.prepare('VACUUM INTO ?').run(copy);
    const manifest = Buffer.from(
      JSON.stringify({
        format: 'niem-vault-backup',
        version: 1,
        createdAt: vault.timestamp(),
        blobs: ids.length,
      }),
    );
    const entries: TarWriteEntry[] = [
      { name: MANIFEST, size: manifest.length, content: manifest },
      await entryFor(KEY_FILE, join(vault.profileDir, KEY_FILE)),
      await entryFor(DATABASE_FILE, copy),
    ];
    for (const id of ids) {
      entries.push(
        await entryFor(`blob-${id}`, join(vault.profileDir, BLOBS_DIR, id.slice(0, 2), id)),
      );
    }
    // Through `<out>.partial`, linked to `out` (never overwritten) once complete.
    const bytes = await writePackageFile(out, writeTar(entries));
    return { path: out, bytes, files: entries.length };
  });
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Writes the files of backup `file` into `profileDir`, which must be empty or missing
 * (`vault-exists` otherwise). A file that is not a backup is `malformed` and leaves
 * nothing. Open the vault afterwards (with integrityCheck 'full') to check it.
 */
export async function restoreVaultFiles(file: string, profileDir: string): Promise<number> {
  if (!(await isEmptyOrMissing(profileDir))) {
    throw new NiemError('vault-exists', 'the profile folder is not empty');
  }
  await mkdir(dirname(profileDir), { recursive: true, mode: 0o700 });
  const staging = join(
    dirname(profileDir),
    `.${basename(profileDir)}.restore-${randomBytes(8).toString('hex')}`,
  );
  await mkdir(staging, { mode: 0o700 });
  let files = 0;
  try {
    let sawManifest = false;
    let sawKey = false;
    let sawDb = false;
    for await (const entry of readTar(createReadStream(file), { maxEntries: 10_000_000 })) {
      let target: string;
      if (!sawManifest) {
        if (entry.name !== MANIFEST || entry.size > 4096) throw malformed('no backup manifest');
        const parts: Uint8Array[] = [];
        for await (const c of entry.body) parts.push(Uint8Array.from(c));
        const json = JSON.parse(Buffer.concat(parts).toString('utf8')) as { format?: unknown };
        if (json.format !== 'niem-vault-backup') throw malformed('not a vault backup');
        sawManifest = true;
        continue;
      }
      const blob = BLOB_ENTRY.exec(entry.name);
      if (entry.name === KEY_FILE && !sawKey) {
        sawKey = true;
        target = join(staging, KEY_FILE);
      } else if (entry.name === DATABASE_FILE && !sawDb) {
        sawDb = true;
        target = join(staging, DATABASE_FILE);
      } else if (blob?.[1] !== undefined) {
        const dir = join(staging, BLOBS_DIR, blob[1].slice(0, 2));
        await mkdir(dir, { recursive: true, mode: 0o700 });
        target = join(dir, blob[1]);
      } else {
        throw malformed(`unexpected member ${entry.name}`);
      }
      await pipeline(
        Readable.from(entry.body),
        createWriteStream(target, { flags: 'wx', mode: 0o600 }),
      );
      files++;
    }
    if (!sawKey || !sawDb) throw malformed('vault.key or vault.db missing');
    await rmdir(profileDir).catch(() => undefined);
    await rename(staging, profileDir);
    return files;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (err instanceof SyntaxError) throw malformed('unreadable backup manifest');
    throw err;
  }
}

function malformed(why: string): NiemError {
  return new NiemError('malformed', `backup: ${why}`);
}
