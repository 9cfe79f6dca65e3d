/**
 * The partial outputs of seal and open (`PKG.p7m.partial`, `DIR/.partial-<hex>`): a
 * registry of the ones this process is writing, so that a SIGINT / SIGTERM handler can
 * remove them synchronously before exiting (removePartialsNow), and the sweep of stale
 * ones a SIGKILL (which cannot be caught) or a power cut left behind: a partial whose
 * last change is older than this process's start is not being written by anyone who
 * started after it, and is removed by the next seal or open into the same place.
 */
import { rmSync, rmdirSync } from 'node:fs';
import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

interface Partial {
  path: string;
  kind: 'file' | 'dir';
  /**
   * The folders this process created to hold the partial, deepest first: each removed
   * too when left empty (stopping at the first that is not).
   */
  createdParents?: readonly string[];
}

const live = new Set<Partial>();

/** Registers a partial output; call the returned function once it is committed or removed. */
export function trackPartial(partial: Partial): () => void {
  live.add(partial);
  return () => live.delete(partial);
}

/**
 * Removes every registered partial output now, synchronously (for signal handlers, where
 * the event loop will not run again). Never throws.
 */
export function removePartialsNow(): void {
  for (const p of live) {
    try {
      rmSync(p.path, { recursive: p.kind === 'dir', force: true });
    } catch {
      // best effort: the process is going away
    }
    for (const folder of p.createdParents ?? []) {
      try {
        rmdirSync(folder);
      } catch {
        break; // not empty (or gone): its parents are not ours to remove
      }
    }
  }
  live.clear();
}

/** When this process started (ms since the epoch). */
const processStart = (): number => Date.now() - process.uptime() * 1000;

/** The folder name of an open's partial output. */
export const PARTIAL_DIR_PATTERN = /^\.partial-[0-9a-f]{16}$/;

/** Removes `DIR/.partial-<hex>` folders last changed before this process started. */
export async function sweepStalePartialDirs(outDir: string): Promise<void> {
  const start = processStart();
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!PARTIAL_DIR_PATTERN.test(name)) continue;
    const p = path.join(outDir, name);
    try {
      const st = await lstat(p);
      if (st.isDirectory() && st.mtimeMs < start) await rm(p, { recursive: true, force: true });
    } catch {
      // raced with its owner or another sweep: leave it
    }
  }
}

/** Removes a stale `PKG.p7m.partial` (a regular file last changed before this process started). */
export async function sweepStalePartialFile(partial: string): Promise<void> {
  try {
    const st = await lstat(partial);
    if (st.isFile() && st.mtimeMs < processStart()) await unlink(partial);
  } catch {
    // absent, or raced: the exclusive create decides
  }
}
