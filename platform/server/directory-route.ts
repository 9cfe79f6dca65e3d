/**
 * GET /v1/directory: the directory in the vault's import format (native/vault/directory.ts,
 * `niem-directory` version 1), with a strong ETag (quoted SHA-256 hex of the body) and
 * 304 Not Modified when `If-None-Match` names it. Agencies without any certificate are
 * left out: a client cannot seal for them and the vault refuses such an entry.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { routes } from '../../native/exchange/platform-wire.ts';
import { parseDirectory } from '../../native/vault/directory.ts';
import type { DirectorySnapshot } from '../store/platform-store.ts';
import { base64, type PlatformContext } from './server-context.ts';

/** The directory JSON text a client imports, and its ETag. */
export function directoryBody(snapshot: DirectorySnapshot): { body: string; etag: string } {
  const agencies = snapshot.agencies
    .filter((a) => a.certificates.length > 0)
    .map((a) => ({
      organId: a.organId,
      name: a.name,
      clearance: a.clearance,
      keyTransport: a.keyTransport,
      certificates: a.certificates.map((der) => base64(der)),
    }));
  const body = JSON.stringify({ format: 'niem-directory', version: 1, agencies });
  const etag = `"${createHash('sha256').update(body, 'utf8').digest('hex')}"`;
  return { body, etag };
}

/** Whether an If-None-Match header names `etag` (a list, weak forms and `*` included). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

export function registerDirectory(app: FastifyInstance, context: PlatformContext): void {
  app.get(routes.directory.path, async (request, reply) => {
    const { body, etag } = directoryBody(await context.store.directory());
    if (context.validateReplies) parseDirectory(body); // the client's own schema
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).type('application/json; charset=utf-8').send(body);
  });
}
