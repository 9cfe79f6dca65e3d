/**
 * POSIX ustar headers and pax extended-header records (POSIX.1-2008, `pax` format), as
 * far as Niêm bodies need them: encoding deterministic headers for regular files, and
 * decoding headers strictly (checksum, magic, numeric fields, bounded pax records).
 *
 * Header layout (offset, length): name 0/100, mode 100/8, uid 108/8, gid 116/8,
 * size 124/12, mtime 136/12, chksum 148/8, typeflag 156/1, linkname 157/100,
 * magic 257/6, version 263/2, uname 265/32, gname 297/32, devmajor 329/8,
 * devminor 337/8, prefix 345/155.
 */
import { NiemError } from '../../api/errors.ts';

export const BLOCK_SIZE = 512;
/** The largest size the 11-digit octal size field holds (8 GiB − 1); beyond it a pax `size` record is used. */
export const MAX_OCTAL_SIZE = 0o77777777777;
/** Default bound on the data of one pax extended header. */
export const DEFAULT_MAX_PAX_HEADER_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

export function malformed(message: string): NiemError {
  return new NiemError('malformed', message);
}

/** Bytes to the next multiple of 512. */
export function paddingFor(size: number): number {
  const rest = size % BLOCK_SIZE;
  return rest === 0 ? 0 : BLOCK_SIZE - rest;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** The unsigned sum of the header bytes with the checksum field counted as eight spaces. */
export function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

function writeAscii(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new RangeError(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function octalField(value: number, digits: number): string {
  return value.toString(8).padStart(digits, '0');
}

export type TypeFlag = '0' | 'x';

export interface HeaderFields {
  /** At most 100 bytes (already encoded). */
  readonly name: Uint8Array;
  /** At most MAX_OCTAL_SIZE. */
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly typeflag: TypeFlag;
}

/**
 * A deterministic ustar header: mode 0644, uid/gid 0, no user or group names,
 * magic "ustar\0" version "00", checksum as six octal digits, NUL, space.
 */
export function encodeHeader(fields: HeaderFields): Uint8Array {
  if (fields.name.length > 100) throw new RangeError('tar name field longer than 100 bytes');
  if (!Number.isSafeInteger(fields.size) || fields.size < 0 || fields.size > MAX_OCTAL_SIZE) {
    throw new RangeError('tar size field out of range');
  }
  if (!Number.isSafeInteger(fields.mtime) || fields.mtime < 0 || fields.mtime > MAX_OCTAL_SIZE) {
    throw new RangeError('tar mtime field out of range');
  }
  const block = new Uint8Array(BLOCK_SIZE);
  block.set(fields.name, 0);
  writeAscii(block, 100, 8, '0000644\0');
  writeAscii(block, 108, 8, '0000000\0');
  writeAscii(block, 116, 8, '0000000\0');
  writeAscii(block, 124, 12, `${octalField(fields.size, 11)}\0`);
  writeAscii(block, 136, 12, `${octalField(fields.mtime, 11)}\0`);
  writeAscii(block, 156, 1, fields.typeflag);
  writeAscii(block, 257, 6, 'ustar\0');
  writeAscii(block, 263, 2, '00');
  writeAscii(block, 329, 8, '0000000\0');
  writeAscii(block, 337, 8, '0000000\0');
  writeAscii(block, 148, 8, `${octalField(headerChecksum(block), 6)}\0 `);
  return block;
}

/** One pax record: "<len> <key>=<value>\n" where <len> counts the whole record. */
export function encodePaxRecord(key: string, value: string): Uint8Array {
  const body = encoder.encode(` ${key}=${value}\n`);
  let length = body.length + 1;
  while (String(length).length + body.length !== length)
    length = String(length).length + body.length;
  const record = new Uint8Array(length);
  record.set(encoder.encode(String(length)), 0);
  record.set(body, length - body.length);
  return record;
}

export function encodePaxRecords(records: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const parts = records.map(([k, v]) => encodePaxRecord(k, v));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a decoded header says, before pax records are applied. */
export interface RawHeader {
  /** prefix + "/" + name for ustar, name alone for GNU magic; raw bytes (not yet decoded). */
  readonly nameBytes: Uint8Array;
  readonly typeflag: string;
  readonly size: number;
}

function cString(block: Uint8Array, offset: number, length: number): Uint8Array {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return nul === -1 ? field : field.subarray(0, nul);
}

/** A numeric field: octal digits (leading spaces, trailing NULs/spaces allowed) or positive base-256. */
function numericField(block: Uint8Array, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    if (first !== 0x80) throw malformed(`tar header: negative or invalid base-256 ${what}`);
    let value = 0;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + (field[i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) throw malformed(`tar header: ${what} too large`);
    }
    return value;
  }
  const text = latin1
    .decode(field)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]{1,12}$/.test(text)) throw malformed(`tar header: ${what} is not an octal number`);
  return parseInt(text, 8);
}

/** 'ustar' for POSIX magic, 'gnu' for GNU tar's old magic, null for anything else. */
export function headerMagic(block: Uint8Array): 'ustar' | 'gnu' | null {
  const magic = latin1.decode(block.subarray(257, 265));
  if (magic === 'ustar\u000000') return 'ustar';
  if (magic === 'ustar  \u0000') return 'gnu';
  return null;
}

/** True when the block is a ustar header with a correct checksum (never throws). */
export function isValidHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK_SIZE) return false;
  try {
    decodeHeader(block);
    return true;
  } catch {
    return false;
  }
}

