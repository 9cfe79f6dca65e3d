/**
 * The streaming BER/DER reader: a pull tokenizer over chunks split anywhere. `next()` gives
 * the header of the next element at the current level (null at the end of the level); the
 * caller then enters it, skips it, reads it whole (bounded), or streams its contents (a
 * primitive, or a constructed OCTET STRING whose segments are joined) without buffering.
 * Every refusal is a `malformed` NiemError naming the rule and the offset; after one the
 * reader refuses all further calls with the same error.
 *
 * Push-style producers write into a `PassThrough` and hand the reader the stream: Node's
 * stream backpressure then paces the producer by the reader.
 */
import { NiemError } from '../../api/errors.ts';
import type { ByteInput } from './ber-byte-source.ts';
import { BerCursor, label } from './ber-cursor.ts';
import { decodeBer, type AsnNode } from './ber-decode.ts';
import {
  DEFAULT_MAX_WHOLE,
  UniversalTag,
  malformed,
  type BerHeader,
  type BerLimits,
} from './ber-types.ts';

export interface BerReaderOptions extends BerLimits {
  /** Size of the whole input when known (a file): lengths past it are refused at once. */
  readonly totalLength?: number;
  /** Bytes after the top-level element: 'refuse' (default) or 'ignore' (left unread). */
  readonly trailing?: 'refuse' | 'ignore';
  /** Largest element (readWhole/readNode) or contents (readContents) held in memory; 1 MiB. */
  readonly maxWhole?: number;
}

const EOC = Uint8Array.of(0, 0);

export class BerReader {
  readonly #c: BerCursor;
  readonly #maxWhole: number;
  #failure: unknown = undefined;
  #streaming = false;

  constructor(input: ByteInput, options: BerReaderOptions = {}) {
    this.#c = new BerCursor(input, options);
    this.#maxWhole = options.maxWhole ?? DEFAULT_MAX_WHOLE;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.#c.src.offset;
  }

  /** Constructed elements currently entered. */
  get depth(): number {
    return this.#c.depth;
  }

  /**
   * The header of the next element at the current level. Contents of the previous element
   * not consumed are skipped. Null at the end of the level (the level is left), or at the
   * top after the element (checking trailing bytes unless `trailing: 'ignore'`).
   */
  next(): Promise<BerHeader | null> {
    return this.#guard(() => this.#c.next());
  }

  /** Descends into a constructed element `h` just returned by next(). */
  enter(h: BerHeader): void {
    this.#checkIdle();
    try {
      this.#c.take(h);
      this.#c.enter(h);
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /** Skips element `h` (streaming, nothing kept); only what finds its end is checked. */
  skip(h: BerHeader): Promise<void> {
    return this.#guard(async () => {
      this.#c.take(h);
      this.#c.pending = h;
      await this.#c.skipPending();
    });
  }

  /** The whole encoding of `h` (header to end-of-contents) in memory; at most maxBytes. */
  readWhole(h: BerHeader, maxBytes: number = this.#maxWhole): Promise<Uint8Array> {
    return this.#guard(() => this.#readWhole(h, maxBytes));
  }

  /** `h` read whole and decoded as a tree, offsets absolute, the reader's rules applied. */
  async readNode(h: BerHeader, maxBytes: number = this.#maxWhole): Promise<AsnNode> {
    const bytes = await this.readWhole(h, maxBytes);
    try {
      return decodeBer(bytes, {
        der: this.#c.der,
        maxDepth: this.#c.maxDepth,
        baseOffset: h.offset,
        baseDepth: h.depth,
      });
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /** The contents of `h` in memory (segments of a constructed string joined); at most maxBytes. */
  async readContents(h: BerHeader, maxBytes: number = this.#maxWhole): Promise<Uint8Array> {
    if (h.length !== 'indefinite' && h.length > maxBytes) {
      this.#checkIdle();
      throw this.#fail(tooLarge(h, h.length, maxBytes));
    }
    if (!h.constructed) {
      return this.#guard(async () => {
        this.#c.take(h);
        const out = new Uint8Array(h.length as number);
        const got = await this.#c.src.readInto(out, 0, out.length);
        if (got < out.length) throw this.#c.truncated(h, out.length - got);
        return out;
      });
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of this.contents(h)) {
      size += chunk.length;
      if (size > maxBytes) throw this.#fail(tooLarge(h, size, maxBytes));
      parts.push(chunk);
    }
    return join(parts, size);
  }

