/**
 * The outbox: sealed packages waiting to leave, newest first. Subject (a Tuyệt mật one
 * hidden), the level as its red marking, urgency, recipients by name and OrganId, the
 * date sealed (dd/MM/yyyy), the transport state and the outgoing register number (sổ đi).
 */
import { useId } from 'react';
import type { OutboxItemView } from '../../../../native/api/boxes-contract.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectLoadBox, selectLocale, selectOutbox } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { BOX_PAGE_SIZE } from '../../store/boxes-slice.ts';
import { AgencyCell, BoxError, BoxHead, BoxPager, RegisterCell } from './box-parts.tsx';
import { LevelBadge, UrgencyText } from './level-badge.tsx';

function OutboxRow({ item, t }: { item: OutboxItemView; t: Translate }) {
  return (
    <tr
      data-testid="outbox-row"
      data-outbox-id={item.id}
      data-level={item.level}
      data-transport-state={item.transportState}
    >
      <td>
        {item.subject === null ? (
          <em className="muted" data-testid="outbox-subject-hidden">
            {t('outbox.hiddenSubject')}
          </em>
        ) : (
          <span data-testid="outbox-subject">{item.subject}</span>
        )}
      </td>
      <td>
        <LevelBadge level={item.level} t={t} />
      </td>
      <td>
        <UrgencyText urgency={item.urgency} t={t} />
      </td>
      <td>
        <ul className="plain-list">
          {item.recipients.map((r) => (
            <li key={r.organId}>
              <AgencyCell agency={r} t={t} />
            </li>
          ))}
        </ul>
      </td>
      <td data-testid="outbox-date">{formatDate(item.createdAt)}</td>
      <td>
        <span
          className={`transport transport-${item.transportState}`}
          data-testid="transport-state"
          title={item.attempts > 0 ? t('outbox.attempts', { count: item.attempts }) : undefined}
        >
          {t(`transport.${item.transportState}`)}
        </span>
        {item.lastError !== null && item.transportState === 'failed' && (
          <span className="field-hint"> {item.lastError}</span>
        )}
      </td>
      <td>
        <RegisterCell register={item.register} t={t} />
      </td>
    </tr>
  );
}

export function OutboxList() {
  const t = useT();
  const headingId = useId();
  const locale = useAppStore(selectLocale);
  const { page, offset, loading, error } = useAppStore(selectOutbox);
  const load = useAppStore(selectLoadBox);
  const items = page?.items ?? [];

  return (
    <section className="panel boxes" aria-labelledby={headingId} data-testid="outbox-list">
      <BoxHead
        headingId={headingId}
        heading={t('outbox.heading')}
        intro={t('outbox.intro')}
        loading={loading}
        onReload={() => void load('outbox')}
        t={t}
      />
      <BoxError error={error} locale={locale} />
      <p className="muted" role="status" aria-live="polite">
        {loading && page === null ? t('boxes.loading') : ''}
      </p>
      {page !== null && items.length === 0 ? (
        <p data-testid="outbox-empty">{t('outbox.empty')}</p>
      ) : (
        items.length > 0 && (
          <div className="table-wrap">
            <table className="drafts-table" aria-labelledby={headingId} aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">{t('outbox.col.subject')}</th>
                  <th scope="col">{t('outbox.col.level')}</th>
                  <th scope="col">{t('outbox.col.urgency')}</th>
                  <th scope="col">{t('outbox.col.recipients')}</th>
                  <th scope="col">{t('outbox.col.date')}</th>
                  <th scope="col">{t('outbox.col.state')}</th>
                  <th scope="col">{t('outbox.col.register')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <OutboxRow key={item.id} item={item} t={t} />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      <BoxPager
        label={t('outbox.heading')}
        offset={offset}
        count={items.length}
        hasMore={page?.hasMore ?? false}
        loading={loading}
        onPage={(at, direction) => void load('outbox', at + direction * BOX_PAGE_SIZE)}
        t={t}
      />
    </section>
  );
}
