/**
 * Selectors: how components read the store. Each returns a value that keeps its
 * identity while the underlying state does not change.
 */
import type { TokenInfo } from '../../../native/api/contract.ts';
import type { AppState } from './app-state.ts';

export const selectLocale = (s: AppState) => s.ui.locale;
export const selectSetLocale = (s: AppState) => s.ui.setLocale;

export const selectTokenList = (s: AppState) => s.tokens.list;
export const selectFailedModules = (s: AppState) => s.tokens.failedModules;
export const selectTokensLoading = (s: AppState) => s.tokens.loading;
export const selectTokensLoaded = (s: AppState) => s.tokens.loaded;
export const selectTokensError = (s: AppState) => s.tokens.error;
export const selectSelectedTokenId = (s: AppState) => s.tokens.selectedId;
export const selectRefreshTokens = (s: AppState) => s.tokens.refresh;
export const selectSelectToken = (s: AppState) => s.tokens.select;

export const selectSelectedToken = (s: AppState): TokenInfo | undefined =>
  s.tokens.selectedId === null
    ? undefined
    : s.tokens.list.find((t) => t.id === s.tokens.selectedId);

export const selectSession = (s: AppState) => s.session.current;
export const selectSessionPending = (s: AppState) => s.session.pending;
export const selectLockReason = (s: AppState) => s.session.lockReason;
export const selectLogin = (s: AppState) => s.session.login;
export const selectLogout = (s: AppState) => s.session.logout;
export const selectDismissLock = (s: AppState) => s.session.dismissLock;
export const selectTouch = (s: AppState) => s.session.touch;
export const selectKeyCheck = (s: AppState) => s.session.keyCheck;
export const selectCheckKey = (s: AppState) => s.session.checkKey;

export const selectPinChangePending = (s: AppState) => s.pinChange.pending;
export const selectPinChangeTokenId = (s: AppState) => s.pinChange.tokenId;
export const selectPinChangeDone = (s: AppState) => s.pinChange.done;
export const selectPinChangeProblem = (s: AppState) => s.pinChange.problem;
export const selectPinChangeError = (s: AppState) => s.pinChange.error;
export const selectChangePin = (s: AppState) => s.pinChange.change;
export const selectResetPinChange = (s: AppState) => s.pinChange.reset;

/** The token `id` as the list shows it now (its PIN state may have moved since sign-in). */
export const selectListedToken =
  (id: string) =>
  (s: AppState): TokenInfo | undefined =>
    s.tokens.list.find((t) => t.id === id);

/** The one error the sign-in screen shows: the session's, else the token list's. */
export const selectVisibleError = (s: AppState) => s.session.lastError ?? s.tokens.error;

export const selectConnect = (s: AppState) => s.host.connect;

export const selectVaultState = (s: AppState) => s.vault.state;
export const selectVaultInitialising = (s: AppState) => s.vault.initialising;
export const selectVaultError = (s: AppState) => s.vault.error;
export const selectInitVault = (s: AppState) => s.vault.init;

export const selectDrafts = (s: AppState) => s.drafts;
export const selectDraftPage = (s: AppState) => s.drafts.page;
export const selectDraftQuery = (s: AppState) => s.drafts.query;
export const selectDraftsLoading = (s: AppState) => s.drafts.loading;
export const selectDraftEditor = (s: AppState) => s.drafts.editor;
export const selectDraftsBusy = (s: AppState) => s.drafts.busy;
export const selectDraftsUploading = (s: AppState) => s.drafts.uploading;
export const selectDraftsDone = (s: AppState) => s.drafts.done;
export const selectDraftsError = (s: AppState) => s.drafts.error;
export const selectOutbox = (s: AppState) => s.boxes.outbox;
export const selectInbox = (s: AppState) => s.boxes.inbox;
export const selectLoadBox = (s: AppState) => s.boxes.load;
export const selectVaultTab = (s: AppState) => s.boxes.tab;
export const selectChooseTab = (s: AppState) => s.boxes.choose;

export const selectDirectory = (s: AppState) => s.directory;
export const selectOutboxView = (s: AppState) => s.outboxView;
export const selectOutboxLive = (s: AppState) => s.outboxView.live;
export const selectInboxView = (s: AppState) => s.inboxView;
export const selectSync = (s: AppState) => s.sync;
