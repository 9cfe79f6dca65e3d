/**
 * Streaming BER writer for large contents: indefinite-length constructed elements (0x80 …
 * 00 00) whose parts are produced on the fly, and an OCTET STRING (or an implicitly tagged
 * one such as [0] IMPLICIT in EncryptedContentInfo) written as segments of bounded size
 * (large chunks passed through uncopied), so a 5 GB payload passes through one chunk at a
 * time. Output is async generators of
 * Uint8Array (`Readable.from` makes a stream of them) or a Transform for pipelines.
 */
import { Transform } from 'node:stream';
import { NiemError } from '../../api/errors.ts';
import { END_OF_CONTENTS, encodeHeader } from './ber-encode.ts';
import { UniversalTag, type TagClass } from './ber-types.ts';

/** Chunks of bytes from any producer: an async or sync iterable (a Node Readable is one). */
export type ChunkSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** One part of an indefinite-length element: complete bytes, or a stream of them. */
export type StreamPart = Uint8Array | ChunkSource;

/** Header of an indefinite-length constructed element: identifier, then 0x80. */
export function indefiniteHeader(tagClass: TagClass, tagNumber: number): Uint8Array {
  return encodeHeader(tagClass, true, tagNumber, 'indefinite');
}

/**
 * An indefinite-length constructed element around `parts`, each yielded in order (streams
 * are passed through chunk by chunk), then end-of-contents. Parts may be given lazily.
 */
export async function* encodeIndefinite(
  tagClass: TagClass,
  tagNumber: number,
  parts: Iterable<StreamPart> | AsyncIterable<StreamPart>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield indefiniteHeader(tagClass, tagNumber);
  for await (const part of parts) {
    if (part instanceof Uint8Array) yield part;
    else for await (const chunk of part) yield chunk;
  }
  yield END_OF_CONTENTS;
}

export interface OctetStringStreamOptions {
  /** Largest contents bytes of a segment. Default 65,536. */
  readonly segmentSize?: number;
  /** Tag of the outer constructed element; default universal OCTET STRING. */
  readonly tagClass?: TagClass;
  readonly tagNumber?: number;
}

/**
 * Largest coalescing buffer: chunks shorter than this (tar headers, small writes) are
 * copied together into segments; longer ones are passed through as views, uncopied.
 */
const COALESCE_BYTES = 64 * 1024;

/**
 * Cuts a byte stream into primitive OCTET STRING segments of at most `segmentSize`
 * contents bytes. Each segment comes out as a header array followed by its contents.
 *
 * Chunks of at least min(segmentSize, 64 KiB) bytes are not copied: their segments are
 * views of the chunk (so the producer must not reuse a chunk's memory once it is given;
 * file reads, cipher output and tar parts never do). Shorter chunks are copied together
 * into segments of min(segmentSize, 64 KiB) bytes; a waiting short segment is written out
 * before a long chunk. Any segmentation is valid BER (X.690 §8.7.3): readers join them.
 */
export class OctetStringSegmenter {
  readonly #size: number;
  readonly #coalesce: number;
  #pending: Uint8Array | null = null;
  #filled = 0;

  constructor(segmentSize = 65_536) {
    if (!Number.isSafeInteger(segmentSize) || segmentSize < 1 || segmentSize > 1 << 30) {
      throw new NiemError('internal', `ASN.1 writer: segment size ${segmentSize}`);
    }
    this.#size = segmentSize;
    this.#coalesce = Math.min(segmentSize, COALESCE_BYTES);
  }

  /** Takes a chunk (views of it may be returned); returns the arrays of completed segments. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (chunk.length >= this.#coalesce) {
      this.#flushInto(out);
      for (let at = 0; at < chunk.length; at += this.#size) {
        const part = chunk.subarray(at, Math.min(at + this.#size, chunk.length));
        if (part.length < this.#coalesce) {
          this.#copy(part, out);
        } else {
          out.push(segmentHeader(part.length), part);
        }
      }
      return out;
    }
    this.#copy(chunk, out);
    return out;
  }

  /** The last, shorter segment if any bytes are waiting. */
  flush(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#flushInto(out);
    return out;
  }

  #copy(chunk: Uint8Array, out: Uint8Array[]): void {
    let at = 0;
    while (at < chunk.length) {
      this.#pending ??= new Uint8Array(this.#coalesce);
      const n = Math.min(this.#coalesce - this.#filled, chunk.length - at);
      this.#pending.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#coalesce) this.#flushInto(out);
    }
  }

  #flushInto(out: Uint8Array[]): void {
    const pending = this.#pending;
    if (pending === null || this.#filled === 0) return;
    out.push(segmentHeader(this.#filled), pending.subarray(0, this.#filled));
    this.#pending = null;
    this.#filled = 0;
  }
}

function segmentHeader(length: number): Uint8Array {
  return encodeHeader('universal', false, UniversalTag.octetString, length);
}

function outerHeader(options: OctetStringStreamOptions): Uint8Array {
  const tagClass = options.tagClass ?? 'universal';
  const tagNumber = options.tagNumber ?? UniversalTag.octetString;
  return indefiniteHeader(tagClass, tagNumber);
}

/**
 * A constructed, indefinite-length OCTET STRING (by default) holding the bytes of `source`
 * in segments: `24 80 (04 len bytes)* 00 00`. An empty source gives `24 80 00 00`.
 */
export async function* encodeOctetStringStream(
  source: ChunkSource,
  options: OctetStringStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const segmenter = new OctetStringSegmenter(options.segmentSize);
  yield outerHeader(options);
  for await (const chunk of source) {
    for (const seg of segmenter.push(chunk)) yield seg;
  }
  for (const seg of segmenter.flush()) yield seg;
  yield END_OF_CONTENTS;
}

/**
 * The same as a Transform for `pipeline(file, cipher, createOctetStringEncoder(), out)`:
 * raw bytes in, the segmented indefinite-length encoding out (header even for no input).
 */
export function createOctetStringEncoder(options: OctetStringStreamOptions = {}): Transform {
  const segmenter = new OctetStringSegmenter(options.segmentSize);
  const header = outerHeader(options);
  let started = false;
  const start = (t: Transform): void => {
    if (!started) {
      started = true;
      t.push(header);
    }
  };
  return new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      start(this);
      for (const seg of segmenter.push(chunk)) this.push(seg);
      callback();
    },
    flush(callback) {
      start(this);
      for (const seg of segmenter.flush()) this.push(seg);
      this.push(END_OF_CONTENTS);
      callback();
    },
  });
}
