/**
 * The report of `verifyAudit`: plain data the CLI prints (in Vietnamese or English through
 * audit-messages.ts) and `--json` emits as is. Problem codes are stable: never rename one.
 */

/** What can be wrong with the audit trail, one code per thing a reader must be told. */
export const auditProblemCodes = [
  /** The row's contents (any column, or its stored hash) no longer match its hash. */
  'entry-edited',
  /** A foreign row the chain skips: the row after it links to the row before it. */
  'entry-inserted',
  /** The row differs from the one the next row linked to: replaced, or edited with its hash recomputed. */
  'entry-replaced',
  /** Rows missing: a gap in the numbering, or a tail cut below a signed checkpoint. */
  'entry-deleted',
  /** Intact rows moved to other seqs (`originalSeq` is where the first of them was written). */
  'entry-renumbered',
  /** A row that links to nothing it should and no rule above explains (e.g. a first row with a non-zero prev_hash). */
  'chain-broken',
  /** A checkpoint whose signature does not verify with its certificate (or is unreadable). */
  'checkpoint-signature-invalid',
  /** A checkpoint with a valid signature by a certificate that is not trusted. */
  'checkpoint-untrusted',
  /** A trusted checkpoint whose hash differs from the entry at its seq: rows up to it were rewritten. */
  'checkpoint-mismatch',
  /** The checkpoint known from outside the database (`knownCheckpointSeq`) is gone: a rollback. */
  'checkpoint-missing',
] as const;
export type AuditProblemCode = (typeof auditProblemCodes)[number];

/** One finding: which entries (seq range, in the numbering the report explains) and what. */
export interface AuditProblem {
  readonly problem: AuditProblemCode;
  /**
   * The first entry concerned. For `entry-deleted` in the numbering the entries were
   * written with; for `checkpoint-signature-invalid`, `-untrusted` and `-missing` the
   * seq the checkpoint covers; for `checkpoint-mismatch` the first entry that may have
   * been rewritten (just after the previous matching checkpoint).
   */
  readonly seq: number;
  /** The last entry concerned (equal to `seq` for one entry); for `checkpoint-mismatch` the checkpoint's seq. */
  readonly lastSeq: number;
  /** `entry-renumbered` only: the seq the entry at `seq` was written with. */
  readonly originalSeq?: number;
}

/** The result of verifyAudit. */
export interface AuditReport {
  /** True when no problem was found. */
  readonly ok: boolean;
  /** Rows in the audit table. */
  readonly entries: number;
  /** The highest seq in the audit table; 0 when empty. */
  readonly lastSeq: number;
  /** Rows in the audit_checkpoint table (valid or not). */
  readonly checkpoints: number;
  /**
   * The newest checkpoint that is valid (and trusted, when trust is checked) and matches
   * the entry at its seq; 0 when none. With an intact chain every entry up to it is
   * proven unchanged, even against an attacker who recomputes hashes.
   */
  readonly coveredSeq: number;
  /** Entries after `coveredSeq`: protected by the hash chain only (see verifyAudit). */
  readonly uncovered: number;
  /** Whether checkpoint certificates were checked against trusted certificates. */
  readonly signerTrust: 'checked' | 'not-checked';
  /** Sorted by seq; consecutive entries with the same problem are one range. */
  readonly problems: readonly AuditProblem[];
  /** True when more than MAX_REPORTED_PROBLEMS problems were found and the rest left out. */
  readonly problemsTruncated: boolean;
}

/** The most problems a report lists. */
export const MAX_REPORTED_PROBLEMS = 1000;

/** Sorts problems by seq and merges consecutive single-entry findings of one kind into ranges. */
export function collapseProblems(problems: readonly AuditProblem[]): AuditProblem[] {
  const order = (p: AuditProblem): number => auditProblemCodes.indexOf(p.problem);
  const sorted = [...problems].sort((a, b) => a.seq - b.seq || order(a) - order(b));
  const out: AuditProblem[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    const mergeable =
      last !== undefined &&
      last.problem === p.problem &&
      !p.problem.startsWith('checkpoint-') &&
      p.seq === last.lastSeq + 1 &&
      (p.problem !== 'entry-renumbered' ||
        (p.originalSeq ?? 0) - p.seq === (last.originalSeq ?? 0) - last.seq);
    if (mergeable) out[out.length - 1] = { ...last, lastSeq: p.lastSeq };
    else if (last === undefined || !sameProblem(last, p)) out.push(p);
  }
  return out;
}

function sameProblem(a: AuditProblem, b: AuditProblem): boolean {
  return a.problem === b.problem && a.seq === b.seq && a.lastSeq === b.lastSeq;
}
