/**
 * Checks and conversions both store implementations share, so they refuse the same inputs
 * with the same NiemError kinds and return the same shapes. Pure functions; no I/O.
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../../native/api/errors.ts';
import { levelCodes, type LevelCode } from '../../native/seal/levels.ts';
import {
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
} from '../../native/exchange/platform-wire.ts';
import type { KeyTransport, NewNotice, PlatformConfig } from './platform-store.ts';

/** What getConfig returns for a setting nobody has set. */
export const DEFAULT_CONFIG: Readonly<PlatformConfig> = Object.freeze({
  approvedLevel: 'toi-mat',
  platformName: 'niem-platform',
  chunkBytes: DEFAULT_CHUNK_BYTES,
});

/** The config keys, as stored (one row each, value as JSON text). */
export const CONFIG_KEYS = ['approvedLevel', 'platformName', 'chunkBytes'] as const;

/** Config row holding the directory revision (not part of PlatformConfig). */
export const DIRECTORY_REVISION_KEY = 'directoryRevision';

/** Largest cursor either store holds: the largest signed 64-bit integer. */
export const MAX_CURSOR = 2n ** 63n - 1n;

const keyTransports: readonly KeyTransport[] = ['oaep-sha256', 'oaep-sha1', 'ecdh'];
const SHA256_HEX = /^[0-9a-f]{64}$/;
const CURSOR = /^[0-9]{1,20}$/;

function refuse(message: string): never {
  throw new NiemError('invalid-input', message);
}

export function checkSha256(value: string, what: string): string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    refuse(`${what} must be lowercase hex SHA-256`);
  }
  return value;
}

export function checkLevel(value: unknown, what: string): LevelCode {
  if (typeof value !== 'string' || !(levelCodes as readonly string[]).includes(value)) {
    refuse(`${what} is not a level code`);
  }
  return value as LevelCode;
}

export function checkKeyTransport(value: unknown): KeyTransport {
  if (typeof value !== 'string' || !(keyTransports as readonly string[]).includes(value)) {
    refuse('keyTransport must be oaep-sha256, oaep-sha1 or ecdh');
  }
  return value as KeyTransport;
}

export function checkText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    refuse(`${what} must be text of 1 to ${max} characters`);
  }
  return value;
}

/** A non-negative safe integer. */
export function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    refuse(`${what} must be a non-negative integer`);
  }
  return value;
}

/** Normalises an ISO 8601 time to `toISOString()` form so times compare as text. */
export function isoTime(value: string, what: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) refuse(`${what} must be an ISO 8601 time`);
  return new Date(ms).toISOString();
}

/**
 * How long an upload may stay open (started, never completed) before the sweeper removes
 * it with its chunks: 7 days. A client that comes back later declares the package again
 * and sends it whole; the space a sender abandoned is not held for ever.
 */
export const OPEN_UPLOAD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Open uploads started at or before this instant (ISO) are stale at `now` (ISO). */
export function staleUploadCutoff(now: string): string {
  return new Date(Date.parse(isoTime(now, 'now')) - OPEN_UPLOAD_MAX_AGE_MS).toISOString();
}

/** A cursor string as a bigint; refuses anything but 1–20 decimal digits. */
export function parseCursor(value: string, what: string): bigint {
  if (typeof value !== 'string' || !CURSOR.test(value)) {
    refuse(`${what} must be a cursor (1 to 20 decimal digits)`);
  }
  return BigInt(value);
}

/** Validates a change of config; returns only the keys it sets. */
export function checkConfigChange(change: Partial<PlatformConfig>): Partial<PlatformConfig> {
  const out: Partial<PlatformConfig> = {};
  if (change.approvedLevel !== undefined) {
    out.approvedLevel = checkLevel(change.approvedLevel, 'approvedLevel');
  }
  if (change.platformName !== undefined) {
    out.platformName = checkText(change.platformName, 'platformName', 256);
  }
  if (change.chunkBytes !== undefined) {
    const bytes = checkCount(change.chunkBytes, 'chunkBytes');
    if (bytes < MIN_CHUNK_BYTES || bytes > MAX_CHUNK_BYTES) {
      refuse(`chunkBytes must be between ${MIN_CHUNK_BYTES} and ${MAX_CHUNK_BYTES}`);
    }
    out.chunkBytes = bytes;
  }
  return out;
}

