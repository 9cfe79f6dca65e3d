/**
 * Reads the audit table for verification: for each row, whether its contents still match
 * its stored hash, and if they match only at another seq, which one (a renumbered row).
 * Only what the chain analysis needs is kept (seq, hashes), not the entries' text.
 */
import { bytesEqual } from '../seal/signed-data/certificate.ts';
import {
  GENESIS_PREV_HASH,
  HASH_BYTES,
  encodeEntry,
  hashAtSeq,
  sha256,
  type AuditEntryFields,
} from './audit-encoding.ts';
import type { AuditDatabase } from './audit-log.ts';

/** One audit row as the chain analysis sees it. */
export interface ChainRow {
  /** The seq it is stored at. */
  readonly seq: number;
  /**
   * The seq its contents hash to: `seq` for an intact row, another value for an intact
   * row that was moved, undefined when no nearby seq matches (edited, or malformed).
   */
  readonly orig: number | undefined;
  /** The stored hash, when it is a 32-byte blob. */
  readonly hash: Uint8Array | undefined;
  /** The stored prev_hash, when it is a 32-byte blob. */
  readonly prev: Uint8Array | undefined;
}

/** How far from its stored seq a moved row is looked for when nothing else places it. */
export const RENUMBER_SEARCH = 16;
/**
 * How many rows may get that search: it costs 2 × RENUMBER_SEARCH hashes a row, and a
 * log edited throughout must not make verification take minutes. Beyond it a moved row
 * that nothing else places is reported as edited.
 */
export const RENUMBER_SEARCH_BUDGET = 1024;

interface RawRow {
  seq: bigint;
  at: unknown;
  actor: unknown;
  action: unknown;
  package: unknown;
  level: unknown;
  detail: unknown;
  prev_hash: unknown;
  hash: unknown;
}

/** A 32-byte blob, copied into pooled memory (the row's own buffer is released). */
function hash32(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array && v.length === HASH_BYTES ? Buffer.from(v) : undefined;
}

const nullableText = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The hashed fields of a raw row, or undefined when a column has the wrong type. */
function fieldsOf(r: RawRow, prev: Uint8Array | undefined): AuditEntryFields | undefined {
  if (
    typeof r.at !== 'string' ||
    typeof r.actor !== 'string' ||
    typeof r.action !== 'string' ||
    !nullableText(r.package) ||
    !nullableText(r.level) ||
    typeof r.detail !== 'string' ||
    prev === undefined
  ) {
    return undefined;
  }
  return {
    at: r.at,
    actor: r.actor,
    action: r.action,
    package: r.package,
    level: r.level,
    detail: r.detail,
    prevHash: prev,
  };
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

const key = (hash: Uint8Array): string =>
  Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString('latin1');

/** Finds the seq an intact but moved row was written at; see readChainRows. */
class OrigFinder {
  /** Stored hash → the seq its row was written at (rows read so far). */
  private readonly written = new Map<string, number>();
  private prevOffset = 0;
  private budget = RENUMBER_SEARCH_BUDGET;

  find(encoding: Uint8Array, seq: number, prev: Uint8Array, hash: Uint8Array): number | undefined {
    const candidates: number[] = [];
    const predecessor = this.written.get(key(prev));
    if (predecessor !== undefined) candidates.push(predecessor + 1);
    if (bytesEqual(prev, GENESIS_PREV_HASH)) candidates.push(1);
    if (this.prevOffset !== 0) candidates.push(seq + this.prevOffset);
    if (this.budget > 0) {
      this.budget--;
      for (let d = 1; d <= RENUMBER_SEARCH; d++) candidates.push(seq - d, seq + d);
    }
    for (const c of candidates) {
      if (c < 1 || c > Number.MAX_SAFE_INTEGER || c === seq) continue;
      if (bytesEqual(hashAtSeq(encoding, BigInt(c)), hash)) return c;
    }
    return undefined;
  }

  /** Records a row once placed (orig undefined: edited, counted at its stored seq). */
  note(row: ChainRow): void {
    if (row.hash !== undefined) this.written.set(key(row.hash), row.orig ?? row.seq);
    if (row.orig !== undefined) this.prevOffset = row.orig - row.seq;
  }
}

/**
 * All rows of `audit` in stored seq order, each checked against its own hash. A row whose
 * contents match its hash only at another seq was moved (renumbered); that seq is looked
 * for where the row's prev_hash points (the row it was written after), at the previous
 * row's offset, and within RENUMBER_SEARCH of where it is now.
 */
export function readChainRows(db: AuditDatabase): ChainRow[] {
  const statement = db
    .prepare(
      'SELECT seq, at, actor, action, package, level, detail, prev_hash, hash FROM audit ORDER BY seq',
    )
    .safeIntegers(true);
  const rows: ChainRow[] = [];
  const finder = new OrigFinder();
  for (const raw of statement.iterate() as IterableIterator<RawRow>) {
    const seq = Number(raw.seq);
    const hash = hash32(raw.hash);
    const prev = hash32(raw.prev_hash);
    const fields = fieldsOf(raw, prev);
    let orig: number | undefined;
    if (fields !== undefined && hash !== undefined && raw.seq >= -SAFE_MAX && raw.seq <= SAFE_MAX) {
      const encoding = encodeEntry(raw.seq, fields);
      if (seq >= 1 && bytesEqual(sha256(encoding), hash)) orig = seq;
      else orig = finder.find(encoding, seq, fields.prevHash, hash);
    }
    const row = { seq, orig, hash, prev };
    finder.note(row);
    rows.push(row);
  }
  return rows;
}
