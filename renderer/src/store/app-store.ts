/**
 * Builds the renderer's store around a bridge. Nothing here touches `window`: the entry
 * passes `window.niem` and `localStorage` in, and tests pass their own objects.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { AppState } from './app-state.ts';
import { createBoxesSlice } from './boxes-slice.ts';
import { createDirectorySlice } from './directory-slice.ts';
import { createDraftsSlice } from './drafts-slice.ts';
import { createInboxViewSlice } from './inbox-view-slice.ts';
import { createOutboxViewSlice } from './outbox-view-slice.ts';
import { createSyncSlice } from './sync-slice.ts';
import { createHostSlice } from './host-slice.ts';
import { createLocaleSlice } from './locale-slice.ts';
import type { LocaleStorage } from './locale-slice.ts';
import { createPinChangeSlice } from './pin-change-slice.ts';
import { createSessionSlice } from './session-slice.ts';
import { createTokensSlice } from './tokens-slice.ts';
import { createVaultSlice } from './vault-slice.ts';

export type { AppState } from './app-state.ts';

/** The store as components and tests see it. */
export type AppStore = StoreApi<AppState>;

export interface AppStoreOptions {
  /** Where the interface language is remembered; none means "not remembered". */
  storage?: LocaleStorage;
  /** The clock of the activity throttle, ms since the epoch; Date.now by default (tests pass theirs). */
  now?: () => number;
}

export function createAppStore(bridge: NiemBridge, options: AppStoreOptions = {}): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createTokensSlice(bridge)(...a),
    ...createSessionSlice(bridge, options.now)(...a),
    ...createPinChangeSlice(bridge)(...a),
    ...createLocaleSlice(options.storage)(...a),
    ...createHostSlice(bridge)(...a),
    ...createVaultSlice(bridge)(...a),
    ...createDraftsSlice(bridge)(...a),
    ...createBoxesSlice(bridge)(...a),
    ...createDirectorySlice(bridge)(...a),
    ...createOutboxViewSlice(bridge)(...a),
    ...createInboxViewSlice(bridge)(...a),
    ...createSyncSlice(bridge)(...a),
  }));
}
