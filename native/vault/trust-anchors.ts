/**
 * The profile's trust anchors: the CA certificates (DER) this clerk trusts for the
 * exchange platform's TLS certificate, its signed receipts, the notices recipients sign
 * and the certificates of the directory the platform serves. Added by the clerk or the
 * administrator (`niem trust add CA.pem`), never by the platform. Each change is one
 * transaction with its audit entry (`trust.add`, `trust.remove`: fingerprint and subject).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** A trust anchor as lists show it. */
export interface TrustAnchor {
  /** SHA-256 (hex) of the certificate's DER: its fingerprint. */
  sha256: string;
  /** The subject, as text (RFC 2253 order as Node prints it). */
  subject: string;
  /** End of validity (ISO 8601 UTC). */
  notAfter: string;
  addedAt: string;
  /** The actor of the session that added it. */
  addedBy: string;
  /** DER. */
  certificate: Uint8Array;
}

/** What an add did: the anchors new to the profile and those it already held. */
export interface TrustAnchorsAdded {
  added: TrustAnchor[];
  present: TrustAnchor[];
}

function parseAnchor(der: Uint8Array): { cert: X509Certificate; sha256: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new NiemError('malformed', 'a trust anchor must be an X.509 certificate', {
      cause: err,
    });
  }
  if (!cert.ca) {
    throw new NiemError(
      'invalid-input',
      `${cert.subject.replaceAll('\n', ', ')} is not a CA certificate; a trust anchor is a CA`,
    );
  }
  return { cert, sha256: createHash('sha256').update(der).digest('hex') };
}

interface AnchorRow {
  certificate: Buffer;
  sha: string;
  subject: string;
  not_after: string;
  added_at: string;
  added_by: string;
}

const anchor = (r: AnchorRow): TrustAnchor => ({
  sha256: r.sha,
  subject: r.subject,
  notAfter: r.not_after,
  addedAt: r.added_at,
  addedBy: r.added_by,
  certificate: new Uint8Array(r.certificate),
});

const SELECT = `SELECT certificate, lower(hex(sha256)) AS sha, subject, not_after, added_at,
  added_by FROM trust_anchors`;

/**
 * Adds CA certificates (DER) to the profile's trust anchors; those already held are
 * reported, not added twice. Anything that is not a CA certificate refuses the whole
 * call (`malformed`, `invalid-input`) before anything is written.
 */
export function addTrustAnchors(
  vault: Vault,
  certificates: readonly Uint8Array[],
): TrustAnchorsAdded {
  const parsed = certificates.map((der) => ({ der, ...parseAnchor(der) }));
  return vault.transaction((db) => {
    const find = db.prepare(`${SELECT} WHERE sha256 = ?`);
    const insert = db.prepare(
      `INSERT INTO trust_anchors (certificate, sha256, subject, not_after, added_at, added_by)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const result: TrustAnchorsAdded = { added: [], present: [] };
    for (const { der, cert, sha256 } of parsed) {
      const held = find.get(Buffer.from(sha256, 'hex')) as AnchorRow | undefined;
      if (held !== undefined) {
        if (!result.present.some((a) => a.sha256 === sha256)) result.present.push(anchor(held));
        continue;
      }
      const subject = cert.subject.replaceAll('\n', ', ');
      const notAfter = new Date(cert.validTo).toISOString();
      insert.run(
        Buffer.from(der),
        Buffer.from(sha256, 'hex'),
        subject,
        notAfter,
        vault.timestamp(),
        vault.actor,
      );
      recordAudit(vault, db, { action: 'trust.add', detail: { sha256, subject, notAfter } });
      result.added.push(anchor(find.get(Buffer.from(sha256, 'hex')) as AnchorRow));
    }
    return result;
  });
}

/** Removes the anchor with fingerprint `sha256` (hex); false when the profile had none. */
export function removeTrustAnchor(vault: Vault, sha256: string): boolean {
  const fingerprint = sha256.toLowerCase().replaceAll(':', '');
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
    throw new NiemError('invalid-input', 'a fingerprint is 64 hex digits (SHA-256)');
  }
  return vault.transaction((db) => {
    const held = db.prepare(`${SELECT} WHERE sha256 = ?`).get(Buffer.from(fingerprint, 'hex')) as
      AnchorRow | undefined;
    if (held === undefined) return false;
    db.prepare('DELETE FROM trust_anchors WHERE sha256 = ?').run(Buffer.from(fingerprint, 'hex'));
    recordAudit(vault, db, {
      action: 'trust.remove',
      detail: { sha256: fingerprint, subject: held.subject },
    });
    return true;
  });
}

/** The profile's trust anchors, in the order they were added. */
export function listTrustAnchors(vault: Vault): TrustAnchor[] {
  return (vault.database.prepare(`${SELECT} ORDER BY id`).all() as AnchorRow[]).map(anchor);
}

/** The DER of every trust anchor. */
export function trustAnchorCertificates(vault: Vault): Uint8Array[] {
  return listTrustAnchors(vault).map((a) => a.certificate);
}
