/**
 * Wires the IPC gate to ipcMain and native events to the windows. One
 * `ipcMain.handle('niem:<method>')` per contract method, each going through the gate;
 * no other channel is registered. Events from the supervisor are sent only to web
 * contents on our origin (event-forwarder.ts).
 */
import { ipcMain, type WebContents } from 'electron';
import { methodNames, type EventName } from '../native/api/contract.ts';
import type { EventRecipient } from './event-forwarder.ts';
import { forwardEvent } from './event-forwarder.ts';
import { methodChannel } from './ipc-channels.ts';
import { senderOf, type IpcGate } from './ipc-gate.ts';

/** Registers every contract method's channel; returns a function that unregisters them. */
export function registerIpcHandlers(gate: IpcGate): () => void {
  const channels = methodNames.map(methodChannel);
  for (const channel of channels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      gate.handle(channel, senderOf(event), args),
    );
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/**
 * Forwards events to `recipients()` (evaluated per event, so windows opened later are
 * included). `subscribe` is the supervisor's onEvent; returns its unsubscribe.
 */
export function forwardNativeEvents(
  subscribe: (listener: (name: EventName, payload: unknown) => void) => () => void,
  recipients: () => Iterable<WebContents>,
): () => void {
  return subscribe((name, payload) => {
    const targets: Iterable<EventRecipient> = recipients();
    forwardEvent(name, payload, targets);
  });
}
