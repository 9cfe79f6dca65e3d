/**
 * Types shared by the message catalogs: the keys come from the Vietnamese catalog, and
 * every other language must provide a string for each of them (and no other key).
 */
import type { vi } from './vi.ts';

/** A key of the message catalog, e.g. `'tokens.empty'`. */
export type MessageKey = keyof typeof vi;

/** A complete catalog for one language. */
export type Catalog = { readonly [K in MessageKey]: string };

/** Languages of the interface; Vietnamese is the default. */
export type Locale = 'vi' | 'en';

export const locales: readonly Locale[] = ['vi', 'en'];
export const defaultLocale: Locale = 'vi';

export function isLocale(value: unknown): value is Locale {
  return value === 'vi' || value === 'en';
}

type PlaceholdersOf<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | PlaceholdersOf<Rest>
  : never;

/** The `{name}` placeholders of a message, computed from the Vietnamese text. */
export type ParamsOf<K extends MessageKey> = PlaceholdersOf<(typeof vi)[K]>;
