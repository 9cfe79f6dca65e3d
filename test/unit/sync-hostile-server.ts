/**
 * A hostile platform for the client tests: a real HTTPS server (node:https on 127.0.0.1)
 * that answers whatever a test tells it to, byte for byte: it is an attacker or a broken
 * peer, not a mock of the platform. It answers the two auth routes correctly by default
 * (so a test reaches the reply it is about) and records every request it receives, with
 * its body, so a test can tell what the client sent and what it did not. Not a test file.
 */
import { randomBytes } from 'node:crypto';
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { routes } from '../../native/exchange/platform-wire.ts';
import type { ServerIdentity } from './sync-tls-pki.ts';

/** The clerk's agency in these tests. */
export const SENDER = '000.00.00.G22';

/** A request as the server received it. */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface HostileServer {
  /** `https://127.0.0.1:port` (or http:// for a plain server). */
  readonly url: string;
  /** Every request received, in order. */
  readonly seen: Seen[];
  /** Connections accepted (TLS handshakes completed, or TCP connections for plain HTTP). */
  connections(): number;
  /** Answers `method path` (exact, or a RegExp on the path without the query) with `handler`. */
  on(method: string, path: string | RegExp, handler: Handler): void;
  /** The requests received on paths matching `path`. */
  requests(method: string, path: string | RegExp): Seen[];
  close(): Promise<void>;
}

/** Writes a JSON reply. */
export function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    ...headers,
  });
  res.end(body);
}

/** Writes a platform ErrorReply. */
export function errorReply(
  res: ServerResponse,
  status: number,
  code: string,
  organId?: string,
): void {
  json(res, status, {
    error: { code, message: `hostile ${code}`, ...(organId === undefined ? {} : { organId }) },
  });
}

function matches(path: string | RegExp, actual: string): boolean {
  return typeof path === 'string' ? path === actual : path.test(actual);
}

/** The default session: a fresh bearer token for SENDER, valid 15 minutes. */
export function sessionHandler(organId = SENDER): Handler {
  return (_req, res) =>
    json(res, 200, {
      token: randomBytes(32).toString('base64url'),
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      organId,
    });
}

export const challengeHandler: Handler = (_req, res) =>
  json(res, 200, {
    nonce: randomBytes(32).toString('base64'),
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
  });

export async function startHostileServer(
  identity: ServerIdentity | 'plain-http',
): Promise<HostileServer> {
  const handlers: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const body = Buffer.concat(parts);
      seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const found = handlers.findLast((h) => h.method === req.method && matches(h.path, path));
      if (found === undefined) errorReply(res, 404, 'not-found');
      else found.handler(req, res, body);
    });
  };
  const server =
    identity === 'plain-http'
      ? http.createServer(listener)
      : https.createServer({ key: identity.key, cert: identity.cert }, listener);
  server.on('clientError', (_err, socket) => socket.destroy());
  let connections = 0;
  server.on(identity === 'plain-http' ? 'connection' : 'secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: HostileServer = {
    url: `${identity === 'plain-http' ? 'http' : 'https'}://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    on: (method, path, handler) => void handlers.push({ method, path, handler }),
    requests: (method, path) => seen.filter((s) => s.method === method && matches(path, s.path)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  api.on('POST', routes.challenge.path, challengeHandler);
  api.on('POST', routes.session.path, sessionHandler());
  return api;
}
