/**
 * Drafts while the vault is open: a page of the list (sort, search, paging), the draft
 * in the editor (new or opened), and its documents added from picked or dropped files.
 * Everything here is decrypted vault content: `clear` drops it all when the vault locks,
 * and an answer that arrives after a lock is thrown away (the epoch moved).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type {
  DraftDetailView,
  DraftFields,
  DraftPage,
  DraftSort,
} from '../../../native/api/drafts-contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { SealResult } from '../../../native/api/exchange-contract.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';
import { DOCUMENT_MAX_BYTES, toBase64 } from './document-limits.ts';
import { localError } from './pin-rules.ts';

/** How the list is asked for. */
export interface DraftQuery {
  offset: number;
  limit: number;
  sort: DraftSort;
  direction: 'asc' | 'desc';
  /** Search words; '' for none. */
  search: string;
}

/** A file to add (a browser File fits): its bytes are read only when it is sent. */
export interface DocumentFile {
  readonly name: string;
  readonly type: string;
  /** Bytes. */
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The editor: a new draft (`draft` null) or an opened one. */
export interface DraftEditor {
  draft: DraftDetailView | null;
}

export interface DraftsSlice {
  drafts: {
    query: DraftQuery;
    page: DraftPage | null;
    loading: boolean;
    editor: DraftEditor | null;
    /** True while the editor saves, deletes or changes documents. */
    busy: boolean;
    /** Name of the document being sent, if one is. */
    uploading: string | null;
    /** True while the editor's draft is being sealed (the token signs). */
    sealing: boolean;
    /** The last draft sealed (its outbox row, register number), until the next editor action. */
    sealed: SealResult | null;
    /** Why the last seal was refused (shown in the seal confirmation, not with `error`). */
    sealError: WireError | null;
    /** The last editor action that succeeded, for a short confirmation. */
    done: 'saved' | 'deleted' | 'sealed' | null;
    error: WireError | null;
    /** Loads a page (changes of the query merged in; a new search or sort starts at the first page). */
    load(change?: Partial<DraftQuery>): Promise<void>;
    open(id: number): Promise<void>;
    startNew(): void;
    closeEditor(): void;
    /** Creates or updates the editor's draft, then adds `files` to it. Resolves true when saved. */
    save(fields: DraftFields, files?: readonly DocumentFile[]): Promise<boolean>;
    /** Deletes the editor's draft. */
    remove(): Promise<void>;
    /**
     * Saves the editor's draft (`fields`, then `files`), then seals it with the signed-in
     * token into the outbox; the editor closes and the outbox tab shows the new package.
     * Resolves true when sealed.
     */
    seal(fields: DraftFields, files?: readonly DocumentFile[]): Promise<boolean>;
    /** Adds files to the opened draft, one by one; stops at the first refusal. */
    addDocuments(files: readonly DocumentFile[]): Promise<void>;
    removeDocument(documentId: number): Promise<void>;
    /** Drops every draft held (the vault locked). */
    clear(): void;
    clearError(): void;
    clearSealError(): void;
  };
}

export const firstQuery: DraftQuery = {
  offset: 0,
  limit: 20,
  sort: 'updated',
  direction: 'desc',
  search: '',
};

/** The drafts state with nothing held: at the start and after every clear. */
const noDrafts = {
  query: firstQuery,
  page: null,
  loading: false,
  editor: null,
  busy: false,
  uploading: null,
  sealing: false,
  sealed: null,
  sealError: null,
  done: null,
  error: null,
} as const satisfies Partial<DraftsSlice['drafts']>;

export function createDraftsSlice(bridge: NiemBridge): StateCreator<AppState, [], [], DraftsSlice> {
  return (set, get) => {
    const patch = (p: Partial<DraftsSlice['drafts']>): void =>
      set((s) => ({ drafts: { ...s.drafts, ...p } }));
    /** Moves at every clear: answers from before a lock are for no one. */
    let epoch = 0;
    const current = (since: number): boolean =>
      since === epoch && get().vault.state?.state === 'open';

    const fail = (error: WireError): false => {
      patch({ busy: false, uploading: null, sealing: false, error });
      return false;
    };

    /** Sends one file; resolves to the draft as it is after, or false after an error. */
    async function send(draftId: number, file: DocumentFile, since: number) {
      if (file.size > DOCUMENT_MAX_BYTES) {
        return fail(localError('document-too-large', `${file.size} bytes`));
      }
      patch({ uploading: file.name });
      const bytes = new Uint8Array(await file.arrayBuffer());
      const contentBase64 = toBase64(bytes);
      bytes.fill(0);
      const result = await callBridge(() =>
        bridge.drafts.addDocument({
          draftId,
          name: file.name,
          contentBase64,
          ...(file.type === '' ? {} : { mediaType: file.type }),
        }),
      );
      if (!current(since)) return false;
      if (!result.ok) return fail(result.error);
      patch({ editor: { draft: result.value }, uploading: null });
      return result.value;
    }

    async function sendAll(draftId: number, files: readonly DocumentFile[], since: number) {
      for (const file of files) {
        if ((await send(draftId, file, since)) === false) return false;
      }
      return true;
    }

    return {
      drafts: {
        ...noDrafts,

        async load(change = {}) {
          const since = epoch;
          const restart = 'search' in change || 'sort' in change || 'direction' in change;
          const query = { ...get().drafts.query, ...(restart ? { offset: 0 } : {}), ...change };
          patch({ query, loading: true });
          const { search, ...rest } = query;
          const result = await callBridge(() =>
            bridge.drafts.list({ ...rest, ...(search.trim() === '' ? {} : { search }) }),
          );
          if (!current(since)) return;
          if (result.ok) patch({ page: result.value, loading: false });
          else patch({ loading: false, error: result.error });
        },

        async open(id) {
          const since = epoch;
          patch({ busy: true, error: null, sealError: null, done: null, sealed: null });
          const result = await callBridge(() => bridge.drafts.get({ id }));
          if (!current(since)) return;
          if (result.ok) patch({ busy: false, editor: { draft: result.value } });
          else fail(result.error);
        },

        startNew() {
          patch({
            editor: { draft: null },
            error: null,
            sealError: null,
            done: null,
            sealed: null,
          });
        },

        closeEditor() {
          patch({ editor: null, error: null, sealError: null, done: null });
        },

        clearSealError() {
          if (get().drafts.sealError !== null) patch({ sealError: null });
        },

        async save(fields, files = []) {
          const { editor, busy } = get().drafts;
          if (editor === null || busy) return false;
          const since = epoch;
          patch({ busy: true, error: null, done: null });
          const existing = editor.draft;
          const result = await callBridge(() =>
            existing === null
              ? bridge.drafts.create(fields)
              : bridge.drafts.update({ id: existing.id, fields }),
          );
          if (!current(since)) return false;
          if (!result.ok) return fail(result.error);
          patch({ editor: { draft: result.value } });
          const sent = await sendAll(result.value.id, files, since);
          if (!current(since)) return false;
          patch({ busy: false, done: sent ? 'saved' : null });
          void get().drafts.load();
          return sent;
        },

        async remove() {
          const draft = get().drafts.editor?.draft;
          if (draft === null || draft === undefined || get().drafts.busy) return;
          const since = epoch;
          patch({ busy: true, error: null, done: null });
          const result = await callBridge(() => bridge.drafts.delete({ id: draft.id }));
          if (!current(since)) return;
          if (!result.ok) return void fail(result.error);
          patch({ busy: false, editor: null, done: 'deleted' });
          void get().drafts.load();
        },

        async seal(fields, files = []) {
          if (get().drafts.sealing) return false;
          const since = epoch;
          patch({ sealError: null });
          if (!(await get().drafts.save(fields, files))) return false;
          const draft = get().drafts.editor?.draft;
          if (!current(since) || draft === null || draft === undefined) return false;
          patch({ busy: true, sealing: true, error: null, sealError: null, done: null });
          const result = await callBridge(() => bridge.drafts.seal({ id: draft.id }));
          if (!current(since)) return false;
          if (!result.ok) {
            patch({ busy: false, sealing: false, sealError: result.error });
            return false;
          }
          patch({
            busy: false,
            sealing: false,
            editor: null,
            sealed: result.value,
            done: 'sealed',
          });
          void get().drafts.load();
          get().boxes.choose('outbox');
          void get().outboxView.select(result.value.outboxId);
          return true;
        },

        async addDocuments(files) {
          const draft = get().drafts.editor?.draft;
          if (draft === null || draft === undefined || get().drafts.busy) return;
          const since = epoch;
          patch({ busy: true, error: null, done: null });
          const sent = await sendAll(draft.id, files, since);
          if (!current(since)) return;
          patch({ busy: false });
          if (sent) void get().drafts.load();
        },

        async removeDocument(documentId) {
          const draft = get().drafts.editor?.draft;
          if (draft === null || draft === undefined || get().drafts.busy) return;
          const since = epoch;
          patch({ busy: true, error: null, done: null });
          const result = await callBridge(() =>
            bridge.drafts.removeDocument({ draftId: draft.id, documentId }),
          );
          if (!current(since)) return;
          if (!result.ok) return void fail(result.error);
          patch({ busy: false, editor: { draft: result.value } });
          void get().drafts.load();
        },

        clear() {
          epoch += 1;
          patch(noDrafts);
        },

        clearError() {
          if (get().drafts.error !== null) patch({ error: null });
        },
      },
    };
  };
}
