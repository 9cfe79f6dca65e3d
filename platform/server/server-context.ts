/**
 * What every route of the platform shares: the store, the clock, the trust anchors, the
 * receipt signer, the origins the platform answers to, and small helpers to parse a
 * request with a wire schema and to send a JSON reply (checked against its schema when
 * `validateReplies` is on, so a server bug shows as a failure in tests, not as a client
 * refusing a malformed reply in the field).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SignerSpec } from '../../native/seal/signed-data/index.ts';
import type { PlatformStore, SessionRecord } from '../store/platform-store.ts';
import { refusal } from './server-errors.ts';

/** The platform's receipt key: a signer and the CA certificates to carry with it. */
export interface ReceiptSigner {
  /** Signs receipts; its certificate must allow digitalSignature or nonRepudiation. */
  signer: SignerSpec;
  /** Intermediate CA certificates (DER) put into each receipt so clients find the path. */
  certificates?: readonly Uint8Array[];
}

/** The shared state of one running platform instance. */
export interface PlatformContext {
  readonly store: PlatformStore;
  readonly now: () => Date;
  /** Root CA certificates (DER) that clerk certificates must chain to. */
  readonly trustAnchors: readonly Uint8Array[];
  readonly receipt: ReceiptSigner;
  /** Origins (`https://host:port`) an auth proof's audience may name, normalised. */
  readonly origins: ReadonlySet<string>;
  /** Parse every JSON reply with its schema before sending it. */
  readonly validateReplies: boolean;
}

/** The session of an authenticated request, set by the bearer hook. */
const sessions = new WeakMap<FastifyRequest, SessionRecord>();

export function setSession(request: FastifyRequest, session: SessionRecord): void {
  sessions.set(request, session);
}

/** The request's session; the bearer hook guarantees one on every authenticated route. */
export function sessionOf(request: FastifyRequest): SessionRecord {
  const session = sessions.get(request);
  if (session === undefined) throw refusal('unauthenticated', 'no session');
  return session;
}

/** `value` parsed with `schema`, or a `bad-request` naming the first problem. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw refusal('bad-request', `${what}: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Sends `body` as JSON with `status`, after checking it against `schema` when asked. */
export function sendJson<S extends z.ZodType>(
  context: PlatformContext,
  reply: FastifyReply,
  status: number,
  schema: S,
  body: z.infer<S>,
): FastifyReply {
  if (context.validateReplies) {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new Error(`reply does not match its schema: ${parsed.error.message}`);
    }
  }
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** The platform clock as an ISO 8601 UTC string. */
export function nowIso(context: PlatformContext): string {
  return context.now().toISOString();
}

/** Standard base64 of bytes. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Bytes of a base64 value already checked by a schema's regex. */
export function fromBase64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}
