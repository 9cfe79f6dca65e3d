/**
 * Sync with the platform as the native side reports it (`sync.changed`): configured or
 * not, a round running, the last round's time and error; and "sync now". The state says
 * nothing secret, but it belongs to the open vault like the rest: dropped at a lock.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { SyncState } from '../../../native/api/exchange-contract.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface SyncSlice {
  sync: {
    state: SyncState | null;
    /** True from "sync now" until the native side answers. */
    asking: boolean;
    /** Why "sync now" or reading the state failed. */
    error: WireError | null;
    refresh(): Promise<void>;
    /** Starts a round now; progress arrives as events. */
    now(): Promise<void>;
    /** A `sync.changed` event. */
    changed(state: SyncState): void;
    clear(): void;
  };
}

const none = { state: null, asking: false, error: null } as const;

export function createSyncSlice(bridge: NiemBridge): StateCreator<AppState, [], [], SyncSlice> {
  return (set, get) => {
    let epoch = 0;
    const patch = (p: Partial<SyncSlice['sync']>): void =>
      set((s) => ({ sync: { ...s.sync, ...p } }));
    const current = (since: number) => since === epoch && get().vault.state?.state === 'open';
    return {
      sync: {
        ...none,
        async refresh() {
          const since = epoch;
          const result = await callBridge(() => bridge.sync.state({}));
          if (!current(since)) return;
          if (result.ok) patch({ state: result.value });
          else patch({ error: result.error });
        },
        async now() {
          if (get().sync.asking) return;
          const since = epoch;
          patch({ asking: true, error: null });
          const result = await callBridge(() => bridge.sync.now({}));
          if (!current(since)) return;
          if (result.ok) patch({ asking: false, state: result.value });
          else patch({ asking: false, error: result.error });
        },
        changed(state) {
          if (get().vault.state?.state !== 'open') return;
          const before = get().sync.state;
          patch({ state });
          // A round ended: what it moved shows in both boxes.
          if (before?.phase === 'running' && state.phase !== 'running') {
            get().boxes.reloadSoon('outbox');
            get().boxes.reloadSoon('inbox');
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
