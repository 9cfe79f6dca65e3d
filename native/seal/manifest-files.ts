/**
 * Manifest entries for files on disk: the first pass of a seal (size and SHA-256,
 * streamed), and the content opener for the second pass (the tar writer).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestDocument } from './manifest.ts';
import { ContentDigester } from './signed-data/digester.ts';
import { assertSafeName } from './tar/names.ts';
import type { TarContent } from './tar/writer.ts';

const mediaTypes: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
  '.rtf': 'application/rtf',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.zip': 'application/zip',
  '.p7m': 'application/pkcs7-mime',
  '.p7s': 'application/pkcs7-signature',
};

/** A media type from the file name's extension; application/octet-stream when unknown. */
export function mediaTypeFor(name: string): string {
  return mediaTypes[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Bytes per read of a document or package file: large enough that the per-chunk costs of
 * the stages (tar, digest, segments, cipher) vanish, small enough to keep memory flat.
 */
export const FILE_READ_BYTES = 1024 * 1024;

/**
 * Describes a file for the manifest by reading it once (streamed, bounded memory).
 * `name` defaults to the file's base name, NFC-normalised; it must be safe
 * (`unsafe-name` otherwise).
 */
export async function describeFile(
  filePath: string,
  options: { name?: string; mediaType?: string } = {},
): Promise<ManifestDocument> {
  const name = (options.name ?? path.basename(filePath)).normalize('NFC');
  assertSafeName(name, 'file name');
  // Hashed off this thread (beyond 1 MiB) while the next read runs; one buffer reused for
  // every read, so this pass leaves no garbage behind (the digester copies what it sends).
  const digester = new ContentDigester(['sha256']);
  let size = 0;
  let sha256: string;
  const buffer = Buffer.allocUnsafe(FILE_READ_BYTES);
  const handle = await open(filePath, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      await digester.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    sha256 = Buffer.from((await digester.digest()).get('sha256') as Uint8Array).toString('hex');
  } finally {
    await handle.close();
    await digester.close();
  }
  return {
    name,
    size,
    sha256,
    mediaType: options.mediaType ?? mediaTypeFor(name),
  };
}

/** Content for the tar writer that opens the file only when its turn comes. */
export function fileContent(filePath: string): TarContent {
  return () =>
    createReadStream(filePath, { highWaterMark: FILE_READ_BYTES }) as AsyncIterable<Buffer>;
}

/**
 * Content for a consumer that is done with each chunk before it asks for the next (the
 * seal: every chunk is copied to the digest workers and encrypted before the next pull):
 * all reads go into one buffer, so streaming a 5 GB file leaves no garbage behind. Never
 * for a consumer that keeps chunks (a write stream's queue): the next read overwrites
 * them. The body writer's re-hash of each document would refuse a seal whose chunks were
 * overwritten too early ("changed since it was described").
 */
export function fileContentReusingBuffer(filePath: string): TarContent {
  return async function* (): AsyncGenerator<Uint8Array> {
    const buffer = Buffer.allocUnsafe(FILE_READ_BYTES);
    const handle = await open(filePath, 'r');
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  };
}
