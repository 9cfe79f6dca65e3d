/**
 * The whole state of the renderer: one zustand store made of slices. Each slice owns
 * one namespace (`tokens`, `session`, `pinChange`, `ui`, `host`, `vault`, `drafts`,
 * `boxes`, `directory`, `outboxView`, `inboxView`, `sync`); only the actions in the
 * slices call the bridge. Components read the state through selectors.
 */
import type { BoxesSlice } from './boxes-slice.ts';
import type { DirectorySlice } from './directory-slice.ts';
import type { DraftsSlice } from './drafts-slice.ts';
import type { InboxViewSlice } from './inbox-view-slice.ts';
import type { OutboxViewSlice } from './outbox-view-slice.ts';
import type { SyncSlice } from './sync-slice.ts';
import type { HostSlice } from './host-slice.ts';
import type { LocaleSlice } from './locale-slice.ts';
import type { PinChangeSlice } from './pin-change-slice.ts';
import type { SessionSlice } from './session-slice.ts';
import type { TokensSlice } from './tokens-slice.ts';
import type { VaultSlice } from './vault-slice.ts';

export type AppState = TokensSlice &
  SessionSlice &
  PinChangeSlice &
  LocaleSlice &
  HostSlice &
  VaultSlice &
  DraftsSlice &
  BoxesSlice &
  DirectorySlice &
  OutboxViewSlice &
  InboxViewSlice &
  SyncSlice;
