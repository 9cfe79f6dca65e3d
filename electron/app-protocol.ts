/**
 * The `app://niem/…` protocol: serves the built renderer (dist/renderer) and nothing
 * else. Never a file: URL. Requests are mapped to files by `resolveAppRequestPath`, a
 * pure function that refuses anything ambiguous instead of normalizing it:
 * `..` and `.` segments (raw or percent-encoded), encoded separators and NUL,
 * backslashes, control characters, `:` (drive letters, NTFS streams), `%` left after
 * decoding (double encoding), dot-files, empty segments, other hosts, ports and user
 * info. Files of unknown type are not served. The handler then checks the real path
 * (after symlinks) is still inside the root, and answers with the CSP and nosniff.
 *
 * Pure module (Node APIs, no Electron): app-protocol-electron.ts registers it.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { appOrigin as defaultOrigin, type AppOrigin } from './app-origin.ts';
import { SECURITY_HEADERS } from './csp.ts';

/** Content types of the files a Vite build produces. Anything else is a 404. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
};

const MAX_URL_LENGTH = 2048;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Where a request URL leads: a file under the root with its type, or an HTTP refusal. */
export type AppPathResolution =
  | { ok: true; filePath: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

const refused = (status: 400 | 403 | 404, reason: string): AppPathResolution => ({
  ok: false,
  status,
  reason,
});

/**
 * Maps a request URL to a file under `rootDir`, or refuses it. `app://niem/` and
 * `app://niem` map to index.html; the query and fragment are ignored.
 */
export function resolveAppRequestPath(
  url: unknown,
  rootDir: string,
  origin: AppOrigin = defaultOrigin,
): AppPathResolution {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) return refused(400, 'bad url');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(url)) return refused(400, 'control character or backslash');
  const prefix = `${origin.protocol}//${origin.host}`;
  if (!url.startsWith(prefix)) return refused(403, 'other origin');
  const rest = url.slice(prefix.length);
  // Whatever follows the host must be the path: no port, no user info, no longer host.
  if (rest !== '' && !'/?#'.includes(rest.charAt(0))) return refused(403, 'other origin');
  const rawPath = rest.split(/[?#]/, 1)[0] ?? '';
  if (/%(2f|5c|00)/i.test(rawPath)) return refused(400, 'encoded separator or NUL');

  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return refused(400, 'malformed percent-encoding');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\%:]/.test(decoded)) {
    return refused(400, 'forbidden character in path');
  }

  const relative = decoded === '' || decoded === '/' ? 'index.html' : decoded.slice(1);
  const segments = relative.split('/');
  for (const segment of segments) {
    if (segment === '' || segment.startsWith('.'))
      return refused(400, 'empty, dot or dot-file segment');
    // Windows drops trailing dots and spaces: `index.html.` would name another file.
    if (segment.endsWith('.') || segment.endsWith(' '))
      return refused(400, 'trailing dot or space');
  }

  const fileName = segments[segments.length - 1] ?? '';
  const contentType = CONTENT_TYPES[path.extname(fileName).toLowerCase()];
  if (contentType === undefined) return refused(404, 'no such file type');

  const root = path.resolve(rootDir);
  const filePath = path.resolve(root, ...segments);
  if (!filePath.startsWith(root + path.sep)) return refused(403, 'outside the root');
  return { ok: true, filePath, contentType };
}

/** Headers of every app response: the CSP, nosniff and friends, plus the content type. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Content-Type': contentType };
}

function refusal(status: number): Response {
  const text = status === 404 ? 'Not found' : status === 405 ? 'Method not allowed' : 'Refused';
  return new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
}

/** Options of the app:// handler; the caller owns `rootDir` and keeps it read-only. */
export interface AppProtocolHandlerOptions {
  /** The built renderer (dist/renderer). */
  rootDir: string;
  origin?: AppOrigin;
  log?: (line: string) => void;
}

/** A `protocol.handle` handler serving `rootDir` on our origin. Never throws. */
export function createAppProtocolHandler(
  options: AppProtocolHandlerOptions,
): (request: Request) => Promise<Response> {
  const { rootDir, origin, log } = options;
  let realRoot: Promise<string> | undefined;

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
    const resolved = resolveAppRequestPath(request.url, rootDir, origin);
    if (!resolved.ok) {
      log?.(`app protocol refused (${resolved.status} ${resolved.reason})`);
      return refusal(resolved.status);
    }
    try {
      realRoot ??= realpath(rootDir);
      const root = await realRoot;
      const real = await realpath(resolved.filePath);
      if (!real.startsWith(root + path.sep)) {
        log?.('app protocol refused (symlink out of the root)');
        return refusal(404);
      }
      const info = await stat(real);
      if (!info.isFile() || info.size > MAX_FILE_BYTES) return refusal(404);
      const headers = appResponseHeaders(resolved.contentType);
      if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
      const body = new Uint8Array(await readFile(real));
      return new Response(body, { status: 200, headers });
    } catch {
      realRoot = undefined;
      return refusal(404);
    }
  };
}
