/**
 * The drafts list: search, sort and order, a table (subject, marking, urgency, recipients,
 * documents, date dd/MM/yyyy) with a Tuyệt mật subject hidden, and the pager. Each row
 * opens its draft with a real button (keyboard and screen readers).
 */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { DraftSort, DraftSummaryView } from '../../../../native/api/drafts-contract.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import {
  selectDraftPage,
  selectDraftQuery,
  selectDrafts,
  selectDraftsLoading,
} from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { LevelBadge, UrgencyText } from './level-badge.tsx';
import { ListTable } from './list-table.tsx';

const sorts: readonly DraftSort[] = ['updated', 'created', 'subject', 'level'];

function DraftRow({
  draft,
  t,
  onOpen,
}: {
  draft: DraftSummaryView;
  t: Translate;
  onOpen: () => void;
}) {
  const hidden = draft.subject === null;
  return (
    <tr data-testid="draft-row" data-draft-id={draft.id} data-level={draft.level}>
      <td>
        <button
          type="button"
          className="link-button"
          data-testid="draft-open"
          onClick={onOpen}
          aria-label={
            hidden
              ? t('drafts.openHidden', { id: draft.id })
              : t('drafts.open', { subject: draft.subject ?? '' })
          }
        >
          {hidden ? (
            <em className="muted" data-testid="draft-subject-hidden">
              {t('drafts.hiddenSubject')}
            </em>
          ) : (
            <span data-testid="draft-subject">{draft.subject}</span>
          )}
        </button>
      </td>
      <td>
        <LevelBadge level={draft.level} t={t} />
      </td>
      <td>
        <UrgencyText urgency={draft.urgency} t={t} />
      </td>
      <td className="mono">{draft.recipients.join(', ')}</td>
      <td className="number">{draft.documentCount}</td>
      <td data-testid="draft-date">{formatDate(draft.updatedAt)}</td>
    </tr>
  );
}

export function DraftsList() {
  const t = useT();
  const headingId = useId();
  const searchId = useId();
  const searchHintId = useId();
  const sortId = useId();
  const directionId = useId();
  const page = useAppStore(selectDraftPage);
  const query = useAppStore(selectDraftQuery);
  const loading = useAppStore(selectDraftsLoading);
  const { load, open, startNew } = useAppStore(selectDrafts);
  const [search, setSearch] = useState(query.search);

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void load({ search });
  };

  const items = page?.items ?? [];
  const total = page?.total ?? 0;
  const from = total === 0 ? 0 : query.offset + 1;
  const to = query.offset + items.length;

  return (
    <section className="panel drafts" aria-labelledby={headingId} data-testid="drafts-list">
      <div className="section-head">
        <h2 id={headingId}>{t('drafts.heading')}</h2>
        <button
          type="button"
          className="button button-primary"
          data-testid="draft-new"
          onClick={startNew}
        >
          {t('drafts.new')}
        </button>
      </div>
      <div className="list-tools">
        <form className="search-form" role="search" onSubmit={onSearch}>
          <label className="field-label" htmlFor={searchId}>
            {t('drafts.searchLabel')}
          </label>
          <div className="inline-fields">
            <input
              id={searchId}
              type="search"
              data-testid="draft-search"
              value={search}
              maxLength={200}
              aria-describedby={searchHintId}
              onChange={(e) => setSearch(e.target.value)}
            />
            <button type="submit" className="button">
              {t('drafts.search')}
            </button>
          </div>
          <p className="field-hint" id={searchHintId}>
            {t('drafts.searchHint')}
          </p>
        </form>
        <div>
          <label className="field-label" htmlFor={sortId}>
            {t('drafts.sortLabel')}
          </label>
          <select
            id={sortId}
            data-testid="draft-sort"
            value={query.sort}
            onChange={(e) => void load({ sort: e.target.value as DraftSort })}
          >
            {sorts.map((sort) => (
              <option key={sort} value={sort}>
                {t(`drafts.sort.${sort}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label className="field-label" htmlFor={directionId}>
            {t('drafts.directionLabel')}
          </label>
          <select
            id={directionId}
            value={query.direction}
            onChange={(e) => void load({ direction: e.target.value === 'asc' ? 'asc' : 'desc' })}
          >
            <option value="desc">{t('drafts.direction.desc')}</option>
            <option value="asc">{t('drafts.direction.asc')}</option>
          </select>
        </div>
      </div>
      <ListTable
        headingId={headingId}
        loading={loading}
        loaded={page !== null}
        loadingText={t('drafts.loading')}
        empty={
          <p data-testid="drafts-empty">
            {query.search.trim() === ''
              ? t('drafts.empty')
              : t('drafts.noMatch', { search: query.search })}
          </p>
        }
        columns={[
          t('drafts.col.subject'),
          t('drafts.col.level'),
          t('drafts.col.urgency'),
          t('drafts.col.recipients'),
          t('drafts.col.documents'),
          t('drafts.col.updated'),
        ]}
        items={items}
        row={(draft) => <DraftRow draft={draft} t={t} onOpen={() => void open(draft.id)} />}
      />
      {total > 0 && (
        <nav className="pager" aria-label={t('drafts.heading')}>
          <span data-testid="drafts-range">{t('drafts.range', { from, to, total })}</span>
          <button
            type="button"
            className="button button-quiet"
            disabled={query.offset === 0 || loading}
            onClick={() => void load({ offset: Math.max(0, query.offset - query.limit) })}
          >
            {t('drafts.previous')}
          </button>
          <button
            type="button"
            className="button button-quiet"
            disabled={to >= total || loading}
            onClick={() => void load({ offset: query.offset + query.limit })}
          >
            {t('drafts.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