/** Decodes and checks one header block (not all zero). Throws `malformed`. */
export function decodeHeader(block: Uint8Array): RawHeader {
  const magic = headerMagic(block);
  if (magic === null) throw malformed('tar header: not a ustar header (bad magic)');
  const stored = numericField(block, 148, 8, 'checksum');
  if (stored !== headerChecksum(block)) throw malformed('tar header: checksum mismatch');
  const name = cString(block, 0, 100);
  const prefix = magic === 'ustar' ? cString(block, 345, 155) : new Uint8Array(0);
  let nameBytes = name;
  if (prefix.length > 0) {
    nameBytes = new Uint8Array(prefix.length + 1 + name.length);
    nameBytes.set(prefix, 0);
    nameBytes[prefix.length] = 0x2f;
    nameBytes.set(name, prefix.length + 1);
  }
  const typeflag = String.fromCharCode(block[156] ?? 0);
  const size = numericField(block, 124, 12, 'size');
  return { nameBytes, typeflag, size };
}

/** Decodes UTF-8 strictly; null when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Parses the data of a pax extended header into keyword → raw value bytes (a later
 * record of the same keyword wins, as POSIX says). Throws `malformed` on any record
 * that does not frame exactly.
 */
export function decodePaxRecords(data: Uint8Array): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < data.length) {
    let digitsEnd = pos;
    while (digitsEnd < data.length && digitsEnd - pos < 20) {
      const c = data[digitsEnd] ?? 0;
      if (c < 0x30 || c > 0x39) break;
      digitsEnd++;
    }
    if (digitsEnd === pos || data[digitsEnd] !== 0x20)
      throw malformed('pax header: bad record length');
    const length = Number(latin1.decode(data.subarray(pos, digitsEnd)));
    const end = pos + length;
    if (!Number.isSafeInteger(length) || end > data.length || end <= digitsEnd + 2) {
      throw malformed('pax header: record length out of range');
    }
    if (data[end - 1] !== 0x0a) throw malformed('pax header: record not terminated by a newline');
    const record = data.subarray(digitsEnd + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw malformed('pax header: record without a keyword');
    const key = decodeUtf8(record.subarray(0, eq));
    if (key === null) throw malformed('pax header: keyword is not UTF-8');
    records.set(key, record.subarray(eq + 1));
    pos = end;
  }
  return records;
}

/** The overrides Niêm honours from a pax header, checked. */
export interface PaxOverrides {
  readonly path?: Uint8Array;
  readonly size?: number;
}

/**
 * Reads `path` and `size` from pax records and refuses what Niêm cannot honour safely:
 * sparse files (GNU.sparse.*), non-UTF-8 names (hdrcharset other than UTF-8), empty
 * path or size values. Other keywords (times, ids, SCHILY.*, LIBARCHIVE.*) are ignored.
 */
export function paxOverrides(records: Map<string, Uint8Array>): PaxOverrides {
  let path: Uint8Array | undefined;
  let size: number | undefined;
  for (const [key, value] of records) {
    if (key.startsWith('GNU.sparse.'))
      throw malformed('pax header: sparse files are not supported');
    if (key === 'hdrcharset') {
      if (latin1.decode(value) !== 'ISO-IEC 10646 2000 UTF-8') {
        throw malformed('pax header: names must be UTF-8');
      }
    } else if (key === 'path') {
      if (value.length === 0) throw malformed('pax header: empty path');
      path = value;
    } else if (key === 'size') {
      const text = latin1.decode(value);
      if (!/^[0-9]{1,16}$/.test(text)) throw malformed('pax header: size is not a decimal number');
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw malformed('pax header: size too large');
      size = n;
    }
  }
  const out: { path?: Uint8Array; size?: number } = {};
  if (path !== undefined) out.path = path;
  if (size !== undefined) out.size = size;
  return out;
}
