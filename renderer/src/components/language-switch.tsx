/**
 * Switches the interface between Vietnamese and English. The button names the other
 * language in that language, as clerks look for it.
 */
import { useT } from '../i18n/use-t.ts';
import { selectLocale, selectSetLocale } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

export function LanguageSwitch() {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const setLocale = useAppStore(selectSetLocale);
  const other = locale === 'vi' ? 'en' : 'vi';
  return (
    <button
      type="button"
      className="button button-quiet"
      data-testid="lang-switch"
      lang={other}
      title={t('lang.switchLabel')}
      onClick={() => setLocale(other)}
    >
      {t('lang.switch')}
    </button>
  );
}
