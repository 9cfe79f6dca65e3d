/**
 * `inbox.get`, `inbox.open` and `inbox.exportDocuments` over the open vault. A package is
 * opened from its encrypted blob with the signed-in token's keys and the profile's trust
 * anchors; its documents stay encrypted in the vault (no plaintext is written anywhere
 * else). When the arrival path already verified it, "open" shows the report it kept.
 * Export is the clerk's explicit act: each document streams from the vault to a folder
 * the clerk named, through `<name>.partial`, its hash checked against the signed manifest
 * before the file takes its name; an existing file is never overwritten (a free name
 * `name (2).ext` is taken instead). The export is recorded in the audit trail.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, isAbsolute, join, resolve } from 'node:path';
import type { InboxDetail } from '../api/inbox-open-contract.ts';
import { NiemError } from '../api/errors.ts';
import { writePackageFile } from '../seal/pipeline/package-file.ts';
import { tokenRecipientKeys, type TokenOperations } from '../seal/pipeline/token-adapters.ts';
import { safeOutputPath } from '../seal/tar/index.ts';
import {
  agencyNames,
  getInbox,
  inboxStatusHistory,
  inboxVerification,
  recordAudit,
  type Vault,
} from '../vault/index.ts';
import { inboxItem } from './box-handlers.ts';
import type { Handlers } from './dispatcher.ts';
import { documentViews, verificationView, type StoredDocument } from './inbox-view.ts';

export type InboxHandlers = Pick<Handlers, 'inbox.get' | 'inbox.open' | 'inbox.exportDocuments'>;

/**
 * What the handlers need of the vault's inbox beyond the list (native/vault/inbox*.ts):
 * the documents kept for a package, one document's content, the open that keeps them
 * in the vault, and the profile's trust anchors.
 */
export interface InboxStore {
  documents(vault: Vault, id: number): StoredDocument[];
  /** Whether package `id` was verified (on arrival or by an open) and keeps its documents. */
  verified(vault: Vault, id: number): boolean;
  /** The content of a kept document, authenticated from its encrypted blob. */
  readDocument(vault: Vault, id: number, documentId: number): AsyncIterable<Uint8Array>;
  /** Verifies package `id` with `keys`, keeping its documents in the vault (see module comment). */
  open(
    vault: Vault,
    id: number,
    options: { keys: Awaited<ReturnType<typeof tokenRecipientKeys>>; trustAnchors: Uint8Array[] },
  ): Promise<void>;
  trustAnchors(vault: Vault): Uint8Array[];
}

export interface InboxHandlerOptions {
  vault: () => Vault;
  token: TokenOperations;
  store: InboxStore;
  /** The folder export proposes: NIEM_EXPORT_DIR, else ~/Niêm. */
  exportFolder?: string;
}

/** The folder export proposes unless the settings name one. */
export function defaultExportFolder(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.NIEM_EXPORT_DIR || join(homedir(), 'Niêm'));
}

/** `name`, or `name (2).ext`, `name (3).ext` … : the first that does not exist in `folder`. */
function freeName(folder: string, name: string): string {
  if (!existsSync(join(folder, name))) return name;
  const ext = extname(name);
  const stem = ext === '' ? name : name.slice(0, -ext.length);
  for (let n = 2; n < 10_000; n += 1) {
    const candidate = `${stem} (${n})${ext}`;
    if (!existsSync(join(folder, candidate))) return candidate;
  }
  throw new NiemError('invalid-input', `no free name for ${name} in ${folder}`);
}

export function inboxHandlers(options: InboxHandlerOptions): InboxHandlers {
  const exportFolder = options.exportFolder ?? defaultExportFolder();

  /**
   * The package as the clerk may see it now: the report and the documents once the clerk
   * opened it (a package the arrival path verified waits for "open", which registers it
   * and lists its subject); a refused package's report at once, so the clerk sees why.
   */
  function detail(vault: Vault, id: number): InboxDetail {
    const row = getInbox(vault, id);
    const names = agencyNames(vault, row.senderOrganId === null ? [] : [row.senderOrganId]);
    const kept = inboxVerification(vault, id);
    const report = kept === undefined ? null : verificationView(kept);
    const opened = row.openedAt !== null;
    const shown = opened || (report !== null && report.verdict !== 'valid');
    return {
      item: inboxItem(row, names),
      packageSha256: row.packageSha256,
      report: shown ? report : null,
      documents:
        opened && kept !== undefined ? documentViews(kept, options.store.documents(vault, id)) : [],
      history: inboxStatusHistory(vault, id).map((h) => ({
        status: h.status,
        at: h.at,
        actor: h.actor,
        note: h.note,
      })),
      exportFolder,
    };
  }

  return {
    'inbox.get': async ({ id }) => detail(options.vault(), id),

    'inbox.open': async ({ id }) => {
      const vault = options.vault();
      // Verified on arrival (or by an earlier open): the vault keeps its report and
      // documents, and the open only registers it and lists its subject.
      const verified = options.store.verified(vault, id);
      const trustAnchors = options.store.trustAnchors(vault);
      if (!verified && trustAnchors.length === 0) {
        throw new NiemError('untrusted-signer', 'the profile holds no trust anchor to verify with');
      }
      const keys = await tokenRecipientKeys(options.token);
      await options.store.open(vault, id, { keys, trustAnchors });
      return detail(options.vault(), id);
    },

    'inbox.exportDocuments': async ({ id, folder, documents }) => {
      const vault = options.vault();
      if (!isAbsolute(folder)) {
        throw new NiemError('invalid-input', 'the export folder must be an absolute path');
      }
      const target = resolve(folder);
      const shown = detail(vault, id);
      if (shown.report === null || shown.report.verdict !== 'valid') {
        throw new NiemError('invalid-input', `inbox package ${id} was not opened and verified`);
      }
      const wanted =
        documents === undefined
          ? shown.documents
          : shown.documents.filter((d) => documents.includes(d.id));
      if (wanted.length === 0 || wanted.some((d) => !d.stored)) {
        throw new NiemError('not-found', `inbox package ${id}: no such kept document`);
      }
      // Recorded first: a plaintext copy never leaves the vault without its audit entry.
      vault.transaction((db) => {
        recordAudit(vault, db, {
          action: 'inbox.export',
          package: shown.packageSha256,
          level: shown.item.level,
          detail: { inbox: id, documents: wanted.map((d) => d.id) },
        });
      });
      await mkdir(target, { recursive: true, mode: 0o700 });
      const files: string[] = [];
      for (const doc of wanted) {
        const out = safeOutputPath(target, freeName(target, doc.name));
        const hash = createHash('sha256');
        const source = options.store.readDocument(vault, id, doc.id);
        async function* hashed(): AsyncGenerator<Uint8Array> {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        }
        await writePackageFile(out, hashed(), async () => {
          if (doc.sha256 !== null && hash.digest('hex') !== doc.sha256) {
            throw new NiemError(
              'tampered',
              `${doc.name}: the kept copy does not match its signed hash`,
            );
          }
        });
        files.push(out);
      }
      return { folder: target, files };
    },
  };
}