/** Builds the config from stored rows (key → JSON text), defaults for the rest. */
export function configFromRows(rows: { key: string; value: string }[]): PlatformConfig {
  const config: PlatformConfig = { ...DEFAULT_CONFIG };
  for (const row of rows) {
    if ((CONFIG_KEYS as readonly string[]).includes(row.key)) {
      Object.assign(config, checkConfigChange({ [row.key]: JSON.parse(row.value) as unknown }));
    }
  }
  return config;
}

/** How many chunks a package of `size` bytes has at `chunkBytes` each. */
export function chunkCount(size: number, chunkBytes: number): number {
  return Math.ceil(size / chunkBytes);
}

/** The exact length chunk `index` must have. */
export function chunkLength(size: number, chunkBytes: number, index: number): number {
  return Math.min(chunkBytes, size - index * chunkBytes);
}

/** Refuses a chunk whose index or length does not fit the upload. */
export function checkChunk(
  upload: { sha256: string; size: number; chunkBytes: number; state: 'open' | 'complete' },
  index: number,
  digest: string,
  bytes: Buffer,
): void {
  checkSha256(digest, 'digest');
  const count = chunkCount(upload.size, upload.chunkBytes);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    refuse(`chunk index ${index} is outside the upload (0 to ${count - 1})`);
  }
  const expected = chunkLength(upload.size, upload.chunkBytes, index);
  if (!Buffer.isBuffer(bytes) || bytes.length !== expected) {
    refuse(`chunk ${index} must be ${expected} bytes`);
  }
}

/** Refuses a readPackage offset that is not a non-negative integer. */
export function checkOffset(offset: number): number {
  return checkCount(offset, 'offset');
}

/** Refuses a mailbox page size that is not a positive integer. */
export function checkLimit(limit: number): number {
  const n = checkCount(limit, 'limit');
  if (n < 1) refuse('limit must be at least 1');
  return n;
}

/** Checks a new notice's fields; returns the agencies and status as stored. */
export function checkNewNotice(notice: NewNotice): { from: string; to: string; status: string } {
  checkSha256(notice.sha256, 'sha256');
  const from = checkText(notice.from, 'from', 64);
  const to = checkText(notice.to, 'to', 64);
  const status = checkText(notice.status, 'status', 16);
  if (!Buffer.isBuffer(notice.der) || notice.der.length === 0) {
    throw new NiemError('invalid-input', 'notice must be DER bytes');
  }
  return { from, to, status };
}

/** Checks a new upload's fields (the caller checked recipients against the directory). */
export function checkNewUpload(upload: {
  sha256: string;
  size: number;
  level: string;
  sender: string;
  senderCertificateSha256: string;
  recipients: string[];
  chunkBytes: number;
}): void {
  checkSha256(upload.sha256, 'sha256');
  if (checkCount(upload.size, 'size') < 1) refuse('size must be at least 1');
  checkLevel(upload.level, 'level');
  checkText(upload.sender, 'sender', 64);
  checkSha256(upload.senderCertificateSha256, 'senderCertificateSha256');
  if (checkCount(upload.chunkBytes, 'chunkBytes') < 1) refuse('chunkBytes must be at least 1');
  if (!Array.isArray(upload.recipients) || upload.recipients.length === 0) {
    refuse('recipients must not be empty');
  }
  for (const r of upload.recipients) checkText(r, 'recipient', 64);
  if (new Set(upload.recipients).size !== upload.recipients.length) {
    refuse('recipients must not repeat');
  }
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
