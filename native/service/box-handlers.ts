/**
 * The `outbox.list` and `inbox.list` methods of the contract over the open vault: a page
 * of each, newest first, read with the stores' list functions (which keep Tuyệt mật and
 * unopened subjects out), the counterpart agencies named from the directory. One row more
 * than the page is read to tell whether another page follows, without counting the box.
 */
import type { AgencyRef, InboxItemView } from '../api/boxes-contract.ts';
import {
  agencyNames,
  listInbox,
  listOutbox,
  type InboxSummary,
  type Vault,
} from '../vault/index.ts';
import type { Handlers } from './dispatcher.ts';
import { outboxItem } from './outbox-view.ts';

export type BoxHandlers = Pick<Handlers, 'outbox.list' | 'inbox.list'>;

function sender(i: InboxSummary, names: Map<string, string>): AgencyRef | null {
  if (i.senderOrganId === null) return null;
  return { organId: i.senderOrganId, name: names.get(i.senderOrganId) ?? i.senderName };
}

export function inboxItem(i: InboxSummary, names: Map<string, string>): InboxItemView {
  return {
    id: i.id,
    subject: i.subject,
    opened: i.openedAt !== null,
    level: i.level,
    urgency: i.urgency,
    sender: sender(i, names),
    status: i.status,
    register: i.register,
    receivedAt: i.receivedAt,
    openedAt: i.openedAt,
  };
}

export function boxHandlers(vault: () => Vault): BoxHandlers {
  return {
    'outbox.list': async ({ offset, limit }) => {
      const open = vault();
      const rows = listOutbox(open, { offset, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const names = agencyNames(
        open,
        items.flatMap((o) => o.recipients),
      );
      return {
        items: items.map((o) => outboxItem(o, names)),
        offset,
        limit,
        hasMore: rows.length > limit,
      };
    },
    'inbox.list': async ({ offset, limit }) => {
      const open = vault();
      const rows = listInbox(open, { offset, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const names = agencyNames(
        open,
        items.flatMap((i) => (i.senderOrganId === null ? [] : [i.senderOrganId])),
      );
      return {
        items: items.map((i) => inboxItem(i, names)),
        offset,
        limit,
        hasMore: rows.length > limit,
      };
    },
  };
}