  /**
   * Streams the contents of `h` as views into the input chunks (no copy; they stay valid
   * as long as the producer does not reuse its buffers). A primitive yields its contents;
   * a constructed element (an OCTET STRING, or an implicitly tagged one like [0] in
   * EncryptedContentInfo) must hold only OCTET STRING segments, possibly nested, whose
   * contents are joined. Leaving the loop early is allowed: the next call skips the rest.
   */
  async *contents(h: BerHeader): AsyncGenerator<Uint8Array, void, undefined> {
    this.#checkIdle();
    const c = this.#c;
    this.#streaming = true;
    const base = c.depth;
    let complete = false;
    try {
      c.take(h);
      if (!h.constructed) {
        yield* this.#primitive(h);
      } else {
        if (c.der) {
          throw malformed(
            `constructed ${label(h)} where a string was expected (DER requires primitive strings)`,
            h.offset,
          );
        }
        c.enter(h);
        while (c.depth > base) {
          const seg = await c.next();
          if (seg === null) continue;
          if (seg.tagClass !== 'universal' || seg.tagNumber !== UniversalTag.octetString) {
            throw malformed(
              `${label(seg)} inside a constructed string (only OCTET STRING segments allowed)`,
              seg.offset,
            );
          }
          c.pending = null;
          if (seg.constructed) c.enter(seg);
          else yield* this.#primitive(seg);
        }
      }
      complete = true;
    } catch (err) {
      complete = true;
      throw this.#fail(err);
    } finally {
      this.#streaming = false;
      if (!complete) c.unwindTo = base;
    }
  }

  /**
   * Ends reading: skips what remains of every open element and, at the top, refuses
   * trailing bytes (unless 'ignore'). Call it after the last needed element so that a
   * damaged tail is not silently accepted.
   */
  finish(): Promise<void> {
    return this.#guard(async () => {
      for (;;) {
        const h = await this.#c.next();
        if (h === null && this.#c.done) {
          // back at the top: this read is what refuses trailing bytes (unless 'ignore')
          await this.#c.next();
          return;
        }
      }
    });
  }

  /** Releases the input (closes a file stream) when reading stops early. */
  async close(): Promise<void> {
    await this.#c.src.close();
  }

  async *#primitive(h: BerHeader): AsyncGenerator<Uint8Array, void, undefined> {
    const c = this.#c;
    let remaining = h.length as number;
    c.partial = remaining;
    while (remaining > 0) {
      const view = await c.src.readUpTo(remaining);
      if (view === null) throw c.truncated(h, remaining);
      remaining -= view.length;
      c.partial = remaining;
      yield view;
    }
  }

  async #readWhole(h: BerHeader, maxBytes: number): Promise<Uint8Array> {
    const c = this.#c;
    c.take(h);
    if (h.length !== 'indefinite') {
      const total = h.headerLength + h.length;
      if (total > maxBytes) throw tooLarge(h, total, maxBytes);
      const out = new Uint8Array(total);
      out.set(h.headerBytes);
      if ((await c.src.readInto(out, h.headerLength, h.length)) < h.length) {
        throw c.truncated(h);
      }
      return out;
    }
    const parts: Uint8Array[] = [h.headerBytes];
    let size = h.headerLength;
    const base = c.depth;
    c.enter(h);
    while (c.depth > base) {
      const e = await c.next();
      if (e === null) {
        size += 2;
        if (size > maxBytes) throw tooLarge(h, size, maxBytes);
        parts.push(EOC);
        continue;
      }
      c.pending = null;
      size += e.headerLength + (e.length === 'indefinite' ? 0 : e.length);
      if (size > maxBytes) throw tooLarge(h, size, maxBytes);
      parts.push(e.headerBytes);
      if (e.length === 'indefinite') {
        c.enter(e);
      } else if (e.length > 0) {
        const body = new Uint8Array(e.length);
        if ((await c.src.readInto(body, 0, e.length)) < e.length) throw c.truncated(e);
        parts.push(body);
      }
    }
    return join(parts, size);
  }

  #checkIdle(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#streaming) {
      throw new NiemError('internal', 'ASN.1 reader: called while a contents() stream is open');
    }
  }

  async #guard<T>(body: () => Promise<T>): Promise<T> {
    this.#checkIdle();
    try {
      return await body();
    } catch (err) {
      throw this.#fail(err);
    }
  }

  #fail(err: unknown): unknown {
    if (this.#failure === undefined) this.#failure = err;
    return err;
  }
}

function tooLarge(h: BerHeader, size: number, max: number): NiemError {
  return malformed(
    `${label(h)} of ${size} bytes or more is larger than the ${max}-byte limit for reading in memory`,
    h.offset,
  );
}

function join(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
