/**
 * Streaming BER writer for large contents: indefinite-length constructed elements (0x80 …
 * 00 00) whose parts are produced on the fly, and an OCTET STRING (or an implicitly tagged
 * one such as [0] IMPLICIT in EncryptedContentInfo) written as segments of a fixed size, so
 * a 5 GB payload passes through one segment at a time. Output is async generators of
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
  /** Contents bytes per segment (the last one may be shorter). Default 65,536. */
  readonly segmentSize?: number;
  /** Tag of the outer constructed element; default universal OCTET STRING. */
  readonly tagClass?: TagClass;
  readonly tagNumber?: number;
}

/**
 * Cuts a byte stream into primitive OCTET STRING segments of `segmentSize` contents bytes,
 * each returned as one array (header and contents). Copies each input byte once.
 */
export class OctetStringSegmenter {
  readonly #size: number;
  readonly #fullHeader: Uint8Array;
  #segment: Uint8Array | null = null;
  #filled = 0;

  constructor(segmentSize = 65_536) {
    if (!Number.isSafeInteger(segmentSize) || segmentSize < 1 || segmentSize > 1 << 30) {
      throw new NiemError('internal', `ASN.1 writer: segment size ${segmentSize}`);
    }
    this.#size = segmentSize;
    this.#fullHeader = encodeHeader('universal', false, UniversalTag.octetString, segmentSize);
  }

  /** Takes a chunk (not kept); returns the segments it completed. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const hl = this.#fullHeader.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.#segment === null) {
        this.#segment = new Uint8Array(hl + this.#size);
        this.#segment.set(this.#fullHeader);
        this.#filled = 0;
      }
      const n = Math.min(this.#size - this.#filled, chunk.length - at);
      this.#segment.set(chunk.subarray(at, at + n), hl + this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#size) {
        out.push(this.#segment);
        this.#segment = null;
      }
    }
    return out;
  }

  /** The last, shorter segment if any bytes are waiting (its header written in place). */
  flush(): Uint8Array[] {
    const seg = this.#segment;
    this.#segment = null;
    if (seg === null || this.#filled === 0) return [];
    const hl = this.#fullHeader.length;
    const header = encodeHeader('universal', false, UniversalTag.octetString, this.#filled);
    const start = hl - header.length;
    seg.set(header, start);
    return [seg.subarray(start, hl + this.#filled)];
  }
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
