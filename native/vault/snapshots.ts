/**
 * Automatic encrypted snapshots of the vault database and restoring from them.
 *
 * A snapshot is `VACUUM INTO` a temp file in `<profile>/snapshots/` (same cipher and key as
 * the database: never plaintext), fsynced and renamed to `vault-<UTC time>.db`. The vault
 * takes one at open and at close when the newest is older than the interval (default one
 * hour) and keeps the newest N (default 3). A damaged database is moved (never deleted) to
 * `<profile>/damaged/` with its WAL, and the newest snapshot that passes integrity_check
 * under the vault key is copied in its place.
 */
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import { checkIntegrity, openDatabase } from './database.ts';
import {
  TEMP_SUFFIX,
  asDiskError,
  copyFileAtomically,
  syncDirectory,
  tempPathFor,
} from './disk-files.ts';
import { SCHEMA_VERSION, schemaVersion } from './migrations/index.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';

export const SNAPSHOTS_DIR = 'snapshots';
export const DAMAGED_DIR = 'damaged';
export const DATABASE_FILE = 'vault.db';

/** How many snapshots to keep and how often to take one. */
export interface SnapshotPolicy {
  /** Snapshots kept (the newest); default 3, at least 1. */
  keep: number;
  /** Least milliseconds between two automatic snapshots; default one hour. */
  minIntervalMs: number;
}

export const defaultSnapshotPolicy: SnapshotPolicy = { keep: 3, minIntervalMs: 60 * 60 * 1000 };

/** One snapshot file. */
export interface SnapshotInfo {
  path: string;
  /** When it was taken (from its name, millisecond precision, UTC). */
  takenAt: Date;
}

const NAME = /^vault-(\d{8}T\d{9}Z)(?:-(\d+))?\.db$/;

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function parseStamp(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(text);
  if (m === null) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** The snapshots of `profileDir`, newest first. */
export async function listSnapshots(profileDir: string): Promise<SnapshotInfo[]> {
  const dir = join(profileDir, SNAPSHOTS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  }
  const out: { info: SnapshotInfo; sequence: number }[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (m === null) continue;
    const takenAt = parseStamp(m[1] ?? '');
    if (Number.isNaN(takenAt.getTime())) continue;
    out.push({ info: { path: join(dir, name), takenAt }, sequence: Number(m[2] ?? 0) });
  }
  out.sort(
    (a, b) => b.info.takenAt.getTime() - a.info.takenAt.getTime() || b.sequence - a.sequence,
  );
  return out.map((o) => o.info);
}

/** Removes temp files an interrupted snapshot left. */
export async function sweepSnapshotTemps(profileDir: string): Promise<void> {
  const dir = join(profileDir, SNAPSHOTS_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
  }
}

/** Takes a snapshot of `db` now and prunes to `keep`. */
export async function takeSnapshot(
  db: SqliteDatabase,
  profileDir: string,
  now: Date,
  keep: number,
): Promise<SnapshotInfo> {
  const dir = join(profileDir, SNAPSHOTS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let path = join(dir, `vault-${stamp(now)}.db`);
  for (let n = 1; await exists(path); n++) path = join(dir, `vault-${stamp(now)}-${n}.db`);
  const temp = tempPathFor(path);
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.chmod(0o600); // whatever the umask: ciphertext, but the clerk's alone
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(dir);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_FULL') throw new NiemError('disk-full', 'the disk is full: no snapshot');
    throw asDiskError(err, 'a snapshot');
  }
  const all = await listSnapshots(profileDir);
  for (const old of all.slice(Math.max(1, keep))) await rm(old.path, { force: true });
  return { path, takenAt: now };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** True when the newest snapshot is older than the policy's interval (or there is none). */
export async function snapshotDue(
  profileDir: string,
  now: Date,
  policy: SnapshotPolicy,
): Promise<boolean> {
  const [newest] = await listSnapshots(profileDir);
  return newest === undefined || now.getTime() - newest.takenAt.getTime() >= policy.minIntervalMs;
}

/** What a restore did: which snapshot replaced the database and where the damaged one went. */
export interface RestoredSnapshot {
  /** When the snapshot now in use was taken: changes after it are lost. */
  snapshotAt: Date;
  /** Where the damaged database was moved (undefined when it was missing). */
  damagedKeptAs: string | undefined;
}

/** The newest snapshot that opens with `key`, passes integrity_check and is not too new. */
async function newestGoodSnapshot(
  profileDir: string,
  key: Uint8Array,
): Promise<SnapshotInfo | undefined> {
  for (const snapshot of await listSnapshots(profileDir)) {
    try {
      const db = openDatabase(snapshot.path, key, { readonly: true });
      try {
        checkIntegrity(db, 'full');
        if (schemaVersion(db) > SCHEMA_VERSION) continue;
      } finally {
        db.close();
      }
      return snapshot;
    } catch {
      // damaged or foreign: try the next older one
    }
  }
  return undefined;
}

/**
 * Replaces the damaged (or missing) database with the newest good snapshot: the damaged
 * file and its WAL are moved to `damaged/`, never deleted. Undefined when no snapshot is
 * good (nothing is moved then).
 */
export async function restoreFromSnapshot(
  profileDir: string,
  key: Uint8Array,
  now: Date,
): Promise<RestoredSnapshot | undefined> {
  const snapshot = await newestGoodSnapshot(profileDir, key);
  if (snapshot === undefined) return undefined;
  const database = join(profileDir, DATABASE_FILE);
  const dir = join(profileDir, DAMAGED_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let aside = join(dir, `vault-${stamp(now)}.db`);
  for (let n = 1; await exists(aside); n++) aside = join(dir, `vault-${stamp(now)}-${n}.db`);
  let damagedKeptAs: string | undefined;
  if (await exists(database)) {
    await rename(database, aside);
    damagedKeptAs = aside;
  }
  // A WAL left without its database (even from an interrupted restore) must never be
  // replayed onto the snapshot: it goes aside too.
  for (const suffix of ['-wal', '-shm']) {
    if (await exists(database + suffix)) await rename(database + suffix, aside + suffix);
  }
  await syncDirectory(dir);
  await syncDirectory(profileDir);
  await copyFileAtomically(snapshot.path, database);
  return { snapshotAt: snapshot.takenAt, damagedKeptAs };
}
