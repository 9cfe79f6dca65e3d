/**
 * The Niêm body: the signed content of a package. A pax archive whose first member is
 * `manifest.json` (canonical bytes, see ../manifest.ts), followed by exactly the
 * manifest's documents, in the manifest's order, each with the listed size and SHA-256.
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../../api/errors.ts';
import { ContentDigester } from '../signed-data/digester.ts';
import {
  MAX_DOCUMENTS,
  MAX_MANIFEST_BYTES,
  manifestMtime,
  parseManifest,
  serializeManifest,
  type Manifest,
} from '../manifest.ts';
import type { ByteChunks } from './byte-source.ts';
import { MANIFEST_NAME } from './names.ts';
import { readTar, type TarEntry, type TarReadOptions } from './reader.ts';
import { writeTar, type TarContent, type TarWriteEntry } from './writer.ts';

export interface BodyWriteOptions {
  /** Seconds since the epoch for every header; default: the manifest's (see manifestMtime). */
  readonly mtime?: number;
}

/**
 * Writes a Niêm body: `manifest.json`, then `contents[i]` as `manifest.documents[i]`.
 * Each document is hashed as it streams; a size or SHA-256 that differs from the
 * manifest (the file changed since it was described) throws `invalid-input`.
 * An invalid manifest throws `invalid-input` (or `unsafe-name` for a bad name).
 */
export async function* writeNiemBody(
  manifest: Manifest,
  contents: readonly TarContent[],
  options: BodyWriteOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const manifestBytes = serializeManifest(manifest);
  const canonical = parseManifest(manifestBytes);
  const docs = canonical.documents;
  if (contents.length !== docs.length) {
    throw new NiemError(
      'invalid-input',
      `body writer: ${docs.length} documents listed, ${contents.length} given`,
    );
  }
  const mtime = options.mtime ?? manifestMtime(canonical);
  // Each document is hashed again as it is written, off this thread (beyond 1 MiB), so a
  // file changed since it was described cannot be sealed under a manifest that lies.
  let digester: ContentDigester | undefined;
  function* entries(): Generator<TarWriteEntry> {
    yield { name: MANIFEST_NAME, size: manifestBytes.length, content: manifestBytes };
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      const content = contents[i];
      if (doc === undefined || content === undefined) return;
      const current = new ContentDigester(['sha256']);
      digester = current;
      yield {
        name: doc.name,
        size: doc.size,
        content,
        onChunk: (chunk) => current.update(chunk),
        onEnd: async () => {
          const sha256 = (await current.digest()).get('sha256') as Uint8Array;
          if (Buffer.from(sha256).toString('hex') !== doc.sha256) {
            throw new NiemError(
              'invalid-input',
              `body writer: document ${i + 1} changed since it was described`,
            );
          }
        },
      };
    }
  }
  try {
    yield* writeTar(entries(), { mtime });
  } finally {
    await digester?.close(); // a failed or abandoned write leaves no worker behind
  }
}

export interface BodyDocument {
  /** Safe single file name, as in the manifest. */
  readonly name: string;
  readonly size: number;
  readonly mediaType: string;
  /** The manifest's SHA-256 (hex); the body checks the content against it. */
  readonly sha256: string;
  /**
   * The content. Its last chunk is released only after size and SHA-256 matched;
   * a mismatch throws `tampered` instead. One pass only; read it to its end before
   * asking for the next document.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

export interface NiemBody {
  readonly manifest: Manifest;
  /** The manifest exactly as signed (to be written out as manifest.json). */
  readonly manifestBytes: Uint8Array;
  /** The documents one at a time; ends after checking nothing follows them. */
  readonly documents: AsyncGenerator<BodyDocument, void, undefined>;
}

export type BodyReadOptions = Pick<TarReadOptions, 'maxPaxHeaderBytes'>;

/**
 * Reads a Niêm body from a stream of chunks. Resolves once the manifest is read and
 * checked. Throws (now or while reading documents) `malformed` (not such a body:
 * first member not manifest.json, bad manifest, documents missing, extra, out of
 * order, any tar error), `unsafe-name` (hostile names or member types) or `tampered`
 * (a document whose size or SHA-256 differs from the manifest).
 */
export async function readNiemBody(
  source: ByteChunks,
  options: BodyReadOptions = {},
): Promise<NiemBody> {
  const tar = readTar(source, { ...options, maxEntries: MAX_DOCUMENTS + 1 });
  let ok = false;
  try {
    const first = await tar.next();
    if (first.done === true)
      throw new NiemError('malformed', 'body: empty archive, no manifest.json');
    if (first.value.name !== MANIFEST_NAME) {
      throw new NiemError('malformed', 'body: the first member is not manifest.json');
    }
    if (first.value.size > MAX_MANIFEST_BYTES) {
      throw new NiemError('malformed', `manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    const manifestBytes = new Uint8Array(first.value.size);
    let at = 0;
    for await (const chunk of first.value.body) {
      manifestBytes.set(chunk, at);
      at += chunk.length;
    }
    const manifest = parseManifest(manifestBytes);
    ok = true;
    return { manifest, manifestBytes, documents: documents(tar, manifest) };
  } finally {
    if (!ok) await tar.return();
  }
}

function tampered(message: string): NiemError {
  return new NiemError('tampered', message);
}

async function* documents(
  tar: AsyncGenerator<TarEntry, void, undefined>,
  manifest: Manifest,
): AsyncGenerator<BodyDocument, void, undefined> {
  const docs = manifest.documents;
  try {
    for (let i = 0; ; i++) {
      const next = await tar.next();
      const doc = docs[i];
      if (next.done === true) {
        if (doc !== undefined)
          throw new NiemError('malformed', `body: ${docs.length - i} listed document(s) missing`);
        return;
      }
      if (doc === undefined)
        throw new NiemError('malformed', 'body: a member not listed in manifest.json');
      const entry = next.value;
      if (entry.name !== doc.name) {
        throw new NiemError(
          'malformed',
          `body: member ${i + 2} is not the document listed at position ${i + 1}`,
        );
      }
      if (entry.size !== doc.size)
        throw tampered(`body: document ${i + 1} has a different size than listed`);
      const state = { verified: false, started: false };
      if (doc.size === 0) {
        if (createHash('sha256').digest('hex') !== doc.sha256) {
          throw tampered(`body: document ${i + 1} does not match its SHA-256`);
        }
        state.verified = true;
      }
      const verifying = async function* (): AsyncGenerator<Uint8Array, void, undefined> {
        const hash = createHash('sha256');
        let seen = 0;
        for await (const chunk of entry.body) {
          hash.update(chunk);
          seen += chunk.length;
          if (seen === doc.size && hash.digest('hex') !== doc.sha256) {
            throw tampered(`body: document ${i + 1} does not match its SHA-256`);
          }
          if (seen === doc.size) state.verified = true;
          yield chunk;
        }
      };
      yield {
        name: doc.name,
        size: doc.size,
        mediaType: doc.mediaType,
        sha256: doc.sha256,
        body: {
          [Symbol.asyncIterator]() {
            if (state.started) throw new NiemError('internal', 'body: a document can be read once');
            state.started = true;
            return verifying();
          },
        },
      };
      if (!state.verified) {
        throw new NiemError(
          'internal',
          'body: the next document was asked for before this one was read',
        );
      }
    }
  } finally {
    await tar.return();
  }
}
