/**
 * The inbox: received packages, newest first. Subject (known only once the package was
 * opened and verified; until then a note says so), the level as its red marking (the
 * outer level until opened), urgency, the sender, the date received (dd/MM/yyyy), the
 * business status (DOMAIN.md) and the incoming register number (sổ đến). A row's subject
 * cell selects it: the detail below opens it and shows the report and the documents.
 */
import type { InboxItemView } from '../../../../native/api/boxes-contract.ts';
import { formatDate } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { selectInbox, selectInboxView } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { AgencyCell, RegisterCell } from './box-parts.tsx';
import { BoxTable } from './box-table.tsx';
import { InboxDetailPanel } from './inbox-detail.tsx';
import { LevelBadge, UrgencyText } from './level-badge.tsx';

function Subject({ item, t }: { item: InboxItemView; t: Translate }) {
  if (item.subject !== null) return <span data-testid="inbox-subject">{item.subject}</span>;
  return (
    <em className="muted" data-testid="inbox-subject-hidden" data-opened={item.opened}>
      {item.opened ? t('inbox.noSubject') : t('inbox.unopenedSubject')}
    </em>
  );
}

function InboxRow({
  item,
  t,
  selected,
  onSelect,
}: {
  item: InboxItemView;
  t: Translate;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <tr
      data-testid="inbox-row"
      data-inbox-id={item.id}
      data-level={item.level}
      data-status={item.status ?? ''}
      data-opened={item.opened}
      data-selected={selected}
      className={selected ? 'row-selected' : undefined}
    >
      <td>
        <button
          type="button"
          className="link-button"
          data-testid="inbox-select"
          aria-pressed={selected}
          aria-label={
            item.subject === null
              ? t('inbox.selectHidden', { id: item.id })
              : t('inbox.select', { subject: item.subject })
          }
          onClick={onSelect}
        >
          <Subject item={item} t={t} />
        </button>
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
  const list = useAppStore(selectInbox);
  const { selectedId, select } = useAppStore(selectInboxView);
  return (
    <BoxTable
      box="inbox"
      list={list}
      after={selectedId === null ? null : <InboxDetailPanel />}
      columns={[
        t('inbox.col.subject'),
        t('inbox.col.level'),
        t('inbox.col.urgency'),
        t('inbox.col.sender'),
        t('inbox.col.date'),
        t('inbox.col.status'),
        t('inbox.col.register'),
      ]}
      row={(item) => (
        <InboxRow
          item={item}
          t={t}
          selected={item.id === selectedId}
          onSelect={() => void select(item.id === selectedId ? null : item.id)}
        />
      )}
    />
  );
}
