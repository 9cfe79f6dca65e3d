/**
 * SHA-256 of upload chunks off the thread that sends them: while one chunk goes out on the
 * socket (TLS encryption and writes run on the calling thread), the next one is hashed in a
 * worker. Chunks live in SharedArrayBuffers, so nothing is copied or transferred: the
 * worker reads the same memory the sender later writes from. Small uploads (below
 * WORKER_THRESHOLD) are hashed on the calling thread: starting a worker costs more than
 * hashing a few MiB.
 */
import { hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { NiemError } from '../api/errors.ts';

/** Uploads smaller than this (bytes) are hashed on the calling thread. */
export const WORKER_THRESHOLD = 4 * 1024 * 1024;

/** Plain CommonJS evaluated in the worker (no type stripping needed, survives bundling). */
const WORKER_SOURCE = `
const { hash } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, memory, length }) => {
  const digest = hash('sha256', new Uint8Array(memory, 0, length), 'base64');
  parentPort.postMessage({ id, digest });
});
`;

interface Pending {
  resolve: (digest: string) => void;
  reject: (err: Error) => void;
}

/** Hashes chunks held in SharedArrayBuffers; `close()` stops the worker. */
export class ChunkHasher {
  readonly #useWorker: boolean;
  #worker: Worker | null = null;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();
  #failure: Error | null = null;

  /** `totalBytes`: what the upload will hash in all (decides between worker and inline). */
  constructor(totalBytes: number) {
    this.#useWorker = totalBytes >= WORKER_THRESHOLD;
  }

  /** Base64 SHA-256 of the first `length` bytes of `memory`, which must not change meanwhile. */
  digest(memory: SharedArrayBuffer, length: number): Promise<string> {
    if (!this.#useWorker) {
      return Promise.resolve(hash('sha256', new Uint8Array(memory, 0, length), 'base64'));
    }
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, memory, length });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 8 },
    });
    worker.unref();
    worker.on('message', ({ id, digest }: { id: number; digest: string }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      pending?.resolve(digest);
    });
    const fail = (err: Error): void => {
      this.#failure ??= new NiemError('internal', `chunk hash worker failed: ${err.message}`, {
        cause: err,
      });
      for (const p of this.#pending.values()) p.reject(this.#failure);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.#worker === worker) fail(new Error(`exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }
}
