/**
 * The one error message of the screen: what happened and what to do, in the clerk's
 * language, with the PIN tries left when the token reports them.
 */
import { errorText } from '../i18n/translate.ts';
import { selectLocale, selectVisibleError } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

export function ErrorAlert() {
  const error = useAppStore(selectVisibleError);
  const locale = useAppStore(selectLocale);
  if (error === null) return null;
  return (
    <p
      className="alert alert-error"
      role="alert"
      data-testid="error-message"
      data-error-kind={error.kind}
    >
      {errorText(error, locale)}
    </p>
  );
}
