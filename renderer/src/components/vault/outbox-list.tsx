/**
 * The outbox: sealed packages, newest first. Subject (a Tuyệt mật one hidden), the level
 * as its red marking, urgency, recipients by name and OrganId, the date sealed
 * (dd/MM/yyyy), the transport state as it moves (live progress from the sync engine's
 * events) and the outgoing register number (sổ đi). A row's subject opens its detail:
 * the receipt and the notices its recipients sent back.
 */
import type { OutboxItemView } from '../../../../native/api/boxes-contract.ts';
import type { Locale } from '../../i18n/catalog.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { shownTransport } from '../../store/outbox-view-slice.ts';
import {
  selectDrafts,
  selectLocale,
  selectOutbox,
  selectOutboxLive,
  selectOutboxView,
} from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { AgencyCell, RegisterCell } from './box-parts.tsx';
import { BoxTable } from './box-table.tsx';
import { LevelBadge, UrgencyText } from './level-badge.tsx';
import { OutboxDetailPanel } from './outbox-detail.tsx';
import { TransportCell } from './transport-cell.tsx';

function OutboxRow({
  item,
  t,
  locale,
  selected,
  onSelect,
}: {
  item: OutboxItemView;
  t: Translate;
  locale: Locale;
  selected: boolean;
  onSelect: () => void;
}) {
  const live = useAppStore(selectOutboxLive)[item.id];
  const shown = shownTransport(item, live);
  return (
    <tr
      data-testid="outbox-row"
      data-outbox-id={item.id}
      data-level={item.level}
      data-transport-state={shown.state}
      data-selected={selected}
      className={selected ? 'row-selected' : undefined}
    >
      <td>
        <button
          type="button"
          className="link-button"
          data-testid="outbox-open"
          aria-pressed={selected}
          aria-label={
            item.subject === null
              ? t('outbox.openHidden', { id: item.id })
              : t('outbox.open', { subject: item.subject })
          }
          onClick={onSelect}
        >
          {item.subject === null ? (
            <em className="muted" data-testid="outbox-subject-hidden">
              {t('outbox.hiddenSubject')}
            </em>
          ) : (
            <span data-testid="outbox-subject">{item.subject}</span>
          )}
        </button>
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
        <TransportCell
          shown={shown}
          action={item.action}
          attempts={item.attempts}
          t={t}
          locale={locale}
        />
      </td>
      <td>
        <RegisterCell register={item.register} t={t} />
      </td>
    </tr>
  );
}

function SealedNotice({ t }: { t: Translate }) {
  const { done, sealed } = useAppStore(selectDrafts);
  if (done !== 'sealed' || sealed === null) return null;
  return (
    <p className="alert alert-success" role="status" data-testid="sealed-notice">
      {t('seal.done', { number: sealed.register.number, year: sealed.register.year })}
    </p>
  );
}

export function OutboxList() {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const list = useAppStore(selectOutbox);
  const { selectedId, select } = useAppStore(selectOutboxView);
  return (
    <BoxTable
      box="outbox"
      list={list}
      before={<SealedNotice t={t} />}
      after={selectedId === null ? null : <OutboxDetailPanel />}
      columns={[
        t('outbox.col.subject'),
        t('outbox.col.level'),
        t('outbox.col.urgency'),
        t('outbox.col.recipients'),
        t('outbox.col.date'),
        t('outbox.col.state'),
        t('outbox.col.register'),
      ]}
      row={(item) => (
        <OutboxRow
          item={item}
          t={t}
          locale={locale}
          selected={item.id === selectedId}
          onSelect={() => void select(item.id === selectedId ? null : item.id)}
        />
      )}
    />
  );
}
