/**
 * A package's verification report (native/seal's PackageReport, as the open returned it
 * or as the vault kept it in JSON) in the contract's words: the overall verdict, the tag,
 * each signer with its chain, the levels outside and inside; and the documents with their
 * hash status. Pure functions over plain data: a stored report is JSON, so dates arrive
 * as text and absent fields as undefined.
 */
import type { Level } from '../api/drafts-contract.ts';
import type {
  InboxDocumentView,
  SignerView,
  VerificationView,
} from '../api/inbox-open-contract.ts';
import { isLevelCode } from '../seal/levels.ts';
import type { PackageReport } from '../seal/pipeline/index.ts';

const level = (value: unknown): Level | null => (isLevelCode(value) ? value : null);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const check = (value: unknown): 'valid' | 'invalid' => (value === 'valid' ? 'valid' : 'invalid');

function isoOf(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

type StoredSigner = NonNullable<PackageReport['signedData']>['signers'][number];

function signerView(s: StoredSigner): SignerView {
  const chain = (s.chain ?? {}) as Partial<StoredSigner['chain']>;
  return {
    commonName: text(s.commonName),
    organization: text(s.organization),
    organId: text(s.organizationIdentifier),
    serialNumber: text(s.serialNumber),
    signingTime: isoOf(s.signingTime),
    signatureAlgorithm: String(s.signatureAlgorithm ?? ''),
    digestAlgorithm: String(s.digestAlgorithm ?? ''),
    signature: check(s.signature),
    messageDigest: check(s.messageDigest),
    signingCertificate:
      s.signingCertificate === 'valid' || s.signingCertificate === 'mismatch'
        ? s.signingCertificate
        : 'absent',
    chain: {
      status: chain.status === 'valid' ? 'valid' : 'untrusted',
      reason: text(chain.reason),
      path: Array.isArray(chain.path) ? chain.path.filter((p) => typeof p === 'string') : [],
    },
    level: level(s.level),
    verdict: s.verdict === 'valid' || s.verdict === 'tampered' ? s.verdict : 'untrusted',
    problems: Array.isArray(s.problems) ? s.problems.map(String) : [],
  };
}

/** The overall verdict: the first thing that failed, in the order the open checks them. */
function verdictOf(report: PackageReport, signers: SignerView[]): VerificationView['verdict'] {
  if (report.tag !== 'valid') return 'tampered';
  const signed = report.signedData?.verdict;
  if (signed === undefined || signers.length === 0) return 'untrusted';
  if (signed === 'tampered') return 'tampered';
  if (signed !== 'valid') return 'untrusted';
  return report.levels?.agree === false ? 'levels-disagree' : 'valid';
}

/** The report as the contract shows it. */
export function verificationView(report: PackageReport): VerificationView {
  const signers = (report.signedData?.signers ?? []).map(signerView);
  const opened = report.openedWith;
  return {
    verdict: verdictOf(report, signers),
    tag: report.tag === 'valid' || report.tag === 'invalid' ? report.tag : 'not-reached',
    content: report.content === 'niem-body' || report.content === 'foreign' ? report.content : null,
    openedWith:
      opened === undefined || opened === null
        ? null
        : { subject: String(opened.subject), serial: String(opened.serial), type: opened.type },
    levels: {
      outside: level(report.levels?.outside),
      inside: level(report.levels?.inside),
      manifest: level(report.levels?.manifest),
      agree: report.levels?.agree === true,
    },
    signers,
    revocation: 'not-checked',
  };
}

/** A document kept in the vault for an opened package (what the inbox store lists). */
export interface StoredDocument {
  id: number;
  name: string;
  size: number;
  mediaType: string | null;
  /** SHA-256 of the stored content (lower-case hex), when known. */
  sha256: string | null;
}

/**
 * The documents of a package: those the signed report lists, each matched with the copy
 * the vault keeps (by name). `valid` when the committed report verified it and the kept
 * copy has the same hash; `mismatch` when they differ; `unchecked` before an open.
 */
export function documentViews(
  report: PackageReport | undefined,
  stored: readonly StoredDocument[],
): InboxDocumentView[] {
  const byName = new Map(stored.map((d) => [d.name, d]));
  if (report === undefined || !Array.isArray(report.documents)) {
    return stored.map((d) => ({
      id: d.id,
      name: d.name,
      size: d.size,
      mediaType: d.mediaType,
      sha256: d.sha256,
      hash: 'unchecked',
      stored: true,
    }));
  }
  const committed = report.committed === true && report.tag === 'valid';
  return report.documents.map((doc, index) => {
    const kept = byName.get(doc.name);
    const signed = typeof doc.sha256 === 'string' ? doc.sha256.toLowerCase() : null;
    const same =
      kept === undefined || kept.sha256 === null || signed === null || kept.sha256 === signed;
    return {
      id: kept?.id ?? index,
      name: doc.name,
      size: doc.size,
      mediaType: text(doc.mediaType) ?? kept?.mediaType ?? null,
      sha256: signed ?? kept?.sha256 ?? null,
      hash: !committed ? 'unchecked' : same ? 'valid' : 'mismatch',
      stored: kept !== undefined,
    };
  });
}
