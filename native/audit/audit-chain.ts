/**
 * The hash-chain analysis of verifyAudit: from the rows (each already checked against its
 * own hash, audit-rows.ts) it finds edited, moved, inserted, replaced and deleted entries
 * and says which. Pure: no database, no crypto.
 *
 * Rows are put back in the order they were written (the seq their contents hash to), then
 * each link `prev_hash == hash of the row before` is checked. A broken link between rows a
 * and b (b intact) is explained, in this order, as:
 *   1. a was inserted: b links to the row before a (the chain skips a);
 *   2. entries were deleted between a and b (a gap in the written numbering);
 *   3. b is foreign: the link after b is broken too, and the row after b does not link to a;
 *   4. otherwise a was replaced (or edited with its hash recomputed): b recorded another
 *      hash for it.
 * Rules 3 and 4 are the likeliest reading, not a proof: "a and b both rewritten" looks
 * the same as "b foreign". Every reading makes the report not ok.
 */
import { bytesEqual } from '../seal/signed-data/certificate.ts';
import { GENESIS_PREV_HASH } from './audit-encoding.ts';
import type { AuditProblem } from './audit-report.ts';
import type { ChainRow } from './audit-rows.ts';

/** What the chain analysis found. */
export interface ChainFindings {
  readonly problems: readonly AuditProblem[];
  /** Written seq → the row that holds that entry (inserted rows left out). */
  readonly entryAt: ReadonlyMap<number, ChainRow>;
}

/** The seq a row was written at, as far as can be told: its stored seq when edited. */
const writtenSeq = (r: ChainRow): number => r.orig ?? r.seq;

function one(problem: AuditProblem['problem'], seq: number): AuditProblem {
  return { problem, seq, lastSeq: seq };
}

/**
 * Analyses `rows` (in stored seq order). `horizon` is the highest seq a valid signed
 * checkpoint covers: entries up to it must exist, so a cut tail below it is `entry-deleted`.
 */
export function analyseChain(rows: readonly ChainRow[], horizon: number): ChainFindings {
  const problems: AuditProblem[] = [];
  const inserted = new Set<ChainRow>();
  // Stable sort: rows with the same written seq stay in stored order.
  const order = [...rows].sort((x, y) => writtenSeq(x) - writtenSeq(y));
  const n = order.length;

  const at = (i: number): ChainRow => order[i] as ChainRow;
  const links = (b: ChainRow, hash: Uint8Array | undefined): boolean =>
    b.prev !== undefined && hash !== undefined && bytesEqual(b.prev, hash);
  // A link is checked only when b is intact and a's stored hash is readable; otherwise
  // the edit of a or b already explains it.
  const broken: boolean[] = order.map((b, i) => {
    if (b.orig === undefined || b.prev === undefined) return false;
    if (i === 0) return !bytesEqual(b.prev, GENESIS_PREV_HASH);
    const a = at(i - 1);
    return a.hash !== undefined && !bytesEqual(b.prev, a.hash);
  });
  const explained: boolean[] = order.map(() => false);

  for (let i = 1; i < n; i++) {
    if (!broken[i] || explained[i]) continue;
    const a = at(i - 1);
    const b = at(i);
    const beforeA = i >= 2 ? at(i - 2).hash : GENESIS_PREV_HASH;
    if (links(b, beforeA)) {
      inserted.add(a);
      explained[i - 1] = true;
    } else if (a.orig === undefined) {
      // The edit of a explains it.
    } else if (writtenSeq(b) > writtenSeq(a) + 1) {
      // Deleted entries: reported from the numbering below.
    } else if (i + 1 < n && broken[i + 1] && !explained[i + 1]) {
      if (!links(at(i + 1), a.hash)) {
        problems.push(one('entry-replaced', b.seq));
        explained[i + 1] = true;
      }
      // else: b is an inserted row; rule 1 reports it at the next link.
    } else {
      problems.push(one('entry-replaced', a.seq));
      explained[i - 1] = true;
    }
    explained[i] = true;
  }
  const first = order[0];
  if (first !== undefined && broken[0] && !explained[0] && writtenSeq(first) <= 1) {
    problems.push(one('chain-broken', first.seq));
  }

  const entryAt = new Map<number, ChainRow>();
  for (const r of rows) {
    if (inserted.has(r)) {
      problems.push(one('entry-inserted', r.seq));
      continue;
    }
    if (r.orig === undefined) problems.push(one('entry-edited', r.seq));
    else if (r.orig !== r.seq) {
      problems.push({
        problem: 'entry-renumbered',
        seq: r.seq,
        lastSeq: r.seq,
        originalSeq: r.orig,
      });
    }
    const seq = writtenSeq(r);
    const held = entryAt.get(seq);
    if (held === undefined || (held.orig === undefined && r.orig !== undefined))
      entryAt.set(seq, r);
  }

  // Deleted: written seqs from 1 up to the last intact entry (or the horizon) that no row
  // holds. An edited row counts at its stored seq, but never extends the range.
  let limit = horizon;
  for (const r of order) {
    if (!inserted.has(r) && r.orig !== undefined && r.orig > limit) limit = r.orig;
  }
  let expected = 1;
  for (const r of order) {
    const seq = writtenSeq(r);
    if (seq > limit) break;
    if (inserted.has(r) || seq < expected) continue;
    if (seq > expected)
      problems.push({ problem: 'entry-deleted', seq: expected, lastSeq: seq - 1 });
    expected = seq + 1;
  }
  if (limit >= expected) problems.push({ problem: 'entry-deleted', seq: expected, lastSeq: limit });
  return { problems, entryAt };
}
