/**
 * The reference exchange platform: an HTTPS server (fastify) speaking the wire protocol of
 * native/exchange/platform-wire.ts over a PlatformStore (embedded SQLite or PostgreSQL).
 * This file only wires: the routes live in ./auth-routes.ts, ./directory-route.ts,
 * ./upload-routes.ts, ./chunk-route.ts, ./mailbox-routes.ts and ./notice-route.ts.
 *
 * - TLS always, except `tls: 'insecure-dev'` (plain HTTP, loopback addresses only).
 * - Every error reply is an ErrorReply; JSON bodies are at most MAX_JSON_BYTES.
 * - No request logging unless asked, and then never headers or bodies (bearer tokens,
 *   proofs and packages stay out of logs).
 */
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NiemError } from '../../native/api/errors.ts';
import { ErrorReplySchema, MAX_JSON_BYTES, routes } from '../../native/exchange/platform-wire.ts';
import type { PlatformStore } from '../store/platform-store.ts';
import { normaliseOrigin, registerAuth } from './auth-routes.ts';
import { registerChunks } from './chunk-route.ts';
import { registerDirectory } from './directory-route.ts';
import { registerMailbox } from './mailbox-routes.ts';
import { registerNotices } from './notice-route.ts';
import { sendJson, type PlatformContext, type ReceiptSigner } from './server-context.ts';
import { errorReplyOf, refusal } from './server-errors.ts';
import { registerUploads } from './upload-routes.ts';

export type { ReceiptSigner } from './server-context.ts';

/** Options of startPlatform. */
export interface PlatformOptions {
  /** The store; startPlatform does not close it (the caller owns it). */
  store: PlatformStore;
  /** Server certificate chain and key (PEM), or plain HTTP for development on loopback. */
  tls: { cert: string | Buffer; key: string | Buffer } | 'insecure-dev';
  /** Address to listen on, e.g. 127.0.0.1. */
  host: string;
  /** TCP port; 0 picks a free one (the returned url says which). */
  port: number;
  /** Root CA certificates (DER) that clerk certificates must chain to. */
  trustAnchors: readonly Uint8Array[];
  /** The key that signs receipts. */
  receiptSigner: ReceiptSigner;
  /** The clock (tests); default the system clock. */
  now?: () => Date;
  /**
   * Origins clients reach this platform by (`https://name:port`), accepted as an auth
   * proof's audience. Default: the listening URL, plus localhost / 127.0.0.1 / [::1] when
   * listening on a loopback address.
   */
  origins?: readonly string[];
  /** Check every JSON reply against its schema (default: unless NODE_ENV=production). */
  validateReplies?: boolean;
  /**
   * Log each request (method, URL, status, time; never headers or bodies) to stderr.
   * Default off.
   */
  log?: boolean;
}

/** A running platform. */
export interface RunningPlatform {
  /** `https://host:port` (or `http://` in insecure-dev mode). */
  readonly url: string;
  /** Stops accepting connections, finishes requests in flight, stops the sweeper. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const SWEEP_INTERVAL_MS = 60_000;

const HealthReplySchema = z.strictObject({ status: z.literal('ok'), version: z.literal(1) });

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function defaultOrigins(scheme: string, host: string, port: number): string[] {
  const names = LOOPBACK.has(host) ? ['localhost', '127.0.0.1', '[::1]'] : [hostForUrl(host)];
  return names.map((name) => `${scheme}://${name}:${port}`);
}

function buildApp(options: PlatformOptions): FastifyInstance {
  const common = {
    bodyLimit: MAX_JSON_BYTES,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    logger: options.log === true ? { level: 'info', stream: process.stderr } : false,
  };
  if (options.tls === 'insecure-dev') return Fastify(common) as unknown as FastifyInstance;
  return Fastify({
    ...common,
    https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' },
  }) as unknown as FastifyInstance;
}

/** Starts the platform; resolves once it listens. */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  if (options.tls === 'insecure-dev' && !LOOPBACK.has(options.host)) {
    throw new NiemError(
      'invalid-input',
      'plain HTTP (insecure-dev) listens on a loopback address only',
    );
  }
  if (options.trustAnchors.length === 0) {
    throw new NiemError('invalid-input', 'the platform needs at least one trust anchor');
  }
  const app = buildApp(options);
  const origins = new Set<string>();
  const context: PlatformContext = {
    store: options.store,
    now: options.now ?? (() => new Date()),
    trustAnchors: options.trustAnchors,
    receipt: options.receiptSigner,
    origins,
    validateReplies: options.validateReplies ?? process.env.NODE_ENV !== 'production',
  };

  // JSON bodies: an empty body counts as none (POST routes without a body).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: MAX_JSON_BYTES },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        done(refusal('bad-request', 'the body is not valid JSON'), undefined);
      }
    },
  );
  app.setErrorHandler((err, request, reply) => {
    const { status, body, internal } = errorReplyOf(err);
    if (internal) request.log.error({ err }, 'request failed');
    if (body.error.code === 'busy') reply.header('retry-after', '30');
    void sendJson(context, reply, status, ErrorReplySchema, body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = {
      error: {
        code: 'not-found' as const,
        message: `no route ${request.method} ${request.url.slice(0, 200)}`,
      },
    };
    void sendJson(context, reply, 404, ErrorReplySchema, body);
  });

  registerAuth(app, context);
  app.get(routes.health.path, async (_request, reply) => {
    await context.store.getConfig(); // the store answers
    return sendJson(context, reply, 200, HealthReplySchema, { status: 'ok', version: 1 });
  });
  registerDirectory(app, context);
  registerUploads(app, context);
  registerChunks(app, context);
  registerMailbox(app, context);
  registerNotices(app, context);

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const scheme = options.tls === 'insecure-dev' ? 'http' : 'https';
  for (const origin of [
    ...defaultOrigins(scheme, options.host, port),
    ...(options.origins ?? []),
  ]) {
    const normalised = normaliseOrigin(origin);
    if (normalised !== undefined) origins.add(normalised);
  }

  const sweeper = setInterval(() => {
    context.store.sweep(context.now().toISOString()).catch(() => undefined);
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    url: `${scheme}://${hostForUrl(options.host)}:${port}`,
    close: async () => {
      clearInterval(sweeper);
      await app.close();
    },
  };
}
