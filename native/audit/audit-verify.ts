/**
 * `verifyAudit`: checks the whole audit trail and its signed checkpoints and reports
 * which entries were edited, inserted, replaced, renumbered or deleted.
 */
import { bytesEqual, parseCertificate } from '../seal/signed-data/certificate.ts';
import type { ParsedCertificate } from '../seal/signed-data/index.ts';
import { analyseChain } from './audit-chain.ts';
import { checkpointCertificateTrusted, checkpointSignatureValid } from './audit-checkpoint.ts';
import { HASH_BYTES, encodeCheckpoint } from './audit-encoding.ts';
import type { AuditDatabase } from './audit-log.ts';
import {
  MAX_REPORTED_PROBLEMS,
  collapseProblems,
  type AuditProblem,
  type AuditReport,
} from './audit-report.ts';
import { readChainRows } from './audit-rows.ts';

/** Options of verifyAudit. */
export interface VerifyAuditOptions {
  /**
   * Certificates (DER) whose checkpoints count: the clerks' token certificates, or CA
   * certificates they chain to (checked at the checkpoint's time). When absent, any
   * checkpoint whose signature verifies with the certificate stored beside it counts,
   * and the report says `signerTrust: 'not-checked'`: an attacker who can write the
   * database can then sign a rewritten log with a key of their own.
   */
  readonly trustedCertificates?: readonly Uint8Array[];
  /**
   * The seq of the newest checkpoint as remembered outside the database (another file,
   * the platform). When given and no valid checkpoint covers it, `checkpoint-missing`:
   * the database was rolled back, or its newest checkpoints deleted.
   */
  readonly knownCheckpointSeq?: number;
}

interface RawCheckpoint {
  seq: bigint;
  at: unknown;
  hash: unknown;
  signature: unknown;
  certificate: unknown;
  algorithm: unknown;
}

interface CheckedCheckpoint {
  readonly seq: number;
  readonly hash: Uint8Array;
  readonly status: 'valid' | 'signature-invalid' | 'untrusted';
}

function checkCheckpoint(
  raw: RawCheckpoint,
  trusted: readonly ParsedCertificate[] | undefined,
): CheckedCheckpoint {
  const seq = Number(raw.seq);
  const { at, hash, signature, certificate, algorithm } = raw;
  if (
    typeof at !== 'string' ||
    typeof algorithm !== 'string' ||
    !(hash instanceof Uint8Array) ||
    hash.length !== HASH_BYTES ||
    !(signature instanceof Uint8Array) ||
    !(certificate instanceof Uint8Array)
  ) {
    return { seq, hash: new Uint8Array(HASH_BYTES), status: 'signature-invalid' };
  }
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(new Uint8Array(certificate));
  } catch {
    return { seq, hash, status: 'signature-invalid' };
  }
  const message = encodeCheckpoint(raw.seq, hash, at, algorithm, cert.der);
  if (!checkpointSignatureValid(cert, algorithm, message, signature)) {
    return { seq, hash, status: 'signature-invalid' };
  }
  if (trusted !== undefined && !checkpointCertificateTrusted(cert, trusted, new Date(at))) {
    return { seq, hash, status: 'untrusted' };
  }
  return { seq, hash, status: 'valid' };
}

/**
 * Verifies the audit trail of `db` and reports each problem with the entry (seq) it
 * concerns. Reads in one transaction, so a concurrent append cannot skew it.
 *
 * **What it can prove, and what it cannot.** The hash chain alone catches an entry
 * edited, inserted, moved or deleted by someone who does not recompute hashes, and a
 * gap in the numbering. It cannot catch an attacker with write access who edits an entry
 * and recomputes its hash and every later `prev_hash`/`hash`: the algorithm is public and
 * keyless, so such a rewritten chain is self-consistent. The signed checkpoints close
 * that hole up to the newest valid checkpoint: its signature binds the hash of its entry,
 * which with an intact chain binds every entry before it, so a rewrite up to there is
 * `checkpoint-mismatch` and a cut tail up to there is `entry-deleted`. After the newest
 * checkpoint (`uncovered` entries, those since the last logout) a rewrite with recomputed
 * hashes, a removed tail or a forged appended entry is NOT detectable. Deleting the
 * newest checkpoints (or restoring an old copy of the database) moves that horizon back
 * unnoticed unless `knownCheckpointSeq` is given from outside the database; and without
 * `trustedCertificates` anyone can sign a checkpoint with a key of their own.
 */
export function verifyAudit(db: AuditDatabase, options: VerifyAuditOptions = {}): AuditReport {
  const trusted = options.trustedCertificates?.map((der) => parseCertificate(der));
  const { rows, rawCheckpoints } = db.transaction(() => ({
    rows: readChainRows(db),
    rawCheckpoints: db
      .prepare(
        'SELECT seq, at, hash, signature, certificate, algorithm FROM audit_checkpoint ORDER BY seq',
      )
      .safeIntegers(true)
      .all() as RawCheckpoint[],
  }))();

  const problems: AuditProblem[] = [];
  const checkpoints = rawCheckpoints.map((c) => checkCheckpoint(c, trusted));
  const valid = checkpoints.filter((c) => c.status === 'valid');
  for (const c of checkpoints) {
    if (c.status === 'signature-invalid') {
      problems.push({ problem: 'checkpoint-signature-invalid', seq: c.seq, lastSeq: c.seq });
    } else if (c.status === 'untrusted') {
      problems.push({ problem: 'checkpoint-untrusted', seq: c.seq, lastSeq: c.seq });
    }
  }
  const horizon = valid.at(-1)?.seq ?? 0;
  const chain = analyseChain(rows, horizon);
  problems.push(...chain.problems);

  // Each valid checkpoint against the entry it signed; a mismatch means the rows since
  // the previous matching checkpoint were rewritten (hashes recomputed).
  let coveredSeq = 0;
  for (const c of valid) {
    const entry = chain.entryAt.get(c.seq);
    if (entry === undefined) continue; // reported as deleted
    if (entry.hash !== undefined && bytesEqual(entry.hash, c.hash)) {
      coveredSeq = c.seq;
    } else {
      problems.push({ problem: 'checkpoint-mismatch', seq: coveredSeq + 1, lastSeq: c.seq });
    }
  }
  const known = options.knownCheckpointSeq;
  if (known !== undefined && known > 0 && !valid.some((c) => c.seq >= known)) {
    problems.push({ problem: 'checkpoint-missing', seq: known, lastSeq: known });
  }

  const collapsed = collapseProblems(problems);
  const lastSeq = rows.at(-1)?.seq ?? 0;
  return {
    ok: collapsed.length === 0,
    entries: rows.length,
    lastSeq,
    checkpoints: checkpoints.length,
    coveredSeq,
    uncovered: rows.filter((r) => (r.orig ?? r.seq) > coveredSeq).length,
    signerTrust: trusted === undefined ? 'not-checked' : 'checked',
    problems: collapsed.slice(0, MAX_REPORTED_PROBLEMS),
    problemsTruncated: collapsed.length > MAX_REPORTED_PROBLEMS,
  };
}
