/**
 * PUT /v1/uploads/{sha256}/chunks/{index}: one chunk of an upload, the raw bytes as
 * `application/octet-stream`, streamed from the socket into one buffer of exactly the
 * chunk's length (never more: a longer body is refused as it arrives) and hashed as it
 * comes; `Content-Digest: sha-256=:<base64>:` (RFC 9530) must name those bytes. A chunk
 * already held with the same digest is accepted again; with another, `conflict`.
 * This route lives in its own fastify context: only it parses octet-stream bodies.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { CONTENT_DIGEST_HEADER, routes } from '../../native/exchange/platform-wire.ts';
import { sessionOf, type PlatformContext } from './server-context.ts';
import { refusal } from './server-errors.ts';
import { chunkCountOf, fastifyPath, ownedUpload } from './upload-routes.ts';

/** The sha-256 member of a Content-Digest dictionary, as 32 bytes; undefined if absent. */
export function contentDigestSha256(header: string | string[] | undefined): Buffer | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined) return undefined;
  for (const member of text.split(',')) {
    const match = /^\s*sha-256\s*=\s*:([A-Za-z0-9+/]*={0,2}):\s*(?:;.*)?$/.exec(member);
    if (match !== null) {
      const bytes = Buffer.from(match[1] ?? '', 'base64');
      return bytes.length === 32 ? bytes : undefined;
    }
  }
  return undefined;
}

/** Reads exactly `length` bytes of `body` into one buffer, hashing as they come. */
async function readChunk(
  body: Readable,
  length: number,
): Promise<{ bytes: Buffer; digest: Buffer }> {
  const bytes = Buffer.allocUnsafe(length);
  const hash = createHash('sha256');
  let filled = 0;
  for await (const piece of body as AsyncIterable<Buffer>) {
    if (filled + piece.length > length) {
      throw refusal('conflict', `the chunk is longer than its ${length} bytes`);
    }
    piece.copy(bytes, filled);
    hash.update(piece);
    filled += piece.length;
  }
  if (filled !== length) {
    throw refusal('conflict', `the chunk has ${filled} bytes; it must have ${length}`);
  }
  return { bytes, digest: hash.digest() };
}

export function registerChunks(app: FastifyInstance, context: PlatformContext): void {
  // An encapsulated context: the octet-stream parser below applies to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      done(null, payload);
    });
    scope.put(fastifyPath(routes.putChunk.path), async (request, reply) => {
      const session = sessionOf(request);
      const upload = await ownedUpload(context, request.params, session.organId);
      const indexText = (request.params as { index?: string }).index ?? '';
      if (!/^[0-9]{1,10}$/.test(indexText)) {
        throw refusal('bad-request', `chunk index ${indexText.slice(0, 20)} is not a number`);
      }
      const index = Number(indexText);
      const count = chunkCountOf(upload);
      if (index >= count) {
        throw refusal('conflict', `chunk index ${index} is outside the upload (0 to ${count - 1})`);
      }
      const length = Math.min(upload.chunkBytes, upload.size - index * upload.chunkBytes);
      const declared = request.headers['content-length'];
      if (declared !== undefined) {
        const n = Number(declared);
        if (n > upload.chunkBytes) {
          throw refusal('too-large', `a chunk is at most ${upload.chunkBytes} bytes`);
        }
        if (n !== length) {
          throw refusal('conflict', `chunk ${index} must have ${length} bytes, not ${declared}`);
        }
      }
      const expected = contentDigestSha256(request.headers[CONTENT_DIGEST_HEADER]);
      if (expected === undefined) {
        throw refusal('bad-request', 'Content-Digest: sha-256=:<base64>: is required');
      }
      const body = request.body as Readable | undefined;
      if (body === undefined || typeof body.pipe !== 'function') {
        throw refusal('bad-request', 'the chunk must be sent as application/octet-stream');
      }
      const { bytes, digest } = await readChunk(body, length);
      if (!digest.equals(expected)) {
        throw refusal('digest-mismatch', `chunk ${index} does not match its Content-Digest`);
      }
      const result = await context.store.putChunk(
        upload.sha256,
        index,
        digest.toString('hex'),
        bytes,
      );
      if (result === 'conflict') {
        throw refusal('conflict', `chunk ${index} is already held with other bytes`);
      }
      return reply.code(204).send();
    });
  });
}
