/**
 * Delivery (platform-wire.ts, "mailbox and delivery"): the session agency's mailbox read
 * with a cursor, its acknowledgement, and package downloads (sender or recipient agencies
 * only) streamed from the store with `Range: bytes=N-` resumption and the package's hash
 * as a strong ETag. A download never holds more than one stored chunk in memory.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AckRequestSchema,
  CursorSchema,
  MailboxReplySchema,
  Sha256HexSchema,
  routes,
  type MailboxEntry,
} from '../../native/exchange/platform-wire.ts';
import { NiemError } from '../../native/api/errors.ts';
import type { MailboxEntryRecord } from '../store/platform-store.ts';
import { base64, parseWith, sendJson, sessionOf, type PlatformContext } from './server-context.ts';
import { refusal, withStatus } from './server-errors.ts';
import { fastifyPath } from './upload-routes.ts';

const MailboxQuerySchema = z.strictObject({
  after: CursorSchema.optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'limit is 1 to 500')
    .transform(Number)
    .pipe(z.int().min(1).max(500))
    .optional(),
});

function entryOf(record: MailboxEntryRecord): MailboxEntry {
  if (record.kind === 'package') {
    const { cursor, sha256, size, level, sender, at } = record;
    return { cursor, kind: 'package', sha256, size, level, sender, at };
  }
  return { cursor: record.cursor, kind: 'notice', notice: base64(record.notice), at: record.at };
}

/** The start offset of a `Range: bytes=N-` header; undefined without one. */
export function rangeStart(header: string | undefined, size: number): number | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=([0-9]{1,16})-$/.exec(header.trim());
  if (match === null) {
    throw refusal('bad-request', 'only Range: bytes=N- is supported');
  }
  const start = Number(match[1]);
  if (start >= size) {
    throw withStatus(refusal('conflict', `the range starts at or after the end (${size})`), 416);
  }
  return start;
}

export function registerMailbox(app: FastifyInstance, context: PlatformContext): void {
  app.get(routes.mailbox.path, async (request, reply) => {
    const session = sessionOf(request);
    const query = parseWith(MailboxQuerySchema, request.query, 'mailbox query');
    const acked = await context.store.ackedCursor(session.organId);
    const limit = query.limit ?? 100;
    const records = await context.store.mailbox(session.organId, query.after ?? acked, limit + 1);
    return sendJson(context, reply, 200, MailboxReplySchema, {
      entries: records.slice(0, limit).map(entryOf),
      acked,
      more: records.length > limit,
    });
  });

  app.post(routes.ack.path, async (request, reply) => {
    const session = sessionOf(request);
    const { cursor } = parseWith(AckRequestSchema, request.body, 'ack');
    try {
      await context.store.ack(session.organId, cursor);
    } catch (err) {
      if (err instanceof NiemError && err.kind === 'invalid-input') {
        throw refusal('conflict', `cannot acknowledge ${cursor}: ${err.message}`);
      }
      throw err;
    }
    return reply.code(204).send();
  });

  app.get(fastifyPath(routes.download.path), async (request, reply) => {
    const session = sessionOf(request);
    const params = request.params as { sha256?: unknown };
    const sha256 = parseWith(Sha256HexSchema, params.sha256, 'sha256');
    const upload = await context.store.getUpload(sha256);
    if (upload === undefined || upload.state !== 'complete') {
      throw refusal('not-found', `no package ${sha256}`);
    }
    if (upload.sender !== session.organId && !upload.recipients.includes(session.organId)) {
      throw refusal('forbidden', `${session.organId} is neither the sender nor a recipient`);
    }
    const etag = `"${upload.sha256}"`;
    const ifRange = request.headers['if-range'];
    const rangeHeader =
      ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
    const start = rangeStart(rangeHeader, upload.size) ?? 0;
    reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('content-length', String(upload.size - start))
      .type('application/octet-stream');
    if (rangeHeader !== undefined) {
      reply.code(206).header('content-range', `bytes ${start}-${upload.size - 1}/${upload.size}`);
    } else {
      reply.code(200);
    }
    // Byte mode with a tiny high-water mark: one stored chunk is read ahead, never more.
    const body = Readable.from(context.store.readPackage(upload.sha256, start), {
      objectMode: false,
      highWaterMark: 1,
    });
    return reply.send(body);
  });
}
