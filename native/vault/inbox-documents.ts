/**
 * The documents a verified inbox package keeps in the vault (`inbox_documents`, each an
 * encrypted blob): listed with their sizes and hashes, read back, and exported to a
 * folder the clerk names. An export writes every file into `<outDir>/.partial-<random>`
 * (the package pipeline's folder sink), checks each file's SHA-256 against the signed
 * manifest's as it streams, and moves the files into `outDir` only when all of them were
 * written and matched, never replacing a file there; on any failure nothing is left.
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import { openFolderSink } from '../seal/pipeline/open-package-folder.ts';
import type { PackageReport } from '../seal/pipeline/index.ts';
import { inboxPackageRow } from './inbox-rows.ts';
import { recordAudit } from './vault-audit.ts';
import type { Vault } from './vault.ts';

/** One document kept for an inbox package. */
export interface InboxDocument {
  /** Row id (inbox_documents.id). */
  id: number;
  position: number;
  name: string;
  /** Bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the content, as stored (and as the signed manifest lists it). */
  sha256: string;
  mediaType: string | null;
}

/** The documents inbox item `id` keeps, in package order (none until it verified). */
export function inboxDocuments(vault: Vault, id: number): InboxDocument[] {
  return vault.database
    .prepare(
      `SELECT d.id, d.position, d.name, b.size, lower(hex(b.sha256)) AS sha256,
         d.media_type AS mediaType
       FROM inbox_documents d JOIN blobs b ON b.id = d.blob_id
       WHERE d.inbox_id = ? ORDER BY d.position`,
    )
    .all(id) as InboxDocument[];
}

/** The content of document `documentId` of inbox item `id`, authenticated from its blob. */
export function readInboxDocument(
  vault: Vault,
  id: number,
  documentId: number,
): AsyncIterable<Uint8Array> {
  const blob = vault.database
    .prepare('SELECT blob_id FROM inbox_documents WHERE inbox_id = ? AND id = ?')
    .pluck()
    .get(id, documentId) as string | undefined;
  if (blob === undefined) {
    throw new NiemError('not-found', `inbox package ${id} keeps no document ${documentId}`);
  }
  return vault.readBlob(blob);
}

/** Whether inbox item `id` was verified and keeps its documents in the vault. */
export function inboxDocumentsKept(vault: Vault, id: number): boolean {
  return inboxPackageRow(vault.database, id).verifiedAt !== null;
}

async function* checked(
  source: AsyncIterable<Uint8Array>,
  expected: readonly string[],
  name: string,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (expected.some((e) => e !== actual)) {
    throw new NiemError('vault-corrupt', `${name}: the kept content does not match its SHA-256`);
  }
}

/** Options of exportInboxDocuments. */
export interface ExportInboxOptions {
  /** Also write manifest.json (the signed bytes), as `niem open` does. Default false. */
  manifest?: boolean;
  /** Record the export (`inbox.export`) and mark the package opened. Default true. */
  audit?: boolean;
}

/**
 * Writes the documents of verified inbox item `id` into `outDir` (see the module
 * comment); resolves to the folder's absolute path. `not-found` when the item keeps no
 * documents (never verified: open it first).
 */
export async function exportInboxDocuments(
  vault: Vault,
  id: number,
  outDir: string,
  options: ExportInboxOptions = {},
): Promise<string> {
  const row = inboxPackageRow(vault.database, id);
  if (row.verifiedAt === null) {
    throw new NiemError('not-found', `inbox package ${id} keeps no documents: open it first`);
  }
  const extra = vault.database
    .prepare('SELECT manifest, verification FROM inbox WHERE id = ?')
    .get(id) as { manifest: Buffer | null; verification: string | null };
  const listed = new Map(
    ((JSON.parse(extra.verification ?? 'null') as PackageReport | null)?.documents ?? []).map(
      (d) => [d.name, d.sha256],
    ),
  );
  const documents = inboxDocuments(vault, id);
  const sink = await openFolderSink(outDir);
  let committed = false;
  try {
    if (options.manifest === true && extra.manifest !== null) await sink.manifest(extra.manifest);
    for (const doc of documents) {
      const expected = [doc.sha256, listed.get(doc.name)].filter(
        (s): s is string => typeof s === 'string',
      );
      await sink.file(doc.name, checked(readInboxDocument(vault, id, doc.id), expected, doc.name));
    }
    await sink.commit();
    committed = true;
  } finally {
    await sink.close(committed);
  }
  if (options.audit !== false) {
    vault.transaction((db) => {
      db.prepare(
        `UPDATE inbox SET opened_at = coalesce(opened_at, ?),
           subject_listed = CASE WHEN subject IS NULL THEN 0 ELSE 1 END WHERE id = ?`,
      ).run(vault.timestamp(), id);
      recordAudit(vault, db, {
        action: 'inbox.export',
        package: row.sha,
        level: row.level,
        detail: { inbox: id, documents: documents.length },
      });
    });
  }
  return sink.location;
}
