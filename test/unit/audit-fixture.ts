/**
 * Fixtures for the audit tests: a database with the vault's two audit tables (created
 * here exactly as the vault's first migration does), a log of sample entries, and the
 * raw-SQL moves of an attacker with write access to the database, including the ones
 * that recompute hashes (the algorithm is public). Not a test file itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { appendAudit, type AuditEntryInput } from '../../native/audit/index.ts';
import { entryHash } from '../../native/audit/audit-encoding.ts';
import type { LevelCode } from '../../native/seal/levels.ts';

export const AUDIT_TABLES = `
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  package TEXT NULL, level TEXT NULL, detail TEXT NOT NULL, prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL);
CREATE TABLE audit_checkpoint (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL,
  certificate BLOB NOT NULL, algorithm TEXT NOT NULL);
`;

export type Db = Database.Database;

/** An unencrypted database with the audit tables, in a temp dir (or in memory). */
export function openAuditDb(where: 'file' | 'memory' = 'memory'): {
  db: Db;
  cleanup: () => void;
} {
  if (where === 'memory') {
    const db = new Database(':memory:');
    db.exec(AUDIT_TABLES);
    return { db, cleanup: () => db.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'niem-audit-'));
  const db = new Database(join(dir, 'vault.db'));
  db.pragma('journal_mode = WAL');
  db.exec(AUDIT_TABLES);
  return {
    db,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const levels: readonly (LevelCode | null)[] = [null, 'thuong', 'mat', 'toi-mat', 'tuyet-mat'];

/** A plausible entry, different for each i. */
export function sampleEntry(i: number): AuditEntryInput {
  return {
    actor: i % 3 === 0 ? 'Trần Thị Bình' : 'Nguyễn Văn An',
    action: ['draft.create', 'package.seal', 'inbox.import', 'session.logout'][i % 4] as string,
    package: i % 2 === 0 ? (i % 256).toString(16).padStart(2, '0').repeat(32) : null,
    level: levels[i % levels.length] ?? null,
    detail: { draft: `d-${i}`, files: i % 5 },
  };
}

/** Appends one entry in its own transaction, as a caller would. */
export function append(db: Db, entry: AuditEntryInput, now?: Date): ReturnType<typeof appendAudit> {
  return db.transaction(() => appendAudit(db, entry, now === undefined ? {} : { now }))();
}

/** Appends sample entries until the log holds `n` more. */
export function seedLog(db: Db, n: number): void {
  const start = (db.prepare('SELECT count(*) FROM audit').pluck().get() as number) + 1;
  for (let i = start; i < start + n; i++) {
    append(db, sampleEntry(i), new Date(Date.UTC(2026, 10, 22, 8, 0, 0, i)));
  }
}

/** A row as stored. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  package: string | null;
  level: string | null;
  detail: string;
  prev_hash: Buffer;
  hash: Buffer;
}

export function row(db: Db, seq: number): AuditRow {
  const r = db.prepare('SELECT * FROM audit WHERE seq = ?').get(seq) as AuditRow | undefined;
  if (r === undefined) throw new Error(`no audit row ${seq}`);
  return r;
}

export function hashOf(db: Db, seq: number): Buffer {
  return row(db, seq).hash;
}

/** The hash an attacker computes for a row's current contents at `seq`. */
export function recomputedHash(r: AuditRow, seq = r.seq, prev: Uint8Array = r.prev_hash): Buffer {
  return Buffer.from(
    entryHash(BigInt(seq), {
      at: r.at,
      actor: r.actor,
      action: r.action,
      package: r.package,
      level: r.level,
      detail: r.detail,
      prevHash: prev,
    }),
  );
}

/** Moves every row with seq >= from by delta (in an order that keeps seq unique). */
export function renumber(db: Db, from: number, delta: number, to = Number.MAX_SAFE_INTEGER): void {
  db.transaction(() => {
    db.prepare('UPDATE audit SET seq = -seq WHERE seq >= ? AND seq <= ?').run(from, to);
    db.prepare('UPDATE audit SET seq = -seq + ? WHERE seq < 0').run(delta);
  })();
}

/** Rewrites row `seq` with `change` and recomputes its hash only (the next row then no longer links). */
export function rewriteOne(db: Db, seq: number, change: Partial<AuditRow>): void {
  const r = { ...row(db, seq), ...change };
  db.prepare(
    'UPDATE audit SET at=?, actor=?, action=?, package=?, level=?, detail=?, hash=? WHERE seq=?',
  ).run(r.at, r.actor, r.action, r.package, r.level, r.detail, recomputedHash(r), seq);
}

/** Rewrites row `seq` and recomputes prev_hash and hash of it and every later row: a consistent forged chain. */
export function rewriteCascade(db: Db, seq: number, change: Partial<AuditRow>): void {
  rewriteOne(db, seq, change);
  const later = db
    .prepare('SELECT seq FROM audit WHERE seq > ? ORDER BY seq')
    .pluck()
    .all(seq) as number[];
  let prev = hashOf(db, seq);
  for (const s of later) {
    const r = row(db, s);
    const hash = recomputedHash(r, s, prev);
    db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, s);
    prev = hash;
  }
}

/** Writes a foreign row at `seq` whose own hash is right; it links to `prev` (default: the row before). */
export function insertForeign(db: Db, seq: number, prev?: Uint8Array): void {
  const before = db
    .prepare('SELECT hash FROM audit WHERE seq = ?')
    .pluck()
    .get(seq - 1) as Buffer | undefined;
  const r: AuditRow = {
    seq,
    at: '2026-11-22T09:00:00.000Z',
    actor: 'Kẻ giả mạo',
    action: 'package.seal',
    package: 'ab'.repeat(32),
    level: 'tuyet-mat',
    detail: '{"forged":true}',
    prev_hash: Buffer.from(prev ?? before ?? new Uint8Array(32)),
    hash: Buffer.alloc(32),
  };
  db.prepare('INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    seq,
    r.at,
    r.actor,
    r.action,
    r.package,
    r.level,
    r.detail,
    r.prev_hash,
    recomputedHash(r),
  );
}
