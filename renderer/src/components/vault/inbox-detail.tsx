/**
 * The selected inbox package. Before it is opened: its outer level (red marking), sender
 * unknown, the subject hidden (it is inside the package; a Tuyệt mật subject stays hidden
 * in every list until its recipient opens it), and "Mở". Opening verifies it from the
 * vault with the clerk's token (nothing is written outside the vault); the first open
 * registers it (sổ đến, status 03). Then: the subject, the verification report, the
 * documents with "save to folder", the register number and the status history.
 */
import { useId } from 'react';
import type { StatusHistoryEntry } from '../../../../native/api/inbox-open-contract.ts';
import { errorText, formatDate, formatDateTime } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectInboxView, selectLocale } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { AgencyCell, RegisterCell } from './box-parts.tsx';
import { InboxDocuments } from './inbox-documents.tsx';
import { LevelBadge } from './level-badge.tsx';
import { VerificationReport } from './verification-report.tsx';

function History({ history, t }: { history: readonly StatusHistoryEntry[]; t: Translate }) {
  if (history.length === 0) return null;
  return (
    <>
      <h4>{t('inboxDetail.history')}</h4>
      <ol className="status-history" data-testid="status-history">
        {history.map((h, i) => (
          <li key={i} data-status={h.status}>
            <span className="business-status">
              {h.status} · {t(`status.${h.status}`)}
            </span>{' '}
            <span className="muted">
              {formatDateTime(h.at)} — {h.actor}
            </span>
            {h.note !== null && <span> — {h.note}</span>}
          </li>
        ))}
      </ol>
    </>
  );
}

export function InboxDetailPanel() {
  const t = useT();
  const headingId = useId();
  const locale = useAppStore(selectLocale);
  const { selectedId, detail, loading, opening, error, select, open } =
    useAppStore(selectInboxView);
  if (selectedId === null) return null;
  const item = detail?.item;
  const report = detail?.report ?? null;
  return (
    <section
      className="detail-panel"
      aria-labelledby={headingId}
      aria-busy={loading || opening}
      data-testid="inbox-detail"
      data-inbox-id={selectedId}
      data-opened={item?.opened ?? false}
    >
      <div className="section-head">
        <h3 id={headingId}>{t('inboxDetail.heading')}</h3>
        <button type="button" className="button button-quiet" onClick={() => void select(null)}>
          {t('detail.close')}
        </button>
      </div>
      {error !== null && (
        <p
          className="alert alert-error"
          role="alert"
          data-testid="inbox-error"
          data-error-kind={error.kind}
        >
          {errorText(error, locale)}
        </p>
      )}
      {detail === null || item === undefined ? (
        loading && <p className="muted">{t('boxes.loading')}</p>
      ) : (
        <>
          <p className="detail-marking" data-testid="inbox-marking">
            <LevelBadge level={item.level} t={t} />
          </p>
          <dl className="facts">
            <div className="fact-row">
              <dt>{t('inbox.col.subject')}</dt>
              <dd>
                {item.subject !== null ? (
                  <span data-testid="inbox-detail-subject">{item.subject}</span>
                ) : (
                  <em className="muted" data-testid="inbox-detail-subject-hidden">
                    {item.opened ? t('inbox.noSubject') : t('inbox.unopenedSubject')}
                  </em>
                )}
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('inbox.col.sender')}</dt>
              <dd>
                {item.sender === null ? (
                  <span className="muted">{t('inbox.unknown')}</span>
                ) : (
                  <AgencyCell agency={item.sender} t={t} />
                )}
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('inbox.col.date')}</dt>
              <dd>{formatDate(item.receivedAt)}</dd>
            </div>
            <div className="fact-row">
              <dt>{t('inbox.col.register')}</dt>
              <dd data-testid="inbox-detail-register">
                <RegisterCell register={item.register} t={t} />
              </dd>
            </div>
            <div className="fact-row">
              <dt>{t('outboxDetail.hash')}</dt>
              <dd className="mono">{detail.packageSha256}</dd>
            </div>
          </dl>
          {!item.opened && (
            <div className="open-package">
              <p className="muted">{t('inboxDetail.openExplain')}</p>
              <button
                type="button"
                className="button button-primary"
                data-testid="inbox-open-button"
                disabled={opening}
                onClick={() => void open()}
              >
                {opening ? t('inboxDetail.opening') : t('inboxDetail.open')}
              </button>
            </div>
          )}
          {report !== null && <VerificationReport report={report} t={t} />}
          {item.opened && detail.documents.length > 0 && (
            <InboxDocuments
              key={selectedId}
              documents={detail.documents}
              exportFolder={detail.exportFolder}
              canExport={report?.verdict === 'valid' && detail.documents.some((d) => d.stored)}
              t={t}
              locale={locale}
            />
          )}
          <History history={detail.history} t={t} />
        </>
      )}
    </section>
  );
}
