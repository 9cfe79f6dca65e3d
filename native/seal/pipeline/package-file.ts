/**
 * Writing a package file (sealed `.p7m` or signed `.p7s`) safely: the chunks go to
 * `<out>.partial` (created exclusively, mode 0600, registered for removal on a signal),
 * an optional last check runs once everything was written, and only then is the file
 * linked to `out`, which is never overwritten. On any failure nothing remains.
 */
import { createWriteStream } from 'node:fs';
import { link, rm, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NiemError } from '../../api/errors.ts';
import { PARTIAL_SUFFIX } from '../cms-crypto/index.ts';
import { sweepStalePartialFile, trackPartial } from './partial-files.ts';

/**
 * Writes `chunks` to `out` as described above; resolves with the bytes written.
 * `beforeCommit` may throw to refuse the file (it is then removed).
 */
export async function writePackageFile(
  out: string,
  chunks: AsyncIterable<Uint8Array>,
  beforeCommit?: () => Promise<void>,
): Promise<number> {
  const partial = out + PARTIAL_SUFFIX;
  let bytes = 0;
  let created = false;
  await sweepStalePartialFile(partial); // left by a killed seal (SIGKILL cannot be caught)
  let untrack: (() => void) | undefined;
  try {
    const output = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    output.on('open', () => {
      created = true;
      untrack = trackPartial({ path: partial, kind: 'file' });
    });
    await pipeline(
      Readable.from(chunks),
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          yield chunk;
        }
      },
      output,
    );
    created = true;
    await beforeCommit?.();
    try {
      await link(partial, out); // never overwrites
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new NiemError('invalid-input', 'the output file already exists', { cause: err });
      }
      throw err;
    }
    await unlink(partial);
  } catch (err) {
    if (created) await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NiemError('invalid-input', `${partial} already exists (another seal running?)`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    untrack?.();
  }
  return bytes;
}
