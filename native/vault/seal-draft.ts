/**
 * Sealing a draft into the outbox: the directory's policy is checked first (every
 * recipient agency known, with a certificate, and cleared for the draft's level), then the
 * draft's documents stream from their encrypted blobs through the package pipeline's
 * stages (manifest → tar body → SignedData → AuthEnvelopedData) straight into a new
 * encrypted blob: no plaintext and no package file ever touches the disk. Then one
 * transaction moves the draft to the outbox, takes the outgoing register number and
 * appends the audit entry.
 *
 * The seal is native/seal's (sealPackageStream, with the documents as streams of known
 * size and SHA-256); this module adds the directory's policy and the vault's records.
 */
import { NiemError } from '../api/errors.ts';
import { recipientCertificate } from '../seal/cms-crypto/index.ts';
import { hidesSubjectInLists, levels, type LevelCode } from '../seal/levels.ts';
import {
  sealPackageStream,
  type PackageMetadata,
  type PackageRecipient,
} from '../seal/pipeline/index.ts';
import type { SignerSpec } from '../seal/signed-data/index.ts';
import type { StoredBlob } from './blob-store.ts';
import { getAgency, type Agency } from './directory.ts';
import { getDraft, readDraftDocument, type DraftDetail } from './drafts.ts';
import { nextRegisterNumber, yearOf, type RegisterNumber } from './registers.ts';
import { hex, recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** Why sealing a draft was refused by the directory's policy, for a precise message. */
export type SealRefusalReason = 'not-in-directory' | 'no-certificate' | 'clearance';

/** A refusal of the directory's policy; nothing was written. */
export class SealRefused extends NiemError {
  readonly reason: SealRefusalReason;
  readonly organId: string;
  readonly agencyName: string | undefined;
  readonly clearance: LevelCode | undefined;
  readonly level: LevelCode;
  constructor(reason: SealRefusalReason, organId: string, level: LevelCode, agency?: Agency) {
    super(
      reason === 'clearance' ? 'not-authorised' : 'recipient-unknown',
      reason === 'clearance'
        ? `${organId} is cleared up to ${agency?.clearance ?? '?'}, the draft is ${level}`
        : `${organId}: ${reason === 'no-certificate' ? 'no certificate in the directory' : 'not in the directory'}`,
    );
    this.name = 'SealRefused';
    this.reason = reason;
    this.organId = organId;
    this.agencyName = agency?.name;
    this.clearance = agency?.clearance;
    this.level = level;
  }
}

/** The clerk's side of a seal: the token's signer and its own recipient entry. */
export interface SealIdentity {
  signer: SignerSpec;
  /** The sender's decryption / key-agreement certificate: always a recipient. */
  sender: PackageRecipient;
  /** Intermediate CA certificates (DER) to carry in the SignedData. */
  certificates?: readonly Uint8Array[];
}

/** A draft moved to the outbox. */
export interface SealedDraft {
  outboxId: number;
  packageSha256: string;
  bytes: number;
  level: LevelCode;
  register: RegisterNumber;
  recipients: string[];
}

/** Checks the directory's policy for `draft`; returns the agencies, or throws SealRefused. */
export function checkSealPolicy(vault: Vault, draft: DraftDetail): Agency[] {
  const now = vault.timestamp();
  if (draft.recipients.length === 0) {
    throw new NiemError('invalid-input', `draft ${draft.id} has no recipient`);
  }
  return draft.recipients.map((organId) => {
    const agency = getAgency(vault, organId);
    if (agency === undefined) throw new SealRefused('not-in-directory', organId, draft.level);
    if (levels[agency.clearance].rank < levels[draft.level].rank) {
      throw new SealRefused('clearance', organId, draft.level, agency);
    }
    const usable = agency.certificates.filter((der) => {
      const validTo = recipientCertificate(der).certificate.validTo;
      return new Date(validTo).toISOString() > now;
    });
    if (usable.length === 0) throw new SealRefused('no-certificate', organId, draft.level, agency);
    return { ...agency, certificates: usable };
  });
}

/** The recipients' certificates from the directory, with each agency's key transport. */
function agencyRecipients(agencies: Agency[]): PackageRecipient[] {
  return agencies.flatMap((a) =>
    a.certificates.map((certificate) =>
      a.keyTransport === 'oaep-sha1' ? { certificate, oaepHash: 'sha1' as const } : { certificate },
    ),
  );
}

/** The manifest metadata of a draft: its metadata, subject, recipients and urgency. */
function metadataOf(draft: DraftDetail, agencies: Agency[]): PackageMetadata {
  const meta = { ...draft.metadata } as PackageMetadata & Record<string, unknown>;
  const otherInfo = (meta.otherInfo ?? {}) as Record<string, unknown>;
  return {
    ...meta,
    subject: draft.subject,
    to: agencies.map((a) => ({ organId: a.organId, organName: a.name })),
    ...(draft.urgency === 'thuong' && meta.otherInfo === undefined
      ? {}
      : {
          otherInfo: {
            ...otherInfo,
            ...(draft.urgency === 'thuong' ? {} : { priority: draft.urgency }),
          },
        }),
  } as PackageMetadata;
}

/**
 * Seals draft `draftId` for its recipients and moves it to the outbox (the draft is
 * removed; its document blobs are collected). Refuses with SealRefused before anything is
 * written when the directory's policy does not allow it.
 */
export async function sealDraft(
  vault: Vault,
  draftId: number,
  identity: SealIdentity,
): Promise<SealedDraft> {
  const draft = getDraft(vault, draftId);
  if (draft.documents.length === 0) {
    throw new NiemError('invalid-input', `draft ${draftId} has no document`);
  }
  const agencies = checkSealPolicy(vault, draft);
  // The documents stream from their blobs with the size and SHA-256 recorded when they
  // were added: no first pass, and the body writer checks each again as it streams.
  const sealed = await sealPackageStream({
    documents: draft.documents.map((d) => ({
      name: d.name,
      size: d.size,
      sha256: d.sha256,
      ...(d.mediaType ? { mediaType: d.mediaType } : {}),
      open: () => readDraftDocument(vault, draftId, d.id),
    })),
    metadata: metadataOf(draft, agencies),
    level: draft.level,
    signers: [identity.signer],
    ...(identity.certificates ? { certificates: identity.certificates } : {}),
    sender: identity.sender,
    recipients: agencyRecipients(agencies),
  });
  let blob: StoredBlob | undefined = await vault.writeBlob(sealed.chunks);
  const written = blob;
  const packageSha256 = hex(written.sha256);
  const organIds = agencies.map((a) => a.organId);
  try {
    const now = vault.timestamp();
    const result = vault.transaction((db) => {
      vault.recordBlob(db, written);
      blob = undefined;
      const subjectListed = hidesSubjectInLists(draft.level) ? 0 : 1;
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO outbox (package_blob, package_sha256, level, subject, subject_listed, metadata,
             transport_state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        )
        .run(
          written.id,
          Buffer.from(packageSha256, 'hex'),
          draft.level,
          draft.subject,
          subjectListed,
          JSON.stringify({ ...draft.metadata, urgency: draft.urgency }),
          now,
          now,
        );
      const outboxId = Number(lastInsertRowid);
      const recipient = db.prepare(
        'INSERT INTO outbox_recipients (outbox_id, organ_id) VALUES (?, ?)',
      );
      for (const organId of organIds) recipient.run(outboxId, organId);
      const register = nextRegisterNumber(db, 'outgoing', yearOf(now));
      db.prepare(
        `INSERT INTO outgoing_register (year, number, level, subject, subject_listed, package_sha256,
           registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        register.year,
        register.number,
        draft.level,
        draft.subject,
        subjectListed,
        Buffer.from(packageSha256, 'hex'),
        now,
        vault.actor,
      );
      db.prepare('DELETE FROM drafts WHERE id = ?').run(draftId);
      recordAudit(vault, db, {
        action: 'draft.seal',
        package: packageSha256,
        level: draft.level,
        detail: { draft: draftId, outbox: outboxId, register, recipients: organIds },
      });
      return { outboxId, register };
    });
    await vault.collectGarbage();
    return {
      ...result,
      packageSha256,
      bytes: written.size,
      level: draft.level,
      recipients: organIds,
    };
  } finally {
    if (blob !== undefined) await vault.discardBlob(blob).catch(() => undefined);
  }
}
