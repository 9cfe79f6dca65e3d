/**
 * Content digests computed off the thread that reads and encrypts (issue 4, item 1).
 *
 * The content is cut into 1 MiB batches (one copy each, needed anyway because the
 * caller's chunks are views into buffers it reuses) which are transferred, not cloned, to
 * a worker thread that hashes them with every requested algorithm and transfers them
 * back for reuse (so a long stream allocates MAX_IN_FLIGHT + 1 batches in all). At most
 * MAX_IN_FLIGHT batches wait in the worker: `update` awaits the worker's acknowledgement
 * beyond that, so a slow hash paces the reader instead of filling memory.
 *
 * Small content is hashed on the calling thread: the first SYNC_THRESHOLD bytes are
 * kept back, and only when more arrive is the worker started and given them. Starting a
 * worker costs ~20–40 ms (loading the module), more than hashing 1 MiB takes (~4 ms), so
 * a one-page letter never pays for a thread (see bench/seal-signed-data.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { NiemError } from '../../api/errors.ts';
import type { DigestName } from './algorithms.ts';

export const BATCH_BYTES = 1024 * 1024;
export const MAX_IN_FLIGHT = 8;
export const SYNC_THRESHOLD = 1024 * 1024;

export type DigestMode = 'auto' | 'worker' | 'sync';

/**
 * The worker thread's program, plain CommonJS run with `eval: true` rather than a module
 * file: it needs no type stripping (a .ts worker loads Node's TypeScript support into its
 * own isolate, ~25 MiB) and survives bundling into one file for Electron. It hashes the
 * batches it is sent with every requested algorithm, transfers each batch back for reuse
 * (the sender's flow control; no garbage piles up in this rarely-collected thread), and
 * posts the digests at the end.
 */
const WORKER_SOURCE = `
const { createHash } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const hashes = workerData.algorithms.map((a) => createHash(a));
parentPort.on('message', (message) => {
  if (message.type === 'data') {
    for (const h of hashes) h.update(message.bytes);
    const buffer = message.bytes.buffer;
    parentPort.postMessage({ type: 'ack', buffer }, [buffer]);
    return;
  }
  const digests = hashes.map((h) => new Uint8Array(h.digest()));
  parentPort.postMessage({ type: 'digests', digests });
  parentPort.close();
});
`;

type Outbound = { type: 'ack'; buffer: ArrayBuffer } | { type: 'digests'; digests: Uint8Array[] };

export class ContentDigester {
  readonly #algorithms: readonly DigestName[];
  readonly #mode: DigestMode;
  #length = 0;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #batch: Uint8Array | null = null;
  /** Batches the worker has hashed and sent back, reused (MAX_IN_FLIGHT + 1 at most). */
  #free: Uint8Array[] = [];
  #batchFill = 0;
  #worker: Worker | null = null;
  #inFlight = 0;
  #waiter: (() => void) | null = null;
  #failure: Error | null = null;
  #result: Promise<Uint8Array[]> | null = null;
  #resolveResult: ((d: Uint8Array[]) => void) | null = null;
  #rejectResult: ((e: Error) => void) | null = null;
  #finished = false;
  readonly #syncState: Hash[];

  constructor(algorithms: readonly DigestName[], mode: DigestMode = 'auto') {
    this.#algorithms = [...new Set(algorithms)];
    this.#mode = mode;
    this.#syncState = this.#algorithms.map((a) => createHash(a));
  }

  /** Bytes given so far. */
  get length(): number {
    return this.#length;
  }

  /** Whether a worker thread does the hashing (false while content is small). */
  get offThread(): boolean {
    return this.#worker !== null;
  }

  /** Adds content bytes (copied; the caller may reuse its buffer at once). */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.#finished) throw new NiemError('internal', 'digester: update after digest()');
    this.#throwIfFailed();
    this.#length += chunk.length;
    if (this.#worker === null) {
      if (this.#mode === 'sync') {
        for (const h of this.#syncState) h.update(chunk);
        return;
      }
      if (this.#mode === 'auto' && this.#heldBytes + chunk.length <= SYNC_THRESHOLD) {
        this.#held.push(new Uint8Array(chunk)); // a copy (Buffer#slice would be a view)
        this.#heldBytes += chunk.length;
        return;
      }
      this.#start();
      const held = this.#held;
      this.#held = [];
      this.#heldBytes = 0;
      for (const h of held) await this.#feed(h);
    }
    await this.#feed(chunk);
  }

  /** The digests, in the order of the algorithms given to the constructor (deduplicated). */
  async digest(): Promise<Map<DigestName, Uint8Array>> {
    this.#throwIfFailed();
    this.#finished = true;
    let values: Uint8Array[];
    if (this.#worker === null) {
      values = this.#syncDigests();
    } else {
      if (this.#batch !== null && this.#batchFill > 0) await this.#send();
      this.#worker.postMessage({ type: 'end' });
      values = await (this.#result as Promise<Uint8Array[]>);
      await this.close();
    }
    return new Map(this.#algorithms.map((a, i) => [a, values[i] as Uint8Array]));
  }

  /** Stops the worker (after a failure elsewhere). Safe to call twice. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    this.#held = [];
    if (w !== null) await w.terminate();
  }

  #hashHeldSync(): void {
    for (const part of this.#held) for (const h of this.#syncState) h.update(part);
    this.#held = [];
    this.#heldBytes = 0;
  }

  #syncDigests(): Uint8Array[] {
    this.#hashHeldSync();
    return this.#syncState.map((h) => new Uint8Array(h.digest()));
  }

  #start(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { algorithms: this.#algorithms },
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 16 },
    });
    worker.unref();
    this.#result = new Promise<Uint8Array[]>((resolve, reject) => {
      this.#resolveResult = resolve;
      this.#rejectResult = reject;
    });
    this.#result.catch(() => undefined);
    worker.on('message', (m: Outbound) => {
      if (m.type === 'ack') {
        this.#inFlight--;
        if (m.buffer.byteLength === BATCH_BYTES) this.#free.push(new Uint8Array(m.buffer));
        const w = this.#waiter;
        this.#waiter = null;
        w?.();
      } else {
        this.#resolveResult?.(m.digests);
      }
    });
    const fail = (err: Error): void => {
      this.#failure ??= new NiemError('internal', `digest worker failed: ${err.message}`, {
        cause: err,
      });
      this.#rejectResult?.(this.#failure);
      const w = this.#waiter;
      this.#waiter = null;
      w?.();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.#finished || this.#worker !== null) fail(new Error(`exited with code ${code}`));
    });
    this.#worker = worker;
  }

  async #feed(chunk: Uint8Array): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      this.#batch ??= this.#free.pop() ?? new Uint8Array(BATCH_BYTES);
      const n = Math.min(BATCH_BYTES - this.#batchFill, chunk.length - at);
      this.#batch.set(chunk.subarray(at, at + n), this.#batchFill);
      this.#batchFill += n;
      at += n;
      if (this.#batchFill === BATCH_BYTES) await this.#send();
    }
  }

  async #send(): Promise<void> {
    const batch = this.#batch as Uint8Array;
    const bytes = this.#batchFill === batch.length ? batch : batch.slice(0, this.#batchFill);
    this.#batch = null;
    this.#batchFill = 0;
    while (this.#inFlight >= MAX_IN_FLIGHT) {
      await new Promise<void>((resolve) => (this.#waiter = resolve));
      this.#throwIfFailed();
    }
    this.#inFlight++;
    (this.#worker as Worker).postMessage({ type: 'data', bytes }, [bytes.buffer as ArrayBuffer]);
  }

  #throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure;
  }
}
