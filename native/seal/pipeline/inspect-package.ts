/** `niem inspect`: what a package file states about itself, without a key or a token. */
import { createReadStream } from 'node:fs';
import { FILE_READ_BYTES } from '../manifest-files.ts';
import { inspectEnvelope, type InspectedEnvelope } from '../envelope/index.ts';

export type InspectedPackage = InspectedEnvelope & { path: string };

/** Reads the header, streams past the ciphertext, reads the authAttrs. Nothing is verified. */
export async function inspectPackage(path: string): Promise<InspectedPackage> {
  // The reader closes the file before this settles (ByteSource.close).
  const inspected = await inspectEnvelope(
    createReadStream(path, { highWaterMark: FILE_READ_BYTES }),
  );
  return { path, ...inspected };
}
