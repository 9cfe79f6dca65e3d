/**
 * Requests to one platform origin over HTTPS (HTTP only in development), on a keep-alive
 * agent whose trust anchors are the profile's and nothing else: `ca` replaces Node's
 * bundled roots, the host name is checked, and after the handshake the verified chain
 * must end at one of the anchors (a second check that no other store was consulted).
 *
 * Time limits, all in milliseconds:
 * - connect: a new connection (TCP and TLS handshake) must be up within `connectTimeoutMs`;
 * - idle: while the client waits on the network (sending, waiting for the reply, reading
 *   it), `idleTimeoutMs` without progress ends the exchange;
 * - deadline: the total time spent waiting on the network for one exchange
 *   (`RequestSpec.deadlineMs`, which the caller scales with the bytes carried). Time the
 *   caller spends between reading two pieces of a reply is not counted, so a slow disk
 *   under a download is not taken for a slow platform.
 * Each ends the exchange with `platform-unreachable`; an abort signal ends it with the
 * signal's reason. Errors are NiemErrors (./platform-errors.ts), never raw socket errors.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { isStaleSocketError, networkError, unreachable, untrusted } from './platform-errors.ts';
import { Reply, type ExchangeState } from './transport-reply.ts';

/** Options of the transport. */
export interface TransportOptions {
  /** `https://host:port` (or `http://` when insecureDev). */
  origin: URL;
  /** DER CA certificates: the only roots a server certificate may chain to. */
  trustAnchors: readonly Uint8Array[];
  insecureDev: boolean;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Connections kept to the platform at most (default 4). */
  maxSockets?: number;
}

/** One request. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  /** Path and query, e.g. `/v1/mailbox?limit=100`. */
  path: string;
  headers?: Readonly<Record<string, string>>;
  /** Sent from this buffer in 256 KiB pieces (no copy); the caller keeps it unchanged until the reply. */
  body?: Uint8Array;
  /** Longest total wait on the network for this exchange, ms. */
  deadlineMs: number;
  signal?: AbortSignal;
}

/**
 * Size of the pieces a body is written in. Measured on 1 GiB of 8 MiB chunks over loopback
 * TLS: 16 KiB pieces cost 2.1 s of CPU, 64 KiB 1.9 s, 256 KiB 1.7 s, 1 MiB 1.6 s and a
 * whole 8 MiB chunk in one write 3.2 s (and sends slower: nothing goes out until all of it
 * is encrypted).
 */
const PIECE_BYTES = 256 * 1024;
/** An idle keep-alive connection is closed after this long (before a server would). */
const FREE_SOCKET_MS = 4_000;

/** The first write on a reused keep-alive connection failed: the server had closed it. */
class StaleSocket extends Error {}

