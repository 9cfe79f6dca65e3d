/**
 * Shown when the page is opened without a host (`window.niem` missing): says so in both
 * languages instead of failing silently. Needs no store.
 */
import { createTranslator } from '../i18n/translate.ts';
import { locales } from '../i18n/catalog.ts';
import { AppShell } from './app-shell.tsx';

export function NoHostScreen() {
  const vi = createTranslator('vi');
  return (
    <AppShell appName={vi('app.name')} tagline={vi('app.tagline')}>
      <section className="panel notice-panel" role="alert" data-testid="no-host">
        {locales.map((locale) => {
          const t = createTranslator(locale);
          return (
            <div key={locale} lang={locale} className="no-host-block">
              <h1>{t('noHost.title')}</h1>
              <p>{t('noHost.body')}</p>
            </div>
          );
        })}
      </section>
    </AppShell>
  );
}
