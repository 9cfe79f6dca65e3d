/**
 * The sign-in screen: why the last session ended (if it did), the token picker, the
 * PIN entry and the error message.
 */
import { useId } from 'react';
import { useT } from '../i18n/use-t.ts';
import { ErrorAlert } from './error-alert.tsx';
import { LockNotice } from './lock-notice.tsx';
import { PinForm } from './pin-form.tsx';
import { TokenPicker } from './token-picker.tsx';

export function SignInScreen() {
  const t = useT();
  const titleId = useId();
  return (
    <section className="panel sign-in" aria-labelledby={titleId}>
      <h1 id={titleId}>{t('signIn.title')}</h1>
      <p className="intro">{t('signIn.intro')}</p>
      <LockNotice />
      <TokenPicker />
      <ErrorAlert />
      <PinForm />
    </section>
  );
}
