/**
 * The selected outbox package: its state (live), size and hash, the platform's receipt
 * (verified when it came: who received it, when, for which recipients) and the notices
 * its recipients signed and sent back (01 arrived, 03 registered with their incoming
 * number, 02 refused with the reason …), oldest first.
 */
import { useId } from 'react';
import type { NoticeView, ReceiptView } from '../../../../native/api/exchange-contract.ts';
import { errorText, formatDateTime } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { shownTransport } from '../../store/outbox-view-slice.ts';
import { selectLocale, selectOutboxLive, selectOutboxView } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { AgencyCell, RegisterCell } from './box-parts.tsx';
import { formatSize } from './document-field.tsx';
import { LevelBadge } from './level-badge.tsx';
import { TransportCell } from './transport-cell.tsx';

function Receipt({ receipt, t }: { receipt: ReceiptView | null; t: Translate }) {
  if (receipt === null) {
    return (
      <p className="muted" data-testid="receipt-none">
        {t('outboxDetail.noReceipt')}
      </p>
    );
  }
  return (
    <dl className="facts" data-testid="receipt">
      <div className="fact-row">
        <dt>{t('outboxDetail.receiptPlatform')}</dt>
        <dd data-testid="receipt-platform">{receipt.platform || t('report.unknown')}</dd>
      </div>
      <div className="fact-row">
        <dt>{t('outboxDetail.receiptAt')}</dt>
        <dd data-testid="receipt-at">{formatDateTime(receipt.receivedAt)}</dd>
      </div>
      <div className="fact-row">
        <dt>{t('outboxDetail.receiptFor')}</dt>
        <dd className="mono">{receipt.recipients.join(', ')}</dd>
      </div>
      <div className="fact-row">
        <dt>{t('outboxDetail.receiptCheck')}</dt>
        <dd data-testid="receipt-verified" data-verified={receipt.verified}>
          {receipt.verified
            ? t('outboxDetail.receiptVerified')
            : t('outboxDetail.receiptNotVerified')}
        </dd>
      </div>
    </dl>
  );
}

function Notice({ notice, t }: { notice: NoticeView; t: Translate }) {
  return (
    <li className="notice" data-testid="notice" data-status={notice.status}>
      <span className="business-status" data-testid="notice-status">
        {notice.status} · {t(`status.${notice.status}`)}
      </span>{' '}
      <AgencyCell agency={notice.from} t={t} />{' '}
      <span className="muted" data-testid="notice-at">
        {formatDateTime(notice.at)}
      </span>
      {notice.register !== null && (
        <span>
          {' '}
          {t('outboxDetail.theirRegister')} <RegisterCell register={notice.register} t={t} />
        </span>
      )}
      {notice.reason !== null && (
        <span className="notice-reason" data-testid="notice-reason">
          {' '}
          {t('outboxDetail.reason', { reason: notice.reason })}
        </span>
      )}
    </li>
  );
}

export function OutboxDetailPanel() {
  const t = useT();
  const headingId = useId();
  const locale = useAppStore(selectLocale);
  const { selectedId, detail, loading, error, select } = useAppStore(selectOutboxView);
  const live = useAppStore(selectOutboxLive);
  if (selectedId === null) return null;
  const item = detail?.item;
  return (
    <section
      className="detail-panel"
      aria-labelledby={headingId}
      aria-busy={loading}
      data-testid="outbox-detail"
      data-outbox-id={selectedId}
    >
      <div className="section-head">
        <h3 id={headingId}>{t('outboxDetail.heading')}</h3>
        <button type="button" className="button button-quiet" onClick={() => void select(null)}>
          {t('detail.close')}
        </button>
      </div>
      {error !== null && (
        <p className="alert alert-error" role="alert" data-error-kind={error.kind}>
          {errorText(error, locale)}
        </p>
      )}
      {detail === null || item === undefined ? (
        loading && <p className="muted">{t('boxes.loading')}</p>
      ) : (
        <>
          <p className="detail-marking">
            <LevelBadge level={item.level} t={t} />
          </p>
          <dl className="facts">
            <div className="fact-row">
              <dt>{t('outbox.col.state')}</dt>
              <dd>
                <TransportCell
                  shown={shownTransport(item, live[item.id])}
                  action={item.action}
                  attempts={item.attempts}
                  t={t}
                  locale={locale}
                />
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('outbox.col.register')}</dt>
              <dd>
                <RegisterCell register={item.register} t={t} />
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('outboxDetail.size')}</dt>
              <dd>{formatSize(item.size, locale)}</dd>
            </div>
            <div className="fact-row">
              <dt>{t('outboxDetail.hash')}</dt>
              <dd className="mono" data-testid="outbox-sha256">
                {detail.packageSha256}
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('outboxDetail.attempts')}</dt>
              <dd>{item.attempts}</dd>
            </div>
          </dl>
          <h4>{t('outboxDetail.receipt')}</h4>
          <Receipt receipt={detail.receipt} t={t} />
          <h4>{t('outboxDetail.notices')}</h4>
          {detail.notices.length === 0 ? (
            <p className="muted" data-testid="notices-none">
              {t('outboxDetail.noNotices')}
            </p>
          ) : (
            <ul className="plain-list notice-list" data-testid="notices">
              {detail.notices.map((n) => (
                <Notice key={`${n.from.organId}-${n.status}`} notice={n} t={t} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
