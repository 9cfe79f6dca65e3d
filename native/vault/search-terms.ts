/**
 * The text of the full-text index and of its queries, folded the same way. FTS5's
 * unicode61 tokenizer removes diacritics ("Quyết" → "quyet") but keeps "đ", a letter of
 * its own rather than d with a mark: "dinh" would never find "định". So the index is fed
 * text with đ/Đ turned into d/D (migration 0003, in SQL: `foldedSql`) and queries are
 * folded alike (ftsTerms): typed with or without diacritics, a word finds its row.
 */

/** `text` with đ/Đ as d/D (the rest is left to the tokenizer). */
export function foldForSearch(text: string): string {
  return text.replaceAll('đ', 'd').replaceAll('Đ', 'D');
}

/** The SQL expression of foldForSearch over `expression`. */
export function foldedSql(expression: string): string {
  return `replace(replace(${expression}, 'đ', 'd'), 'Đ', 'D')`;
}

/**
 * The FTS5 query of what a clerk typed: each word folded and quoted (no operator
 * injection: `"`, `*`, `NEAR`, `-` are searched as text), all words required. Empty
 * when nothing was typed.
 */
export function ftsTerms(search: string | undefined): string {
  return (search ?? '')
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => `"${foldForSearch(t).replaceAll('"', '""')}"`)
    .join(' AND ');
}
