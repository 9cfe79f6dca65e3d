/**
 * The interface language. Vietnamese by default; the clerk's choice is remembered in the
 * given storage (localStorage in the browser). Storage failures never break the UI.
 */
import type { StateCreator } from 'zustand/vanilla';
import { defaultLocale, isLocale } from '../i18n/catalog.ts';
import type { Locale } from '../i18n/catalog.ts';
import type { AppState } from './app-state.ts';

/** The part of the Web Storage API the locale slice needs. */
export interface LocaleStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Storage key of the remembered interface language. */
export const localeStorageKey = 'niem.locale';

export interface LocaleSlice {
  ui: {
    locale: Locale;
    setLocale(locale: Locale): void;
  };
}

export function readStoredLocale(storage: LocaleStorage | undefined): Locale {
  try {
    const stored = storage?.getItem(localeStorageKey);
    return isLocale(stored) ? stored : defaultLocale;
  } catch {
    return defaultLocale;
  }
}

export function createLocaleSlice(
  storage: LocaleStorage | undefined,
): StateCreator<AppState, [], [], LocaleSlice> {
  return (set) => ({
    ui: {
      locale: readStoredLocale(storage),
      setLocale(locale) {
        set((s) => ({ ui: { ...s.ui, locale } }));
        try {
          storage?.setItem(localeStorageKey, locale);
        } catch {
          // Private mode or a full quota: the choice lasts for this window only.
        }
      },
    },
  });
}
