/**
 * The encrypted blob file format: a chunked AEAD (the STREAM construction) so a file of
 * any size is written and read as a stream, a reader never releases a byte that was not
 * authenticated, and truncation, reordering, swapping or splicing of segments is detected.
 *
 *   header   16 bytes: "NVB" 0x01 (magic, version 1) ‖ segment size (u32 BE) ‖
 *            nonce prefix (8 random bytes)
 *   segments AES-256-GCM(key, nonce, aad = header) of each plaintext segment, tag appended;
 *            nonce = prefix (7 of the 8 bytes) ‖ counter (u32 BE, from 0) ‖ last (0x00/0x01)
 *
 * Every segment but the last holds exactly `segment size` plaintext bytes; the last holds
 * 0..segment size (an empty blob is one empty last segment). The file size thus says which
 * segment is last; a file cut at a segment boundary fails because its new last segment was
 * sealed with last = 0. The key (32 random bytes per file) lives in the database only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { NiemError } from '../api/errors.ts';

/** Header length, bytes. */
export const HEADER_BYTES = 16;
/** GCM tag per segment, bytes. */
export const TAG_BYTES = 16;
/** Default plaintext bytes per segment (64 KiB). */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024;
/** Per-file key length, bytes. */
export const BLOB_KEY_BYTES = 32;

const MAGIC = Buffer.from('NVB\x01', 'latin1');
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_SEGMENTS = 2 ** 32 - 1;

function damaged(what: string, cause?: unknown): NiemError {
  return new NiemError('vault-corrupt', `an encrypted vault file is damaged: ${what}`, {
    cause,
  });
}

function header(segmentBytes: number, prefix: Buffer): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(segmentBytes, 4);
  prefix.copy(out, 8);
  return out;
}

