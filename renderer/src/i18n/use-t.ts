/**
 * The `t(key, params)` function for the language the clerk chose.
 */
import { useMemo } from 'react';
import { useAppStore } from '../store/store-context.tsx';
import { selectLocale } from '../store/selectors.ts';
import { createTranslator } from './translate.ts';
import type { Translate } from './translate.ts';

export function useT(): Translate {
  const locale = useAppStore(selectLocale);
  return useMemo(() => createTranslator(locale), [locale]);
}
