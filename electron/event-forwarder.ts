/**
 * Forwards validated native events to the app's windows. An event goes only to web
 * contents that are alive and currently show a page of our app:// origin, on the
 * channel `niem:event:<name>`. Pure module; the wiring passes Electron's WebContents.
 */
import type { EventName } from '../native/api/contract.ts';
import { appOrigin as defaultOrigin, isAppOriginUrl, type AppOrigin } from './app-origin.ts';
import { eventChannel } from './ipc-channels.ts';

/** The parts of a WebContents an event is delivered through. */
export interface EventRecipient {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, payload: unknown): void;
}

/** Sends one event to every eligible recipient; returns how many received it. */
export function forwardEvent(
  name: EventName,
  payload: unknown,
  recipients: Iterable<EventRecipient>,
  origin: AppOrigin = defaultOrigin,
): number {
  const channel = eventChannel(name);
  let delivered = 0;
  for (const recipient of recipients) {
    if (recipient.isDestroyed() || !isAppOriginUrl(recipient.getURL(), origin)) continue;
    recipient.send(channel, payload);
    delivered += 1;
  }
  return delivered;
}
