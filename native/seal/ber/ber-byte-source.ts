/**
 * A byte source over chunks split anywhere (a file stream, a decipher, a test's random
 * splits): the reader looks at the current chunk in place, asks for a few contiguous bytes
 * when a header straddles chunks (copying only those), and takes contents as views into the
 * chunks. It holds one chunk (plus a carry of at most a header) at a time.
 */
import { Readable } from 'node:stream';
import { NiemError, type ErrorKind } from '../../api/errors.ts';

/** How a source reports a chunk that is not bytes (a caller's mistake, by default `internal`). */
export interface ByteSourceOptions {
  /** Names the reader in the message, e.g. "ASN.1 reader", "tar reader". */
  readonly name?: string;
  readonly notBytesKind?: ErrorKind;
}

/**
 * What the reader accepts: an async iterable of chunks (a Node Readable, an async
 * generator, a PassThrough the producer writes into), a sync iterable of chunks, or one
 * Uint8Array. Chunks must be Uint8Arrays (Buffers are); they are not copied, so the
 * producer must not reuse them.
 */
export type ByteInput = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

const EMPTY = new Uint8Array(0);

export class ByteSource {
  #iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | null;
  /** The current chunk (or carry) and the read position in it. */
  buffer: Uint8Array = EMPTY;
  position = 0;
  /** Absolute offset of buffer[0]. */
  #base = 0;
  /** The rest of a chunk whose head went into a carry. */
  #queued: Uint8Array | null = null;
  #ended = false;
  readonly #name: string;
  readonly #notBytesKind: ErrorKind;
  /** The input when it is a Node stream (a file): close() waits until it is closed. */
  readonly #stream: Readable | undefined;

  constructor(input: ByteInput, options: ByteSourceOptions = {}) {
    this.#name = options.name ?? 'ASN.1 reader';
    this.#notBytesKind = options.notBytesKind ?? 'internal';
    this.#stream = input instanceof Readable ? input : undefined;
    if (input instanceof Uint8Array) {
      this.#iterator = [input][Symbol.iterator]();
    } else if (Symbol.asyncIterator in input) {
      this.#iterator = input[Symbol.asyncIterator]();
    } else {
      this.#iterator = input[Symbol.iterator]();
    }
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.#base + this.position;
  }

  /** Unread bytes in the current buffer. */
  get available(): number {
    return this.buffer.length - this.position;
  }

  /** The next non-empty chunk, or null at the end of the input. */
  async #pull(): Promise<Uint8Array | null> {
    if (this.#queued !== null) {
      const q = this.#queued;
      this.#queued = null;
      return q;
    }
    while (!this.#ended && this.#iterator !== null) {
      const r = await this.#iterator.next();
      if (r.done === true) {
        this.#ended = true;
        this.#iterator = null;
        return null;
      }
      const chunk: unknown = r.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new NiemError(
          this.#notBytesKind,
          `${this.#name}: the input yielded a chunk that is not bytes`,
        );
      }
      if (chunk.length > 0) return chunk;
    }
    return null;
  }

  /** Makes the current buffer non-empty if input remains; false at the end of the input. */
  async fill(): Promise<boolean> {
    if (this.position < this.buffer.length) return true;
    const chunk = await this.#pull();
    if (chunk === null) return false;
    this.#base += this.buffer.length;
    this.buffer = chunk;
    this.position = 0;
    return true;
  }

  /**
   * Makes at least `n` unread bytes contiguous in `buffer` (for headers: n is small),
   * copying only what straddles chunks. Returns the bytes available, fewer than `n` only at
   * the end of the input.
   */
  async ensure(n: number): Promise<number> {
    let have = this.available;
    if (have >= n) return have;
    const parts: Uint8Array[] = [this.buffer.subarray(this.position)];
    while (have < n) {
      const chunk = await this.#pull();
      if (chunk === null) break;
      const need = n - have;
      if (chunk.length > need) {
        parts.push(chunk.subarray(0, need));
        this.#queued = chunk.subarray(need);
        have += need;
      } else {
        parts.push(chunk);
        have += chunk.length;
      }
    }
    const carry = new Uint8Array(have);
    let at = 0;
    for (const p of parts) {
      carry.set(p, at);
      at += p.length;
    }
    this.#base += this.position;
    this.buffer = carry;
    this.position = 0;
    return have;
  }

  /** Consumes `n` bytes of the current buffer (n ≤ available). */
  advance(n: number): void {
    this.position += n;
  }

  /** Up to `max` bytes as a view into the input (no copy); null at the end of the input. */
  async readUpTo(max: number): Promise<Uint8Array | null> {
    if (!(await this.fill())) return null;
    const n = Math.min(max, this.buffer.length - this.position);
    const view = this.buffer.subarray(this.position, this.position + n);
    this.position += n;
    return view;
  }

  /** Copies exactly `n` bytes into `target` at `at`; returns the bytes copied (fewer at the end). */
  async readInto(target: Uint8Array, at: number, n: number): Promise<number> {
    let done = 0;
    while (done < n) {
      const view = await this.readUpTo(n - done);
      if (view === null) break;
      target.set(view, at + done);
      done += view.length;
    }
    return done;
  }

  /** Discards `n` bytes; returns the bytes discarded (fewer at the end of the input). */
  async skip(n: number): Promise<number> {
    let done = 0;
    while (done < n) {
      if (!(await this.fill())) break;
      const step = Math.min(n - done, this.buffer.length - this.position);
      this.position += step;
      done += step;
    }
    return done;
  }

  /** True when no byte remains. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  /** Stops the underlying iterator (closes a file stream) when reading ends early. */
  async close(): Promise<void> {
    const it = this.#iterator;
    this.#iterator = null;
    this.#ended = true;
    this.#queued = null;
    this.buffer = EMPTY;
    this.position = 0;
    if (it?.return !== undefined) await it.return();
    // A file stream releases its descriptor after it ended or was destroyed, on a later
    // tick: settle only then, so a caller may delete or move the file at once (Windows
    // refuses that while a handle is open).
    const stream = this.#stream;
    if (stream !== undefined && !stream.closed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
  }
}
