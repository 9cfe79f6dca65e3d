/**
 * What the hostile-server tests share: a package source over bytes in memory (it reuses
 * one buffer for every piece it yields, as a decrypting reader may), a client for a
 * server, receipts signed by whichever key a test chooses, and an upload service that a
 * test bends one way at a time (chunk size, held chunks, receipt content or signer). Not
 * a test file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import {
  routes,
  type ReceiptStatement,
  type UploadStatus,
} from '../../native/exchange/platform-wire.ts';
import { signStatement } from '../../native/exchange/signed-statement.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import type { SignerSpec } from '../../native/seal/signed-data/index.ts';
import type { PackageSource, PlatformApi } from '../../native/sync/platform-api.ts';
import {
  createPlatformClient,
  type PlatformClientOptions,
} from '../../native/sync/platform-client.ts';
import { SENDER, errorReply, json, type HostileServer } from './sync-hostile-server.ts';
import type { SyncTestPki } from './sync-tls-pki.ts';

export const RECIPIENTS = ['000.00.00.H26', '000.00.01.H26'];
export const CHUNK = 64 * 1024;

export interface TestPackage extends PackageSource {
  readonly bytes: Buffer;
}

/** `size` random bytes as a package; read() yields `piece`-byte pieces from one reused buffer. */
export function testPackage(size: number, level: LevelCode = 'mat', piece = 10_000): TestPackage {
  const bytes = randomBytes(size);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size,
    level,
    recipients: [...RECIPIENTS],
    async *read(offset: number) {
      const scratch = Buffer.alloc(piece);
      for (let at = offset; at < size; at += piece) {
        const n = bytes.copy(scratch, 0, at, Math.min(at + piece, size));
        yield scratch.subarray(0, n);
        scratch.fill(0xee); // the reader reuses its buffer: a client must have copied
      }
    },
  };
}

export function clientFor(
  server: HostileServer,
  t: SyncTestPki,
  options: Partial<PlatformClientOptions> = {},
): PlatformApi {
  return createPlatformClient({
    url: server.url,
    trustAnchors: t.anchors,
    signer: () => Promise.resolve(t.clerk()),
    certificates: t.pki.intermediates,
    organId: SENDER,
    timeouts: { connectMs: 3_000, idleMs: 3_000, timeoutForBytes: () => 10_000 },
    ...options,
  });
}

/** The receipt an honest platform signs for `pkg`. */
export function receiptFor(pkg: PackageSource): ReceiptStatement {
  return {
    type: 'niem-receipt',
    version: 1,
    sha256: pkg.sha256,
    size: pkg.size,
    level: pkg.level,
    sender: SENDER,
    senderCertificate: 'cd'.repeat(32),
    recipients: [...pkg.recipients],
    receivedAt: new Date().toISOString(),
    platform: 'hostile.test',
  };
}

/** How the upload service bends the truth (nothing: an honest platform). */
export interface UploadTwist {
  /** Chunk size offered (default CHUNK). */
  chunkBytes?: number;
  /** Chunks the platform says it holds at the start. */
  received?: number[];
  /** Fields of the start reply replaced as they are. */
  status?: Partial<UploadStatus>;
  /** Fields of the receipt statement replaced. */
  receipt?: Partial<ReceiptStatement>;
  /** Who signs the receipt (default the platform signer). */
  signer?: () => SignerSpec;
  /** Changes the signed DER (e.g. flips a signature byte). */
  tamper?: (der: Buffer) => Buffer;
  /** The start reply says complete and carries the receipt. */
  completeAtStart?: boolean;
}

export async function signedReceipt(
  t: SyncTestPki,
  pkg: PackageSource,
  twist: UploadTwist,
): Promise<string> {
  const statement = { ...receiptFor(pkg), ...twist.receipt };
  const der = Buffer.from(
    await signStatement((twist.signer ?? t.platformSigner)(), statement, {
      level: pkg.level,
      certificates: t.pki.intermediates,
    }),
  );
  return (twist.tamper?.(der) ?? der).toString('base64');
}

/** Installs the upload routes; returns the chunks received (checked against their digest). */
export function serveUpload(
  server: HostileServer,
  t: SyncTestPki,
  pkg: PackageSource,
  twist: UploadTwist = {},
): Map<number, Buffer> {
  const chunkBytes = twist.chunkBytes ?? CHUNK;
  const held = new Map<number, Buffer>();
  server.on('POST', routes.startUpload.path, (_req, res) => {
    const status = {
      sha256: pkg.sha256,
      size: pkg.size,
      chunkBytes,
      chunkCount: Math.ceil(pkg.size / chunkBytes),
      received: twist.received ?? [],
      state: twist.completeAtStart === true ? 'complete' : 'open',
      ...twist.status,
    };
    if (twist.completeAtStart !== true) return json(res, 201, status);
    void signedReceipt(t, pkg, twist).then((receipt) => json(res, 200, { ...status, receipt }));
  });
  server.on('PUT', /^\/v1\/uploads\/[0-9a-f]{64}\/chunks\/[0-9]+$/, (req, res, body) => {
    const index = Number(req.url?.split('/').at(-1));
    const digest = createHash('sha256').update(body).digest('base64');
    if (req.headers['content-digest'] !== `sha-256=:${digest}:`) {
      return errorReply(res, 400, 'digest-mismatch');
    }
    held.set(index, body);
    res.writeHead(204).end();
  });
  server.on('POST', /^\/v1\/uploads\/[0-9a-f]{64}\/complete$/, (_req, res) => {
    void signedReceipt(t, pkg, twist).then((receipt) => json(res, 200, { receipt }));
  });
  return held;
}

/** Asserts that `promise` rejects with a NiemError of `kind`; returns the error. */
export async function rejectsWith(
  promise: Promise<unknown>,
  kind: ErrorKind,
  message?: RegExp,
): Promise<NiemError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof NiemError)) throw err;
    if (err.kind !== kind) {
      throw new Error(`expected ${kind}, got ${err.kind}: ${err.message}`, { cause: err });
    }
    if (message !== undefined && !message.test(err.message)) {
      throw new Error(`expected ${String(message)} in: ${err.message}`, { cause: err });
    }
    return err;
  }
  throw new Error(`expected a ${kind} rejection, but the call succeeded`);
}

/** Reads a download whole; returns the bytes yielded before it ended or failed, and the error. */
export async function drain(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of chunks) parts.push(Buffer.from(c));
    return { bytes: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}
