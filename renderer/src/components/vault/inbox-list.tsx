/**
 * The inbox: received packages, newest first. Subject (known only once the package was
 * opened and verified; until then a note says so), the level as its red marking (the
 * outer level until opened), urgency, the sender, the date received (dd/MM/yyyy), the
 * business status (DOMAIN.md) and the incoming register number (sổ đến).
 */
import { useId } from 'react';
import type { InboxItemView } from '../../../../native/api/boxes-contract.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectInbox, selectLoadBox, selectLocale } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { BOX_PAGE_SIZE } from '../../store/boxes-slice.ts';
import { AgencyCell, BoxError, BoxHead, BoxPager, RegisterCell } from './box-parts.tsx';
import { LevelBadge, UrgencyText } from './level-badge.tsx';

function Subject({ item, t }: { item: InboxItemView; t: Translate }) {
  if (item.subject !== null) return <span data-testid="inbox-subject">{item.subject}</span>;
  return (
    <em className="muted" data-testid="inbox-subject-hidden" data-opened={item.opened}>
      {item.opened ? t('inbox.noSubject') : t('inbox.unopenedSubject')}
    </em>
  );
}

function InboxRow({ item, t }: { item: InboxItemView; t: Translate }) {
  return (
    <tr
      data-testid="inbox-row"
      data-inbox-id={item.id}
      data-level={item.level}
      data-status={item.status ?? ''}
      data-opened={item.opened}
    >
      <td>
        <Subject item={item} t={t} />
      </td>
      <td>
        <LevelBadge level={item.level} t={t} />
      </td>
      <td>
        {item.urgency === null ? (
          <span className="muted">{t('inbox.unknown')}</span>
        ) : (
          <UrgencyText urgency={item.urgency} t={t} />
        )}
      </td>
      <td>
        {item.sender === null ? (
          <span className="muted">{t('inbox.unknown')}</span>
        ) : (
          <AgencyCell agency={item.sender} t={t} />
        )}
      </td>
      <td data-testid="inbox-date">{formatDate(item.receivedAt)}</td>
      <td>
        {item.status !== null && (
          <span className="business-status" data-testid="business-status">
            {t(`status.${item.status}`)}
          </span>
        )}
      </td>
      <td>
        <RegisterCell register={item.register} t={t} />
      </td>
    </tr>
  );
}

export function InboxList() {
  const t = useT();
  const headingId = useId();
  const locale = useAppStore(selectLocale);
  const { page, offset, loading, error } = useAppStore(selectInbox);
  const load = useAppStore(selectLoadBox);
  const items = page?.items ?? [];

  return (
    <section className="panel boxes" aria-labelledby={headingId} data-testid="inbox-list">
      <BoxHead
        headingId={headingId}
        heading={t('inbox.heading')}
        intro={t('inbox.intro')}
        loading={loading}
        onReload={() => void load('inbox')}
        t={t}
      />
      <BoxError error={error} locale={locale} />
      <p className="muted" role="status" aria-live="polite">
        {loading && page === null ? t('boxes.loading') : ''}
      </p>
      {page !== null && items.length === 0 ? (
        <p data-testid="inbox-empty">{t('inbox.empty')}</p>
      ) : (
        items.length > 0 && (
          <div className="table-wrap">
            <table className="drafts-table" aria-labelledby={headingId} aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.col.subject')}</th>
                  <th scope="col">{t('inbox.col.level')}</th>
                  <th scope="col">{t('inbox.col.urgency')}</th>
                  <th scope="col">{t('inbox.col.sender')}</th>
                  <th scope="col">{t('inbox.col.date')}</th>
                  <th scope="col">{t('inbox.col.status')}</th>
                  <th scope="col">{t('inbox.col.register')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <InboxRow key={item.id} item={item} t={t} />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      <BoxPager
        label={t('inbox.heading')}
        offset={offset}
        count={items.length}
        hasMore={page?.hasMore ?? false}
        loading={loading}
        onPage={(at, direction) => void load('inbox', at + direction * BOX_PAGE_SIZE)}
        t={t}
      />
    </section>
  );
}
