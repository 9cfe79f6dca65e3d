/**
 * The test bridge: test and demo tooling, never packaged. Serves the renderer build and
 * the contract over loopback (127.0.0.1 only, a random secret per start) to the same
 * native process Electron would run, so the real UI can be driven in Debian's Chromium.
 *
 * Requests are refused unless the Host header names our exact loopback address (no DNS
 * rebinding), API calls carry the secret and come from our own origin with a JSON body.
 * The page gets the secret in the URL fragment, which is never sent to a server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMethodName } from '../../native/api/contract.ts';
import { childSpawner } from '../../native/host/child-spawner.ts';
import { NativeSupervisor } from '../../native/host/supervisor.ts';
import { SECURITY_HEADERS } from '../../electron/csp.ts';
import { buildBridgeClient } from './bridge-client-build.ts';
import { createAppProtocolHandler } from '../../electron/app-protocol.ts';
import { APP_HOST, APP_SCHEME } from '../../electron/app-origin.ts';

export interface BridgeOptions {
  /** Folder of the renderer build (index.html and assets). */
  rendererDir: string;
  /** Environment of the native process (SOFTHSM2_CONF, NIEM_PKCS11_MODULE, …). */
  env?: NodeJS.ProcessEnv;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Diagnostic lines of the bridge and the native process. */
  log?: (line: string) => void;
}

export interface Bridge {
  /** Address to open in a browser, secret included in the fragment. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly secret: string;
  readonly supervisor: NativeSupervisor;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
/** drafts.addDocument only: room for one document (8 MiB as base64) and its JSON. */
const MAX_DOCUMENT_BODY = 12 * 1024 * 1024;
const SECRET_HEADER = 'x-niem-bridge';

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const log = options.log ?? (() => {});
  const secret = randomBytes(32).toString('base64url');
  const secretBytes = Buffer.from(secret);
  const supervisor = new NativeSupervisor({
    spawn: childSpawner({ env: options.env ?? process.env, onStderr: log }),
    log,
  });
  await supervisor.start();
  // Files are served by the same guarded handler as Electron's app:// protocol.
  const serveApp = createAppProtocolHandler({ rootDir: options.rendererDir, log });
  const clientJs = await buildBridgeClient();
  const streams = new Set<ServerResponse>();
  supervisor.onEvent((name, payload) => {
    const line = `${JSON.stringify({ name, payload })}\n`;
    for (const res of streams) res.write(line);
  });

  let origin = '';
  const authorised = (req: IncomingMessage): boolean => {
    const given = Buffer.from(String(req.headers[SECRET_HEADER] ?? ''));
    return given.length === secretBytes.length && timingSafeEqual(given, secretBytes);
  };

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (req.headers.host !== origin.slice('http://'.length)) {
      return refuse(res, 421, 'wrong host');
    }
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname.startsWith('/__bridge/')) {
      return void handleApi(req, res, url.pathname).catch((err: unknown) => {
        log(`bridge error: ${String(err)}`);
        if (!res.headersSent) refuse(res, 500, 'bridge error');
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'method not allowed');
    if (url.pathname === '/bridge-client.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      return void res.end(clientJs);
    }
    void serveFile(req, res).catch((err: unknown) => {
      log(`bridge error: ${String(err)}`);
      if (!res.headersSent) refuse(res, 500, 'bridge error');
    });
  });

  /** Maps the request onto app://niem/… and answers with what the app protocol gives. */
  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const response = await serveApp(
      new Request(`${APP_SCHEME}://${APP_HOST}${req.url ?? '/'}`, { method: req.method ?? 'GET' }),
    );
    const headers = Object.fromEntries(response.headers);
    let body = Buffer.from(await response.arrayBuffer());
    if (response.ok && headers['content-type']?.startsWith('text/html')) {
      // The only difference from Electron: the bridge client defines window.niem first.
      const html = body
        .toString('utf8')
        .replace('<head>', '<head>\n    <script src="/bridge-client.js"></script>');
      body = Buffer.from(html);
    }
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
  ): Promise<void> {
    if (!authorised(req)) return refuse(res, 401, 'missing or wrong bridge secret');
    const fromOrigin = req.headers.origin;
    if (fromOrigin !== undefined && fromOrigin !== origin)
      return refuse(res, 403, 'foreign origin');
    if (pathname === '/__bridge/events' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
      res.write('\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const match = /^\/__bridge\/call\/([a-z]+\.[a-zA-Z]+)$/.exec(pathname);
    if (!match || req.method !== 'POST') return refuse(res, 404, 'no such call');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse(res, 415, 'JSON only');
    }
    const method = match[1] ?? '';
    if (!isMethodName(method)) return refuse(res, 404, 'no such method');
    let params: unknown;
    try {
      params = JSON.parse(
        await readBody(req, method === 'drafts.addDocument' ? MAX_DOCUMENT_BODY : MAX_BODY),
      );
    } catch {
      return refuse(res, 400, 'malformed body');
    }
    const result = await supervisor.call(method, params);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(result));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#k=${secret}`,
    origin,
    secret,
    supervisor,
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await supervisor.stop();
    },
  };
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${reason}\n`);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
