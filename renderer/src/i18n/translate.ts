/**
 * Turning catalog keys, error kinds and dates into text for one locale. Pure functions:
 * no DOM, no store, so the CLI-like tests in Node can use them as they are.
 */
import { errorMessages, triesLeftMessages } from '../../../native/api/i18n/error-messages.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { LockReason, PinState } from '../../../native/api/contract.ts';
import type { Catalog, Locale, MessageKey, ParamsOf } from './catalog.ts';
import { vi } from './vi.ts';
import { en } from './en.ts';

const catalogs: Readonly<Record<Locale, Catalog>> = { vi, en };

/** Values for a message's `{name}` placeholders. */
export type MessageParams<K extends MessageKey> = [ParamsOf<K>] extends [never]
  ? []
  : [params: Record<ParamsOf<K>, string | number>];

/** Looks up a message and fills its placeholders. */
export type Translate = <K extends MessageKey>(key: K, ...params: MessageParams<K>) => string;

/** Replaces each `{name}` in `text` by `params[name]`; unknown placeholders stay as written. */
export function fillPlaceholders(
  text: string,
  params: Readonly<Record<string, string | number>> | undefined,
): string {
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** A `t(key, params)` function for one locale. */
export function createTranslator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, ...rest) => fillPlaceholders(catalog[key], rest[0]);
}

/**
 * The clerk-facing text of an error: the kind's message, plus the tries left when known
 * (not for a locked PIN, whose message already says no try is left).
 */
export function errorText(error: Pick<WireError, 'kind' | 'triesLeft'>, locale: Locale): string {
  const entry = errorMessages[error.kind] ?? errorMessages.internal;
  const base = entry[locale];
  if (error.triesLeft === undefined || error.kind === 'pin-locked') return base;
  return `${base} ${fillPlaceholders(triesLeftMessages[locale], { tries: error.triesLeft })}`;
}

/**
 * The catalog key that explains why a session was closed. Passing the result to `t`
 * fails the typecheck if a lock reason has no message.
 */
export function lockReasonKey(reason: LockReason): `lock.${LockReason}` {
  return `lock.${reason}`;
}

/** The catalog key that describes a token's PIN state (checked like `lockReasonKey`). */
export function pinStateKey(state: PinState): `pinState.${PinState}` {
  return `pinState.${state}`;
}

const algorithmFamilies: Readonly<Record<string, string>> = {
  'rsa-pss': 'RSA-PSS',
  'rsa-pkcs1': 'RSA PKCS#1 v1.5',
  ecdsa: 'ECDSA',
};

/**
 * A signature algorithm id of the native side (`rsa-pss-sha256`, `ecdsa-sha384`) as a
 * reader knows it (`RSA-PSS / SHA-256`, `ECDSA / SHA-384`). Unknown ids stay as given.
 */
export function algorithmName(id: string): string {
  const match = /^(.+)-sha(\d+)$/.exec(id);
  const family = match?.[1] === undefined ? undefined : algorithmFamilies[match[1]];
  if (match === null || family === undefined) return id;
  return `${family} / SHA-${match[2]}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function dateParts(iso: string, timeZone: string | undefined): Record<string, string> | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(date);
  const out: Record<string, string> = {};
  for (const part of parts) out[part.type] = part.value;
  return out;
}

/**
 * An ISO 8601 instant as dd/MM/yyyy in `timeZone` (default: the workstation's zone).
 * Text that is not a date is returned unchanged rather than shown as "Invalid Date".
 */
export function formatDate(iso: string, timeZone?: string): string {
  const p = dateParts(iso, timeZone);
  if (p === null) return iso;
  return `${pad2(Number(p.day))}/${pad2(Number(p.month))}/${p.year}`;
}

/** An ISO 8601 instant as dd/MM/yyyy HH:mm in `timeZone` (default: the workstation's zone). */
export function formatDateTime(iso: string, timeZone?: string): string {
  const p = dateParts(iso, timeZone);
  if (p === null) return iso;
  return `${formatDate(iso, timeZone)} ${pad2(Number(p.hour))}:${pad2(Number(p.minute))}`;
}

/**
 * A moment a clerk waits for (a next attempt): HH:mm when it falls today in `timeZone`,
 * else dd/MM/yyyy HH:mm.
 */
export function formatTimeSoon(iso: string, now: Date = new Date(), timeZone?: string): string {
  const p = dateParts(iso, timeZone);
  if (p === null) return iso;
  const time = `${pad2(Number(p.hour))}:${pad2(Number(p.minute))}`;
  return formatDate(iso, timeZone) === formatDate(now.toISOString(), timeZone)
    ? time
    : `${formatDate(iso, timeZone)} ${time}`;
}
