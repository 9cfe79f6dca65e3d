/**
 * Why the last session ended (signed out, token removed, idle, service restarted).
 */
import { lockReasonKey } from '../i18n/translate.ts';
import { useT } from '../i18n/use-t.ts';
import { selectDismissLock, selectLockReason } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

export function LockNotice() {
  const t = useT();
  const reason = useAppStore(selectLockReason);
  const dismiss = useAppStore(selectDismissLock);
  if (reason === null) return null;
  return (
    <div
      className="alert alert-notice"
      role="status"
      data-testid="lock-message"
      data-lock-reason={reason}
    >
      <p>{t(lockReasonKey(reason))}</p>
      <button type="button" className="button button-quiet" onClick={dismiss}>
        {t('lock.dismiss')}
      </button>
    </div>
  );
}
