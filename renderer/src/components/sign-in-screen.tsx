/**
 * The sign-in screen, which is also the lock screen: why the last session ended (if it
 * did), the vault shown locked, the token picker, the PIN entry and the error message,
 * and the PIN change for the chosen token.
 */
import { useId, useState } from 'react';
import { useT } from '../i18n/use-t.ts';
import { selectSelectedToken } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { ChangePinForm, ChangePinToggle } from './change-pin-form.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { LockNotice } from './lock-notice.tsx';
import { PinForm } from './pin-form.tsx';
import { TokenPicker } from './token-picker.tsx';
import { VaultLockBanner } from './vault/vault-screen.tsx';

export function SignInScreen() {
  const t = useT();
  const titleId = useId();
  const changeId = useId();
  const token = useAppStore(selectSelectedToken);
  const [changing, setChanging] = useState(false);
  return (
    <section className="panel sign-in" aria-labelledby={titleId}>
      <h1 id={titleId}>{t('signIn.title')}</h1>
      <p className="intro">{t('signIn.intro')}</p>
      <LockNotice />
      <VaultLockBanner />
      <TokenPicker />
      <ErrorAlert />
      <PinForm />
      {token !== undefined && (
        <div className="secondary-actions">
          <ChangePinToggle
            open={changing}
            onToggle={() => setChanging((open) => !open)}
            controls={changeId}
            token={token}
            t={t}
          />
          {changing && <ChangePinForm key={token.id} id={changeId} token={token} />}
        </div>
      )}
    </section>
  );
}
