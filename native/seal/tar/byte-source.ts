/**
 * The tar reader's view of its input: exact reads and skips with tar's own error
 * messages, over the package layer's chunk source (ber/ber-byte-source.ts), which pulls
 * chunks split anywhere and hands out views without copying content.
 */
import { NiemError } from '../../api/errors.ts';
import { ByteSource as ChunkSource } from '../ber/ber-byte-source.ts';

const EMPTY = new Uint8Array(0);

/** A source of byte chunks: a Node Readable, an async generator, or an array of buffers. */
export type ByteChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

const truncated = (what: string) => new NiemError('malformed', `tar: truncated ${what}`);

export class ByteSource {
  readonly #src: ChunkSource;

  constructor(source: ByteChunks) {
    this.#src = new ChunkSource(source, { name: 'tar reader', notBytesKind: 'invalid-input' });
  }

  /** Up to `max` bytes (at least one), as a view of the current chunk; null at the end. */
  takeUpTo(max: number): Promise<Uint8Array | null> {
    return this.#src.readUpTo(max);
  }

  /**
   * Exactly `n` bytes in a fresh buffer. Returns null when the source ends before the
   * first byte; throws `malformed` when it ends part-way.
   */
  async readExact(n: number, what: string): Promise<Uint8Array | null> {
    if (n === 0) return EMPTY;
    const out = new Uint8Array(n);
    const got = await this.#src.readInto(out, 0, n);
    if (got === 0) return null;
    if (got < n) throw truncated(what);
    return out;
  }

  /** Skips exactly `n` bytes; throws `malformed` when the source ends first. */
  async skip(n: number, what: string): Promise<void> {
    if ((await this.#src.skip(n)) < n) throw truncated(what);
  }

  /** Reads to the end of the source; throws `malformed` on any non-zero byte. */
  async expectZerosToEnd(): Promise<void> {
    for (;;) {
      const part = await this.#src.readUpTo(Number.MAX_SAFE_INTEGER);
      if (part === null) return;
      if (part.some((byte) => byte !== 0)) {
        throw new NiemError('malformed', 'tar: data after the end of the archive');
      }
    }
  }

  /** Lets the source release what it holds (e.g. close a file) when reading stops early. */
  close(): Promise<void> {
    return this.#src.close();
  }
}
