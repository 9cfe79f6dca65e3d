/**
 * Navigation and window guards for every web contents (the main window's, and any
 * other that appears: `app.on('web-contents-created')` applies them too):
 *   - window.open and target=_blank are denied;
 *   - navigations and redirects to anything but our app:// origin are prevented, in the
 *     main frame and in sub-frames (will-navigate, will-frame-navigate, will-redirect);
 *   - <webview> attachment is refused;
 *   - Bluetooth device selection is cancelled.
 * Pure module (Electron types only) so tests drive it with a fake web contents.
 */
import type { WebContents } from 'electron';
import {
  appOrigin as defaultOrigin,
  isAppOriginUrl,
  urlForLog,
  type AppOrigin,
} from './app-origin.ts';

/** The parts of a WebContents the guard attaches to. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** The origin navigations may stay on (default app://niem) and where denials are logged. */
export interface GuardOptions {
  origin?: AppOrigin;
  log?: (line: string) => void;
}

const guarded = new WeakSet<object>();

/** True when a page of ours may navigate to `url`: same app origin only. */
export function isAllowedNavigation(url: unknown, origin: AppOrigin = defaultOrigin): boolean {
  return isAppOriginUrl(url, origin);
}

/** Attaches the guards once per web contents (calling again is a no-op). */
export function guardWebContents(contents: GuardedContents, options: GuardOptions = {}): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const origin = options.origin ?? defaultOrigin;
  const log = options.log;

  contents.setWindowOpenHandler(({ url }) => {
    log?.(`window.open denied: ${urlForLog(url)}`);
    return { action: 'deny' };
  });

  const blockForeign =
    (what: string) =>
    (event: { url: string; preventDefault(): void }): void => {
      if (isAllowedNavigation(event.url, origin)) return;
      event.preventDefault();
      log?.(`${what} denied: ${urlForLog(event.url)}`);
    };
  contents.on('will-navigate', blockForeign('navigation'));
  contents.on('will-frame-navigate', blockForeign('frame navigation'));
  contents.on('will-redirect', blockForeign('redirect'));

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log?.('webview attachment denied');
  });

  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
}
