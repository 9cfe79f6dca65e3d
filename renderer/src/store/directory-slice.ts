/**
 * The agency directory cached in the vault, for the recipient picker: each agency with
 * its clearance and whether it can be sealed for now. Loaded when the vault opens (and
 * again on demand); dropped when it locks, like everything read from the vault.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { DirectoryList } from '../../../native/api/exchange-contract.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

export interface DirectorySlice {
  directory: {
    list: DirectoryList | null;
    loading: boolean;
    error: WireError | null;
    load(): Promise<void>;
    /** Drops the list (the vault locked). */
    clear(): void;
  };
}

const none = { list: null, loading: false, error: null } as const;

export function createDirectorySlice(
  bridge: NiemBridge,
): StateCreator<AppState, [], [], DirectorySlice> {
  return (set, get) => {
    let epoch = 0;
    const patch = (p: Partial<DirectorySlice['directory']>): void =>
      set((s) => ({ directory: { ...s.directory, ...p } }));
    return {
      directory: {
        ...none,
        async load() {
          const since = epoch;
          patch({ loading: true, error: null });
          const result = await callBridge(() => bridge.directory.list({}));
          if (since !== epoch || get().vault.state?.state !== 'open') return;
          if (result.ok) patch({ list: result.value, loading: false });
          else patch({ loading: false, error: result.error });
        },
        clear() {
          epoch += 1;
          patch(none);
        },
      },
    };
  };
}
