/**
 * How the platform refuses: a NiemError of kind `platform-refused` whose `detail.code` is
 * a wire ErrorCode (native/exchange/platform-wire.ts), turned into an ErrorReply with the
 * HTTP status below. Anything else thrown inside a route becomes `internal` (500) with a
 * generic message: internal details never reach the client.
 */
import { NiemError } from '../../native/api/errors.ts';
import {
  errorCodes,
  type ErrorCode,
  type ErrorReply,
} from '../../native/exchange/platform-wire.ts';

/** The HTTP status of each error code (docs/platform-api.yaml lists the same). */
export const errorStatus: Readonly<Record<ErrorCode, number>> = {
  'bad-request': 400,
  unauthenticated: 401,
  'auth-refused': 401,
  forbidden: 403,
  'not-found': 404,
  'digest-mismatch': 400,
  conflict: 409,
  'level-not-approved': 403,
  'recipient-not-cleared': 403,
  'recipient-unknown': 422,
  'malformed-package': 422,
  'notice-refused': 403,
  'too-large': 413,
  busy: 503,
  internal: 500,
};

/** A refusal to throw from a route: `code` decides the status, `message` is English detail. */
export function refusal(code: ErrorCode, message: string, organId?: string): NiemError {
  return new NiemError('platform-refused', message, {
    detail: organId === undefined ? { code } : { code, organId },
  });
}

/** Statuses set on particular refusals (416 for a range past the end). */
const statusOverrides = new WeakMap<NiemError, number>();

/** `err` answered with `status` instead of its code's usual one. */
export function withStatus(err: NiemError, status: number): NiemError {
  statusOverrides.set(err, status);
  return err;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** Fastify's own errors (parsers, limits, routing) by their `code`. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'bad-request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad-request',
};

/** What a thrown error becomes on the wire: status and body. */
export function errorReplyOf(err: unknown): {
  status: number;
  body: ErrorReply;
  internal: boolean;
} {
  if (
    err instanceof NiemError &&
    err.kind === 'platform-refused' &&
    isErrorCode(err.detail?.code)
  ) {
    const code = err.detail.code;
    const error: ErrorReply['error'] = { code, message: err.message.slice(0, 2000) };
    if (err.detail.organId !== undefined) error.organId = err.detail.organId;
    const status = statusOverrides.get(err) ?? errorStatus[code];
    return { status, body: { error }, internal: false };
  }
  const fastify = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fastify.code === 'string' && fastify.code.startsWith('FST_')) {
    const code =
      fastifyCodes[fastify.code] ??
      (typeof fastify.statusCode === 'number' && fastify.statusCode < 500
        ? 'bad-request'
        : 'internal');
    const status =
      code === 'bad-request' && typeof fastify.statusCode === 'number' && fastify.statusCode < 500
        ? fastify.statusCode
        : errorStatus[code];
    const message =
      code === 'internal' ? 'internal error' : String(fastify.message ?? code).slice(0, 2000);
    return { status, body: { error: { code, message } }, internal: code === 'internal' };
  }
  // A JSON syntax error from the body parser.
  if (err instanceof SyntaxError) {
    return {
      status: 400,
      body: { error: { code: 'bad-request', message: 'the body is not valid JSON' } },
      internal: false,
    };
  }
  if (err instanceof NiemError && err.kind === 'disk-full') {
    return {
      status: 503,
      body: { error: { code: 'busy', message: 'the platform is out of disk space' } },
      internal: true,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'internal error' } },
    internal: true,
  };
}
