/**
 * The folder sink of openPackage (docs/package-format.md §10): every file of the package
 * is written into a fresh `<outDir>/.partial-<random>` folder (mode 0700, files 0600,
 * never replacing anything) and moved into `outDir` only at `commit`, which runs once the
 * GCM tag, every signature and the levels verified. `close` removes the partial folder,
 * and after a failure the folders this open created, so nothing is left in `outDir`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, lstat, mkdir, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NiemError } from '../../api/errors.ts';
import { MANIFEST_NAME, safeOutputPath } from '../tar/index.ts';
import type { OpenSink } from './open-package.ts';
import { sweepStalePartialDirs, trackPartial } from './partial-files.ts';

async function writeFileFrom(target: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let size = 0;
  await pipeline(
    Readable.from(
      (async function* () {
        for await (const c of chunks) {
          size += c.length;
          yield c;
        }
      })(),
    ),
    createWriteStream(target, { flags: 'wx', mode: 0o600 }),
  );
  return size;
}

/**
 * Moves every file of `from` into `to`, refusing to replace anything there: first checks
 * all targets are free, then links each (link fails on an existing name), and undoes the
 * links made if one fails.
 */
async function commitFiles(from: string, to: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const exists = await lstat(path.join(to, name)).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new NiemError('output-exists', `${name} already exists in the output folder ${to}`);
    }
  }
  const done: string[] = [];
  try {
    for (const name of names) {
      await link(path.join(from, name), path.join(to, name));
      done.push(name);
    }
  } catch (err) {
    for (const name of done) await unlink(path.join(to, name)).catch(() => undefined);
    throw err;
  }
}

/** Removes `dir` and its parents up to `top`, each only while empty (rmdir never deletes content). */
async function removeCreatedFolders(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const removed = await rmdir(current).then(
      () => true,
      () => false,
    );
    if (!removed || current === top || path.dirname(current) === current) return;
  }
}

/**
 * A sink writing into `outDir` (created when missing) through a partial folder; see the
 * module comment. Stale partial folders a killed open left there are swept first.
 */
export async function openFolderSink(outDirOption: string): Promise<OpenSink> {
  const outDir = path.resolve(outDirOption);
  const outExisted = await lstat(outDir).then(
    () => true,
    () => false,
  );
  // The first folder this call creates (undefined when outDir existed): a failed open
  // removes the folders it made, from outDir up to this one, and nothing else.
  const firstCreated = await mkdir(outDir, { recursive: true });
  await sweepStalePartialDirs(outDir); // left by a killed open (SIGKILL cannot be caught)
  const partialDir = path.join(outDir, `.partial-${randomBytes(8).toString('hex')}`);
  await mkdir(partialDir, { mode: 0o700 });
  const createdParents: string[] = [];
  if (!outExisted && firstCreated !== undefined) {
    const top = path.resolve(firstCreated);
    for (let d = outDir; ; d = path.dirname(d)) {
      createdParents.push(d);
      if (d === top || path.dirname(d) === d) break;
    }
  }
  const untrack = trackPartial({ path: partialDir, kind: 'dir', createdParents });
  const written: string[] = [];
  return {
    location: outDir,
    async manifest(bytes) {
      await writeFile(safeOutputPath(partialDir, MANIFEST_NAME), bytes, {
        flag: 'wx',
        mode: 0o600,
      });
      written.push(MANIFEST_NAME);
    },
    async file(name, content) {
      const size = await writeFileFrom(safeOutputPath(partialDir, name), content);
      written.push(name);
      return size;
    },
    async commit() {
      await commitFiles(partialDir, outDir, written);
    },
    async close(committed) {
      try {
        await rm(partialDir, { recursive: true, force: true });
        if (!committed && firstCreated !== undefined) {
          await removeCreatedFolders(outDir, path.resolve(firstCreated));
        }
      } finally {
        untrack();
      }
    },
  };
}
