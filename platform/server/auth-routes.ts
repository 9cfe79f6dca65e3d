/**
 * Authentication by token signature (platform-wire.ts, "auth"): a challenge nonce, an auth
 * statement signed by the clerk's token, a short-lived bearer session. The platform keeps
 * only the SHA-256 of a bearer token. Every refusal of a proof is `auth-refused`, with a
 * message that says which check failed; a missing, unknown or expired bearer token is
 * `unauthenticated`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NiemError } from '../../native/api/errors.ts';
import {
  ChallengeReplySchema,
  NONCE_TTL_SECONDS,
  SESSION_TTL_SECONDS,
  SessionReplySchema,
  SessionRequestSchema,
  routes,
} from '../../native/exchange/platform-wire.ts';
import { verifyStatement, type VerifiedStatement } from '../../native/exchange/signed-statement.ts';
import {
  fromBase64,
  nowIso,
  parseWith,
  sendJson,
  setSession,
  type PlatformContext,
} from './server-context.ts';
import { refusal } from './server-errors.ts';

/** How far an auth statement's `at` may be from the platform clock (ms). */
const AT_SKEW_MS = 5 * 60 * 1000;

/** A bearer token as issued: 32 random bytes, base64url. */
const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/;

/** The origin of a URL (`https://host:port`, default port dropped), or undefined. */
export function normaliseOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

async function verifyProof(
  context: PlatformContext,
  proof: Buffer,
  now: Date,
): Promise<VerifiedStatement<'niem-auth'>> {
  try {
    return await verifyStatement(proof, {
      type: 'niem-auth',
      trustAnchors: context.trustAnchors,
      now,
    });
  } catch (err) {
    if (err instanceof NiemError) {
      const what =
        err.kind === 'untrusted-signer'
          ? 'the signer does not chain to a trust anchor of this platform'
          : err.kind === 'tampered'
            ? 'the signature does not verify'
            : 'not a valid auth statement';
      throw refusal('auth-refused', `${what}: ${err.message}`);
    }
    throw err;
  }
}

/** Registers the two auth routes and the bearer hook that guards every other route. */
export function registerAuth(app: FastifyInstance, context: PlatformContext): void {
  app.post(routes.challenge.path, async (_request, reply) => {
    const now = context.now();
    const nonce = randomBytes(32).toString('base64');
    const expiresAt = new Date(now.getTime() + NONCE_TTL_SECONDS * 1000).toISOString();
    await context.store.putNonce(nonce, expiresAt);
    return sendJson(context, reply, 200, ChallengeReplySchema, { nonce, expiresAt });
  });

  app.post(routes.session.path, async (request, reply) => {
    const { proof } = parseWith(SessionRequestSchema, request.body, 'session request');
    const now = context.now();
    const verified = await verifyProof(context, fromBase64(proof), now);
    const { statement } = verified;
    const audience = normaliseOrigin(statement.audience);
    if (audience === undefined || !context.origins.has(audience)) {
      throw refusal(
        'auth-refused',
        `the proof is for ${statement.audience}, not for this platform (${[...context.origins].join(', ')})`,
      );
    }
    const skew = Date.parse(statement.at) - now.getTime();
    if (!(Math.abs(skew) <= AT_SKEW_MS)) {
      throw refusal(
        'auth-refused',
        `the proof was made at ${statement.at}, more than 5 minutes from the platform clock (${now.toISOString()})`,
      );
    }
    const record = await context.store.findCertificate(verified.certificateSha256);
    if (record === undefined) {
      throw refusal(
        'auth-refused',
        `the signer certificate (SHA-256 ${verified.certificateSha256}) is not a clerk certificate of the directory`,
      );
    }
    if (verified.organId !== record.organId) {
      throw refusal(
        'auth-refused',
        `the signer certificate names OrganId ${verified.organId ?? '(none)'}, the directory lists it for ${record.organId}`,
      );
    }
    if (!(await context.store.takeNonce(statement.nonce, now.toISOString()))) {
      throw refusal('auth-refused', 'the nonce is unknown, already used or expired');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString();
    await context.store.putSession(tokenHash(token), {
      organId: record.organId,
      certificateSha256: record.sha256,
      expiresAt,
    });
    return sendJson(context, reply, 200, SessionReplySchema, {
      token,
      expiresAt,
      organId: record.organId,
    });
  });

  const open = new Set<string>([routes.challenge.path, routes.session.path, routes.health.path]);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const path = request.routeOptions.url;
    if (path === undefined || open.has(path)) return; // open routes; unknown routes: 404
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (match === null) {
      throw refusal('unauthenticated', 'an Authorization: Bearer session token is required');
    }
    const session = await context.store.getSession(tokenHash(match[1] ?? ''), nowIso(context));
    if (session === undefined) {
      throw refusal('unauthenticated', 'the session is unknown or has expired: sign in again');
    }
    // A certificate removed from the directory ends its sessions at once.
    if ((await context.store.findCertificate(session.certificateSha256)) === undefined) {
      throw refusal('unauthenticated', 'the session certificate left the directory: sign in again');
    }
    setSession(request, session);
  });
}
