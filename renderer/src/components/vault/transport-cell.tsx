/**
 * An outbox package's transport state in words a clerk can trust (docs/exchange.md):
 * Chờ gửi · Đang gửi n% (with a progress bar) · Đã gửi (có biên nhận) · Đã đến nơi ·
 * Lỗi – sẽ thử lại lúc HH:mm · Lỗi – the reason and what to do. Red stays reserved for
 * level markings: failures use the error colour.
 */
import type { OutboxItemView } from '../../../../native/api/boxes-contract.ts';
import type { WireError } from '../../../../native/api/errors.ts';
import type { Locale } from '../../i18n/catalog.ts';
import { errorText, formatTimeSoon } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import type { ShownTransport } from '../../store/outbox-view-slice.ts';

type Action = NonNullable<OutboxItemView['action']>;

/** The one-line state, as the list and the detail say it. */
export function transportText(shown: ShownTransport, t: Translate): string {
  switch (shown.state) {
    case 'queued':
      return t('transport.queued');
    case 'uploading':
      return t('transport.uploading', { percent: shown.percent ?? 0 });
    case 'sent':
      return t('transport.sent');
    case 'delivered':
      return t('transport.delivered');
    case 'failed-retrying':
      return shown.nextAttemptAt === null
        ? t('transport.failedRetryingSoon')
        : t('transport.failed-retrying', { time: formatTimeSoon(shown.nextAttemptAt) });
    case 'failed':
      return t('transport.failed');
  }
}

/** The platform's reason for a refusal (`detail.code`), in words; null when it gave none we know. */
export function platformReason(error: WireError, t: Translate): string | null {
  if (error.kind !== 'platform-refused') return null;
  const organId = error.detail?.organId ?? '?';
  switch (error.detail?.code) {
    case 'level-not-approved':
      return t('platformCode.level-not-approved');
    case 'recipient-not-cleared':
      return t('platformCode.recipient-not-cleared', { organId });
    case 'recipient-unknown':
      return t('platformCode.recipient-unknown', { organId });
    case 'malformed-package':
      return t('platformCode.malformed-package');
    case 'forbidden':
      return t('platformCode.forbidden');
    case 'auth-refused':
      return t('platformCode.auth-refused');
    case 'too-large':
      return t('platformCode.too-large');
    default:
      return null;
  }
}

/** What the clerk can do about a failed package. */
export function actionText(action: Action, t: Translate): string {
  return t(`transport.action.${action}`);
}

export function TransportCell({
  shown,
  action,
  attempts,
  t,
  locale,
}: {
  shown: ShownTransport;
  action: Action | null;
  attempts: number;
  t: Translate;
  locale: Locale;
}) {
  const failing = shown.state === 'failed' || shown.state === 'failed-retrying';
  return (
    <div className="transport-cell">
      <span
        className={`transport transport-${shown.state}`}
        data-testid="transport-state"
        data-state={shown.state}
        title={attempts > 0 ? t('outbox.attempts', { count: attempts }) : undefined}
      >
        {transportText(shown, t)}
      </span>
      {shown.state === 'uploading' && (
        <progress
          className="transport-progress"
          data-testid="transport-progress"
          max={100}
          value={shown.percent ?? 0}
          aria-label={t('transport.progressLabel', { percent: shown.percent ?? 0 })}
        />
      )}
      {failing && shown.error !== null && (
        <span className="field-hint transport-reason" data-testid="transport-reason">
          {platformReason(shown.error, t) ?? errorText(shown.error, locale)}
        </span>
      )}
      {shown.state === 'failed' && action !== null && (
        <span className="transport-action" data-testid="transport-action" data-action={action}>
          {t('transport.todo')} {actionText(action, t)}
        </span>
      )}
    </div>
  );
}
