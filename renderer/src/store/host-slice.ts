/**
 * The link to the host: subscribes to the bridge's events and loads the first state.
 * `connect` returns the function that unsubscribes again (React effects call both).
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { LockReason, TokenInfo } from '../../../native/api/contract.ts';
import type { AppState } from './app-state.ts';
import { outboxChangedOf, syncStateOf } from './event-payloads.ts';
import { vaultStateOf } from './vault-slice.ts';

export interface HostSlice {
  host: {
    /** Which host serves the UI, as the bridge reports it. */
    kind: NiemBridge['host'];
    /** Subscribes to events, then loads tokens, the current session and the vault's state. */
    connect(): () => void;
  };
}

/** Every lock reason the renderer knows (a Record, so a new reason fails the typecheck). */
const lockReasons: Readonly<Record<LockReason, true>> = {
  logout: true,
  'token-removed': true,
  idle: true,
  'native-restarted': true,
  'token-module-crashed': true,
};

function tokensOf(payload: unknown): readonly TokenInfo[] | null {
  const tokens = (payload as { tokens?: unknown } | null)?.tokens;
  return Array.isArray(tokens) ? (tokens as TokenInfo[]) : null;
}

function reasonOf(payload: unknown): LockReason {
  const reason = (payload as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && Object.hasOwn(lockReasons, reason)
    ? (reason as LockReason)
    : 'native-restarted';
}

export function createHostSlice(bridge: NiemBridge): StateCreator<AppState, [], [], HostSlice> {
  return (_set, get) => ({
    host: {
      kind: bridge.host,
      connect() {
        const unsubscribers = [
          bridge.on.tokensChanged((payload) => {
            const list = tokensOf(payload);
            if (list !== null) get().tokens.replace(list);
          }),
          bridge.on.sessionLocked((payload) => {
            const reason = reasonOf(payload);
            get().session.locked(reason);
            get().vault.sessionLocked(reason);
          }),
          bridge.on.vaultChanged((payload) => {
            const state = vaultStateOf(payload);
            if (state !== null) get().vault.changed(state);
          }),
          bridge.on.outboxChanged((payload) => {
            const event = outboxChangedOf(payload);
            if (event !== null) get().outboxView.changed(event);
          }),
          bridge.on.inboxChanged((payload) => {
            const id = (payload as { id?: unknown } | null)?.id;
            get().inboxView.changed(typeof id === 'number' ? id : null);
          }),
          bridge.on.syncChanged((payload) => {
            const state = syncStateOf(payload);
            if (state !== null) get().sync.changed(state);
          }),
        ];
        void get().tokens.refresh();
        void get()
          .session.restore()
          .then(() => get().vault.refresh());
        return () => {
          for (const unsubscribe of unsubscribers) unsubscribe();
        };
      },
    },
  });
}
