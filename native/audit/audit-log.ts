/**
 * Appending to the audit trail: one row of the vault's `audit` table per thing a clerk
 * did (who, what, when, which package, which level), each row hash-chained to the one
 * before it. Rows are never updated or deleted by Niêm; see audit-verify.ts for what the
 * chain and the signed checkpoints can and cannot prove.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { NiemError } from '../api/errors.ts';
import { levelCodes, type LevelCode } from '../seal/levels.ts';
import { GENESIS_PREV_HASH, HASH_BYTES, entryHash } from './audit-encoding.ts';

/** The better-sqlite3 handle of the opened vault (type only: the vault owns the runtime). */
export type AuditDatabase = Database.Database;

/** What happened, as the caller states it. Niêm supplies seq, time and the chain. */
export interface AuditEntryInput {
  /** Who did it: the signed-in clerk, e.g. the token certificate's CN. 1 to 512 characters. */
  readonly actor: string;
  /** What was done, a stable code such as `draft.create` or `session.logout`: 1 to 64 of [a-z0-9._:-]. */
  readonly action: string;
  /** The sealed package concerned: SHA-256 of its bytes, 64 lowercase hex digits. */
  readonly package?: string | null;
  /** The confidentiality level concerned, when there is one. */
  readonly level?: LevelCode | null;
  /** Further facts (ids, counts, reasons), stored as JSON; at most 64 KiB once serialised. Never a PIN, key or document text. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The row appendAudit wrote. */
export interface AppendedAuditEntry {
  readonly seq: number;
  /** ISO-8601 UTC, millisecond precision. */
  readonly at: string;
  /** SHA-256 over the canonical encoding (audit-encoding.ts); 32 bytes. */
  readonly hash: Uint8Array;
}

/** Options of appendAudit. */
export interface AppendAuditOptions {
  /** The time to record (tests); default now. */
  readonly now?: Date;
}

const MAX_ACTOR = 512;
const MAX_DETAIL_BYTES = 64 * 1024;
const ACTION = /^[a-z0-9._:-]{1,64}$/;
const PACKAGE = /^[0-9a-f]{64}$/;

function invalid(message: string): NiemError {
  return new NiemError('invalid-input', `audit entry: ${message}`);
}

function serialiseDetail(detail: unknown): string {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw invalid('detail must be a JSON object');
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(detail);
  } catch (cause) {
    throw new NiemError('invalid-input', 'audit entry: detail is not serialisable as JSON', {
      cause,
    });
  }
  if (json === undefined) throw invalid('detail is not serialisable as JSON');
  if (Buffer.byteLength(json) > MAX_DETAIL_BYTES) throw invalid('detail larger than 64 KiB');
  return json;
}

interface Statements {
  readonly last: Database.Statement;
  readonly topCheckpoint: Database.Statement;
  readonly insert: Database.Statement;
}

/** Prepared once per database handle (preparing dominates the cost of an append). */
const statements = new WeakMap<AuditDatabase, Statements>();

function prepared(db: AuditDatabase): Statements {
  let s = statements.get(db);
  if (s === undefined) {
    s = {
      last: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').safeIntegers(true),
      topCheckpoint: db.prepare('SELECT max(seq) AS seq FROM audit_checkpoint').safeIntegers(true),
      insert: db.prepare(
        'INSERT INTO audit (seq, at, actor, action, package, level, detail, prev_hash, hash) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    statements.set(db, s);
  }
  return s;
}

/** The seq of the next entry and the hash it links to. */
function chainHead(s: Statements): { next: bigint; prevHash: Uint8Array } {
  const last = s.last.get() as { seq: bigint; hash: unknown } | undefined;
  const checkpoint = s.topCheckpoint.get() as { seq: bigint | null };
  let prevHash = GENESIS_PREV_HASH;
  if (last !== undefined) {
    if (!(last.hash instanceof Uint8Array) || last.hash.length !== HASH_BYTES) {
      throw new NiemError(
        'internal',
        `audit: the last entry (${last.seq}) has no valid hash; run the audit verification`,
      );
    }
    prevHash = last.hash;
  }
  // The highest seq of either table: never reuse a seq that a signed checkpoint covers.
  // After a cut tail the new entries leave a gap the verifier reports as deleted entries.
  const top = [last?.seq ?? 0n, checkpoint.seq ?? 0n].reduce((a, b) => (a > b ? a : b));
  if (top < 0n || top >= BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new NiemError('internal', `audit: seq ${top} out of range; run the audit verification`);
  }
  return { next: top + 1n, prevHash };
}

/**
 * Appends one entry to the audit trail and returns it.
 *
 * **Must run inside the caller's transaction** (`db.transaction(() => { …change…;
 * appendAudit(db, …) })()`), the same one as the change it records, so the record and
 * the change commit or roll back together and no concurrent append can take the same seq.
 * Outside a transaction it refuses (`internal`) and writes nothing. Bad input is
 * `invalid-input` and writes nothing.
 */
export function appendAudit(
  db: AuditDatabase,
  entry: AuditEntryInput,
  options: AppendAuditOptions = {},
): AppendedAuditEntry {
  if (!db.inTransaction) {
    throw new NiemError('internal', 'appendAudit must run inside the transaction of its change');
  }
  const { actor, action } = entry;
  if (
    typeof actor !== 'string' ||
    actor.length === 0 ||
    actor.length > MAX_ACTOR ||
    !actor.isWellFormed()
  ) {
    throw invalid(`actor must be 1 to ${MAX_ACTOR} characters of well-formed Unicode`);
  }
  if (typeof action !== 'string' || !ACTION.test(action)) {
    throw invalid('action must be 1 to 64 of a-z 0-9 . _ : -');
  }
  const pkg = entry.package ?? null;
  if (pkg !== null && (typeof pkg !== 'string' || !PACKAGE.test(pkg))) {
    throw invalid('package must be a SHA-256 in 64 lowercase hex digits');
  }
  const level = entry.level ?? null;
  if (level !== null && !(levelCodes as readonly unknown[]).includes(level)) {
    throw invalid(`level must be one of ${levelCodes.join(', ')}`);
  }
  const detail = serialiseDetail(entry.detail);
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw invalid('invalid time');
  const at = now.toISOString();

  const s = prepared(db);
  const { next, prevHash } = chainHead(s);
  const fields = { at, actor, action, package: pkg, level, detail, prevHash };
  const hash = entryHash(next, fields);
  const blob = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);
  s.insert.run(next, at, actor, action, pkg, level, detail, blob(prevHash), blob(hash));
  return { seq: Number(next), at, hash };
}
