/**
 * Sample data for the platform store tests: agencies, certificates, uploads with their
 * chunks, notices. Small chunks (1,000 bytes) so a package has several without being big.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import type {
  AgencyRecord,
  NewNotice,
  NewUpload,
  PlatformStore,
} from '../../platform/store/platform-store.ts';

/** A fresh, migrated store and how to throw it away. */
export interface FreshStore {
  store: PlatformStore;
  dispose(): Promise<void>;
}

/** Opens a fresh store (an empty database) for one test. */
export type StoreFactory = () => Promise<FreshStore>;

/** A test body run with a fresh store, disposed of afterwards. */
export function withStore(
  fresh: StoreFactory,
  body: (store: PlatformStore) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const { store, dispose } = await fresh();
    try {
      await body(store);
    } finally {
      await dispose();
    }
  };
}

export const NOW = '2026-03-01T08:00:00.000Z';
export const LATER = '2026-03-01T09:00:00.000Z';
export const EARLIER = '2026-03-01T07:00:00.000Z';

export const A = '000.00.00.A01';
export const B = '000.00.00.B02';
export const C = '000.00.00.C03';

export const CHUNK = 1000;

export function hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function agency(organId: string, name = `Agency ${organId}`): AgencyRecord {
  return { organId, name, clearance: 'toi-mat', keyTransport: 'oaep-sha256' };
}

/** A package of `size` random bytes, its hash and its chunks at CHUNK bytes. */
export function samplePackage(size = 2500): { bytes: Buffer; sha256: string; chunks: Buffer[] } {
  const bytes = randomBytes(size);
  const chunks: Buffer[] = [];
  for (let at = 0; at < size; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
  return { bytes, sha256: hex(bytes), chunks };
}

export function newUpload(sha256: string, size: number, recipients = [B, C]): NewUpload {
  return {
    sha256,
    size,
    level: 'mat',
    sender: A,
    senderCertificateSha256: 'a'.repeat(64),
    recipients,
    chunkBytes: CHUNK,
  };
}

/** Creates an upload, puts all its chunks and completes it; returns the package. */
export async function deliver(
  store: PlatformStore,
  recipients = [B, C],
  size = 2500,
): Promise<ReturnType<typeof samplePackage>> {
  const pkg = samplePackage(size);
  await store.createUpload(newUpload(pkg.sha256, size, recipients), NOW);
  for (const [i, chunk] of pkg.chunks.entries()) {
    assert.equal(await store.putChunk(pkg.sha256, i, hex(chunk), chunk), 'stored');
  }
  await store.completeUpload(pkg.sha256, Buffer.from(`receipt ${pkg.sha256}`), LATER);
  return pkg;
}

export function notice(
  to: string,
  from: string,
  status = '01',
  sha256 = 'b'.repeat(64),
): NewNotice {
  return { sha256, from, to, status, der: Buffer.from(`notice ${sha256} ${from} ${status}`) };
}

export async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

/** Asserts that `promise` rejects with a NiemError of `kind`. */
export async function rejectsWith(promise: Promise<unknown>, kind: ErrorKind): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof NiemError, `expected a NiemError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    return true;
  });
}

/** Every cursor of an agency's mailbox, read page by page. */
export async function allCursors(store: PlatformStore, organId: string): Promise<string[]> {
  const out: string[] = [];
  let after = '0';
  for (;;) {
    const page = await store.mailbox(organId, after, 50);
    if (page.length === 0) return out;
    for (const entry of page) {
      out.push(entry.cursor);
      after = entry.cursor;
    }
  }
}
