/**
 * Certification path from a signer's certificate to one of the configured trust anchors
 * (RFC 5280 §6, simplified to what issue 4 asks): built from the certificates in the
 * package plus the anchors, each link's signature checked, every certificate valid at
 * the signing time, CA basicConstraints (and keyCertSign when keyUsage is present) for
 * issuers that are not anchors, digitalSignature or nonRepudiation for the signer.
 * Revocation is not checked (a later issue): callers report "not-checked".
 */
import { bytesEqual, type ParsedCertificate } from './certificate.ts';

export type ChainProblem =
  'no-path' | 'expired' | 'not-yet-valid' | 'issuer-not-ca' | 'key-usage' | 'path-too-long';

export interface ChainResult {
  readonly status: 'valid' | 'untrusted';
  readonly problem: ChainProblem | undefined;
  readonly reason: string | undefined;
  /** Serial numbers (hex) from the signer to the anchor, when a path was found. */
  readonly path: readonly string[];
}

const MAX_PATH = 8;

function label(c: ParsedCertificate): string {
  return `${c.subject.commonName ?? '(no CN)'} #${c.serialHex}`;
}

/** Validity of one certificate at `at`, or the problem. */
function validityProblem(
  c: ParsedCertificate,
  at: Date,
): { problem: ChainProblem; reason: string } | undefined {
  if (at.getTime() < c.notBefore.getTime()) {
    return {
      problem: 'not-yet-valid',
      reason: `${label(c)} is not valid before ${c.notBefore.toISOString()}`,
    };
  }
  if (at.getTime() > c.notAfter.getTime()) {
    return { problem: 'expired', reason: `${label(c)} expired ${c.notAfter.toISOString()}` };
  }
  return undefined;
}

/**
 * Checks the signer certificate and a path to an anchor at time `at`. Of several
 * candidate paths the first that passes every check wins; otherwise the most specific
 * problem found is reported.
 */
export function checkChain(
  signer: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  anchors: readonly ParsedCertificate[],
  at: Date,
): ChainResult {
  const ku = signer.keyUsage;
  if (ku === undefined || !(ku.digitalSignature || ku.nonRepudiation)) {
    return {
      status: 'untrusted',
      problem: 'key-usage',
      reason: `${label(signer)} does not allow digitalSignature or nonRepudiation`,
      path: [signer.serialHex],
    };
  }
  let best: { problem: ChainProblem; reason: string } = {
    problem: 'no-path',
    reason: `no path from ${label(signer)} to a trust anchor`,
  };
  const rank = (p: ChainProblem): number => (p === 'no-path' ? 0 : 1);
  const note = (p: { problem: ChainProblem; reason: string }): void => {
    if (rank(p.problem) >= rank(best.problem)) best = p;
  };

  const walk = (
    cert: ParsedCertificate,
    path: ParsedCertificate[],
  ): ParsedCertificate[] | undefined => {
    const v = validityProblem(cert, at);
    if (v !== undefined) {
      note(v);
      return undefined;
    }
    if (anchors.some((a) => bytesEqual(a.der, cert.der))) return path;
    if (path.length >= MAX_PATH) {
      note({ problem: 'path-too-long', reason: `path longer than ${MAX_PATH} certificates` });
      return undefined;
    }
    const candidates = [...anchors, ...pool].filter(
      (c) =>
        bytesEqual(c.subjectDer, cert.issuerDer) && !path.some((p) => bytesEqual(p.der, c.der)),
    );
    for (const issuer of candidates) {
      let signed: boolean;
      try {
        signed = cert.x509.verify(issuer.publicKey);
      } catch {
        signed = false;
      }
      if (!signed) continue;
      const isAnchor = anchors.some((a) => bytesEqual(a.der, issuer.der));
      if (!isAnchor) {
        if (!issuer.isCa) {
          note({
            problem: 'issuer-not-ca',
            reason: `${label(issuer)} is not a CA (basicConstraints)`,
          });
          continue;
        }
        if (issuer.keyUsage !== undefined && !issuer.keyUsage.keyCertSign) {
          note({ problem: 'issuer-not-ca', reason: `${label(issuer)} does not allow keyCertSign` });
          continue;
        }
      }
      const found = walk(issuer, [...path, issuer]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const path = walk(signer, [signer]);
  if (path !== undefined) {
    return {
      status: 'valid',
      problem: undefined,
      reason: undefined,
      path: path.map((c) => c.serialHex),
    };
  }
  return { status: 'untrusted', problem: best.problem, reason: best.reason, path: [] };
}
