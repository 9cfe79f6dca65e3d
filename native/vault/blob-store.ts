/**
 * Encrypted files under `<profile>/blobs/`: document contents and sealed packages, kept
 * outside the database. Each file has its own random 32-byte key, returned to the caller to
 * keep in the database row (never in the file); names are random (16 bytes, hex), never
 * derived from content or names, fanned out by their first two hex digits.
 *
 * A write goes to a temp name, is fsynced and renamed: a failed or interrupted write leaves
 * nothing but a temp file, which `sweep` removes at the next open, with any file whose row
 * never committed. A full disk is `disk-full`. See ./blob-format.ts for the file format.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { NiemError } from '../api/errors.ts';
import { BLOB_KEY_BYTES, DEFAULT_SEGMENT_BYTES, decryptBlob, encryptBlob } from './blob-format.ts';
import { TEMP_SUFFIX, writeFileAtomically } from './disk-files.ts';

/** Folder of the blobs inside the profile. */
export const BLOBS_DIR = 'blobs';

const ID_PATTERN = /^[0-9a-f]{32}$/;

/** A blob just written: what its database row must hold. The key is the caller's to zero. */
export interface StoredBlob {
  /** Random file name, 32 hex digits. */
  id: string;
  /** The file's AES-256 key (32 bytes): store it in the row, zero this copy after. */
  key: Buffer;
  /** Plaintext bytes. */
  size: number;
  /** SHA-256 of the plaintext. */
  sha256: Buffer;
}

export interface BlobStoreOptions {
  /** Plaintext bytes per segment (tests); default 64 KiB. */
  segmentBytes?: number;
  /** Opens a file for writing; tests inject failures (a full disk) here. */
  openForWrite?: (path: string) => Promise<FileHandle>;
}

async function* asChunks(
  source: AsyncIterable<Uint8Array> | Uint8Array,
): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

/** The blob files of one profile. */
export class BlobStore {
  readonly dir: string;
  readonly #segmentBytes: number;
  readonly #openForWrite: BlobStoreOptions['openForWrite'];

  constructor(profileDir: string, options: BlobStoreOptions = {}) {
    this.dir = join(profileDir, BLOBS_DIR);
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#openForWrite = options.openForWrite;
  }

  /** The path of blob `id`; refuses anything but 32 hex digits. */
  pathOf(id: string): string {
    if (!ID_PATTERN.test(id)) throw new NiemError('invalid-input', 'not a blob id');
    return join(this.dir, id.slice(0, 2), id);
  }

  /**
   * Encrypts `source` into a new blob file. The file exists (fsynced) when this resolves;
   * on failure nothing is left. Record the returned key in the database in the same
   * transaction as the row that uses the blob; if that fails, `remove` the blob.
   */
  async write(source: AsyncIterable<Uint8Array> | Uint8Array): Promise<StoredBlob> {
    const id = randomBytes(16).toString('hex');
    const key = randomBytes(BLOB_KEY_BYTES);
    const path = this.pathOf(id);
    const hash = createHash('sha256');
    const hashing = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of asChunks(source)) {
        hash.update(chunk);
        yield chunk;
      }
    };
    let size = 0;
    try {
      await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true, mode: 0o700 });
      await writeFileAtomically(
        path,
        async (handle) => {
          ({ size } = await encryptBlob(
            hashing(),
            key,
            async (piece) => {
              let offset = 0;
              while (offset < piece.length) {
                const { bytesWritten } = await handle.write(piece, offset);
                offset += bytesWritten;
              }
            },
            this.#segmentBytes,
          ));
        },
        this.#openForWrite,
      );
    } catch (err) {
      key.fill(0);
      throw err;
    }
    return { id, key, size, sha256: hash.digest() };
  }

  /**
   * The plaintext of blob `id` with its `key` (borrowed), one authenticated segment at a
   * time, from plaintext offset `from`; errors with `vault-corrupt` for a damaged file and
   * `not-found` for a missing one.
   */
  async *read(id: string, key: Buffer, from = 0): AsyncGenerator<Buffer> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(id), 'r');
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') {
        throw new NiemError('not-found', `blob ${id} is missing`, { cause: err });
      }
      throw err;
    }
    try {
      yield* decryptBlob(handle, key, from);
    } finally {
      await handle.close();
    }
  }

  /** Removes blob `id` (after its row was deleted); a missing file is fine. */
  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  /**
   * Removes leftovers: temp files of interrupted writes, and blob files whose id is not in
   * `known` (written but never committed, or whose row was deleted before the file).
   * Returns how many files went.
   */
  async sweep(known: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    let fans: string[];
    try {
      fans = await readdir(this.dir);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return 0;
      throw err;
    }
    for (const fan of fans) {
      const fanDir = join(this.dir, fan);
      let names: string[];
      try {
        names = await readdir(fanDir);
      } catch {
        continue; // not a folder
      }
      for (const name of names) {
        const stale = name.endsWith(TEMP_SUFFIX) || (ID_PATTERN.test(name) && !known.has(name));
        if (!stale) continue;
        await rm(join(fanDir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }
}
