/**
 * Encrypted blob files: any size goes in and comes out the same; a flipped bit, a file cut
 * at a segment boundary, swapped segments or another file's key are refused, and no byte
 * of a damaged segment is ever released; a full disk leaves nothing behind; leftovers of
 * interrupted writes are swept.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEADER_BYTES, TAG_BYTES } from '../../native/vault/blob-format.ts';
import { BlobStore } from '../../native/vault/blob-store.ts';
import { drain, rejectsWithKind, tempProfile } from './vault-fixture.ts';

const SEGMENT = 1024;
const SEALED = SEGMENT + TAG_BYTES;

async function* pieces(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** Reads `id`, keeping what was released before a failure. */
async function readAll(store: BlobStore, id: string, key: Buffer) {
  const released: Buffer[] = [];
  try {
    for await (const chunk of store.read(id, key)) released.push(chunk);
    return { data: Buffer.concat(released), error: undefined };
  } catch (error) {
    return { data: Buffer.concat(released), error };
  }
}

describe('blob store', () => {
  it('round-trips every size around the segment boundaries, streamed in odd pieces', async () => {
    const t = tempProfile('blob-sizes');
    try {
      const store = new BlobStore(t.profile, { segmentBytes: SEGMENT });
      for (const size of [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 7]) {
        const data = randomBytes(size);
        const blob = await store.write(pieces(data, 333));
        assert.equal(blob.size, size);
        assert.deepEqual(await drain(store.read(blob.id, blob.key)), data, `size ${size}`);
        if (size >= 16)
          assert.ok(!readFileSync(store.pathOf(blob.id)).includes(data.subarray(0, 16)));
      }
    } finally {
      t.dispose();
    }
  });

  it('names files at random, never after their content', async () => {
    const t = tempProfile('blob-names');
    try {
      const store = new BlobStore(t.profile);
      const a = await store.write(Buffer.from('same'));
      const b = await store.write(Buffer.from('same'));
      assert.notEqual(a.id, b.id);
      assert.match(a.id, /^[0-9a-f]{32}$/);
      assert.ok(!a.key.equals(b.key), 'one key per file');
    } finally {
      t.dispose();
    }
  });

  it('refuses a flipped bit and releases nothing of the damaged segment', async () => {
    const t = tempProfile('blob-flip');
    try {
      const store = new BlobStore(t.profile, { segmentBytes: SEGMENT });
      const data = randomBytes(3 * SEGMENT + 10);
      const blob = await store.write(data);
      const path = store.pathOf(blob.id);
      const bytes = readFileSync(path);
      const at = HEADER_BYTES + SEALED + 5; // in the second segment
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
      writeFileSync(path, bytes);
      const { data: released, error } = await readAll(store, blob.id, blob.key);
      assert.equal((error as { kind?: string }).kind, 'vault-corrupt');
      assert.deepEqual(released, data.subarray(0, SEGMENT), 'only the authentic first segment');
    } finally {
      t.dispose();
    }
  });

  it('detects a file cut at a segment boundary, swapped segments and a changed header', async () => {
    const t = tempProfile('blob-cut');
    try {
      const store = new BlobStore(t.profile, { segmentBytes: SEGMENT });
      const data = randomBytes(3 * SEGMENT + 10);
      const blob = await store.write(data);
      const path = store.pathOf(blob.id);
      const original = readFileSync(path);
      const attacks: Record<string, Buffer> = {
        'cut after two segments': original.subarray(0, HEADER_BYTES + 2 * SEALED),
        'last segment dropped': original.subarray(0, HEADER_BYTES + 3 * SEALED),
        'segments 1 and 2 swapped': Buffer.concat([
          original.subarray(0, HEADER_BYTES),
          original.subarray(HEADER_BYTES + SEALED, HEADER_BYTES + 2 * SEALED),
          original.subarray(HEADER_BYTES, HEADER_BYTES + SEALED),
          original.subarray(HEADER_BYTES + 2 * SEALED),
        ]),
        'segment size in the header changed': Buffer.concat([
          original.subarray(0, 4),
          Buffer.from([0, 0, 0x08, 0]),
          original.subarray(8),
        ]),
        'only the header': original.subarray(0, HEADER_BYTES),
      };
      for (const [name, bytes] of Object.entries(attacks)) {
        writeFileSync(path, bytes);
        const { data: released, error } = await readAll(store, blob.id, blob.key);
        assert.equal((error as { kind?: string } | undefined)?.kind, 'vault-corrupt', name);
        assert.ok(released.length < data.length, name);
        assert.deepEqual(
          released,
          data.subarray(0, released.length),
          `${name}: authentic prefix only`,
        );
      }
    } finally {
      t.dispose();
    }
  });

  it('reads from any offset, across several reads of the file, from the segment holding it', async () => {
    const t = tempProfile('blob-from');
    try {
      const store = new BlobStore(t.profile, { segmentBytes: SEGMENT });
      // 2.5 MiB of 1 KiB segments: the reader takes ≈1 MiB of whole segments at a time.
      const data = randomBytes(2.5 * 1024 * 1024 + 77);
      const blob = await store.write(pieces(data, 100_000));
      const perRead = Math.floor((1024 * 1024) / SEALED);
      const offsets = [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, perRead * SEGMENT];
      offsets.push(perRead * SEGMENT + 5, 2 * perRead * SEGMENT - 1, data.length - 1, data.length);
      for (const from of offsets) {
        const got = await drain(store.read(blob.id, blob.key, from));
        assert.deepEqual(got, data.subarray(from), `from ${from}`);
      }
      await assert.rejects(drain(store.read(blob.id, blob.key, data.length + 1)), RangeError);
      // Nothing before the offset's segment is read: a damaged first segment does not
      // stop a read from the third, and does stop one from the start.
      const path = store.pathOf(blob.id);
      const bytes = readFileSync(path);
      bytes.writeUInt8(bytes.readUInt8(HEADER_BYTES + 3) ^ 0x01, HEADER_BYTES + 3);
      writeFileSync(path, bytes);
      const later = await drain(store.read(blob.id, blob.key, 2 * SEGMENT + 9));
      assert.deepEqual(later, data.subarray(2 * SEGMENT + 9));
      await rejectsWithKind(drain(store.read(blob.id, blob.key, 0)), 'vault-corrupt');
    } finally {
      t.dispose();
    }
  });

  it('from an offset, a damaged later segment or a cut file is still refused', async () => {
    const t = tempProfile('blob-from-damaged');
    try {
      const store = new BlobStore(t.profile, { segmentBytes: SEGMENT });
      const data = randomBytes(3 * SEGMENT + 10);
      const blob = await store.write(data);
      const path = store.pathOf(blob.id);
      const original = readFileSync(path);
      const flipped = Buffer.from(original);
      const at = HEADER_BYTES + 2 * SEALED + 1;
      flipped.writeUInt8(flipped.readUInt8(at) ^ 0x01, at);
      writeFileSync(path, flipped);
      await rejectsWithKind(drain(store.read(blob.id, blob.key, SEGMENT + 3)), 'vault-corrupt');
      // Cut after two segments: reading from where the cut file would end must not pass
      // for the end of a shorter blob.
      writeFileSync(path, original.subarray(0, HEADER_BYTES + 2 * SEALED));
      for (const from of [SEGMENT, 2 * SEGMENT, 2 * SEGMENT + 5]) {
        await rejectsWithKind(drain(store.read(blob.id, blob.key, from)), 'vault-corrupt');
      }
    } finally {
      t.dispose();
    }
  });

  it('does not open with another file’s key, and says when a blob file is missing', async () => {
    const t = tempProfile('blob-key');
    try {
      const store = new BlobStore(t.profile);
      const a = await store.write(Buffer.from('một'));
      const b = await store.write(Buffer.from('hai'));
      const { error } = await readAll(store, a.id, b.key);
      assert.equal((error as { kind?: string }).kind, 'vault-corrupt');
      await store.remove(a.id);
      await rejectsWithKind(drain(store.read(a.id, a.key)), 'not-found');
    } finally {
      t.dispose();
    }
  });

  it('on a full disk: disk-full, and no file or temp file is left', async () => {
    const t = tempProfile('blob-enospc');
    try {
      let written = 0;
      const store = new BlobStore(t.profile, {
        openForWrite: async (path) => {
          const handle = await open(path, 'wx', 0o600);
          const real = handle.write.bind(handle);
          handle.write = (async (buffer: Uint8Array, ...rest: [number?]) => {
            if (written > 4096) {
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            }
            const r = await real(buffer, ...rest);
            written += r.bytesWritten;
            return r;
          }) as typeof handle.write;
          return handle;
        },
      });
      await rejectsWithKind(store.write(pieces(randomBytes(100_000), 1000)), 'disk-full');
      const leftovers = existsSync(store.dir)
        ? readdirSync(store.dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        : [];
      assert.deepEqual(leftovers, []);
    } finally {
      t.dispose();
    }
  });

  it('sweeps temp files and files of rows that never committed, keeping the known ones', async () => {
    const t = tempProfile('blob-sweep');
    try {
      const store = new BlobStore(t.profile);
      const kept = await store.write(Buffer.from('giữ'));
      const orphan = await store.write(Buffer.from('bỏ'));
      const fan = join(store.dir, 'ab');
      mkdirSync(fan, { recursive: true });
      writeFileSync(join(fan, `.${'ab'.repeat(16)}.0123.tmp`), 'half');
      assert.equal(await store.sweep(new Set([kept.id])), 2);
      assert.ok(existsSync(store.pathOf(kept.id)));
      assert.ok(!existsSync(store.pathOf(orphan.id)));
      assert.deepEqual(readdirSync(fan), []);
    } finally {
      t.dispose();
    }
  });
});
