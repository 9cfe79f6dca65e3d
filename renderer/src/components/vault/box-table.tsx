/**
 * One box (outbox or inbox) as its list shows it: the heading row with the reload button,
 * the intro, the error, the table of the loaded page and the pager. The box's texts are
 * its catalog keys (`outbox.heading`, `inbox.empty` …); the columns and the rows are the
 * caller's.
 */
import { useId } from 'react';
import type { ReactNode } from 'react';
import { useT } from '../../i18n/use-t.ts';
import { selectLoadBox, selectLocale } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { BOX_PAGE_SIZE } from '../../store/boxes-slice.ts';
import type { BoxList, BoxName } from '../../store/boxes-slice.ts';
import { BoxError, BoxHead, BoxPager } from './box-parts.tsx';
import { ListTable } from './list-table.tsx';

export function BoxTable<T extends { id: number }>({
  box,
  list,
  columns,
  row,
  before,
  after,
}: {
  box: BoxName;
  /** Shown above the table (e.g. a confirmation). */
  before?: ReactNode;
  /** Shown below the pager (e.g. the selected package's detail). */
  after?: ReactNode;
  list: BoxList<{ items: T[]; hasMore: boolean }>;
  /** The column headings. */
  columns: readonly string[];
  row: (item: T) => ReactNode;
}) {
  const t = useT();
  const headingId = useId();
  const locale = useAppStore(selectLocale);
  const load = useAppStore(selectLoadBox);
  const { page, offset, loading, error } = list;
  const items = page?.items ?? [];

  return (
    <section className="panel boxes" aria-labelledby={headingId} data-testid={`${box}-list`}>
      <BoxHead
        headingId={headingId}
        heading={t(`${box}.heading`)}
        intro={t(`${box}.intro`)}
        loading={loading}
        onReload={() => void load(box)}
        t={t}
      />
      {before}
      <BoxError error={error} locale={locale} />
      <ListTable
        headingId={headingId}
        loading={loading}
        loaded={page !== null}
        loadingText={t('boxes.loading')}
        empty={<p data-testid={`${box}-empty`}>{t(`${box}.empty`)}</p>}
        columns={columns}
        items={items}
        row={row}
      />
      <BoxPager
        label={t(`${box}.heading`)}
        offset={offset}
        count={items.length}
        hasMore={page?.hasMore ?? false}
        loading={loading}
        onPage={(at, direction) => void load(box, at + direction * BOX_PAGE_SIZE)}
        t={t}
      />
      {after}
    </section>
  );
}
