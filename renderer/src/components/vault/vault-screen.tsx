/**
 * The vault after sign-in, by its state: opening; locked (with why it did not open);
 * absent (offer to initialise it for this token); open (tabs: the drafts list and the
 * editor, the outbox, the inbox; and a notice when a damaged database was restored from a
 * snapshot). Also the lock
 * banner of the sign-in screen: while signed out the vault is locked and shows nothing.
 */
import { useId } from 'react';
import type { WireError } from '../../../../native/api/errors.ts';
import { errorText, formatDateTime } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import {
  selectDraftEditor,
  selectDraftsDone,
  selectDraftsError,
  selectInitVault,
  selectLocale,
  selectVaultError,
  selectVaultInitialising,
  selectVaultState,
} from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { DraftEditor } from './draft-editor.tsx';
import { DraftsList } from './drafts-list.tsx';
import { SyncBar } from './sync-bar.tsx';
import { VaultTabs } from './vault-tabs.tsx';

function VaultError({ error, testId }: { error: WireError | null; testId: string }) {
  const locale = useAppStore(selectLocale);
  if (error === null) return null;
  return (
    <p className="alert alert-error" role="alert" data-testid={testId} data-error-kind={error.kind}>
      {errorText(error, locale)}
    </p>
  );
}

/** Shown on the sign-in screen: the vault is locked until the clerk signs in. */
export function VaultLockBanner() {
  const t = useT();
  return (
    <div className="vault-lock" data-testid="vault-lock-screen" role="note">
      <span className="vault-lock-icon" aria-hidden="true" />
      <div>
        <p className="vault-lock-title">{t('vault.locked')}</p>
        <p className="muted">{t('vault.lockedBody')}</p>
      </div>
    </div>
  );
}

export function VaultScreen() {
  const t = useT();
  const headingId = useId();
  const state = useAppStore(selectVaultState);
  const vaultError = useAppStore(selectVaultError);
  const initialising = useAppStore(selectVaultInitialising);
  const init = useAppStore(selectInitVault);
  const editor = useAppStore(selectDraftEditor);
  const draftsError = useAppStore(selectDraftsError);
  const done = useAppStore(selectDraftsDone);

  if (state === null) {
    return (
      <p className="muted" role="status">
        {t('vault.loading')}
      </p>
    );
  }

  if (state.state === 'locked') {
    return (
      <section className="panel" aria-labelledby={headingId} data-testid="vault-locked">
        <h2 id={headingId}>{t('vault.locked')}</h2>
        {state.problem !== null && <p>{t('vault.lockedProblem')}</p>}
        <VaultError error={state.problem ?? vaultError} testId="vault-error" />
        {state.problem === null && <p className="muted">{t('vault.lockedBody')}</p>}
      </section>
    );
  }

  if (state.state === 'absent') {
    return (
      <section className="panel" aria-labelledby={headingId} data-testid="vault-absent">
        <h2 id={headingId}>{t('vault.absentTitle')}</h2>
        <p>{t('vault.absentBody', { profile: state.profile })}</p>
        <VaultError error={vaultError} testId="vault-error" />
        <button
          type="button"
          className="button button-primary"
          data-testid="vault-init"
          disabled={initialising}
          onClick={() => void init()}
        >
          {initialising ? t('vault.initialising') : t('vault.init')}
        </button>
      </section>
    );
  }

  return (
    <div className="vault-open" data-testid="vault-open">
      <p className="muted vault-where" data-testid="vault-where">
        {t('vault.openIn', { profile: state.profile })}
      </p>
      {state.restored !== undefined && (
        <p className="alert alert-warning" role="alert" data-testid="vault-restored">
          {t('vault.restored', { time: formatDateTime(state.restored.snapshotTime) })}
        </p>
      )}
      <SyncBar />
      <VaultTabs
        drafts={
          <>
            <VaultError error={draftsError} testId="drafts-error" />
            {done === 'deleted' && (
              <p className="alert alert-success" role="status">
                {t('drafts.deleted')}
              </p>
            )}
            {editor !== null && (
              <DraftEditor
                key={editor.draft === null ? 'new' : `draft-${editor.draft.id}`}
                draft={editor.draft}
              />
            )}
            <DraftsList />
          </>
        }
      />
    </div>
  );
}
