/**
 * The vault's state as the native side reports it (locked, absent, open) and its
 * initialisation. When the vault stops being open (sign-out, idle, token removed,
 * native restart), everything read from it is dropped at once (drafts, box pages, the
 * directory, the selected packages, live progress, sync state).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { LockReason, VaultState } from '../../../native/api/contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface VaultSlice {
  vault: {
    /** As last reported; null until the first answer. */
    state: VaultState | null;
    /** True while `vault.init` runs. */
    initialising: boolean;
    /** Why the last vault call failed (reading the state, initialising). */
    error: WireError | null;
    /** Asks the native side for the state (after sign-in, at start-up). */
    refresh(): Promise<void>;
    /** A state from `vault.changed` (or an answer). */
    changed(state: VaultState): void;
    /** The session ended: the vault is locked whatever else was said. */
    sessionLocked(reason: LockReason): void;
    /** Creates the vault for the signed-in token; one at a time. */
    init(): Promise<void>;
  };
}

/** The vault states the renderer knows (a Record, so a new one fails the typecheck). */
const vaultStates: Readonly<Record<VaultState['state'], true>> = {
  locked: true,
  absent: true,
  open: true,
};

/** A payload of `vault.changed`, or null when it is not one. */
export function vaultStateOf(payload: unknown): VaultState | null {
  const state = (payload as { state?: unknown } | null)?.state;
  const kind = (state as { state?: unknown } | null)?.state;
  return typeof kind === 'string' && Object.hasOwn(vaultStates, kind)
    ? (state as VaultState)
    : null;
}

export function createVaultSlice(bridge: NiemBridge): StateCreator<AppState, [], [], VaultSlice> {
  return (set, get) => {
    const patch = (p: Partial<VaultSlice['vault']>): void =>
      set((s) => ({ vault: { ...s.vault, ...p } }));

    return {
      vault: {
        state: null,
        initialising: false,
        error: null,

        async refresh() {
          const result = await callBridge(() => bridge.vault.state({}));
          if (result.ok) get().vault.changed(result.value);
          else patch({ error: result.error });
        },

        changed(state) {
          const before = get().vault.state;
          patch({ state, error: state.state === 'locked' ? null : get().vault.error });
          if (state.state !== 'open') {
            get().drafts.clear();
            get().boxes.clear();
            get().directory.clear();
            get().outboxView.clear();
            get().inboxView.clear();
            get().sync.clear();
          } else if (before?.state !== 'open') {
            void get().drafts.load();
            void get().boxes.load('outbox', 0);
            void get().boxes.load('inbox', 0);
            void get().directory.load();
            void get().sync.refresh();
          }
        },

        sessionLocked(reason) {
          get().vault.changed({ state: 'locked', reason, problem: null });
        },

        async init() {
          if (get().vault.initialising || get().vault.state?.state !== 'absent') return;
          patch({ initialising: true, error: null });
          const result = await callBridge(() => bridge.vault.init({}));
          patch({ initialising: false });
          if (result.ok) get().vault.changed(result.value);
          else patch({ error: result.error });
        },
      },
    };
  };
}
