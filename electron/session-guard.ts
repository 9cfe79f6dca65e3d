/**
 * Hardens a session (the default one, which every Niêm window uses):
 *   - every permission request is denied and every permission check is false
 *     (camera, notifications, clipboard read, HID, USB, serial, ...);
 *   - device choosers (HID, serial, USB) are cancelled instead of picking a device;
 *   - downloads are cancelled;
 *   - the spell checker is off (it would fetch dictionaries from the network);
 *   - every web request to anything but our app:// origin is cancelled: the renderer
 *     never needs the network (the native process does the syncing).
 * Pure module (Electron types only) so tests drive it with a fake session.
 */
import type { Session } from 'electron';
import {
  appOrigin as defaultOrigin,
  isAppOriginUrl,
  urlForLog,
  type AppOrigin,
} from './app-origin.ts';

/** The parts of a Session the guard uses. */
export type GuardedSession = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setSpellCheckerEnabled'
  | 'on'
> & { readonly webRequest: Pick<Session['webRequest'], 'onBeforeRequest'> };

/** How strict the session is: development mode only adds the devtools front end. */
export interface SessionGuardOptions {
  /** Development mode also lets the devtools front end (devtools:) load. */
  development: boolean;
  origin?: AppOrigin;
  log?: (line: string) => void;
}

/**
 * True when the session may load `request.url`: our origin; `data:` URLs for
 * sub-resources (images the CSP allows; they never leave the machine), never for a frame;
 * and, in development only, the devtools front end.
 */
export function isAllowedRequest(
  request: { url: unknown; resourceType?: string },
  options: { development: boolean; origin?: AppOrigin },
): boolean {
  const { url, resourceType } = request;
  if (isAppOriginUrl(url, options.origin ?? defaultOrigin)) return true;
  if (typeof url !== 'string') return false;
  if (url.startsWith('data:')) return resourceType !== 'mainFrame' && resourceType !== 'subFrame';
  return options.development && url.startsWith('devtools://');
}

export function hardenSession(session: GuardedSession, options: SessionGuardOptions): void {
  const { log } = options;

  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log?.(`permission request denied: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  if (typeof session.setDevicePermissionHandler === 'function') {
    session.setDevicePermissionHandler(() => false);
  }

  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('will-download', (event, item) => {
    event.preventDefault();
    log?.(`download cancelled: ${urlForLog(item.getURL())}`);
  });

  session.setSpellCheckerEnabled(false);

  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details, options);
    if (!allowed) log?.(`request blocked: ${urlForLog(details.url)}`);
    callback({ cancel: !allowed });
  });
}
