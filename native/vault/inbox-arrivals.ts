/**
 * Packages arriving from the platform, as the vault keeps them (schema 5,
 * `inbox_arrivals`): one row per package the mailbox offered, in the states
 * `downloading` → `stored` (in the inbox) → `done` (verified: 03, or refused: 02), or
 * `not-for-us` (refused before anything was stored).
 *
 * A download in progress is kept as encrypted segment files under
 * `<profile>/arrivals/` (the blob format, each with its own random key), one row each in
 * `inbox_arrival_segments` with its offset, written in order: a segment's row is committed
 * only after its file is on disk (fsynced), so after a crash the download resumes at the
 * end of the last recorded segment, and a file without a row is a leftover the next
 * sweep removes. Nothing in those files is readable: the package is ciphertext already,
 * but even its outer label and recipients stay encrypted at rest, like everything else.
 */
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import type { LevelCode } from '../seal/levels.ts';
import { BlobStore, type StoredBlob } from './blob-store.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** Folder of the segment files of downloads in progress, inside the profile. */
export const ARRIVALS_DIR = 'arrivals';

/** Where an arrival stands. */
export type ArrivalState = 'downloading' | 'stored' | 'done' | 'not-for-us';

/** An arrival as the vault keeps it. */
export interface Arrival {
  sha256: string;
  /** Bytes, as the platform announced them. */
  size: number;
  level: LevelCode;
  /** The sender agency the platform named (a claim until the package verified). */
  senderClaim: string;
  state: ArrivalState;
  inboxId: number | null;
  /** The sender agency as the verified package states it (set once verified). */
  senderOrganId: string | null;
  /** Why it was refused (`not-for-us`, or `done` with status 02): a code and the Vietnamese reason. */
  refusalKind: string | null;
  refusalReason: string | null;
  /** Bytes downloaded and kept so far (the resume offset). */
  received: number;
}

/** What the mailbox says about a package. */
export interface ArrivalClaim {
  sha256: string;
  size: number;
  level: LevelCode;
  sender: string;
}

const shaBytes = (sha256: string): Buffer => Buffer.from(sha256, 'hex');

interface ArrivalRow {
  sha: string;
  size: number;
  level: LevelCode;
  sender_claim: string;
  state: ArrivalState;
  inbox_id: number | null;
  sender_organ_id: string | null;
  refusal_kind: string | null;
  refusal_reason: string | null;
  received: number;
}

const ARRIVAL_SQL = `
  SELECT lower(hex(a.package_sha256)) AS sha, a.size, a.level, a.sender_claim, a.state, a.inbox_id,
    a.sender_organ_id, a.refusal_kind, a.refusal_reason,
    (SELECT coalesce(sum(s.size), 0) FROM inbox_arrival_segments s
      WHERE s.package_sha256 = a.package_sha256) AS received
  FROM inbox_arrivals a`;

function toArrival(row: ArrivalRow): Arrival {
  return {
    sha256: row.sha,
    size: row.size,
    level: row.level,
    senderClaim: row.sender_claim,
    state: row.state,
    inboxId: row.inbox_id,
    senderOrganId: row.sender_organ_id,
    refusalKind: row.refusal_kind,
    refusalReason: row.refusal_reason,
    received: row.received,
  };
}

/** The arrival of package `sha256`, if the mailbox ever offered it. */
export function getArrival(vault: Vault, sha256: string): Arrival | undefined {
  const row = vault.database
    .prepare(`${ARRIVAL_SQL} WHERE a.package_sha256 = ?`)
    .get(shaBytes(sha256)) as ArrivalRow | undefined;
  return row === undefined ? undefined : toArrival(row);
}

/** The arrival that brought inbox item `inboxId`, if it came from the platform. */
export function arrivalOfInbox(vault: Vault, inboxId: number): Arrival | undefined {
  const row = vault.database.prepare(`${ARRIVAL_SQL} WHERE a.inbox_id = ?`).get(inboxId) as
    ArrivalRow | undefined;
  return row === undefined ? undefined : toArrival(row);
}

/**
 * The arrival of `claim`, recorded as `downloading` when new. A download in progress whose
 * size or level the platform now states differently starts again (its segments dropped).
 */
