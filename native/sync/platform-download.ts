/**
 * Download of a package (GET /v1/packages/{sha256}), resumed with `Range: bytes=N-`. The
 * reply must be exactly the asked span of exactly that package: 200 from the start or 206
 * from `offset`, `ETag` the quoted SHA-256, a Content-Range that starts at `offset` and
 * ends at the last byte, a Content-Length that fits both. The bytes are yielded as they
 * arrive (memory stays at one socket read); the caller hashes the whole package at the end.
 */
import { NiemError } from '../api/errors.ts';
import { MAX_PACKAGE_BYTES, Sha256HexSchema, routes } from '../exchange/platform-wire.ts';
import { badReply, unreachable } from './platform-errors.ts';
import { expectContentType, expectStatus, type PlatformCaller } from './platform-replies.ts';
import { routePath } from './platform-upload.ts';
import type { Reply } from './transport-reply.ts';

const CONTENT_RANGE = /^bytes ([0-9]{1,16})-([0-9]{1,16})\/([0-9]{1,16})$/;

/** The number of bytes the reply carries, after checking its headers against the request. */
function checkHeaders(reply: Reply, origin: string, sha256: string, offset: number): number {
  const bad = (why: string): never => {
    void reply.discard();
    throw badReply(`${origin} sent a download of ${sha256} with ${why}`);
  };
  expectContentType(reply, origin, 'octets');
  const etag = reply.header('etag');
  if (etag !== `"${sha256}"`) bad(`ETag ${etag === undefined ? '(none)' : etag.slice(0, 80)}`);
  const length = reply.contentLength();
  if (length === undefined) return bad('no Content-Length');
  if (offset === 0) {
    if (length < 1 || length > MAX_PACKAGE_BYTES) bad(`a length of ${length} bytes`);
    return length;
  }
  const range = CONTENT_RANGE.exec(reply.header('content-range') ?? '');
  if (range === null) return bad('no usable Content-Range');
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (start !== offset) bad(`a range starting at ${start}, not ${offset}`);
  if (total > MAX_PACKAGE_BYTES || end !== total - 1) bad(`a range ending at ${end} of ${total}`);
  if (length !== end - start + 1) bad(`${length} bytes for the range ${start}-${end}`);
  return length;
}

/** Yields the package's bytes from `offset`; see the file comment for what is refused. */
export async function* downloadPackage(
  caller: PlatformCaller,
  sha256: string,
  offset: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Sha256HexSchema.safeParse(sha256).success) {
    throw new NiemError('invalid-input', 'download: not a lowercase hex SHA-256');
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= MAX_PACKAGE_BYTES) {
    throw new NiemError('invalid-input', `download: offset ${offset} is out of range`);
  }
  const { origin } = caller;
  const headers: Record<string, string> = { accept: 'application/octet-stream' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const reply = await caller.call(
    {
      method: 'GET',
      path: routePath(routes.download.path, { sha256 }),
      headers,
      deadlineMs: caller.deadline(0),
      ...(signal === undefined ? {} : { signal }),
    },
    async (r) => {
      await expectStatus(r, origin, [offset === 0 ? 200 : 206]);
      return r;
    },
  );
  const length = checkHeaders(reply, origin, sha256, offset);
  reply.extendDeadline(caller.deadline(length));
  let received = 0;
  for await (const piece of reply.body()) {
    received += piece.length;
    yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
  }
  if (received !== length) {
    throw unreachable(`${origin} sent ${received} of the ${length} bytes it announced`);
  }
}
