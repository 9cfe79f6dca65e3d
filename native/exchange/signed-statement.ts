/**
 * Signed statements of the exchange (auth proof, platform receipt, business notice): a
 * small JSON document (./platform-wire.ts schemas) carried as the id-data eContent of a
 * CMS SignedData made by the package signer (native/seal/signed-data), so a statement is
 * checked with the same chain rules as a package, can be kept as evidence and is read by
 * `openssl cms -verify`. Size is bounded (MAX_STATEMENT_BYTES) on both sides.
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import type { LevelCode } from '../seal/levels.ts';
import {
  assertVerified,
  parseCertificate,
  signContent,
  verifySignedData,
  type SignedDataParts,
  type SignerReport,
  type SignerSpec,
} from '../seal/signed-data/index.ts';
import {
  MAX_STATEMENT_BYTES,
  statementSchemas,
  type StatementOf,
  type StatementType,
} from './platform-wire.ts';

/** Options of signStatement. */
export interface SignStatementOptions {
  /** The ESS label of the statement: the package's level, `thuong` for an auth proof. */
  level: LevelCode;
  /** Intermediate CA certificates (DER) to carry besides the signer's own. */
  certificates?: readonly Uint8Array[];
  signingTime?: Date;
}

/** Signs `statement` (validated against its schema first) and returns the DER SignedData. */
export async function signStatement<T extends StatementType>(
  signer: SignerSpec,
  statement: StatementOf<T>,
  options: SignStatementOptions,
): Promise<Uint8Array> {
  const parsed = statementSchemas[statement.type as T].safeParse(statement);
  if (!parsed.success) {
    throw new NiemError('invalid-input', `statement ${statement.type}: ${parsed.error.message}`);
  }
  const content = Buffer.from(JSON.stringify(parsed.data), 'utf8');
  const parts: Uint8Array[] = [];
  for await (const part of signContent({
    content: [content],
    signers: [signer],
    level: options.level,
    digestMode: 'sync',
    ...(options.certificates ? { certificates: options.certificates } : {}),
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
  })) {
    parts.push(part);
  }
  const der = Buffer.concat(parts);
  if (der.length > MAX_STATEMENT_BYTES) {
    throw new NiemError('invalid-input', `statement of ${der.length} bytes is too large`);
  }
  return new Uint8Array(der.buffer, der.byteOffset, der.length);
}

/** A statement that verified. */
export interface VerifiedStatement<T extends StatementType> {
  statement: StatementOf<T>;
  /** The signer's certificate (DER) and its SHA-256 hex. */
  certificate: Uint8Array;
  certificateSha256: string;
  /** organizationIdentifier of the signer's subject (the OrganId in Niêm's PKI). */
  organId: string | undefined;
  signer: SignerReport;
  /** The ESS level the signature states. */
  level: LevelCode | undefined;
}

/** Options of verifyStatement. */
export interface VerifyStatementOptions<T extends StatementType> {
  type: T;
  trustAnchors: readonly Uint8Array[];
  now?: Date;
}

/**
 * Verifies a statement: one signer, valid signature and chain to `trustAnchors`, content a
 * JSON document of `type` matching its schema. Refusals: `malformed` (not a statement, wrong
 * type, too large, more than one signer), `tampered`, `untrusted-signer`.
 */
export async function verifyStatement<T extends StatementType>(
  der: Uint8Array,
  options: VerifyStatementOptions<T>,
): Promise<VerifiedStatement<T>> {
  if (der.length > MAX_STATEMENT_BYTES) {
    throw new NiemError('malformed', `statement of ${der.length} bytes is too large`);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  let parts: SignedDataParts | undefined;
  const report = await verifySignedData(der, {
    trustAnchors: options.trustAnchors,
    digestMode: 'sync',
    ...(options.now ? { now: options.now } : {}),
    onParts: (p) => {
      parts = p;
    },
    onContent: async (content) => {
      for await (const chunk of content) {
        length += chunk.length;
        if (length > MAX_STATEMENT_BYTES) throw new NiemError('malformed', 'statement too large');
        chunks.push(Buffer.from(chunk));
      }
    },
  });
  if (report.signers.length !== 1) {
    throw new NiemError('malformed', `a statement has one signer, not ${report.signers.length}`);
  }
  const [signer] = report.signers as [SignerReport];
  // Before the verdict: a decoy carrying the signer's serial must be refused the same way
  // whichever of the two the chain builder happened to try first.
  const candidates = (parts?.certificates ?? []).filter(
    (c) => parseCertificate(c).serialHex === signer.serialNumber,
  );
  const [certificate] = candidates;
  if (certificate === undefined || candidates.length !== 1) {
    throw new NiemError(
      'malformed',
      'the statement must carry its signer certificate once (and no other with its serial)',
    );
  }
  assertVerified(report);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new NiemError('malformed', 'the statement is not JSON');
  }
  const parsed = statementSchemas[options.type].safeParse(json);
  if (!parsed.success) {
    throw new NiemError('malformed', `not a ${options.type} statement: ${parsed.error.message}`);
  }
  return {
    statement: parsed.data as StatementOf<T>,
    certificate,
    certificateSha256: createHash('sha256').update(certificate).digest('hex'),
    organId: signer.organizationIdentifier,
    signer,
    level: signer.level,
  };
}
