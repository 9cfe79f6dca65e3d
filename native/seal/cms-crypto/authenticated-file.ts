/**
 * Commit-after-verify for decrypted output: plaintext goes to `<path>.partial` (created
 * new, owner-only) and is renamed to `path` only when the stream ended normally, that is
 * after the GCM tag (and whatever else the caller chains in, such as signature checks)
 * verified. On any failure the partial file is removed and nothing remains.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Suffix of the file being written before its content is authenticated. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Writes `plaintext` (e.g. a GcmDecryptor, or the last stage of a chain ending in one) to
 * `path` through `path + '.partial'`. `beforeCommit` runs after the stream ended and
 * before the rename: a check that throws (a signature that does not verify) keeps the
 * file from ever appearing. Refuses to overwrite an existing partial file.
 */
export async function writeAuthenticated(
  plaintext: Readable,
  path: string,
  beforeCommit?: () => Promise<void> | void,
): Promise<void> {
  const partial = path + PARTIAL_SUFFIX;
  try {
    await pipeline(plaintext, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    await beforeCommit?.();
    await rename(partial, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(partial, { force: true });
    throw err;
  }
}
