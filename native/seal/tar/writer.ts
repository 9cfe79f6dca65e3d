/**
 * A streaming pax writer: yields the archive as chunks, passing each member's content
 * through as it is read (never buffered), with deterministic headers: mode 0644,
 * uid/gid 0, no user or group names, the given mtime, ustar magic. A name that is not
 * printable ASCII of at most 100 bytes travels in a pax `path` record (UTF-8), a size
 * of 8 GiB or more in a pax `size` record; the ustar fields then hold a safe ASCII
 * fallback name and 0.
 */
import { NiemError } from '../../api/errors.ts';
import {
  BLOCK_SIZE,
  MAX_OCTAL_SIZE,
  encodeHeader,
  encodePaxRecords,
  paddingFor,
} from './header.ts';
import { assertSafeName, nameKey } from './names.ts';

/** Content of a member: bytes, a stream of chunks, or a function that opens one when its turn comes. */
export type TarContent =
  | Uint8Array
  | AsyncIterable<Uint8Array>
  | (() => AsyncIterable<Uint8Array> | Promise<AsyncIterable<Uint8Array>>);

export interface TarWriteEntry {
  /** A safe single file name (./names.ts). */
  readonly name: string;
  /** The content's exact length: a source that yields more or less is an error. */
  readonly size: number;
  readonly content: TarContent;
  /** Called (and awaited) with each content chunk as it is written (e.g. to hash it). */
  readonly onChunk?: (chunk: Uint8Array) => void | Promise<void>;
  /** Called (and awaited) after the last byte, before the padding is written. */
  readonly onEnd?: () => void | Promise<void>;
}

export interface TarWriteOptions {
  /** Seconds since the epoch for every header (default 0). */
  readonly mtime?: number;
}

const encoder = new TextEncoder();
const ZERO_BLOCKS = new Uint8Array(2 * BLOCK_SIZE);

function isPlainAscii(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}

/**
 * The ustar name used when the real one travels in a pax record: printable ASCII
 * (other characters become `_`), at most `max` bytes, keeping a short extension.
 */
export function fallbackName(name: string, max = 89): string {
  let ascii = '';
  for (const ch of name.normalize('NFC')) ascii += /^[A-Za-z0-9._-]$/.test(ch) ? ch : '_';
  if (ascii.length <= max) return ascii;
  const dot = ascii.lastIndexOf('.');
  const ext = dot > 0 && ascii.length - dot <= 16 ? ascii.slice(dot) : '';
  return ascii.slice(0, max - ext.length) + ext;
}

/** The header blocks (pax extended header if needed, then the ustar header) of one member. */
export function memberHeader(name: string, size: number, mtime: number): Uint8Array {
  const nameBytes = encoder.encode(name);
  const needsPath = nameBytes.length > 100 || !isPlainAscii(name);
  const needsSize = size > MAX_OCTAL_SIZE;
  const ustarName = needsPath ? encoder.encode(fallbackName(name)) : nameBytes;
  const file = encodeHeader({ name: ustarName, size: needsSize ? 0 : size, mtime, typeflag: '0' });
  if (!needsPath && !needsSize) return file;
  const records: Array<[string, string]> = [];
  if (needsPath) records.push(['path', name]);
  if (needsSize) records.push(['size', String(size)]);
  const data = encodePaxRecords(records);
  const pax = encodeHeader({
    name: encoder.encode(`PaxHeaders/${fallbackName(name)}`),
    size: data.length,
    mtime,
    typeflag: 'x',
  });
  const out = new Uint8Array(BLOCK_SIZE + data.length + paddingFor(data.length) + BLOCK_SIZE);
  out.set(pax, 0);
  out.set(data, BLOCK_SIZE);
  out.set(file, out.length - BLOCK_SIZE);
  return out;
}

async function* contentChunks(content: TarContent): AsyncGenerator<Uint8Array, void, undefined> {
  if (content instanceof Uint8Array) {
    if (content.length > 0) yield content;
    return;
  }
  const source = typeof content === 'function' ? await content() : content;
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new NiemError(
        'invalid-input',
        'tar writer: a content source yielded something other than bytes',
      );
    }
    if (chunk.length > 0) yield chunk;
  }
}

/**
 * Writes the entries as a pax archive ending with two zero blocks. Throws
 * `unsafe-name` for a bad or repeated name and `invalid-input` when a content's length
 * differs from its declared size (e.g. the file changed while sealing).
 */
export async function* writeTar(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
  options: TarWriteOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const mtime = options.mtime ?? 0;
  const seen = new Set<string>();
  for await (const entry of entries) {
    assertSafeName(entry.name, 'file name');
    const key = nameKey(entry.name);
    if (seen.has(key))
      throw new NiemError('unsafe-name', 'Unsafe file name: two files have the same name');
    seen.add(key);
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
      throw new NiemError('invalid-input', 'tar writer: size must be a non-negative integer');
    }
    yield memberHeader(entry.name, entry.size, mtime);
    let written = 0;
    for await (const chunk of contentChunks(entry.content)) {
      written += chunk.length;
      if (written > entry.size) {
        throw new NiemError('invalid-input', 'tar writer: a file grew while it was being written');
      }
      await entry.onChunk?.(chunk);
      yield chunk;
    }
    if (written !== entry.size) {
      throw new NiemError('invalid-input', 'tar writer: a file shrank while it was being written');
    }
    await entry.onEnd?.();
    const pad = paddingFor(entry.size);
    if (pad > 0) yield new Uint8Array(pad);
  }
  yield ZERO_BLOCKS.slice();
}
