/**
 * A scripted PlatformApi for the sync engine's state-machine tests (not a test file). It
 * keeps what was uploaded like a platform does (bytes per package, resumed from what it
 * holds), answers with a receipt naming what it got, and follows a script for the next
 * uploads: fail at once, fail or hang after some bytes, or answer with a receipt that does
 * not match. Its mailbox holds entries with ascending cursors. It counts what it was asked
 * and how many calls ran at once. The end-to-end tests use the real platform instead.
 */
import { createHash } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { NiemError } from '../../native/api/errors.ts';
import type {
  MailboxEntry,
  MailboxReply,
  ReceiptStatement,
  UploadStatus,
} from '../../native/exchange/platform-wire.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import type {
  DirectoryReply,
  PackageSource,
  PlatformApi,
  TransferProgress,
  VerifiedReceipt,
} from '../../native/sync/platform-api.ts';

/** What the next upload does. */
export type UploadStep =
  | { kind: 'ok' }
  | { kind: 'throw'; error: Error }
  | { kind: 'throw-after'; bytes: number; error: Error }
  | { kind: 'hang-after'; bytes: number }
  | { kind: 'receipt'; change: Partial<ReceiptStatement> }
  /** The platform completes the upload and keeps the receipt, but the answer is lost. */
  | { kind: 'lost-answer' };

interface Held {
  parts: Buffer[];
  length: number;
  receipt: VerifiedReceipt | undefined;
}

export const refused = (code: string, organId?: string): NiemError =>
  new NiemError('platform-refused', `refused: ${code}`, {
    detail: { code, ...(organId === undefined ? {} : { organId }) },
  });

export const unreachable = (): NiemError =>
  new NiemError('platform-unreachable', 'connect ECONNREFUSED 127.0.0.1:8443');

export class ScriptedPlatform implements PlatformApi {
  readonly origin = 'https://truc.test:8443';
  readonly held = new Map<string, Held>();
  /** Consumed one per upload call; empty: every upload goes through. */
  script: UploadStep[] = [];
  /** Thrown by authenticate() while set. */
  authError: Error | undefined;
  /** Thrown by mailbox() while set. */
  mailboxError: Error | undefined;
  entries: MailboxEntry[] = [];
  acked = '0';
  directoryReply: DirectoryReply = { changed: false };
  calls: string[] = [];
  /** Bytes the platform took in, summed over every upload call. */
  bytesTaken = 0;
  active = 0;
  maxActive = 0;
  #cursor = 0;
  readonly #sender: string;
  readonly #now: () => Date;

  constructor(sender: string, now: () => Date = () => new Date()) {
    this.#sender = sender;
    this.#now = now;
  }

  async authenticate(): Promise<void> {
    this.calls.push('authenticate');
    if (this.authError !== undefined) throw this.authError;
  }

  async directory(etag: string | undefined): Promise<DirectoryReply> {
    this.calls.push(`directory ${etag ?? '-'}`);
    return this.directoryReply;
  }

  async upload(
    pkg: PackageSource,
    progress: TransferProgress,
    signal?: AbortSignal,
  ): Promise<VerifiedReceipt> {
    this.calls.push(`upload ${pkg.sha256.slice(0, 8)}`);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.#upload(pkg, progress, signal);
    } finally {
      this.active -= 1;
    }
  }

  async #upload(
    pkg: PackageSource,
    progress: TransferProgress,
    signal?: AbortSignal,
  ): Promise<VerifiedReceipt> {
    const step = this.script.shift() ?? { kind: 'ok' };
    if (step.kind === 'throw') throw step.error;
    let held = this.held.get(pkg.sha256);
    if (held === undefined) {
      held = { parts: [], length: 0, receipt: undefined };
      this.held.set(pkg.sha256, held);
    }
    if (held.receipt !== undefined) return held.receipt; // the stored receipt, sent again
    progress(held.length, pkg.size);
    let budget =
      step.kind === 'throw-after' || step.kind === 'hang-after'
        ? step.bytes
        : Number.POSITIVE_INFINITY;
    if (budget > 0) {
      for await (const chunk of pkg.read(held.length)) {
        signal?.throwIfAborted();
        const take = Math.min(chunk.length, budget);
        held.parts.push(Buffer.from(chunk.subarray(0, take)));
        held.length += take;
        this.bytesTaken += take;
        budget -= take;
        progress(held.length, pkg.size);
        await tick();
        if (budget <= 0) break;
      }
    }
    if (step.kind === 'throw-after') throw step.error;
    if (step.kind === 'hang-after') {
      await new Promise((_resolve, reject) => {
        if (signal === undefined) return;
        if (signal.aborted) reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    }
    const bytes = Buffer.concat(held.parts);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== pkg.sha256 || bytes.length !== pkg.size) {
      throw new NiemError('platform-refused', 'digest mismatch', {
        detail: { code: 'digest-mismatch' },
      });
    }
    const statement: ReceiptStatement = {
      type: 'niem-receipt',
      version: 1,
      sha256: pkg.sha256,
      size: pkg.size,
      level: pkg.level,
      sender: this.#sender,
      senderCertificate: '0'.repeat(64),
      recipients: [...pkg.recipients],
      receivedAt: this.#now().toISOString(),
      platform: 'truc-thu.test',
      ...(step.kind === 'receipt' ? step.change : {}),
    };
    const receipt = { statement, der: new Uint8Array(Buffer.from(JSON.stringify(statement))) };
    if (step.kind !== 'receipt') held.receipt = receipt;
    if (step.kind === 'lost-answer') throw unreachable();
    return receipt;
  }

  async uploadStatus(sha256: string): Promise<UploadStatus | undefined> {
    this.calls.push(`uploadStatus ${sha256.slice(0, 8)}`);
    return undefined;
  }

  async mailbox(after: string | undefined, limit = 100): Promise<MailboxReply> {
    this.calls.push(`mailbox ${after ?? '-'}`);
    if (this.mailboxError !== undefined) throw this.mailboxError;
    const from = BigInt(after ?? this.acked);
    const waiting = this.entries.filter((e) => BigInt(e.cursor) > from);
    return { entries: waiting.slice(0, limit), acked: this.acked, more: waiting.length > limit };
  }

  download(): AsyncIterable<Uint8Array> {
    throw new Error('not used by the engine');
  }

  async ack(cursor: string): Promise<void> {
    this.calls.push(`ack ${cursor}`);
    this.acked = cursor;
  }

  async postNotice(): Promise<void> {
    throw new Error('not used by the engine');
  }

  async close(): Promise<void> {
    this.calls.push('close');
  }

  /** Puts a notice (DER) into the mailbox; returns its cursor. */
  addNotice(der: Uint8Array): string {
    const cursor = String((this.#cursor += 1));
    this.entries.push({
      cursor,
      kind: 'notice',
      notice: Buffer.from(der).toString('base64'),
      at: this.#now().toISOString(),
    });
    return cursor;
  }

  /** Puts a package entry into the mailbox; returns its cursor. */
  addPackage(sha256: string, size = 1000, level: LevelCode = 'mat', sender = '000.00.00.G99') {
    const cursor = String((this.#cursor += 1));
    this.entries.push({
      cursor,
      kind: 'package',
      sha256,
      size,
      level,
      sender,
      at: this.#now().toISOString(),
    });
    return cursor;
  }

  /** Calls whose text starts with `prefix`. */
  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}
