/**
 * "Check the token": signs a random challenge on the token and verifies it against the
 * certificate, then says what happened: verified (algorithm, time on the token), a
 * signature that does not match, or the error.
 */
import { algorithmName, errorText } from '../i18n/translate.ts';
import type { Translate } from '../i18n/translate.ts';
import { selectCheckKey, selectKeyCheck, selectLocale } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

/** The button; disabled while a check (or `busy` work of the parent) is in flight. */
export function KeyCheckButton({ t, busy }: { t: Translate; busy: boolean }) {
  const { pending } = useAppStore(selectKeyCheck);
  const checkKey = useAppStore(selectCheckKey);
  return (
    <button
      type="button"
      className="button"
      data-testid="check-key-button"
      disabled={pending || busy}
      aria-busy={pending}
      onClick={() => void checkKey()}
    >
      {pending ? t('checkKey.running') : t('checkKey.run')}
    </button>
  );
}

/** The last check's outcome, if any. */
export function KeyCheckOutcome({ t }: { t: Translate }) {
  const { result, error } = useAppStore(selectKeyCheck);
  const locale = useAppStore(selectLocale);
  if (error !== null) {
    return (
      <p
        className="alert alert-error"
        role="alert"
        data-testid="check-key-result"
        data-error-kind={error.kind}
      >
        {errorText(error, locale)}
      </p>
    );
  }
  if (result === null) return null;
  const algorithm = algorithmName(result.algorithm);
  return result.verified ? (
    <p
      className="alert alert-success"
      role="status"
      data-testid="check-key-result"
      data-verified="true"
    >
      {t('checkKey.ok', { algorithm, ms: Math.round(result.tokenMs) })}
    </p>
  ) : (
    <p
      className="alert alert-error"
      role="alert"
      data-testid="check-key-result"
      data-verified="false"
    >
      {t('checkKey.mismatch', { algorithm })}
    </p>
  );
}
