/**
 * The app's own origin. The renderer is served only from `app://niem/…` (never from a
 * file: URL or the network); IPC senders, navigations and event targets are checked
 * against it. Pure module: loaded by tests under plain Node.
 */

/** A protocol (with its colon, as `URL.protocol` gives it) and a host, compared exactly. */
export interface AppOrigin {
  readonly protocol: `${string}:`;
  readonly host: string;
}

export const APP_SCHEME = 'app';
export const APP_HOST = 'niem';

/** The origin the renderer is served from. */
export const appOrigin: AppOrigin = Object.freeze({ protocol: 'app:', host: APP_HOST });

/** The page every window loads. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Longest URL we bother parsing; anything longer is refused. */
const MAX_URL_LENGTH = 8192;

/**
 * True when `url` is a well-formed URL on exactly `origin`: same protocol, same host,
 * no port, no user name or password. Anything else (other schemes, other hosts,
 * `about:blank`, `data:`, garbage, non-strings) is false.
 */
export function isAppOriginUrl(url: unknown, origin: AppOrigin = appOrigin): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === origin.protocol &&
    parsed.host === origin.host &&
    parsed.hostname === origin.host &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** A URL cut down for a log line: at most 200 characters, no control characters. */
export function urlForLog(url: unknown): string {
  if (typeof url !== 'string') return `<${typeof url}>`;
  // eslint-disable-next-line no-control-regex
  const clean = url.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
