/**
 * The `drafts.*` methods of the contract over the open vault: list (page, sort, search),
 * get, create, update, delete, and adding or removing one small document. Each answers
 * with the draft as the editor shows it, so the UI never asks twice. The metadata keys
 * the editor owns are mapped here; other keys (set by the CLI, later stages) are kept.
 */
import type { DraftDetailView, DraftMetadata } from '../api/drafts-contract.ts';
import { DOCUMENT_MAX_BYTES } from '../api/drafts-contract.ts';
import { NiemError } from '../api/errors.ts';
import {
  addDraftDocument,
  createDraft,
  deleteDraft,
  getDraft,
  listDraftPage,
  removeDraftDocument,
  updateDraft,
  type Vault,
} from '../vault/index.ts';
import type { Handlers } from './dispatcher.ts';

export type DraftHandlers = Pick<
  Handlers,
  | 'drafts.list'
  | 'drafts.get'
  | 'drafts.create'
  | 'drafts.update'
  | 'drafts.delete'
  | 'drafts.addDocument'
  | 'drafts.removeDocument'
>;

/** The metadata keys the editor sets; anything else in a draft's metadata is left alone. */
const EDITOR_KEYS = ['codeNumber', 'codeNotation', 'deadline'] as const;

function editorMetadata(stored: Record<string, unknown>): DraftMetadata {
  const out: DraftMetadata = {};
  for (const key of EDITOR_KEYS) {
    const value = stored[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function detail(vault: Vault, id: number): DraftDetailView {
  const draft = getDraft(vault, id);
  return {
    id: draft.id,
    subject: draft.subject,
    level: draft.level,
    urgency: draft.urgency,
    recipients: draft.recipients,
    documentCount: draft.documentCount,
    createdAt: draft.createdAt,
    updatedAt: draft.updatedAt,
    metadata: editorMetadata(draft.metadata),
    documents: draft.documents,
  };
}

/** Decoded bytes of a base64 document, refused past the size limit before any write. */
function documentBytes(base64: string): Buffer {
  // 3 bytes per 4 characters, less the padding: known before decoding.
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  if ((base64.length / 4) * 3 - padding > DOCUMENT_MAX_BYTES) {
    throw new NiemError(
      'document-too-large',
      `a document is limited to ${DOCUMENT_MAX_BYTES} bytes`,
    );
  }
  return Buffer.from(base64, 'base64');
}

export function draftHandlers(vault: () => Vault): DraftHandlers {
  return {
    'drafts.list': async (query) => {
      const page = listDraftPage(vault(), query);
      return { ...page, offset: query.offset, limit: query.limit };
    },
    'drafts.get': async ({ id }) => detail(vault(), id),
    'drafts.create': async (fields) => {
      const open = vault();
      const id = await createDraft(open, { ...fields, metadata: { ...fields.metadata } });
      return detail(open, id);
    },
    'drafts.update': async ({ id, fields }) => {
      const open = vault();
      updateDraft(open, id, {
        ...fields,
        metadata: { ...fields.metadata },
        replaceKeys: EDITOR_KEYS,
      });
      return detail(open, id);
    },
    'drafts.delete': async ({ id }) => {
      await deleteDraft(vault(), id);
      return { deleted: true };
    },
    'drafts.addDocument': async ({ draftId, name, mediaType, contentBase64 }) => {
      const open = vault();
      const content = documentBytes(contentBase64);
      try {
        await addDraftDocument(open, draftId, {
          name,
          content,
          ...(mediaType === undefined || mediaType === '' ? {} : { mediaType }),
        });
      } finally {
        content.fill(0); // the plaintext lives on only in the encrypted blob
      }
      return detail(open, draftId);
    },
    'drafts.removeDocument': async ({ draftId, documentId }) => {
      const open = vault();
      await removeDraftDocument(open, draftId, documentId);
      return detail(open, draftId);
    },
  };
}
