/**
 * Browser side of the test bridge: defines `window.niem` with the same builder the
 * Electron preload uses, over fetch to the loopback bridge. Loaded as a classic script
 * before the renderer's module entry. The secret comes in the URL fragment; it is moved
 * to sessionStorage (so a reload keeps working) and removed from the address bar.
 */
import { buildBridge } from '../../../electron/preload/bridge-builder.ts';
import type { EventName } from '../../../native/api/contract.ts';

const STORAGE_KEY = 'niem-bridge-secret';

function takeSecret(): string {
  const match = /(?:^#|&)k=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(STORAGE_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? '';
}

const secret = takeSecret();
const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

async function readEvents(): Promise<void> {
  for (;;) {
    try {
      const response = await fetch('/__bridge/events', { headers: { 'x-niem-bridge': secret } });
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const { name, payload } = JSON.parse(line) as { name: EventName; payload: unknown };
          for (const listener of listeners.get(name) ?? []) listener(payload);
        }
      }
    } catch {
      // the bridge restarted or the connection dropped: try again shortly
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

const niem = buildBridge({
  host: 'bridge',
  async invoke(method, params) {
    const response = await fetch(`/__bridge/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-niem-bridge': secret },
      body: JSON.stringify(params),
    });
    if (!response.ok) throw new Error(`bridge refused ${method}: HTTP ${response.status}`);
    return response.json();
  },
  subscribe(event, callback) {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(callback);
    return () => set.delete(callback);
  },
});

Object.defineProperty(window, 'niem', { value: niem, enumerable: true });
void readEvents();
