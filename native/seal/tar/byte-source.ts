/**
 * Pulls exact byte counts out of an async source of chunks split anywhere, without
 * copying content chunks (only headers and small records are copied).
 * Chunks are not retained past the read that consumes them; a producer must not
 * change a chunk after yielding it.
 */
import { NiemError } from '../../api/errors.ts';

const EMPTY = new Uint8Array(0);

/** A source of byte chunks: a Node Readable, an async generator, or an array of buffers. */
export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export class ByteSource {
  private readonly iterator: AsyncIterator<unknown> | Iterator<unknown>;
  private buffer: Uint8Array = EMPTY;
  private ended = false;

  constructor(source: ByteChunks) {
    this.iterator =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** Ensures at least one unread byte; false at the end of the source. */
  private async fill(): Promise<boolean> {
    while (this.buffer.length === 0) {
      if (this.ended) return false;
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        return false;
      }
      const chunk: unknown = next.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new NiemError(
          'invalid-input',
          'tar reader: the source yielded something other than bytes',
        );
      }
      this.buffer = chunk;
    }
    return true;
  }

  /** Up to `max` bytes (at least one), as a view of the current chunk; null at the end. */
  async takeUpTo(max: number): Promise<Uint8Array | null> {
    if (!(await this.fill())) return null;
    const n = Math.min(max, this.buffer.length);
    const out = this.buffer.subarray(0, n);
    this.buffer = n === this.buffer.length ? EMPTY : this.buffer.subarray(n);
    return out;
  }

  /**
   * Exactly `n` bytes in a fresh buffer. Returns null when the source ends before the
   * first byte; throws `malformed` when it ends part-way.
   */
  async readExact(n: number, what: string): Promise<Uint8Array | null> {
    if (n === 0) return EMPTY;
    const first = await this.takeUpTo(n);
    if (first === null) return null;
    const out = new Uint8Array(n);
    out.set(first, 0);
    let at = first.length;
    while (at < n) {
      const part = await this.takeUpTo(n - at);
      if (part === null) throw new NiemError('malformed', `tar: truncated ${what}`);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Skips exactly `n` bytes; throws `malformed` when the source ends first. */
  async skip(n: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) {
      const part = await this.takeUpTo(left);
      if (part === null) throw new NiemError('malformed', `tar: truncated ${what}`);
      left -= part.length;
    }
  }

  /** Reads to the end of the source; throws `malformed` on any non-zero byte. */
  async expectZerosToEnd(): Promise<void> {
    for (;;) {
      const part = await this.takeUpTo(Number.MAX_SAFE_INTEGER);
      if (part === null) return;
      for (let i = 0; i < part.length; i++) {
        if (part[i] !== 0)
          throw new NiemError('malformed', 'tar: data after the end of the archive');
      }
    }
  }

  /** Lets the source release what it holds (e.g. close a file) when reading stops early. */
  async close(): Promise<void> {
    this.buffer = EMPTY;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }
}
