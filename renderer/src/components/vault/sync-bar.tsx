/**
 * Sync with the agency's platform, in one line above the vault's tabs: where it syncs,
 * whether a round is running, when the last one ended (or why it failed), and "Đồng bộ
 * ngay". Without a configured platform it says the app works offline: drafts are sealed
 * all the same and leave when sync is set up.
 */
import { errorText, formatDateTime } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectLocale, selectSync } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';

export function SyncBar() {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const { state, asking, error, now } = useAppStore(selectSync);
  if (state === null) return null;
  const running = state.phase === 'running';
  const problem = error ?? state.lastError;
  return (
    <section
      className="sync-bar"
      aria-label={t('sync.label')}
      data-testid="sync-bar"
      data-phase={state.phase}
      data-configured={state.configured}
    >
      <p className="sync-where">
        {state.configured ? (
          <>
            {t('sync.platform')} <span className="mono">{state.platform}</span>
          </>
        ) : (
          t('sync.offline')
        )}
      </p>
      <p className="muted sync-status" role="status" aria-live="polite" data-testid="sync-status">
        {running
          ? t('sync.running')
          : state.lastRunAt !== null
            ? t('sync.lastRun', { time: formatDateTime(state.lastRunAt) })
            : state.configured
              ? t('sync.notYet')
              : ''}
      </p>
      {problem !== null && (
        <p className="field-problem" data-testid="sync-error" data-error-kind={problem.kind}>
          {errorText(problem, locale)}
        </p>
      )}
      {state.configured && (
        <button
          type="button"
          className="button"
          data-testid="sync-now"
          disabled={asking || running}
          onClick={() => void now()}
        >
          {running ? t('sync.runningShort') : t('sync.now')}
        </button>
      )}
    </section>
  );
}
