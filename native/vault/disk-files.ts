/**
 * Careful file writing for the vault: every file appears whole or not at all (temp name in
 * the same folder, fsync, rename, fsync of the folder), and a full disk becomes the
 * `disk-full` kind with nothing half-written left behind.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NiemError } from '../api/errors.ts';

/** Suffix of files being written; anything with it found at open is a leftover and is removed. */
export const TEMP_SUFFIX = '.tmp';

/** Errno codes that mean "no space": the disk or the user's quota is full. */
const noSpace = new Set(['ENOSPC', 'EDQUOT']);

/** True for a Node error whose code says the disk (or quota) is full. */
export function isNoSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && noSpace.has(code);
}

/** `err` as `disk-full` when it is one, else unchanged. */
export function asDiskError(err: unknown, what: string): unknown {
  if (err instanceof NiemError || !isNoSpace(err)) return err;
  return new NiemError('disk-full', `the disk is full while writing ${what}`, { cause: err });
}

/** A fresh temp path next to `path` (same folder, so the rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** fsync of a folder, so a rename or unlink in it survives a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `path` atomically: the bytes produced by `write` go to a temp file (mode 0600,
 * created exclusively by `openTemp`, which tests replace to inject failures), which is fsynced and renamed over `path`; the folder is then
 * fsynced. On any failure the temp file is removed and `path` is untouched; ENOSPC and
 * EDQUOT become `disk-full`.
 */
export async function writeFileAtomically(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
  openTemp: (path: string) => Promise<FileHandle> = (p) => open(p, 'wx', 0o600),
): Promise<void> {
  const temp = tempPathFor(path);
  let done = false;
  try {
    const handle = await openTemp(temp);
    try {
      await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    done = true;
    await syncDirectory(dirname(path));
  } catch (err) {
    if (!done) await rm(temp, { force: true }).catch(() => undefined);
    throw asDiskError(err, basename(path));
  }
}

/** writeFileAtomically for bytes held in memory. */
export async function writeBytesAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomically(path, async (handle) => {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  });
}

/** Copies `source` over `target` atomically (temp copy, fsync, rename, fsync folder). */
export async function copyFileAtomically(source: string, target: string): Promise<void> {
  const temp = tempPathFor(target);
  let done = false;
  try {
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    done = true;
    await syncDirectory(dirname(target));
  } catch (err) {
    if (!done) await rm(temp, { force: true }).catch(() => undefined);
    throw asDiskError(err, basename(target));
  }
}
