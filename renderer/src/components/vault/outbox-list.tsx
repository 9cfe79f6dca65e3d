/**
 * The outbox: sealed packages waiting to leave, newest first. Subject (a Tuyệt mật one
 * hidden), the level as its red marking, urgency, recipients by name and OrganId, the
 * date sealed (dd/MM/yyyy), the transport state and the outgoing register number (sổ đi).
 */
import type { OutboxItemView } from '../../../../native/api/boxes-contract.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectOutbox } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { AgencyCell, RegisterCell } from './box-parts.tsx';
import { BoxTable } from './box-table.tsx';
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
  const list = useAppStore(selectOutbox);
  return (
    <BoxTable
      box="outbox"
      list={list}
      columns={[
        t('outbox.col.subject'),
        t('outbox.col.level'),
        t('outbox.col.urgency'),
        t('outbox.col.recipients'),
        t('outbox.col.date'),
        t('outbox.col.state'),
        t('outbox.col.register'),
      ]}
      row={(item) => <OutboxRow item={item} t={t} />}
    />
  );
}
