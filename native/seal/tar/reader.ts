/**
 * A streaming, strict reader of POSIX pax/ustar archives: headers are parsed as bytes
 * arrive (chunks split anywhere), entries are yielded one at a time with their content
 * as a stream, and anything Niêm cannot extract safely is refused before it is yielded.
 *
 * Refused with `unsafe-name`: a name that fails ./names.ts, a duplicate (NFC, any case),
 * links, devices, FIFOs and folders (a Niêm body is a flat list of files).
 * Refused with `malformed`: bad magic or checksum, bad numbers, truncation, an oversized
 * or badly framed pax header, pax `path`/`size` in a global header, sparse files, GNU
 * long-name and other non-POSIX entry types, a lone end-of-archive block, non-zero data
 * after the end, more entries than allowed.
 *
 * Each entry's body must be read to its end before the next entry is asked for; asking
 * early throws `internal` (a bug in the caller, not bad input).
 */
import { NiemError } from '../../api/errors.ts';
import { ByteSource, type ByteChunks } from './byte-source.ts';
import {
  BLOCK_SIZE,
  DEFAULT_MAX_PAX_HEADER_BYTES,
  decodeHeader,
  decodePaxRecords,
  decodeUtf8,
  isZeroBlock,
  malformed,
  paddingFor,
  paxOverrides,
  type PaxOverrides,
  type RawHeader,
} from './header.ts';
import { assertSafeName, nameKey } from './names.ts';

export interface TarEntry {
  /** The member's name, checked safe (a single file name). */
  readonly name: string;
  /** The content's length in bytes. */
  readonly size: number;
  /** The content, as views of the source's chunks. One pass only. */
  readonly body: AsyncIterable<Uint8Array>;
}

export interface TarReadOptions {
  /** Most entries accepted (default 4097: a manifest and 4096 documents). */
  readonly maxEntries?: number;
  /** Most bytes of one pax extended header's data (default 64 KiB). */
  readonly maxPaxHeaderBytes?: number;
}

const unsafeTypes: Readonly<Record<string, string>> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '5': 'folder',
  '6': 'FIFO',
};

/** Reads the records of a pax header ('x' or 'g') whose header says `size`. */
async function readPaxData(
  src: ByteSource,
  size: number,
  max: number,
): Promise<Map<string, Uint8Array>> {
  if (size > max) throw malformed(`pax header: ${size} bytes, more than the ${max} allowed`);
  const data = await src.readExact(size, 'pax header');
  if (data === null) throw malformed('tar: truncated pax header');
  await src.skip(paddingFor(size), 'pax header');
  return decodePaxRecords(data);
}

export async function* readTar(
  source: ByteChunks,
  options: TarReadOptions = {},
): AsyncGenerator<TarEntry, void, undefined> {
  const maxEntries = options.maxEntries ?? 4097;
  const maxPax = options.maxPaxHeaderBytes ?? DEFAULT_MAX_PAX_HEADER_BYTES;
  const src = new ByteSource(source);
  const seen = new Set<string>();
  let entries = 0;
  try {
    for (;;) {
      let pax: PaxOverrides | undefined;
      let block: Uint8Array | null;
      let header: RawHeader | undefined;
      for (;;) {
        block = await src.readExact(BLOCK_SIZE, 'header');
        if (block === null) throw malformed('tar: truncated archive (no end-of-archive blocks)');
        if (isZeroBlock(block)) break;
        header = decodeHeader(block);
        if (header.typeflag !== 'x' && header.typeflag !== 'g') break;
        if (header.typeflag === 'g') {
          const global = paxOverrides(await readPaxData(src, header.size, maxPax));
          if (global.path !== undefined || global.size !== undefined) {
            throw malformed('pax global header: path or size is not allowed');
          }
          if (pax !== undefined)
            throw malformed('pax header: extended header not followed by a file');
          continue;
        }
        if (pax !== undefined) throw malformed('pax header: two extended headers in a row');
        pax = paxOverrides(await readPaxData(src, header.size, maxPax));
      }

      if (isZeroBlock(block)) {
        if (pax !== undefined)
          throw malformed('pax header: extended header not followed by a file');
        const second = await src.readExact(BLOCK_SIZE, 'end-of-archive');
        if (second === null || !isZeroBlock(second)) {
          throw malformed('tar: lone zero block (truncated or corrupt archive)');
        }
        await src.expectZerosToEnd();
        return;
      }
      if (header === undefined) throw malformed('tar: missing header');

      const unsafe = unsafeTypes[header.typeflag];
      if (unsafe !== undefined) {
        throw new NiemError('unsafe-name', `Unsafe member: a ${unsafe}, not a regular file`);
      }
      if (header.typeflag !== '0' && header.typeflag !== '\0') {
        const code = header.typeflag.charCodeAt(0).toString(16).padStart(2, '0');
        throw malformed(`tar: unsupported entry type 0x${code}`);
      }

      const name = decodeUtf8(pax?.path ?? header.nameBytes);
      if (name === null) throw new NiemError('unsafe-name', 'Unsafe member name: not UTF-8');
      assertSafeName(name);
      const key = nameKey(name);
      if (seen.has(key)) throw new NiemError('unsafe-name', 'Unsafe member name: a duplicate');
      seen.add(key);
      entries++;
      if (entries > maxEntries) throw malformed(`tar: more than ${maxEntries} entries`);

      const size = pax?.size ?? header.size;
      const state = { remaining: size, started: false };
      const body = async function* (): AsyncGenerator<Uint8Array, void, undefined> {
        while (state.remaining > 0) {
          const chunk = await src.takeUpTo(state.remaining);
          if (chunk === null) throw malformed('tar: truncated member content');
          state.remaining -= chunk.length;
          yield chunk;
        }
      };
      const entry: TarEntry = {
        name,
        size,
        body: {
          [Symbol.asyncIterator]() {
            if (state.started)
              throw new NiemError('internal', 'tar: an entry body can be read once');
            state.started = true;
            return body();
          },
        },
      };
      yield entry;
      if (state.remaining !== 0) {
        throw new NiemError(
          'internal',
          'tar: the next entry was asked for before this one was read',
        );
      }
      await src.skip(paddingFor(size), 'member padding');
    }
  } finally {
    await src.close();
  }
}
