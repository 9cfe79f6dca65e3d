/**
 * How the vault lists print: aligned tables in the clerk's language(s), levels by name,
 * dates as dd/MM/yyyy, and a Tuyệt mật subject replaced by its notice until opened.
 */
import { levels, urgencies, type LevelCode, type UrgencyCode } from '../../native/seal/levels.ts';
import { formatDate } from '../cli-dates.ts';
import type { Lang } from '../cli-messages.ts';
import { profileMessages } from './profile-messages.ts';
import { langsOf } from './profile-session.ts';

type Headings = (typeof profileMessages.headings)['vi'];
/** One column: its heading key and the cell of a row in a language. */
export type Column<T> = [keyof Headings, (row: T, l: 'vi' | 'en') => string];

/** The level's name in `l`. */
export const levelName = (level: LevelCode, l: 'vi' | 'en'): string => levels[level][l];

/** The urgency's name in `l`; empty for none. */
export const urgencyName = (urgency: UrgencyCode, l: 'vi' | 'en'): string =>
  urgency === 'thuong' ? '' : urgencies[urgency][l];

/** The subject, or the notice that stands for it while hidden. */
export function subjectCell(
  subject: string | null,
  level: LevelCode,
  l: 'vi' | 'en',
  opened = true,
): string {
  if (subject !== null) return subject;
  if (level === 'tuyet-mat') return profileMessages.hiddenSubject[l];
  return opened ? '' : profileMessages.unopenedSubject[l];
}

/** A date cell. */
export const dateCell = (iso: string | null): string => (iso === null ? '' : formatDate(iso));

/** The rows as one aligned table per language. */
export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  lang: Lang,
): string {
  return langsOf(lang)
    .map((l) => {
      if (rows.length === 0) return profileMessages.empty[l];
      const head = columns.map(([key]) => profileMessages.headings[l][key]);
      const body = rows.map((row) => columns.map(([, cell]) => cell(row, l)));
      const widths = head.map((h, i) =>
        Math.max([...h].length, ...body.map((r) => [...(r[i] ?? '')].length)),
      );
      const line = (cells: string[]): string =>
        cells
          .map((c, i) =>
            i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length),
          )
          .join('  ');
      return [line(head), ...body.map(line)].join('\n');
    })
    .join('\n\n');
}
