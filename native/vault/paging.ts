/**
 * Paging and full-text search shared by the vault's lists (drafts, outbox, sent, inbox):
 * one rule for page bounds and one query shape for "rows whose search index matches".
 */
import { ftsTerms } from './search-terms.ts';
import type { Vault } from './vault.ts';

/** A page asked for: at most `limit` rows (1–500, default 50) after `offset` rows. */
export interface PageRequest {
  limit?: number;
  offset?: number;
}

/** `LIMIT ? OFFSET ?` values of a page request, clamped. */
export function pageBounds(page: PageRequest): [limit: number, offset: number] {
  return [Math.min(Math.max(page.limit ?? 50, 1), 500), Math.max(page.offset ?? 0, 0)];
}

/**
 * Rows of `select` (a SELECT whose main table has alias `alias` and an FTS index
 * `<table>_search`) matching what a clerk typed, ordered by `orderBy`, at most `limit`.
 * Nothing typed: no rows.
 */
export function searchRows<Row>(
  vault: Vault,
  select: { sql: string; table: string; alias: string; orderBy: string },
  query: string,
  limit: number,
): Row[] {
  const terms = ftsTerms(query);
  if (terms === '') return [];
  const { sql, table, alias, orderBy } = select;
  return vault.database
    .prepare(
      `${sql} WHERE ${alias}.id IN (SELECT rowid FROM ${table}_search WHERE ${table}_search MATCH ?)
       ORDER BY ${orderBy} LIMIT ?`,
    )
    .all(terms, limit) as Row[];
}
