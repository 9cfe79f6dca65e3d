/**
 * The download half of an arrival: the package's bytes from the platform into encrypted
 * segment files of the vault (native/vault/inbox-arrivals.ts), resuming from the bytes
 * already kept. Each segment (at most `segmentBytes`) is on disk and recorded before the
 * next one starts, and a connection that drops or a run that is stopped keeps what came
 * so far (the partial segment too): after a crash or a stop the next call asks the
 * platform for the rest (`Range: bytes=N-`). More bytes than the size announced is a
 * protocol breach: everything downloaded is dropped (`platform-bad-reply`).
 */
import { NiemError } from '../api/errors.ts';
import { BerReader } from '../seal/ber/index.ts';
import { recipientIdMatches, type RecipientKey } from '../seal/cms-crypto/index.ts';
import { readEnvelopeHeader } from '../seal/envelope/read-header.ts';
import {
  appendArrivalSegment,
  discardArrivalSegments,
  forgetArrival,
  type Arrival,
  type Vault,
} from '../vault/index.ts';
import type { PlatformApi, TransferProgress } from './platform-api.ts';

/** Bytes per segment file of a download in progress, unless configured. */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

/** How a segment's source ended. */
interface Cut {
  /** The download failed (dropped, stopped): thrown once what came is kept. */
  error: unknown;
  /** The platform's stream ended. */
  done: boolean;
  /** Bytes read past the segment's limit, for the next segment. */
  pending: Uint8Array | undefined;
}

/** Up to `limit` bytes of `iterator` (after `cut.pending`); failures end it, recorded in `cut`. */
async function* take(
  iterator: AsyncIterator<Uint8Array>,
  limit: number,
  cut: Cut,
  onBytes: (taken: number) => void,
): AsyncGenerator<Uint8Array> {
  let taken = 0;
  while (taken < limit) {
    let chunk = cut.pending;
    cut.pending = undefined;
    if (chunk === undefined) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await iterator.next();
      } catch (err) {
        cut.error = err;
        return;
      }
      if (r.done === true) {
        cut.done = true;
        return;
      }
      chunk = r.value;
    }
    if (chunk.length === 0) continue;
    if (taken + chunk.length > limit) {
      cut.pending = chunk.subarray(limit - taken);
      chunk = chunk.subarray(0, limit - taken);
    }
    taken += chunk.length;
    yield chunk;
    onBytes(taken);
  }
}

/** Whether the platform sends anything after the last byte announced (errors: nothing usable). */
async function sendsMore(iterator: AsyncIterator<Uint8Array>, cut: Cut): Promise<boolean> {
  if (cut.pending !== undefined && cut.pending.length > 0) return true;
  if (cut.done) return false;
  try {
    for (;;) {
      const r = await iterator.next();
      if (r.done === true) return false;
      if (r.value.length > 0) return true;
    }
  } catch {
    return false; // every announced byte is here; the hash decides
  }
}

/** Options of downloadArrival. */
export interface DownloadOptions {
  signal?: AbortSignal;
  progress?: TransferProgress;
  segmentBytes?: number;
}

/**
 * Downloads the rest of `arrival` (state `downloading`) into its segments; resolves to
 * the bytes this call downloaded once all `arrival.size` bytes are kept. See the module
 * comment for what a failure keeps.
 */
export async function downloadArrival(
  vault: Vault,
  arrival: Arrival,
  platform: PlatformApi,
  options: DownloadOptions = {},
): Promise<number> {
  const { sha256, size } = arrival;
  const segmentBytes = Math.max(1, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
  let received = arrival.received;
  if (received > size) {
    await discardArrivalSegments(vault, sha256);
    received = 0;
  }
  let downloaded = 0;
  options.progress?.(received, size);
  while (received < size) {
    options.signal?.throwIfAborted();
    const iterator = platform.download(sha256, received, options.signal)[Symbol.asyncIterator]();
    const cut: Cut = { error: undefined, done: false, pending: undefined };
    try {
      while (received < size && !cut.done && cut.error === undefined) {
        const limit = Math.min(segmentBytes, size - received);
        const start = received;
        const report = (taken: number): void => options.progress?.(start + taken, size);
        const source = take(iterator, limit, cut, report);
        const kept = await appendArrivalSegment(vault, sha256, start, source);
        received += kept;
        downloaded += kept;
      }
      if (cut.error !== undefined) throw cut.error;
      if (received === size && (await sendsMore(iterator, cut))) {
        await forgetArrival(vault, sha256);
        throw new NiemError(
          'platform-bad-reply',
          `the platform sent more than the ${size} bytes it announced for ${sha256}; nothing was kept`,
        );
      }
      if (received < size) {
        throw new NiemError(
          'platform-unreachable',
          `the download of ${sha256} ended at ${received} of ${size} bytes; it resumes there`,
        );
      }
    } finally {
      await iterator.return?.().catch(() => undefined);
    }
  }
  return downloaded;
}

/**
 * Whether the package in `source` names one of `keys`' certificates among its recipients
 * (read up to the ciphertext only). `malformed` when it is not an AuthEnvelopedData.
 */
export async function addressedTo(
  source: AsyncIterable<Uint8Array>,
  keys: readonly RecipientKey[],
): Promise<boolean> {
  const reader = new BerReader(source, { maxDepth: 32 });
  try {
    const header = await readEnvelopeHeader(reader);
    return header.recipients.some((r) => {
      const rid = r.rid;
      return rid !== undefined && keys.some((k) => recipientIdMatches(rid, k.certificate));
    });
  } finally {
    await reader.close().catch(() => undefined);
  }
}
