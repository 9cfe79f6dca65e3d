/**
 * The table part of a paged list (drafts, outbox, inbox): the loading line (only while
 * the first page is on its way), then either the list's "empty" text once a page came
 * back without rows, or the table: one header cell a column, one row an item.
 */
import { Fragment } from 'react';
import type { ReactNode } from 'react';

export function ListTable<T extends { id: number }>({
  headingId,
  loading,
  loaded,
  loadingText,
  empty,
  columns,
  items,
  row,
}: {
  /** The list's heading, which labels the table. */
  headingId: string;
  loading: boolean;
  /** True once a page came back. */
  loaded: boolean;
  loadingText: string;
  /** Shown when the page came back without rows. */
  empty: ReactNode;
  /** The column headings. */
  columns: readonly string[];
  items: readonly T[];
  row: (item: T) => ReactNode;
}) {
  return (
    <>
      <p className="muted" role="status" aria-live="polite">
        {loading && !loaded ? loadingText : ''}
      </p>
      {loaded && items.length === 0
        ? empty
        : items.length > 0 && (
            <div className="table-wrap">
              <table className="drafts-table" aria-labelledby={headingId} aria-busy={loading}>
                <thead>
                  <tr>
                    {columns.map((column, i) => (
                      <th key={i} scope="col">
                        {column}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <Fragment key={item.id}>{row(item)}</Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
    </>
  );
}
