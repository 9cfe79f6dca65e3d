/**
 * Opening a received package into the vault. The package streams from its encrypted blob
 * into openPackage with the vault's sink: tag, signatures, chain to the trust anchors,
 * every document's hash and the one level are checked while each file goes into a new
 * encrypted blob; no plaintext file is written anywhere. Only when everything verified
 * are the blobs recorded (`inbox_documents`), in one transaction with the verification
 * report, manifest.json's bytes, the subject and metadata (now listed and searchable; a
 * Tuyệt mật subject only once a clerk opens it), the incoming register number (the first
 * time) and status 03. A refused open records its report and an audit entry, nothing else.
 *
 * A package verified before (on arrival, or by an earlier open) is not opened again: its
 * documents are read from the vault. `openInbox` (the CLI's `niem open ID --out DIR`)
 * opens into the vault, then writes the documents to the clerk's folder
 * (./inbox-documents.ts: `.partial`, then the name).
 */
import { NiemError } from '../api/errors.ts';
import type { RecipientKey } from '../seal/cms-crypto/index.ts';
import { hidesSubjectInLists } from '../seal/levels.ts';
import { parseManifest, type Manifest } from '../seal/manifest.ts';
import { PackageRefused, openPackage, type PackageReport } from '../seal/pipeline/index.ts';
import { exportInboxDocuments } from './inbox-documents.ts';
import { inboxPackageRow, recordStatus, type InboxPackageRow } from './inbox-rows.ts';
import { vaultSink, type VaultSink } from './inbox-sink.ts';
import { nextRegisterNumber, yearOf, type RegisterNumber } from './registers.ts';
import type { SqliteDatabase } from './sqlite-lib.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** What verifying a package needs. */
export interface VerifyInboxOptions {
  /** The token's decryption / key-agreement keys. */
  keys: RecipientKey[];
  /** Root certificates (DER) the signers must chain to. */
  trustAnchors: readonly Uint8Array[];
  /** Tests: the time for the chain checks. */
  now?: Date;
}

/** Options of openInbox. */
export interface OpenInboxOptions extends VerifyInboxOptions {
  /** The clerk's folder for the documents (written only once everything verified). */
  outDir: string;
}

/** What an open recorded. */
export interface OpenedInbox {
  report: PackageReport;
  /** The incoming register number; null for a package refused (02), which is never registered. */
  register: RegisterNumber | null;
  subject: string | null;
}

/** A package that verified, its files in blobs not yet recorded (the caller records or discards). */
export interface VerifiedPackage {
  report: PackageReport;
  manifest: Manifest | undefined;
  manifestBytes: Uint8Array | undefined;
  sink: VaultSink;
  /** The sender agency as signed: manifest.json's From, else the first signer's organizationIdentifier. */
  sender: string | null;
  /** Every OrganId the signed content states for its sender (manifest From, signers). */
  signedSenders: string[];
}

