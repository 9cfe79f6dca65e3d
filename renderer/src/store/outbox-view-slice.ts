/**
 * The outbox as it moves: the live state of each package the sync engine reported
 * (`outbox.changed`: state, bytes uploaded, next attempt, error), and the package the
 * clerk selected with its receipt and notices. A change of state reloads the outbox page
 * shortly after, and any event but upload progress reloads the selected package (a
 * notice may come without a change of state); progress only updates the live entry.
 * Everything is dropped when the vault locks.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { OutboxItemView, TransportState } from '../../../native/api/boxes-contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { OutboxChanged, OutboxDetail } from '../../../native/api/exchange-contract.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface OutboxViewSlice {
  outboxView: {
    /** The last event of each package, by outbox id. */
    live: Readonly<Record<number, OutboxChanged>>;
    selectedId: number | null;
    detail: OutboxDetail | null;
    loading: boolean;
    error: WireError | null;
    /** Shows package `id` (null: none) and loads its receipt and notices. */
    select(id: number | null): Promise<void>;
    /** An `outbox.changed` event. */
    changed(event: OutboxChanged): void;
    clear(): void;
  };
}

/** A row's state as the clerk should see it now: the latest event, else the page's. */
export interface ShownTransport {
  state: TransportState;
  /** 0–100 while uploading with a known size, else null. */
  percent: number | null;
  nextAttemptAt: string | null;
  error: WireError | null;
}

/** Whole percent of `done` out of `total`; null when unknown. Never 100 before the end. */
export function percentOf(done: number | null, total: number | null): number | null {
  if (done === null || total === null || total <= 0) return null;
  const p = Math.floor((Math.min(done, total) * 100) / total);
  return done >= total ? 100 : Math.min(p, 99);
}

export function shownTransport(
  item: OutboxItemView,
  live: OutboxChanged | undefined,
): ShownTransport {
  if (live === undefined) {
    return {
      state: item.transportState,
      percent: item.transportState === 'uploading' ? 0 : null,
      nextAttemptAt: item.nextAttemptAt,
      error: item.error,
    };
  }
  return {
    state: live.state,
    percent:
      live.state === 'uploading'
        ? (percentOf(live.bytesDone, live.bytesTotal ?? item.size) ?? 0)
        : null,
    nextAttemptAt: live.nextAttemptAt,
    error: live.error,
  };
}

const none = { live: {}, selectedId: null, detail: null, loading: false, error: null } as const;

export function createOutboxViewSlice(
  bridge: NiemBridge,
): StateCreator<AppState, [], [], OutboxViewSlice> {
  return (set, get) => {
    let epoch = 0;
    const patch = (p: Partial<OutboxViewSlice['outboxView']>): void =>
      set((s) => ({ outboxView: { ...s.outboxView, ...p } }));
    const open = () => get().vault.state?.state === 'open';

    async function loadDetail(id: number): Promise<void> {
      const since = epoch;
      patch({ loading: true, error: null });
      const result = await callBridge(() => bridge.outbox.get({ id }));
      if (since !== epoch || !open() || get().outboxView.selectedId !== id) return;
      if (result.ok) patch({ detail: result.value, loading: false });
      else patch({ loading: false, error: result.error });
    }

    return {
      outboxView: {
        ...none,

        async select(id) {
          patch({ selectedId: id, detail: null, error: null });
          if (id !== null) await loadDetail(id);
        },

        changed(event) {
          if (!open()) return;
          const before = get().outboxView.live[event.id];
          const row = get().boxes.outbox.page?.items.find((i) => i.id === event.id);
          patch({ live: { ...get().outboxView.live, [event.id]: event } });
          const moved = (before?.state ?? row?.transportState) !== event.state;
          if (moved || (row === undefined && before === undefined))
            get().boxes.reloadSoon('outbox');
          // A notice may come without a change of state (03 after 01): the detail reloads
          // for anything but upload progress.
          const progressOnly = !moved && event.state === 'uploading';
          if (!progressOnly && get().outboxView.selectedId === event.id) void loadDetail(event.id);
        },

        clear() {
          epoch += 1;
          patch(none);
        },
      },
    };
  };
}
