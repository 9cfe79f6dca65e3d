/**
 * Signed checkpoints of the audit trail: at each logout the token signs the seq and hash
 * of the last entry, so everything up to that entry can later be proven unchanged even
 * against someone who can write the database and recompute every hash (audit-verify.ts).
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import { decodeDer } from '../seal/ber/index.ts';
import {
  digestOfSignAlgorithm,
  encodeSignatureAlgorithm,
  readSignatureAlgorithm,
} from '../seal/signed-data/algorithms.ts';
import { bytesEqual } from '../seal/signed-data/certificate.ts';
import { checkChain } from '../seal/signed-data/chain.ts';
import {
  defaultSignAlgorithm,
  parseCertificate,
  type ParsedCertificate,
  type SignerSpec,
  verifySignature,
} from '../seal/signed-data/index.ts';
import { signAlgorithms, type SignAlgorithm } from '../token/token-algorithms.ts';
import { HASH_BYTES, encodeCheckpoint } from './audit-encoding.ts';
import type { AuditDatabase } from './audit-log.ts';

/** A checkpoint written by checkpointAudit. */
export interface AuditCheckpoint {
  /** The last entry it covers. */
  readonly seq: number;
  /** ISO-8601 UTC time of the checkpoint. */
  readonly at: string;
  /** The hash of entry `seq` (32 bytes). */
  readonly hash: Uint8Array;
}

/** Options of checkpointAudit. */
export interface CheckpointAuditOptions {
  /** The time to record (tests); default now. */
  readonly now?: Date;
}

function isSignAlgorithm(name: string): name is SignAlgorithm {
  return (signAlgorithms as readonly string[]).includes(name);
}

/**
 * Whether `signature` is a valid signature by `cert` over the checkpoint `message` with
 * `algorithm`. Node's verify parameters come from the same plan the package verifier
 * uses (seal/signed-data/algorithms.ts), so RSA PKCS#1 v1.5, RSA-PSS (salt = hash length)
 * and ECDSA (DER signature) are read exactly as in a sealed package. Never throws.
 */
export function checkpointSignatureValid(
  cert: ParsedCertificate,
  algorithm: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isSignAlgorithm(algorithm)) return false;
  try {
    const plan = readSignatureAlgorithm(
      decodeDer(encodeSignatureAlgorithm(algorithm)),
      digestOfSignAlgorithm(algorithm),
    );
    return verifySignature(cert, plan, message, signature);
  } catch {
    return false;
  }
}

/**
 * Whether a checkpoint certificate is one the caller trusts: byte for byte one of
 * `trusted`, or chaining to one of them (as trust anchors) at time `at`.
 */
export function checkpointCertificateTrusted(
  cert: ParsedCertificate,
  trusted: readonly ParsedCertificate[],
  at: Date,
): boolean {
  if (trusted.some((t) => bytesEqual(t.der, cert.der))) return true;
  if (Number.isNaN(at.getTime())) return false;
  return checkChain(cert, trusted, trusted, at).status === 'valid';
}

/**
 * Signs the last audit entry with `signer` (the token at logout: `tokenSigner(token)`)
 * and stores the checkpoint. Returns it, or null when the trail is empty.
 *
 * Not a transaction of its own: it reads the last entry, waits for the token, then
 * writes one row (INSERT OR REPLACE: a second logout with no new entry re-signs the same
 * seq). Entries appended meanwhile are simply covered by the next checkpoint. The
 * signature is checked against the certificate before it is stored: a signer whose key
 * does not match its certificate is `key-usage-mismatch` and nothing is written.
 */
export async function checkpointAudit(
  db: AuditDatabase,
  signer: SignerSpec,
  options: CheckpointAuditOptions = {},
): Promise<AuditCheckpoint | null> {
  const last = db
    .prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')
    .safeIntegers(true)
    .get() as { seq: bigint; hash: unknown } | undefined;
  if (last === undefined) return null;
  if (!(last.hash instanceof Uint8Array) || last.hash.length !== HASH_BYTES) {
    throw new NiemError(
      'internal',
      `audit: the last entry (${last.seq}) has no valid hash; run the audit verification`,
    );
  }
  const hash = new Uint8Array(last.hash);
  const cert = parseCertificate(signer.certificate);
  const algorithm = signer.algorithm ?? defaultSignAlgorithm(cert);
  const at = (options.now ?? new Date()).toISOString();
  const message = encodeCheckpoint(last.seq, hash, at, algorithm, cert.der);
  // The token signs the digest; a software signer signs the message itself.
  const digest = new Uint8Array(
    createHash(digestOfSignAlgorithm(algorithm)).update(message).digest(),
  );
  const signature = await signer.sign(algorithm, digest, message);
  if (!checkpointSignatureValid(cert, algorithm, message, signature)) {
    throw new NiemError(
      'key-usage-mismatch',
      `audit checkpoint: the ${algorithm} signature does not verify with the signer's certificate`,
    );
  }
  db.prepare(
    'INSERT OR REPLACE INTO audit_checkpoint (seq, at, hash, signature, certificate, algorithm) ' +
      'VALUES (?, ?, ?, ?, ?, ?)',
  ).run(last.seq, at, Buffer.from(hash), Buffer.from(signature), Buffer.from(cert.der), algorithm);
  return { seq: Number(last.seq), at, hash };
}
