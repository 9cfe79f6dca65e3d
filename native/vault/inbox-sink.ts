/**
 * The vault's sink for openPackage: each file of a package being opened streams into a
 * new encrypted blob (never a plaintext file), manifest.json's bytes are held in memory
 * (at most 1 MiB). Nothing is recorded here: the caller records the blobs in the
 * transaction that registers the package (`take`), and when anything fails before that,
 * `close(false)` (or `discard`) removes every blob written.
 */
import type { OpenSink } from '../seal/pipeline/index.ts';
import type { StoredBlob } from './blob-store.ts';
import type { Vault } from './vault.ts';

/** One file kept by the sink, in package order. */
export interface SunkFile {
  name: string;
  blob: StoredBlob;
}

/** An OpenSink into the vault, with what it kept. */
export interface VaultSink extends OpenSink {
  /** manifest.json's bytes, once read (a Niêm body). */
  manifestBytes(): Uint8Array | undefined;
  /** The files written so far; the caller owns them once the open succeeded. */
  files(): readonly SunkFile[];
  /** Removes every blob written (a failure after the open succeeded). */
  discard(): Promise<void>;
}

/** Copies every chunk: the package reader reuses its buffers, the blob writer holds chunks. */
async function* copied(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield Uint8Array.from(chunk);
}

/** A sink writing the files of a package into new blobs of `vault`; see the module comment. */
export function vaultSink(vault: Vault, location: string): VaultSink {
  const kept: SunkFile[] = [];
  let manifest: Uint8Array | undefined;
  const discard = async (): Promise<void> => {
    const all = kept.splice(0);
    for (const f of all) await vault.discardBlob(f.blob).catch(() => undefined);
  };
  return {
    location,
    manifest: async (bytes) => {
      manifest = Uint8Array.from(bytes);
    },
    file: async (name, content) => {
      const blob = await vault.writeBlob(copied(content));
      kept.push({ name, blob });
      return blob.size;
    },
    commit: async () => undefined, // recorded by the caller's transaction
    close: async (committed) => {
      if (!committed) await discard();
    },
    manifestBytes: () => manifest,
    files: () => kept,
    discard,
  };
}
