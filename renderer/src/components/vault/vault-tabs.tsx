/**
 * The open vault's three lists as tabs (WAI-ARIA tabs pattern): drafts, outbox, inbox.
 * Arrow keys, Home and End move between tabs; each tab's panel is labelled by its tab.
 * Choosing the outbox or inbox reloads it, so a clerk sees what the vault holds now.
 */
import { useId, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { useT } from '../../i18n/use-t.ts';
import type { VaultTab } from '../../store/boxes-slice.ts';
import { selectChooseTab, selectVaultTab } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { InboxList } from './inbox-list.tsx';
import { OutboxList } from './outbox-list.tsx';

export type { VaultTab } from '../../store/boxes-slice.ts';
const tabs: readonly VaultTab[] = ['drafts', 'outbox', 'inbox'];

export function VaultTabs({ drafts }: { drafts: ReactNode }) {
  const t = useT();
  const base = useId();
  const selected = useAppStore(selectVaultTab);
  const show = useAppStore(selectChooseTab);
  const refs = useRef<Partial<Record<VaultTab, HTMLButtonElement | null>>>({});

  const choose = (tab: VaultTab, focus = false) => {
    show(tab);
    if (focus) refs.current[tab]?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = tabs.indexOf(selected);
    const next =
      event.key === 'ArrowRight'
        ? tabs[(at + 1) % tabs.length]
        : event.key === 'ArrowLeft'
          ? tabs[(at + tabs.length - 1) % tabs.length]
          : event.key === 'Home'
            ? tabs[0]
            : event.key === 'End'
              ? tabs[tabs.length - 1]
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    choose(next, true);
  };

  return (
    <div className="vault-tabs">
      <div
        className="tab-list"
        role="tablist"
        aria-label={t('boxes.tabs')}
        onKeyDown={onKeyDown}
        data-testid="vault-tabs"
      >
        {tabs.map((tab) => (
          <button
            key={tab}
            ref={(el) => {
              refs.current[tab] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${tab}`}
            aria-selected={selected === tab}
            aria-controls={`${base}-panel-${tab}`}
            tabIndex={selected === tab ? 0 : -1}
            className="tab"
            data-testid={`vault-tab-${tab}`}
            onClick={() => choose(tab)}
          >
            {t(`boxes.tab.${tab}`)}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab}
          role="tabpanel"
          id={`${base}-panel-${tab}`}
          aria-labelledby={`${base}-tab-${tab}`}
          hidden={selected !== tab}
          tabIndex={0}
          className="tab-panel"
        >
          {selected === tab &&
            (tab === 'drafts' ? drafts : tab === 'outbox' ? <OutboxList /> : <InboxList />)}
        </div>
      ))}
    </div>
  );
}
