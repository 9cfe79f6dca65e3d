/**
 * The inbox handlers' view of the vault's inbox (InboxStore, ./inbox-handlers.ts) over
 * native/vault: the documents a verified package keeps (encrypted blobs), one document's
 * content, the open that verifies a package into the vault (no plaintext file anywhere),
 * and the profile's trust anchors.
 */
import { inboxDocuments, inboxDocumentsKept, readInboxDocument } from '../vault/inbox-documents.ts';
import { openInboxInVault } from '../vault/inbox-open.ts';
import { trustAnchorCertificates } from '../vault/index.ts';
import type { InboxStore } from './inbox-handlers.ts';

export const vaultInboxStore: InboxStore = {
  documents: (vault, id) =>
    inboxDocuments(vault, id).map((d) => ({
      id: d.id,
      name: d.name,
      size: d.size,
      mediaType: d.mediaType,
      sha256: d.sha256,
    })),
  verified: (vault, id) => inboxDocumentsKept(vault, id),
  readDocument: (vault, id, documentId) => readInboxDocument(vault, id, documentId),
  open: async (vault, id, { keys, trustAnchors }) => {
    await openInboxInVault(vault, id, { keys, trustAnchors });
  },
  trustAnchors: (vault) => trustAnchorCertificates(vault),
};