function nonceOf(head: Buffer, counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  head.copy(nonce, 0, 8, 15);
  nonce.writeUInt32BE(counter, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function sealSegment(
  key: Buffer,
  head: Buffer,
  counter: number,
  last: boolean,
  plain: Buffer,
): Buffer {
  if (counter > MAX_SEGMENTS) throw new RangeError('blob too large for its segment counter');
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(head, counter, last), {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(head);
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** What encryptBlob consumed. */
export interface EncryptedBlobStats {
  /** Plaintext bytes. */
  size: number;
}

/**
 * Encrypts `source` into the blob format, giving each encoded piece (header, then one
 * sealed segment at a time) to `sink`. `key`: 32 bytes, borrowed (not zeroed here).
 */
export async function encryptBlob(
  source: AsyncIterable<Uint8Array>,
  key: Buffer,
  sink: (piece: Buffer) => Promise<void>,
  segmentBytes = DEFAULT_SEGMENT_BYTES,
): Promise<EncryptedBlobStats> {
  if (key.length !== BLOB_KEY_BYTES) throw new RangeError('a blob key is 32 bytes');
  if (segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) throw new RangeError('segment size');
  const head = header(segmentBytes, randomBytes(8));
  await sink(head);
  // One segment's worth of plaintext that arrived in pieces; whole segments inside a
  // larger piece are sealed straight from it (no copy).
  const carry = Buffer.allocUnsafe(segmentBytes);
  let filled = 0;
  let counter = 0;
  let size = 0;
  try {
    for await (const chunk of source) {
      let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += bytes.length;
      while (bytes.length > 0) {
        // A full segment is sealed only once more data follows it: then it is not the last.
        if (filled === segmentBytes) {
          await sink(sealSegment(key, head, counter++, false, carry));
          filled = 0;
        }
        if (filled === 0 && bytes.length > segmentBytes) {
          await sink(sealSegment(key, head, counter++, false, bytes.subarray(0, segmentBytes)));
          bytes = bytes.subarray(segmentBytes);
          continue;
        }
        const n = Math.min(segmentBytes - filled, bytes.length);
        bytes.copy(carry, filled, 0, n);
        filled += n;
        bytes = bytes.subarray(n);
      }
    }
    await sink(sealSegment(key, head, counter, true, carry.subarray(0, filled)));
  } finally {
    carry.fill(0);
  }
  return { size };
}

/** Fills `target` from `position` of the file; a file that ends first is damaged. */
async function readInto(handle: FileHandle, target: Buffer, position: number): Promise<Buffer> {
  let offset = 0;
  while (offset < target.length) {
    const { bytesRead } = await handle.read(
      target,
      offset,
      target.length - offset,
      position + offset,
    );
    if (bytesRead === 0) throw damaged('the file ended early');
    offset += bytesRead;
  }
  return target;
}

function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  return readInto(handle, Buffer.alloc(length), position);
}

/** Bytes read from a blob file at once (whole segments; at least one). */
const READ_BYTES = 1024 * 1024;

/**
 * Decrypts the blob in `handle` (borrowed: not closed here), one authenticated segment at
 * a time, from plaintext offset `from` (the segment holding it is the first read: nothing
 * before it is read or decrypted). A damaged, cut, reordered or foreign file makes the
 * iteration throw `vault-corrupt`: segments released before were authentic, but the blob
 * as a whole is not, so a consumer commits nothing before the iteration ended. Segments
 * are read about 1 MiB at a time into one buffer; each yielded piece is the caller's.
 */
export async function* decryptBlob(
  handle: FileHandle,
  key: Buffer,
  from = 0,
): AsyncGenerator<Buffer> {
  if (key.length !== BLOB_KEY_BYTES) throw new RangeError('a blob key is 32 bytes');
  if (!Number.isSafeInteger(from) || from < 0) throw new RangeError('a blob offset');
  const { size: fileSize } = await handle.stat();
  if (fileSize < HEADER_BYTES + TAG_BYTES) throw damaged('too short');
  const head = await readExactly(handle, HEADER_BYTES, 0);
  if (!head.subarray(0, 4).equals(MAGIC)) throw damaged('not a vault blob (or another version)');
  const segmentBytes = head.readUInt32BE(4);
  if (segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) throw damaged('bad segment size');
  const sealedBytes = segmentBytes + TAG_BYTES;
  const perRead = Math.max(1, Math.floor(READ_BYTES / sealedBytes));
  // From the segment holding `from`; an offset at or past the end starts at the last
  // segment, so the end is still authenticated (a cut file is not taken for a short one).
  const segments = Math.ceil((fileSize - HEADER_BYTES) / sealedBytes);
  let counter = Math.min(Math.floor(from / segmentBytes), segments - 1);
  let skip = from - counter * segmentBytes;
  let position = HEADER_BYTES + counter * sealedBytes;
  let buffer: Buffer | undefined;
  while (position < fileSize) {
    const span = Math.min(perRead * sealedBytes, fileSize - position);
    buffer ??= Buffer.allocUnsafe(span);
    const sealed = await readInto(handle, buffer.subarray(0, span), position);
    let at = 0;
    while (at < span) {
      const length = Math.min(sealedBytes, span - at);
      if (length < TAG_BYTES) throw damaged('a segment shorter than its tag');
      const last = position + at + length === fileSize;
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(head, counter, last), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(head);
        decipher.setAuthTag(sealed.subarray(at + length - TAG_BYTES, at + length));
        plain = decipher.update(sealed.subarray(at, at + length - TAG_BYTES));
        const rest = decipher.final();
        if (rest.length > 0) plain = Buffer.concat([plain, rest]);
      } catch (err) {
        throw damaged(`segment ${counter} failed authentication`, err);
      }
      at += length;
      counter++;
      if (skip > 0) {
        if (skip >= plain.length) {
          skip -= plain.length;
          continue;
        }
        plain = plain.subarray(skip);
        skip = 0;
      }
      yield plain;
    }
    position += span;
  }
  if (skip > 0) throw new RangeError(`offset ${from} past the end of the blob`);
}
