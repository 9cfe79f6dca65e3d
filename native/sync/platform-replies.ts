/**
 * Reading the platform's replies: the status a route allows, the content type, the JSON
 * body parsed with its wire schema, and an error status turned into the NiemError kind it
 * means (./platform-api.ts). Shared by the client's routes (./platform-client.ts,
 * ./platform-upload.ts, ./platform-download.ts).
 */
import type { z } from 'zod';
import { NiemError } from '../api/errors.ts';
import { ErrorReplySchema } from '../exchange/platform-wire.ts';
import type { RequestSpec } from './https-transport.ts';
import type { Reply } from './transport-reply.ts';
import { badReply, unreachable } from './platform-errors.ts';

/** What the upload and download code need of the client: authenticated requests. */
export interface PlatformCaller {
  /** `https://host:port`. */
  readonly origin: string;
  /**
   * Sends `spec` with the session's bearer token (signing in first when there is none) and
   * hands the reply to `handle`; a reply `unauthenticated` is answered by signing in again
   * and sending once more.
   */
  call<T>(spec: RequestSpec, handle: (reply: Reply) => Promise<T>): Promise<T>;
  /** The deadline (ms) of an exchange carrying `bytes` (timeoutForBytes). */
  deadline(bytes: number): number;
}

/** Largest error body read (bytes); an ErrorReply is small. */
const MAX_ERROR_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue !== undefined && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid'}`.slice(0, 300);
}

/** Refuses a reply whose Content-Type is not `type` (parameters other than charset refused for JSON). */
export function expectContentType(reply: Reply, origin: string, type: 'json' | 'octets'): void {
  const value = reply.header('content-type')?.trim();
  const ok =
    value !== undefined &&
    (type === 'json' ? JSON_TYPE.test(value) : value.toLowerCase() === 'application/octet-stream');
  if (!ok) {
    void reply.discard();
    throw badReply(
      `${origin} sent ${value === undefined ? 'no content type' : `“${value.slice(0, 100)}”`} where ${type === 'json' ? 'JSON' : 'bytes'} were expected`,
    );
  }
}

/** The JSON body parsed with `schema`; anything else is `platform-bad-reply`. */
export async function readJson<S extends z.ZodType>(
  reply: Reply,
  origin: string,
  schema: S,
  max: number,
): Promise<z.infer<S>> {
  expectContentType(reply, origin, 'json');
  const bytes = await reply.read(max);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw badReply(`${origin} sent a reply that is not JSON`, err);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw badReply(`${origin} sent a reply that breaks the protocol: ${issueText(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * The error a reply's status means: 429, 5xx and `busy` are `platform-unreachable`
 * (transient), a 4xx with an ErrorReply is `platform-refused` with `detail.code` (and
 * `detail.organId`), anything else (a 4xx without an ErrorReply, a redirect, an unexpected
 * success status) is `platform-bad-reply`.
 */
export async function statusError(reply: Reply, origin: string): Promise<NiemError> {
  const { status } = reply;
  if (status === 429 || (status >= 500 && status <= 599)) {
    const retry = reply.header('retry-after');
    await reply.discard();
    return unreachable(
      `${origin} answered ${status}${retry === undefined ? '' : ` (retry after ${retry.slice(0, 20)} s)`}`,
    );
  }
  if (status < 400 || status > 499) {
    await reply.discard();
    return badReply(`${origin} answered with an unexpected status ${status}`);
  }
  let error;
  try {
    ({ error } = await readJson(reply, origin, ErrorReplySchema, MAX_ERROR_BYTES));
  } catch (err) {
    if (err instanceof NiemError && err.kind === 'platform-bad-reply') {
      return badReply(`${origin} answered ${status} without a platform error: ${err.message}`);
    }
    return err instanceof NiemError ? err : unreachable(String(err), err);
  }
  if (error.code === 'busy') return unreachable(`${origin} is busy: ${error.message}`);
  return new NiemError('platform-refused', `${origin} refused (${error.code}): ${error.message}`, {
    detail:
      error.organId === undefined
        ? { code: error.code }
        : { code: error.code, organId: error.organId },
  });
}

/** Throws the status error unless the reply's status is one of `allowed`. */
export async function expectStatus(
  reply: Reply,
  origin: string,
  allowed: readonly number[],
): Promise<void> {
  if (!allowed.includes(reply.status)) throw await statusError(reply, origin);
}

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