export async function beginArrival(vault: Vault, claim: ArrivalClaim): Promise<Arrival> {
  const existing = getArrival(vault, claim.sha256);
  if (existing !== undefined) {
    const changed = existing.size !== claim.size || existing.level !== claim.level;
    if (existing.state !== 'downloading' || !changed) return existing;
    await discardArrivalSegments(vault, claim.sha256);
  }
  const now = vault.timestamp();
  vault.transaction((db) => {
    db.prepare(
      `INSERT INTO inbox_arrivals (package_sha256, size, level, sender_claim, state, first_seen_at,
         updated_at) VALUES (?, ?, ?, ?, 'downloading', ?, ?)
       ON CONFLICT (package_sha256) DO UPDATE SET size = excluded.size, level = excluded.level,
         sender_claim = excluded.sender_claim, updated_at = excluded.updated_at`,
    ).run(shaBytes(claim.sha256), claim.size, claim.level, claim.sender, now, now);
  });
  return getArrival(vault, claim.sha256) as Arrival;
}

const segmentStores = new WeakMap<Vault, BlobStore>();

/** The segment files of `vault`; the first use sweeps files no row names (a crash's leftovers). */
async function segmentStore(vault: Vault): Promise<BlobStore> {
  let store = segmentStores.get(vault);
  if (store === undefined) {
    store = new BlobStore(join(vault.profileDir, ARRIVALS_DIR));
    const known = new Set(
      vault.database
        .prepare('SELECT file_id FROM inbox_arrival_segments')
        .pluck()
        .all() as string[],
    );
    await store.sweep(known);
    segmentStores.set(vault, store);
  }
  return store;
}

/**
 * Stores the next segment of a download: `source` is written to a new segment file and
 * recorded at offset `start` (which must be the bytes kept so far). Resolves to the bytes
 * kept (0: nothing came, nothing recorded). The caller checks the total against the size.
 */
export async function appendArrivalSegment(
  vault: Vault,
  sha256: string,
  start: number,
  source: AsyncIterable<Uint8Array>,
): Promise<number> {
  const store = await segmentStore(vault);
  const file: StoredBlob = await store.write(source);
  let recorded = false;
  try {
    if (file.size === 0) return 0;
    vault.transaction((db) => {
      const arrival = getArrival(vault, sha256);
      if (arrival?.state !== 'downloading' || arrival.received !== start) {
        throw new NiemError('internal', `arrival ${sha256}: segment at ${start} out of order`);
      }
      db.prepare(
        `INSERT INTO inbox_arrival_segments (package_sha256, start, size, file_id, key)
         VALUES (?, ?, ?, ?, ?)`,
      ).run(shaBytes(sha256), start, file.size, file.id, file.key);
      db.prepare('UPDATE inbox_arrivals SET updated_at = ? WHERE package_sha256 = ?').run(
        vault.timestamp(),
        shaBytes(sha256),
      );
    });
    recorded = true;
    return file.size;
  } finally {
    file.key.fill(0);
    if (!recorded) await store.remove(file.id).catch(() => undefined);
  }
}

/**
 * The bytes of the download kept so far, segment after segment, each authenticated. A
 * missing or damaged segment file throws (`not-found`, `vault-corrupt`): the caller
 * drops the download and starts again.
 */
export async function* readArrivalSegments(vault: Vault, sha256: string): AsyncGenerator<Buffer> {
  const store = await segmentStore(vault);
  const rows = vault.database
    .prepare(
      'SELECT start, size, file_id, key FROM inbox_arrival_segments WHERE package_sha256 = ? ORDER BY start',
    )
    .all(shaBytes(sha256)) as { start: number; size: number; file_id: string; key: Buffer }[];
  let expected = 0;
  try {
    for (const row of rows) {
      if (row.start !== expected) {
        throw new NiemError('vault-corrupt', `arrival ${sha256}: a gap at ${expected}`);
      }
      let size = 0;
      for await (const chunk of store.read(row.file_id, row.key)) {
        size += chunk.length;
        yield chunk;
      }
      if (size !== row.size) {
        throw new NiemError('vault-corrupt', `arrival ${sha256}: segment at ${row.start} changed`);
      }
      expected += row.size;
    }
  } finally {
    for (const row of rows) row.key.fill(0);
  }
}

