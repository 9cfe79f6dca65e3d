/**
 * The application: the shell, and the screen for the current session state (signed in:
 * who the clerk is and the vault; signed out: the sign-in screen, the vault locked). Connects
 * the store to the host on mount, keeps the document's language and title in step, and
 * reports the clerk's activity while signed in (idle lock).
 */
import { useEffect } from 'react';
import { useT } from '../i18n/use-t.ts';
import { selectConnect, selectLocale, selectSession } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { useActivityReporter } from './activity-reporter.ts';
import { AppShell } from './app-shell.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { IdentityCard } from './identity-card.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { SignInScreen } from './sign-in-screen.tsx';
import { VaultScreen } from './vault/vault-screen.tsx';

export function App() {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const connect = useAppStore(selectConnect);
  const session = useAppStore(selectSession);

  useEffect(() => connect(), [connect]);
  useActivityReporter(session.state === 'signed-in');

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);

  return (
    <AppShell appName={t('app.name')} tagline={t('app.tagline')} tools={<LanguageSwitch />}>
      {session.state === 'signed-in' ? (
        <>
          <ErrorAlert />
          <IdentityCard identity={session.identity} token={session.token} since={session.since} />
          <VaultScreen />
        </>
      ) : (
        <SignInScreen />
      )}
    </AppShell>
  );
}
