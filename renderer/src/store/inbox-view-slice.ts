/**
 * The inbox package the clerk selected: its detail (verification report once opened,
 * documents, status history), "open" (the native side verifies it from the vault with
 * the token; nothing is written outside the vault), and saving its documents to a folder.
 * This is decrypted vault content (an opened subject, signer names): dropped when the
 * vault locks, and answers that come after a lock are thrown away.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type {
  ExportDocumentsResult,
  InboxDetail,
} from '../../../native/api/inbox-open-contract.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface InboxViewSlice {
  inboxView: {
    selectedId: number | null;
    detail: InboxDetail | null;
    loading: boolean;
    /** True while the package is being opened (the token decrypts, signatures are checked). */
    opening: boolean;
    exporting: boolean;
    /** The last export's folder and files. */
    exported: ExportDocumentsResult | null;
    error: WireError | null;
    /** Shows package `id` (null: none) and loads its detail. */
    select(id: number | null): Promise<void>;
    /** Opens the selected package (verifies it; the first open registers it). */
    open(): Promise<void>;
    /** Saves the selected package's documents (`ids`, default all) to `folder`. */
    exportDocuments(folder: string, ids?: readonly number[]): Promise<boolean>;
    /** An `inbox.changed` event. */
    changed(id: number | null): void;
    clear(): void;
  };
}

const none = {
  selectedId: null,
  detail: null,
  loading: false,
  opening: false,
  exporting: false,
  exported: null,
  error: null,
} as const;

export function createInboxViewSlice(
  bridge: NiemBridge,
): StateCreator<AppState, [], [], InboxViewSlice> {
  return (set, get) => {
    let epoch = 0;
    const patch = (p: Partial<InboxViewSlice['inboxView']>): void =>
      set((s) => ({ inboxView: { ...s.inboxView, ...p } }));
    const current = (since: number, id: number) =>
      since === epoch && get().vault.state?.state === 'open' && get().inboxView.selectedId === id;

    async function load(id: number): Promise<void> {
      const since = epoch;
      patch({ loading: true });
      const result = await callBridge(() => bridge.inbox.get({ id }));
      if (!current(since, id)) return;
      if (result.ok) patch({ detail: result.value, loading: false });
      else patch({ loading: false, error: result.error });
    }

    return {
      inboxView: {
        ...none,

        async select(id) {
          patch({ ...none, selectedId: id });
          if (id !== null) await load(id);
        },

        async open() {
          const id = get().inboxView.selectedId;
          if (id === null || get().inboxView.opening) return;
          const since = epoch;
          patch({ opening: true, error: null, exported: null });
          const result = await callBridge(() => bridge.inbox.open({ id }));
          if (!current(since, id)) return;
          if (result.ok) patch({ opening: false, detail: result.value });
          else patch({ opening: false, error: result.error });
          // Opening changes the row (subject, status 03, register number).
          void get().boxes.load('inbox');
        },

        async exportDocuments(folder, ids) {
          const id = get().inboxView.selectedId;
          if (id === null || get().inboxView.exporting) return false;
          const since = epoch;
          patch({ exporting: true, error: null, exported: null });
          const result = await callBridge(() =>
            bridge.inbox.exportDocuments({
              id,
              folder,
              ...(ids === undefined ? {} : { documents: [...ids] }),
            }),
          );
          if (!current(since, id)) return false;
          if (result.ok) patch({ exporting: false, exported: result.value });
          else patch({ exporting: false, error: result.error });
          return result.ok;
        },

        changed(id) {
          if (get().vault.state?.state !== 'open') return;
          get().boxes.reloadSoon('inbox');
          const selected = get().inboxView.selectedId;
          if (selected !== null && (id === null || id === selected) && !get().inboxView.opening) {
            void load(selected);
          }
        },

        clear() {
          epoch += 1;
          patch(none);
        },
      },
    };
  };
}
