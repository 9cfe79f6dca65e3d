/**
 * Upload of a sealed package (platform-wire.ts, "upload"): declare it, send each chunk the
 * platform does not hold yet with its Content-Digest, complete, and verify the receipt.
 *
 * The bytes flow through a small pipeline so the platform is never idle waiting for the
 * client: chunk n+1 is read from the package source into a buffer and hashed in a worker
 * (./chunk-hasher.ts) while chunk n is on the wire, and is sent as soon as it is ready, so
 * with the default concurrency of 2 the platform has the next chunk arriving while it
 * stores one. Memory: two chunk buffers (`concurrency` when more), allocated on first use
 * and reused. The source is read sequentially from the first missing chunk (and again from
 * the next missing one after a run of held chunks); nothing of it is copied but into those
 * buffers.
 */
import { NiemError } from '../api/errors.ts';
import {
  CompleteReplySchema,
  MAX_JSON_BYTES,
  StartUploadRequestSchema,
  UploadStatusSchema,
  routes,
  type UploadStatus,
} from '../exchange/platform-wire.ts';
import { ChunkHasher } from './chunk-hasher.ts';
import type { PackageSource, TransferProgress, VerifiedReceipt } from './platform-api.ts';
import { badReply } from './platform-errors.ts';
import { verifyReceipt, type ReceiptExpectations } from './platform-receipt.ts';
import { expectStatus, readJson, statusError, type PlatformCaller } from './platform-replies.ts';

/** A chunk read and hashed, waiting to be sent. */
interface ReadyChunk {
  index: number;
  memory: SharedArrayBuffer;
  length: number;
  digest: string;
}

/** The path of a route template with its parameters filled in. */
export function routePath(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z0-9]+)\}/gi, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new NiemError('internal', `route parameter ${name} missing`);
    return encodeURIComponent(value);
  });
}

/**
 * Checks an upload status against what the client knows: the same hash (and size when
 * known), a chunk count that fits size and chunk size, held indices ascending and inside
 * the upload, and a receipt exactly when complete.
 */
export function checkUploadStatus(
  status: UploadStatus,
  sha256: string,
  size: number | undefined,
  origin: string,
): UploadStatus {
  const bad = (why: string): never => {
    throw badReply(`${origin} sent an upload status that ${why}`);
  };
  if (status.sha256 !== sha256) bad(`names another package (${status.sha256})`);
  if (size !== undefined && status.size !== size) bad(`states ${status.size} bytes, not ${size}`);
  if (status.chunkCount !== Math.ceil(status.size / status.chunkBytes)) {
    bad(`states ${status.chunkCount} chunks of ${status.chunkBytes} bytes for ${status.size}`);
  }
  status.received.forEach((index, i) => {
    if (index >= status.chunkCount) bad(`holds chunk ${index} of ${status.chunkCount}`);
    if (i > 0 && index <= (status.received[i - 1] as number)) bad('lists chunks out of order');
  });
  if ((status.state === 'complete') !== (status.receipt !== undefined)) {
    bad(status.state === 'complete' ? 'is complete without a receipt' : 'is open with a receipt');
  }
  return status;
}

/** Reads exact spans of a package source into chunk buffers. */
class SpanReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #rest: Uint8Array | undefined;
  #position: number;

  constructor(pkg: PackageSource, offset: number) {
    this.#source = pkg.read(offset)[Symbol.asyncIterator]();
    this.#position = offset;
  }

  async fill(target: Uint8Array, size: number): Promise<void> {
    let at = 0;
    while (at < target.length) {
      let piece = this.#rest;
      this.#rest = undefined;
      if (piece === undefined) {
        const next = await this.#source.next();
        if (next.done === true) {
          throw new NiemError(
            'internal',
            `the package's bytes ended at ${this.#position + at} of ${size}`,
          );
        }
        piece = next.value;
      }
      const n = Math.min(piece.length, target.length - at);
      target.set(n === piece.length ? piece : piece.subarray(0, n), at);
      at += n;
      if (n < piece.length) this.#rest = piece.subarray(n);
    }
    this.#position += at;
  }

  async close(): Promise<void> {
    this.#rest = undefined;
    await this.#source.return?.();
  }
}

