/**
 * The check of a platform receipt before the client keeps it: a `niem-receipt` signed
 * statement (native/exchange/signed-statement.ts) whose signer chains to the profile's
 * trust anchors, naming exactly the package that was sent (SHA-256, size, level, the same
 * set of recipients) and this clerk's agency as sender. Any difference is
 * `platform-bad-reply`: a receipt for something else proves nothing.
 */
import { NiemError } from '../api/errors.ts';
import { MAX_STATEMENT_BYTES } from '../exchange/platform-wire.ts';
import { verifyStatement } from '../exchange/signed-statement.ts';
import type { PackageSource, VerifiedReceipt } from './platform-api.ts';
import { badReply } from './platform-errors.ts';

/** What a receipt must state besides the package itself. */
export interface ReceiptExpectations {
  trustAnchors: readonly Uint8Array[];
  /** The clerk's agency: the receipt's sender. */
  organId: string;
  /** When set, the receipt's senderCertificate must equal it (SHA-256 hex of the clerk's certificate). */
  senderCertificateSha256?: string;
  now?: () => Date;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return (
    left.size === a.length &&
    right.size === b.length &&
    left.size === right.size &&
    [...left].every((x) => right.has(x))
  );
}

/** Verifies a receipt (base64 DER as the wire carries it) for `pkg`; returns it with its DER. */
export async function verifyReceipt(
  base64: string,
  pkg: Pick<PackageSource, 'sha256' | 'size' | 'level' | 'recipients'>,
  expected: ReceiptExpectations,
  origin: string,
): Promise<VerifiedReceipt> {
  const der = new Uint8Array(Buffer.from(base64, 'base64'));
  if (der.length === 0 || der.length > MAX_STATEMENT_BYTES) {
    throw badReply(`${origin} sent a receipt of ${der.length} bytes`);
  }
  let verified;
  try {
    const now = expected.now?.();
    verified = await verifyStatement(der, {
      type: 'niem-receipt',
      trustAnchors: expected.trustAnchors,
      ...(now === undefined ? {} : { now }),
    });
  } catch (err) {
    const why = err instanceof NiemError ? `${err.kind}: ${err.message}` : String(err);
    throw badReply(`the receipt from ${origin} does not verify (${why})`, err);
  }
  const s = verified.statement;
  const wrong: string[] = [];
  if (s.sha256 !== pkg.sha256) wrong.push(`package ${s.sha256} (sent ${pkg.sha256})`);
  if (s.size !== pkg.size) wrong.push(`size ${s.size} (sent ${pkg.size})`);
  if (s.level !== pkg.level) wrong.push(`level ${s.level} (sent ${pkg.level})`);
  if (!sameSet(s.recipients, pkg.recipients)) {
    wrong.push(`recipients ${s.recipients.join(' ')} (sent ${pkg.recipients.join(' ')})`);
  }
  if (s.sender !== expected.organId) wrong.push(`sender ${s.sender} (we are ${expected.organId})`);
  if (
    expected.senderCertificateSha256 !== undefined &&
    s.senderCertificate !== expected.senderCertificateSha256
  ) {
    wrong.push(`sender certificate ${s.senderCertificate}`);
  }
  if (verified.level !== undefined && verified.level !== pkg.level) {
    wrong.push(`a signature labelled ${verified.level}`);
  }
  if (wrong.length > 0) {
    throw badReply(
      `the receipt from ${origin} is not for this package: it names ${wrong.join(', ')}`,
    );
  }
  return { statement: s, der };
}
