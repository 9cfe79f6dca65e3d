/**
 * The clerks' tokens this vault has known (`identities`): which token and certificates
 * signed in. The audit verifier trusts checkpoints signed by these signing certificates
 * (and only these), so a checkpoint signed with some other key does not count.
 */
import { parseCertificate } from '../seal/signed-data/index.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** A token as it signed in. */
export interface VaultIdentity {
  tokenLabel: string;
  tokenSerial: string;
  /** DER. */
  signingCertificate: Uint8Array;
  /** DER of the decryption / key-agreement certificate, when the token has one. */
  encryptionCertificate?: Uint8Array;
}

/** `CN #serial` of a certificate: how audit entries name the clerk. */
export function actorOf(certificate: Uint8Array): string {
  const cert = parseCertificate(certificate);
  return `${cert.subject.commonName ?? cert.subject.organization ?? '?'} #${cert.serialHex}`;
}

/** Records `identity` when the vault does not know it yet (audit `identity.add`); true if new. */
export function recordIdentity(vault: Vault, identity: VaultIdentity): boolean {
  const signing = Buffer.from(identity.signingCertificate);
  const organId = parseCertificate(signing).subject.organizationIdentifier ?? null;
  const now = vault.timestamp();
  return vault.transaction((db) => {
    const known = db
      .prepare('SELECT id FROM identities WHERE token_serial = ? AND signing_certificate = ?')
      .get(identity.tokenSerial, signing);
    if (known !== undefined) return false;
    db.prepare(
      `INSERT INTO identities (token_label, token_serial, signing_certificate, encryption_certificate,
         organ_id, added_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      identity.tokenLabel,
      identity.tokenSerial,
      signing,
      identity.encryptionCertificate === undefined
        ? null
        : Buffer.from(identity.encryptionCertificate),
      organId,
      now,
    );
    recordAudit(vault, db, {
      action: 'identity.add',
      detail: { token: identity.tokenLabel, serial: identity.tokenSerial, organId },
    });
    return true;
  });
}

/** The signing certificates (DER) of every identity, for verifyAudit's trustedCertificates. */
export function identityCertificates(vault: Vault): Uint8Array[] {
  return (
    vault.database
      .prepare('SELECT signing_certificate FROM identities ORDER BY id')
      .pluck()
      .all() as Buffer[]
  ).map((b) => new Uint8Array(b));
}