/** Runs of consecutive indices: [first, last] pairs. */
function runsOf(indices: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs.at(-1);
    if (last !== undefined && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

/**
 * The chunk buffers of an upload: at most `limit`, allocated on first use; `take` waits
 * until one is given back (or the upload stops).
 */
class ChunkBuffers {
  readonly #limit: number;
  readonly #bytes: number;
  readonly #free: SharedArrayBuffer[] = [];
  readonly #waiting: (() => void)[] = [];
  #allocated = 0;

  constructor(limit: number, bytes: number) {
    this.#limit = limit;
    this.#bytes = bytes;
  }

  async take(signal: AbortSignal): Promise<SharedArrayBuffer> {
    for (;;) {
      signal.throwIfAborted();
      const memory = this.#free.pop();
      if (memory !== undefined) return memory;
      if (this.#allocated < this.#limit) {
        this.#allocated++;
        return new SharedArrayBuffer(this.#bytes);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  give(memory: SharedArrayBuffer): void {
    this.#free.push(memory);
    this.#waiting.shift()?.();
  }

  /** Wakes every waiting `take` (the upload stopped: they throw). */
  wake(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

/** Options of uploadPackage. */
export interface UploadOptions extends ReceiptExpectations {
  /** Chunks on the wire at once (1 to 4); the chunk buffers are as many, and at least two. */
  concurrency: number;
}

/** Declares the package, sends the missing chunks, completes, verifies the receipt. */
export async function uploadPackage(
  caller: PlatformCaller,
  pkg: PackageSource,
  progress: TransferProgress,
  options: UploadOptions,
  signal?: AbortSignal,
): Promise<VerifiedReceipt> {
  const { origin } = caller;
  const declared = StartUploadRequestSchema.safeParse({
    sha256: pkg.sha256,
    size: pkg.size,
    level: pkg.level,
    recipients: pkg.recipients,
  });
  if (!declared.success) {
    throw new NiemError('invalid-input', `upload: ${declared.error.issues[0]?.message ?? ''}`);
  }
  const body = Buffer.from(JSON.stringify(declared.data), 'utf8');
  const status = await caller.call(
    {
      method: 'POST',
      path: routes.startUpload.path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      deadlineMs: caller.deadline(body.length),
      ...(signal === undefined ? {} : { signal }),
    },
    async (reply) => {
      await expectStatus(reply, origin, [200, 201]);
      const parsed = await readJson(reply, origin, UploadStatusSchema, MAX_JSON_BYTES);
      return checkUploadStatus(parsed, pkg.sha256, pkg.size, origin);
    },
  );
  if (status.state === 'complete') {
    const receipt = await verifyReceipt(status.receipt as string, pkg, options, origin);
    progress(pkg.size, pkg.size);
    return receipt;
  }
  await sendChunks(caller, pkg, status, progress, options.concurrency, signal);
  const sha = { sha256: pkg.sha256 };
  const completed = await caller.call(
    {
      method: 'POST',
      path: routePath(routes.completeUpload.path, sha),
      headers: { accept: 'application/json' },
      deadlineMs: caller.deadline(0),
      ...(signal === undefined ? {} : { signal }),
    },
    async (reply) => {
      await expectStatus(reply, origin, [200]);
      return readJson(reply, origin, CompleteReplySchema, MAX_JSON_BYTES);
    },
  );
  return verifyReceipt(completed.receipt, pkg, options, origin);
}

async function sendChunks(
  caller: PlatformCaller,
  pkg: PackageSource,
  status: UploadStatus,
  progress: TransferProgress,
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { chunkBytes, chunkCount, size } = status;
  const lengthOf = (index: number): number => Math.min(chunkBytes, size - index * chunkBytes);
  const held = new Set(status.received);
  const missing = Array.from({ length: chunkCount }, (_, i) => i).filter((i) => !held.has(i));
  let done = status.received.reduce((sum, i) => sum + lengthOf(i), 0);
  progress(done, size);
  if (missing.length === 0) return;

  const hasher = new ChunkHasher(missing.reduce((sum, i) => sum + lengthOf(i), 0));
  const stop = new AbortController();
  const requestSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const buffers = new ChunkBuffers(Math.max(2, concurrency), Math.min(chunkBytes, size));
  requestSignal.addEventListener('abort', () => buffers.wake(), { once: true });
  let failure: { error: unknown } | undefined;

  async function* chunks(): AsyncGenerator<ReadyChunk> {
    for (const [first, last] of runsOf(missing)) {
      const reader = new SpanReader(pkg, first * chunkBytes);
      try {
        for (let index = first; index <= last; index++) {
          const length = lengthOf(index);
          const memory = await buffers.take(requestSignal);
          await reader.fill(new Uint8Array(memory, 0, length), size);
          const digest = await hasher.digest(memory, length);
          yield { index, memory, length, digest };
        }
      } finally {
        await reader.close();
      }
    }
  }

  const put = (chunk: ReadyChunk): Promise<void> =>
    caller.call(
      {
        method: 'PUT',
        path: routePath(routes.putChunk.path, { sha256: pkg.sha256, index: String(chunk.index) }),
        headers: {
          'content-type': 'application/octet-stream',
          'content-digest': `sha-256=:${chunk.digest}:`,
        },
        body: new Uint8Array(chunk.memory, 0, chunk.length),
        deadlineMs: caller.deadline(chunk.length),
        signal: requestSignal,
      },
      async (reply) => {
        if (reply.status !== 204) throw await statusError(reply, caller.origin);
        await reply.discard();
      },
    );

  const inFlight = new Set<Promise<void>>();
  try {
    for await (const chunk of chunks()) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const task: Promise<void> = put(chunk)
        .then(() => {
          buffers.give(chunk.memory);
          done += chunk.length;
          progress(done, size);
        })
        .catch((error: unknown) => {
          if (failure === undefined) {
            failure = { error };
            stop.abort(error);
          }
        });
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
  } catch (error) {
    failure ??= { error };
    stop.abort(error);
  } finally {
    await Promise.all(inFlight);
    await hasher.close();
  }
  if (failure !== undefined) {
    throw signal?.aborted === true ? signal.reason : failure.error;
  }
}