function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/** Requests to one origin; `close()` ends its connections. */
export class HttpsTransport {
  readonly origin: string;
  readonly #options: TransportOptions;
  readonly #secure: boolean;
  readonly #agent: http.Agent;
  readonly #anchors: ReadonlySet<string>;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.origin = options.origin.origin;
    this.#secure = options.origin.protocol === 'https:';
    const common = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 4,
      timeout: FREE_SOCKET_MS,
    };
    this.#agent = this.#secure
      ? new https.Agent({
          ...common,
          ca: options.trustAnchors.map(toPem),
          minVersion: 'TLSv1.2',
          // Every connection does a full handshake, so its chain is there to check.
          maxCachedSessions: 0,
        })
      : new http.Agent(common);
    this.#anchors = new Set(
      options.trustAnchors.map((der) => createHash('sha256').update(der).digest('hex')),
    );
  }

  /**
   * Sends a request and resolves once the reply's headers arrive. A request that fails on
   * a reused keep-alive connection the server had just closed is sent once more on a new one
   * (every platform request is idempotent).
   */
  async send(spec: RequestSpec): Promise<Reply> {
    try {
      return await this.#exchange(spec, true);
    } catch (err) {
      if (err instanceof StaleSocket) return this.#exchange(spec, false);
      throw err;
    }
  }

  /** Ends every connection. */
  close(): void {
    this.#agent.destroy();
  }

  #exchange(spec: RequestSpec, mayRetry: boolean): Promise<Reply> {
    const { origin } = this;
    const { connectTimeoutMs, idleTimeoutMs } = this.#options;
    const signal = spec.signal;
    return new Promise<Reply>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const started = performance.now();
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => fail(signal?.reason);
      const state: ExchangeState = {
        failure: undefined,
        release: () => signal?.removeEventListener('abort', onAbort),
      };
      const clearTimers = (): void => {
        clearTimeout(connectTimer);
        clearTimeout(idleTimer);
        clearTimeout(deadline);
      };
      const fail = (err: unknown): void => {
        state.failure ??= err;
        clearTimers();
        req.destroy(err instanceof Error ? err : new Error(String(err)));
        if (!settled) {
          settled = true;
          state.release();
          reject(state.failure);
        }
      };
      const touch = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(
          () => fail(unreachable(`${origin} did not answer for ${idleTimeoutMs} ms`)),
          idleTimeoutMs,
        );
      };
      const deadline = setTimeout(
        () => fail(unreachable(`${origin} is too slow: no reply within ${spec.deadlineMs} ms`)),
        spec.deadlineMs,
      );
      const body = spec.body;
      const headers: Record<string, string> = { ...spec.headers };
      if (body !== undefined || spec.method !== 'GET') {
        headers['content-length'] = String(body?.length ?? 0);
      }
      const url = this.#options.origin;
      const request = this.#secure ? https.request : http.request;
      const req = request({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? undefined : Number(url.port),
        method: spec.method,
        path: spec.path,
        headers,
        agent: this.#agent,
      });
      signal?.addEventListener('abort', onAbort, { once: true });

      req.on('socket', (socket) => {
        if (req.reusedSocket) {
          touch();
          return;
        }
        connectTimer = setTimeout(
          () => fail(unreachable(`no connection to ${origin} within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        socket.once(this.#secure ? 'secureConnect' : 'connect', () => {
          clearTimeout(connectTimer);
          touch();
          if (this.#secure && !this.#chainEndsAtAnchor(socket as TLSSocket)) {
            fail(untrusted(`the certificate of ${origin} does not chain to a trust anchor`));
          }
        });
      });
      req.on('error', (err) => {
        clearTimers();
        if (settled) return; // after the headers, the reply's body reports it
        settled = true;
        state.release();
        if (state.failure !== undefined) reject(state.failure);
        else if (mayRetry && req.reusedSocket && isStaleSocketError(err)) reject(new StaleSocket());
        else reject(networkError(err, origin));
      });
      req.on('response', (res) => {
        clearTimers();
        if (settled) {
          res.resume();
          return;
        }
        settled = true;
        const budgetMs = spec.deadlineMs - (performance.now() - started);
        resolve(new Reply(req, res, state, { idleMs: idleTimeoutMs, budgetMs, origin }));
      });

      if (body === undefined || body.length === 0) {
        req.end();
        return;
      }
      let at = 0;
      const pump = (): void => {
        while (at < body.length) {
          if (req.destroyed) return;
          const end = Math.min(at + PIECE_BYTES, body.length);
          const more = req.write(body.subarray(at, end));
          at = end;
          if (!more) {
            req.once('drain', () => {
              if (!settled) touch();
              pump();
            });
            return;
          }
        }
        req.end();
      };
      pump();
    });
  }

  /** Whether the chain OpenSSL verified contains one of the trust anchors. */
  #chainEndsAtAnchor(socket: TLSSocket): boolean {
    if (!socket.authorized) return false;
    let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    const seen = new Set<DetailedPeerCertificate>();
    while (cert?.raw !== undefined && !seen.has(cert)) {
      if (this.#anchors.has(createHash('sha256').update(cert.raw).digest('hex'))) return true;
      seen.add(cert);
      cert = cert.issuerCertificate as DetailedPeerCertificate | undefined;
    }
    return false;
  }
}