/** Opens inbox package `row` into new blobs; throws (nothing kept) when it does not verify. */
export async function verifyIntoVault(
  vault: Vault,
  row: InboxPackageRow,
  options: VerifyInboxOptions,
): Promise<VerifiedPackage> {
  const sink = vaultSink(vault, 'vault');
  const report = await openPackage({
    path: `inbox ${row.id}`,
    bytes: vault.readBlob(row.packageBlob),
    keys: options.keys,
    trustAnchors: options.trustAnchors,
    sink,
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    const manifestBytes = sink.manifestBytes();
    const manifest =
      report.content === 'niem-body' && manifestBytes !== undefined
        ? parseManifest(manifestBytes)
        : undefined;
    const fromManifest = manifest?.from?.organId;
    const fromSigners = (report.signedData?.signers ?? [])
      .map((s) => s.organizationIdentifier)
      .filter((o): o is string => typeof o === 'string' && o !== '');
    const signedSenders = [...new Set([fromManifest, ...fromSigners])].filter(
      (o): o is string => o !== undefined,
    );
    return {
      report,
      manifest,
      manifestBytes,
      sink,
      sender: fromManifest ?? fromSigners[0] ?? null,
      signedSenders,
    };
  } catch (err) {
    await sink.discard();
    throw err;
  }
}

function manifestMetadata(manifest: Manifest): Record<string, unknown> {
  const { documents: _documents, subject: _subject, ...rest } = manifest;
  return rest;
}

function registerOf(db: SqliteDatabase, id: number): RegisterNumber | null {
  const row = db
    .prepare('SELECT year, number FROM incoming_register WHERE inbox_id = ?')
    .get(id) as RegisterNumber | undefined;
  return row ?? null;
}

/**
 * Registers inbox item `row` (number and status 03) unless it is registered or refused
 * (02: never registered); inside the caller's transaction. Resolves to its number, if any.
 */
export function registerInbox(
  vault: Vault,
  db: SqliteDatabase,
  row: InboxPackageRow,
  level: InboxPackageRow['level'],
  now: string,
): RegisterNumber | null {
  const existing = registerOf(db, row.id);
  if (existing !== null || row.status === '02') return existing;
  const assigned = nextRegisterNumber(db, 'incoming', yearOf(now));
  db.prepare(
    `INSERT INTO incoming_register (year, number, inbox_id, registered_at, registered_by)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(assigned.year, assigned.number, row.id, now, vault.actor);
  recordStatus(vault, db, { id: row.id, sha: row.sha, level }, '03', now);
  return assigned;
}

/**
 * Records a verified package inside the caller's transaction: report, manifest, subject
 * (listed when `opened`, or when its level does not hide it), metadata, sender, the
 * documents' blobs. The caller registers it. Resolves to the level verified.
 */
export function recordVerified(
  vault: Vault,
  db: SqliteDatabase,
  row: InboxPackageRow,
  verified: VerifiedPackage,
  opened: boolean,
  now: string,
): InboxPackageRow['level'] {
  const { report, manifest } = verified;
  const level = report.levels.inside ?? report.levels.outside ?? row.level;
  const subject = manifest?.subject ?? null;
  const listed = subject !== null && (opened || !hidesSubjectInLists(level));
  db.prepare(
    `UPDATE inbox SET level = ?, subject = ?, subject_listed = ?, metadata = ?, sender_organ_id = ?,
       verification = ?, manifest = ?, verified_at = coalesce(verified_at, ?),
       opened_at = CASE WHEN ? = 1 THEN coalesce(opened_at, ?) ELSE opened_at END WHERE id = ?`,
  ).run(
    level,
    subject,
    listed ? 1 : 0,
    JSON.stringify(manifest === undefined ? {} : manifestMetadata(manifest)),
    verified.sender,
    JSON.stringify(report),
    verified.manifestBytes === undefined ? null : Buffer.from(verified.manifestBytes),
    now,
    opened ? 1 : 0,
    now,
    row.id,
  );
  db.prepare('DELETE FROM inbox_documents WHERE inbox_id = ?').run(row.id);
  const insert = db.prepare(
    `INSERT INTO inbox_documents (inbox_id, position, name, blob_id, media_type)
     VALUES (?, ?, ?, ?, ?)`,
  );
  verified.sink.files().forEach((file, position) => {
    vault.recordBlob(db, file.blob);
    const mediaType = report.documents.find((d) => d.name === file.name)?.mediaType ?? null;
    insert.run(row.id, position, file.name, file.blob.id, mediaType);
  });
  return level;
}

/** Records a refused open: its report when one was made, and the audit entry `action`. */
export function recordRefusedOpen(
  vault: Vault,
  db: SqliteDatabase,
  row: InboxPackageRow,
  err: unknown,
  action: string,
): void {
  if (err instanceof PackageRefused) {
    db.prepare('UPDATE inbox SET verification = ? WHERE id = ?').run(
      JSON.stringify(err.report),
      row.id,
    );
  }
  recordAudit(vault, db, {
    action,
    package: row.sha,
    level: row.level,
    detail: { inbox: row.id, kind: err instanceof NiemError ? err.kind : 'internal' },
  });
}

/** The report and subject kept for inbox item `id` (verified before). */
function kept(db: SqliteDatabase, id: number): { report: PackageReport; subject: string | null } {
  const row = db.prepare('SELECT verification, subject FROM inbox WHERE id = ?').get(id) as {
    verification: string | null;
    subject: string | null;
  };
  if (row.verification === null) throw new NiemError('internal', `inbox ${id} keeps no report`);
  return { report: JSON.parse(row.verification) as PackageReport, subject: row.subject };
}

/**
 * Opens inbox item `id` for the clerk: verifies it into the vault unless that was done
 * (see the module comment), lists its subject, registers it (03) unless it is registered
 * or refused (02), audit entry `inbox.open`. A refusal throws (PackageRefused when a report
 * was made) after recording it; the status is not changed.
 */
export async function openInboxInVault(
  vault: Vault,
  id: number,
  options: VerifyInboxOptions,
): Promise<OpenedInbox> {
  const row = inboxPackageRow(vault.database, id);
  let verified: VerifiedPackage | undefined;
  if (row.verifiedAt === null) {
    try {
      verified = await verifyIntoVault(vault, row, options);
    } catch (err) {
      try {
        vault.transaction((db) => recordRefusedOpen(vault, db, row, err, 'inbox.open-refused'));
      } catch {
        // the refusal itself is what the clerk must see; a locked vault cannot record it
      }
      throw err;
    }
  }
  const fresh = verified;
  const now = vault.timestamp();
  try {
    let recorded = false;
    const register = vault.transaction((db) => {
      const current = inboxPackageRow(db, id);
      // Verified meanwhile (the arrival path, say): what it kept stays, ours is dropped.
      const record = fresh !== undefined && current.verifiedAt === null;
      const level = record ? recordVerified(vault, db, current, fresh, true, now) : current.level;
      recorded = record;
      if (!record) {
        db.prepare(
          `UPDATE inbox SET opened_at = coalesce(opened_at, ?),
             subject_listed = CASE WHEN subject IS NULL THEN 0 ELSE 1 END WHERE id = ?`,
        ).run(now, id);
      }
      const assigned = registerInbox(vault, db, current, level, now);
      const documents = db
        .prepare('SELECT count(*) FROM inbox_documents WHERE inbox_id = ?')
        .pluck()
        .get(id) as number;
      recordAudit(vault, db, {
        action: 'inbox.open',
        package: current.sha,
        level,
        detail: { inbox: id, documents, register: assigned },
      });
      return assigned;
    });
    if (!recorded) await fresh?.sink.discard();
    const { report, subject } = kept(vault.database, id);
    return { report, register, subject };
  } catch (err) {
    await fresh?.sink.discard();
    throw err;
  }
}

/** Opens inbox item `id` (openInboxInVault) and writes its documents to `options.outDir`. */
export async function openInbox(
  vault: Vault,
  id: number,
  options: OpenInboxOptions,
): Promise<OpenedInbox> {
  const opened = await openInboxInVault(vault, id, options);
  const outDir = await exportInboxDocuments(vault, id, options.outDir, {
    manifest: true,
    audit: false,
  });
  return { ...opened, report: { ...opened.report, committed: true, outDir } };
}
