/**
 * The engine under BerReader (not exported from the layer): the stack of open constructed
 * elements, header reading with every structural rule (end-of-contents only where an
 * indefinite-length element may end, children within their parent, lengths within the
 * input and below 2^53, depth limit), and skipping without recursion. It throws on bad
 * input and leaves guarding (one failure poisons the reader) to BerReader.
 */
import { NiemError } from '../../api/errors.ts';
import { ByteSource, type ByteInput } from './ber-byte-source.ts';
import { isEndOfContents, parseHeader } from './ber-header.ts';
import {
  DEFAULT_MAX_DEPTH,
  malformed,
  tagLabel,
  type BerHeader,
  type BerLimits,
} from './ber-types.ts';

export interface CursorOptions extends BerLimits {
  readonly totalLength?: number;
  readonly trailing?: 'refuse' | 'ignore';
}

interface Level {
  readonly header: BerHeader;
  /** Absolute offset just past the contents; -1 for indefinite length. */
  readonly end: number;
}

export const label = (h: BerHeader): string => tagLabel(h.tagClass, h.tagNumber);

export class BerCursor {
  readonly src: ByteSource;
  readonly der: boolean;
  readonly maxDepth: number;
  readonly #trailing: 'refuse' | 'ignore';
  readonly #total: number;
  readonly #levels: Level[] = [];
  /** The header last returned by next() whose contents were not consumed yet. */
  pending: BerHeader | null = null;
  #topSeen = false;
  /** Set when a contents() stream was left early: the level count to skip back to. */
  unwindTo = -1;
  /** Bytes left of the primitive an abandoned contents() stream was in. */
  partial = 0;

  constructor(input: ByteInput, options: CursorOptions) {
    this.src = new ByteSource(input);
    this.der = options.der ?? false;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#trailing = options.trailing ?? 'refuse';
    this.#total = options.totalLength ?? Number.MAX_SAFE_INTEGER;
  }

  /** Constructed elements currently entered. */
  get depth(): number {
    return this.#levels.length;
  }

  /** True once the top-level element was read and every level left again. */
  get done(): boolean {
    return this.#topSeen && this.#levels.length === 0;
  }

  /** The next header at the current level; null when the level (or the input) ends. */
  async next(): Promise<BerHeader | null> {
    if (this.unwindTo >= 0) await this.#unwind();
    if (this.pending !== null) await this.skipPending();
    const src = this.src;
    const level = this.#levels.at(-1);
    if (level === undefined) {
      if (this.#topSeen) {
        if (this.#trailing === 'ignore' || (await src.atEnd())) return null;
        throw malformed('trailing bytes after the top-level element', src.offset);
      }
      if (await src.atEnd()) throw malformed('no ASN.1 element: the input is empty', src.offset);
    } else if (level.end >= 0 && src.offset === level.end) {
      this.#levels.pop();
      return null;
    }
    const h = await this.#readHeader(level);
    if (isEndOfContents(h)) {
      if (level !== undefined && level.end < 0) {
        this.#levels.pop();
        return null;
      }
      throw malformed(
        level === undefined
          ? 'end-of-contents (00 00) at the top level'
          : `end-of-contents (00 00) inside definite-length ${label(level.header)} at offset ${level.header.offset}`,
        h.offset,
      );
    }
    if (h.length !== 'indefinite') {
      const end = h.offset + h.headerLength + h.length;
      if (level !== undefined && level.end >= 0 && end > level.end) {
        throw malformed(
          `${label(h)} of ${h.length} bytes runs ${end - level.end} bytes past the end of ${label(level.header)} at offset ${level.header.offset}`,
          h.offset,
        );
      }
      if (end > this.#total) {
        throw malformed(
          `${label(h)} of ${h.length} bytes runs past the end of the input (${Math.max(0, this.#total - h.offset - h.headerLength)} bytes remain)`,
          h.offset,
        );
      }
      if (!Number.isSafeInteger(end)) throw malformed(`${label(h)} ends past 2^53`, h.offset);
    }
    if (level === undefined) this.#topSeen = true;
    this.pending = h;
    return h;
  }

  async #readHeader(level: Level | undefined): Promise<BerHeader> {
    const src = this.src;
    const depth = this.#levels.length;
    let avail = src.available;
    for (;;) {
      const room = level !== undefined && level.end >= 0 ? level.end - src.offset : Infinity;
      const window = Math.min(avail, room);
      const end = src.position + window;
      const h = parseHeader(src.buffer, src.position, end, src.offset, depth, this.der);
      if (h !== null) {
        src.advance(h.headerLength);
        return h;
      }
      if (window === room && level !== undefined) {
        throw malformed(
          `header crosses the end of ${label(level.header)} at offset ${level.header.offset}`,
          src.offset,
        );
      }
      const got = await src.ensure(avail + 1);
      if (got <= avail) {
        if (level === undefined) throw malformed('input ends inside a header', src.offset);
        throw this.truncated(level.header, level.end < 0 ? undefined : level.end - src.offset);
      }
      avail = got;
    }
  }

  /** Opens constructed element `h` (its header just read) as the current level. */
  enter(h: BerHeader): void {
    if (!h.constructed) {
      throw malformed(`expected a constructed element, found primitive ${label(h)}`, h.offset);
    }
    if (this.#levels.length >= this.maxDepth) {
      throw malformed(`nesting deeper than ${this.maxDepth} levels`, h.offset);
    }
    const end = h.length === 'indefinite' ? -1 : h.offset + h.headerLength + h.length;
    this.#levels.push({ header: h, end });
  }

  /** Skips the pending element: definite by length, indefinite by walking to its 00 00. */
  async skipPending(): Promise<void> {
    const h = this.pending as BerHeader;
    this.pending = null;
    if (h.length !== 'indefinite') {
      const skipped = await this.src.skip(h.length);
      if (skipped < h.length) throw this.truncated(h, h.length - skipped);
      return;
    }
    const base = this.#levels.length;
    this.enter(h);
    while (this.#levels.length > base) {
      const c = await this.next();
      if (c !== null && c.length === 'indefinite') {
        this.pending = null;
        this.enter(c);
      }
    }
  }

  /** Skips what an abandoned contents() stream left: the rest of a segment, then levels. */
  async #unwind(): Promise<void> {
    const target = this.unwindTo;
    this.unwindTo = -1;
    if (this.partial > 0) {
      const n = this.partial;
      this.partial = 0;
      if ((await this.src.skip(n)) < n) {
        throw malformed('input ends inside a segment', this.src.offset);
      }
    }
    while (this.#levels.length > target) await this.next();
    if (this.pending !== null) await this.skipPending();
  }

  /** Marks `h` consumed; it must be the element next() returned last. */
  take(h: BerHeader): void {
    if (this.pending !== h) {
      throw new NiemError('internal', 'ASN.1 reader: element already consumed or not current');
    }
    this.pending = null;
  }

  truncated(h: BerHeader, missing?: number): NiemError {
    const more = missing === undefined ? '' : `: ${missing} more bytes expected`;
    const what = h.length === 'indefinite' ? ' (end-of-contents missing)' : '';
    return malformed(
      `input ends inside ${label(h)} started at offset ${h.offset}${what}${more}`,
      this.src.offset,
    );
  }
}
