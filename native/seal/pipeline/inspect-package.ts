/** `niem inspect`: what a package file states about itself, without a key or a token. */
import { createReadStream } from 'node:fs';
import { FILE_READ_BYTES } from '../manifest-files.ts';
import { inspectEnvelope, type InspectedEnvelope } from '../envelope/index.ts';

export type InspectedPackage = InspectedEnvelope & { path: string };

/** Reads the header, streams past the ciphertext, reads the authAttrs. Nothing is verified. */
export async function inspectPackage(path: string): Promise<InspectedPackage> {
  const stream = createReadStream(path, { highWaterMark: FILE_READ_BYTES });
  try {
    const inspected = await inspectEnvelope(stream);
    return { path, ...inspected };
  } finally {
    // Settle only once the file is closed: a caller may delete or move a refused
    // package at once (Windows refuses that while a handle is open).
    if (!stream.closed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
  }
}
