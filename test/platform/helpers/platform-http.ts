/**
 * A small HTTPS client for the platform server tests: one request per call, no connection
 * reuse, trusting only the demo CA chain. It returns what an attacker or a client would
 * see (status, headers, body bytes) and never parses on its own. Not a test file itself.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorReplySchema, type ErrorCode } from '../../../native/exchange/platform-wire.ts';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

export interface CallOptions {
  /** Bearer session token. */
  token?: string;
  /** A JSON body (sent with Content-Type: application/json). */
  json?: unknown;
  /** Raw bytes (sent as application/octet-stream unless headers say otherwise). */
  body?: Buffer;
  headers?: Record<string, string>;
  /** CA certificates (PEM) to trust for TLS. */
  ca?: string;
}

/** Sends one request to `base` + `path` and collects the whole reply. */
export function call(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpReply> {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.json !== undefined) {
    payload = Buffer.from(JSON.stringify(options.json), 'utf8');
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    payload = options.body;
    headers['content-type'] ??= 'application/octet-stream';
  }
  if (payload !== undefined) headers['content-length'] ??= String(payload.length);
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers,
        agent: false,
        ...(url.protocol === 'https:' && options.ca !== undefined ? { ca: options.ca } : {}),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Asserts `reply` is exactly an ErrorReply with `code` and `status`; returns its message. */
export function assertRefused(reply: HttpReply, status: number, code: ErrorCode): string {
  assert.equal(reply.status, status, reply.body.toString());
  const parsed = ErrorReplySchema.parse(reply.json());
  assert.equal(parsed.error.code, code, parsed.error.message);
  return parsed.error.message;
}