/** Drops the segments of a download (rows, then files): it starts again from 0. */
export async function discardArrivalSegments(vault: Vault, sha256: string): Promise<void> {
  const store = await segmentStore(vault);
  const ids = vault.transaction((db) => {
    const files = db
      .prepare('SELECT file_id FROM inbox_arrival_segments WHERE package_sha256 = ?')
      .pluck()
      .all(shaBytes(sha256)) as string[];
    db.prepare('DELETE FROM inbox_arrival_segments WHERE package_sha256 = ?').run(shaBytes(sha256));
    return files;
  });
  for (const id of ids) await store.remove(id).catch(() => undefined);
}

/** Forgets a download whose bytes proved wrong (its row and segments): nothing of it is kept. */
export async function forgetArrival(vault: Vault, sha256: string): Promise<void> {
  await discardArrivalSegments(vault, sha256);
  vault.transaction((db) => {
    db.prepare(`DELETE FROM inbox_arrivals WHERE package_sha256 = ? AND state = 'downloading'`).run(
      shaBytes(sha256),
    );
  });
}

/**
 * Marks the arrival stored as inbox item `inboxId` and drops its segment rows, inside the
 * caller's transaction (the one that records the inbox row). Returns the segment files to
 * remove once it committed.
 */
export function markArrivalStored(
  vault: Vault,
  db: SqliteDatabase,
  sha256: string,
  inboxId: number,
): string[] {
  const files = db
    .prepare('SELECT file_id FROM inbox_arrival_segments WHERE package_sha256 = ?')
    .pluck()
    .all(shaBytes(sha256)) as string[];
  db.prepare('DELETE FROM inbox_arrival_segments WHERE package_sha256 = ?').run(shaBytes(sha256));
  db.prepare(
    `UPDATE inbox_arrivals SET state = 'stored', inbox_id = ?, updated_at = ? WHERE package_sha256 = ?`,
  ).run(inboxId, vault.timestamp(), shaBytes(sha256));
  return files;
}

/** Removes segment files whose rows are gone (after markArrivalStored committed). */
export async function removeArrivalFiles(vault: Vault, files: readonly string[]): Promise<void> {
  const store = await segmentStore(vault);
  for (const id of files) await store.remove(id).catch(() => undefined);
}

/** Marks a stored arrival verified (`done`), inside the caller's transaction. */
export function markArrivalDone(
  vault: Vault,
  db: SqliteDatabase,
  sha256: string,
  outcome: { sender: string | null; refusal?: { code: string; vi: string } },
): void {
  db.prepare(
    `UPDATE inbox_arrivals SET state = 'done', sender_organ_id = ?, refusal_kind = ?,
       refusal_reason = ?, updated_at = ? WHERE package_sha256 = ?`,
  ).run(
    outcome.sender,
    outcome.refusal?.code ?? null,
    outcome.refusal?.vi ?? null,
    vault.timestamp(),
    shaBytes(sha256),
  );
}

/**
 * Records that a downloaded package is not for this profile (`not-for-us`): its segments
 * dropped, its reason kept with an audit entry; nothing else changes.
 */
export async function refuseArrival(
  vault: Vault,
  sha256: string,
  refusal: { code: string; vi: string },
): Promise<void> {
  await discardArrivalSegments(vault, sha256);
  vault.transaction((db) => {
    const arrival = getArrival(vault, sha256);
    if (arrival === undefined) return;
    db.prepare(
      `UPDATE inbox_arrivals SET state = 'not-for-us', refusal_kind = ?, refusal_reason = ?,
         updated_at = ? WHERE package_sha256 = ? AND state = 'downloading'`,
    ).run(refusal.code, refusal.vi, vault.timestamp(), shaBytes(sha256));
    recordAudit(vault, db, {
      action: 'inbox.arrival-refused',
      package: sha256,
      level: arrival.level,
      detail: { kind: refusal.code, bytes: arrival.size },
    });
  });
}
