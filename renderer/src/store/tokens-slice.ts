/**
 * Tokens seen by the native side: the list, the clerk's selection, and the refresh
 * action. The list is replaced as a whole by `tokens.list` answers and by
 * `tokens.changed` events.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { ModuleStatus, TokenInfo } from '../../../native/api/contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface TokensSlice {
  tokens: {
    /** Tokens present now, in the order the native side reported them. */
    list: readonly TokenInfo[];
    /** True while a `tokens.list` call is in flight. */
    loading: boolean;
    /** True once a first answer (list or error) has arrived. */
    loaded: boolean;
    /** Why the last refresh failed; cleared by the next successful one. */
    error: WireError | null;
    /** Id of the token the clerk chose; null when none is chosen. */
    selectedId: string | null;
    /** Configured PKCS#11 modules that failed to load, with the reason (refreshed with the list). */
    failedModules: readonly Extract<ModuleStatus, { status: 'failed' }>[];
    /** Asks the native side for the current tokens. Never runs twice at once. */
    refresh(): Promise<void>;
    /** Chooses a token for sign-in. Unknown ids are ignored. */
    select(id: string): void;
    /** Takes a new list (from an event or an answer), keeping the selection when possible. */
    replace(list: readonly TokenInfo[]): void;
  };
}

/** Keeps the chosen token if it is still present; picks the only token when there is one. */
export function nextSelection(
  list: readonly TokenInfo[],
  selectedId: string | null,
): string | null {
  if (selectedId !== null && list.some((t) => t.id === selectedId)) return selectedId;
  if (list.length === 1) return list[0]?.id ?? null;
  return null;
}

export function createTokensSlice(bridge: NiemBridge): StateCreator<AppState, [], [], TokensSlice> {
  return (set, get) => {
    const patch = (p: Partial<TokensSlice['tokens']>): void =>
      set((s) => ({ tokens: { ...s.tokens, ...p } }));

    return {
      tokens: {
        list: [],
        loading: false,
        loaded: false,
        error: null,
        selectedId: null,
        failedModules: [],

        async refresh() {
          if (get().tokens.loading) return;
          patch({ loading: true });
          const [result, modules] = await Promise.all([
            callBridge(() => bridge.tokens.list({})),
            callBridge(() => bridge.tokens.modules({})),
          ]);
          if (modules.ok) {
            patch({ failedModules: modules.value.filter((m) => m.status === 'failed') });
          }
          if (result.ok) {
            get().tokens.replace(result.value);
            patch({ loading: false, loaded: true, error: null });
          } else {
            patch({ loading: false, loaded: true, error: result.error });
          }
        },

        select(id) {
          const { list, selectedId } = get().tokens;
          if (id === selectedId || !list.some((t) => t.id === id)) return;
          patch({ selectedId: id });
          get().session.clearError();
        },

        replace(list) {
          const selectedId = nextSelection(list, get().tokens.selectedId);
          patch({ list: [...list], selectedId, loaded: true });
        },
      },
    };
  };
}
