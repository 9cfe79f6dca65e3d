/**
 * The outbox and the inbox while the vault is open: one page of each, newest first, and
 * which tab of the vault is shown. Like the drafts, this is decrypted vault content:
 * `clear` drops both pages when the vault locks, and an answer that arrives after a lock
 * is thrown away (the epoch moved). `reloadSoon` gathers the reloads that a burst of
 * sync events asks for into one.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { InboxPage, OutboxPage } from '../../../native/api/boxes-contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

/** Rows per page of either box. */
export const BOX_PAGE_SIZE = 20;

/** One box as the list shows it. */
export interface BoxList<P> {
  page: P | null;
  /** The offset asked for last. */
  offset: number;
  loading: boolean;
  error: WireError | null;
}

export type BoxName = 'outbox' | 'inbox';

/** The tabs of the open vault. */
export type VaultTab = 'drafts' | BoxName;

/** How long a burst of events is gathered before one reload, in ms. */
export const RELOAD_DELAY_MS = 250;

export interface BoxesSlice {
  boxes: {
    outbox: BoxList<OutboxPage>;
    inbox: BoxList<InboxPage>;
    /** The tab shown. */
    tab: VaultTab;
    /** Shows `tab` (a box is loaded again, so the clerk sees what the vault holds now). */
    choose(tab: VaultTab): void;
    /** Loads the page at `offset` (default: the current one) of `box`. */
    load(box: BoxName, offset?: number): Promise<void>;
    /** Loads the current page of `box` shortly (several calls: one load). */
    reloadSoon(box: BoxName): void;
    /** Drops both pages (the vault locked). */
    clear(): void;
  };
}

const empty = { page: null, offset: 0, loading: false, error: null } as const;

export function createBoxesSlice(bridge: NiemBridge): StateCreator<AppState, [], [], BoxesSlice> {
  return (set, get) => {
    /** Moves at every clear: answers from before a lock are for no one. */
    let epoch = 0;
    const current = (since: number): boolean =>
      since === epoch && get().vault.state?.state === 'open';

    function patch<B extends BoxName>(box: B, p: Partial<BoxesSlice['boxes'][B]>): void {
      set((s) => ({ boxes: { ...s.boxes, [box]: { ...s.boxes[box], ...p } } }));
    }
    const timers: Partial<Record<BoxName, ReturnType<typeof setTimeout>>> = {};

    return {
      boxes: {
        outbox: empty,
        inbox: empty,
        tab: 'drafts',

        choose(tab) {
          set((s) => ({ boxes: { ...s.boxes, tab } }));
          if (tab !== 'drafts') void get().boxes.load(tab);
        },

        reloadSoon(box) {
          if (timers[box] !== undefined) return;
          const since = epoch;
          timers[box] = setTimeout(() => {
            timers[box] = undefined;
            if (current(since)) void get().boxes.load(box);
          }, RELOAD_DELAY_MS);
        },

        async load(box, offset) {
          const since = epoch;
          const at = Math.max(0, offset ?? get().boxes[box].offset);
          patch(box, { offset: at, loading: true, error: null });
          const params = { offset: at, limit: BOX_PAGE_SIZE };
          if (box === 'outbox') {
            const result = await callBridge(() => bridge.outbox.list(params));
            if (!current(since)) return;
            if (result.ok) patch('outbox', { page: result.value, loading: false });
            else patch('outbox', { loading: false, error: result.error });
          } else {
            const result = await callBridge(() => bridge.inbox.list(params));
            if (!current(since)) return;
            if (result.ok) patch('inbox', { page: result.value, loading: false });
            else patch('inbox', { loading: false, error: result.error });
          }
        },

        clear() {
          epoch += 1;
          for (const box of ['outbox', 'inbox'] as const) {
            clearTimeout(timers[box]);
            timers[box] = undefined;
          }
          set((s) => ({ boxes: { ...s.boxes, outbox: empty, inbox: empty, tab: 'drafts' } }));
        },
      },
    };
  };
}
