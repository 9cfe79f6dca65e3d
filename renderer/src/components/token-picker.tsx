/**
 * The tokens the native side sees, as a radio group, with a refresh button and an
 * empty state that tells the clerk to insert the token.
 */
import { useId } from 'react';
import { useT } from '../i18n/use-t.ts';
import {
  selectFailedModules,
  selectRefreshTokens,
  selectSelectedTokenId,
  selectSelectToken,
  selectTokenList,
  selectTokensLoaded,
  selectTokensLoading,
} from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { TokenOption } from './token-option.tsx';

export function TokenPicker() {
  const t = useT();
  const headingId = useId();
  const list = useAppStore(selectTokenList);
  const loading = useAppStore(selectTokensLoading);
  const loaded = useAppStore(selectTokensLoaded);
  const selectedId = useAppStore(selectSelectedTokenId);
  const refresh = useAppStore(selectRefreshTokens);
  const select = useAppStore(selectSelectToken);
  const failedModules = useAppStore(selectFailedModules);

  let body;
  if (!loaded) {
    body = (
      <p className="muted" role="status">
        {t('tokens.loading')}
      </p>
    );
  } else if (list.length === 0) {
    body = <p className="empty-state">{t('tokens.empty')}</p>;
  } else {
    body = list.map((token) => (
      <TokenOption
        key={token.id}
        token={token}
        selected={token.id === selectedId}
        onSelect={select}
        t={t}
      />
    ));
  }

  return (
    <section className="token-picker" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{t('tokens.heading')}</h2>
        <button
          type="button"
          className="button button-quiet"
          data-testid="refresh-tokens"
          disabled={loading}
          aria-busy={loading}
          onClick={() => void refresh()}
        >
          {loading ? t('tokens.loading') : t('tokens.refresh')}
        </button>
      </div>
      <div
        className="token-list"
        data-testid="token-list"
        role="radiogroup"
        aria-labelledby={headingId}
        aria-busy={loading}
      >
        {body}
      </div>
      {failedModules.length > 0 && (
        <ul className="module-problems" data-testid="module-problems">
          {failedModules.map((m) => (
            <li key={m.path}>{t('tokens.moduleFailed', { path: m.path, reason: m.reason })}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
