/**
 * The platform client: PlatformApi (./platform-api.ts) over HTTPS to one platform origin.
 * Sessions are opened by a token signature (challenge → `niem-auth` statement → bearer
 * token), kept until shortly before they expire and opened again once when the platform
 * answers `unauthenticated`. Every reply is parsed with the wire schemas and checked
 * against the request (./platform-replies.ts); uploads live in ./platform-upload.ts,
 * downloads in ./platform-download.ts, the connection and its time limits in
 * ./https-transport.ts. The trust anchors are the only roots TLS and receipts accept.
 */
import { createHash } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import {
  AckRequestSchema,
  ChallengeReplySchema,
  CursorSchema,
  ETagSchema,
  MAX_JSON_BYTES,
  MAX_STATEMENT_BYTES,
  MailboxReplySchema,
  SessionReplySchema,
  Sha256HexSchema,
  UploadStatusSchema,
  routes,
  type MailboxReply,
  type UploadStatus,
} from '../exchange/platform-wire.ts';
import { signStatement } from '../exchange/signed-statement.ts';
import { OrganIdSchema } from '../seal/manifest.ts';
import { MAX_DIRECTORY_BYTES, parseDirectory } from '../vault/directory.ts';
import { HttpsTransport, type RequestSpec } from './https-transport.ts';
import type {
  DirectoryReply,
  PackageSource,
  PlatformApi,
  TransferProgress,
  VerifiedReceipt,
} from './platform-api.ts';
import { downloadPackage } from './platform-download.ts';
import { badReply } from './platform-errors.ts';
import {
  checkUrl,
  defaultTimeouts,
  type PlatformClientOptions,
  type PlatformTimeouts,
} from './platform-options.ts';
import {
  expectContentType,
  expectStatus,
  readJson,
  statusError,
  toBase64,
  type PlatformCaller,
} from './platform-replies.ts';
import { checkUploadStatus, routePath, uploadPackage } from './platform-upload.ts';
import type { Reply } from './transport-reply.ts';

export {
  defaultTimeouts,
  type PlatformClientOptions,
  type PlatformTimeouts,
} from './platform-options.ts';

/** A session is opened again this long before the platform said it expires (ms). */
const SESSION_MARGIN_MS = 30_000;

class PlatformClient implements PlatformApi, PlatformCaller {
  readonly origin: string;
  readonly #options: PlatformClientOptions;
  readonly #timeouts: PlatformTimeouts;
  readonly #transport: HttpsTransport;
  readonly #now: () => Date;
  #session: { token: string; renewAt: number } | undefined;
  #signingIn: Promise<string> | undefined;

  constructor(options: PlatformClientOptions) {
    const url = checkUrl(options.url, options.insecureDev === true);
    if (!OrganIdSchema.safeParse(options.organId).success) {
      throw new NiemError('invalid-input', `organId ${options.organId} is not an OrganId`);
    }
    if (options.trustAnchors.length === 0) {
      throw new NiemError('invalid-input', 'the platform client needs at least one trust anchor');
    }
    const concurrency = options.uploadConcurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4) {
      throw new NiemError('invalid-input', 'uploadConcurrency is 1 to 4');
    }
    this.#options = options;
    const t = options.timeouts;
    this.#timeouts = {
      connectMs: t?.connectMs ?? defaultTimeouts.connectMs,
      idleMs: t?.idleMs ?? defaultTimeouts.idleMs,
      timeoutForBytes: t?.timeoutForBytes ?? defaultTimeouts.timeoutForBytes,
    };
    this.#now = options.now ?? (() => new Date());
    this.#transport = new HttpsTransport({
      origin: url,
      trustAnchors: options.trustAnchors,
      insecureDev: options.insecureDev === true,
      connectTimeoutMs: this.#timeouts.connectMs,
      idleTimeoutMs: this.#timeouts.idleMs,
    });
    this.origin = this.#transport.origin;
  }

  deadline(bytes: number): number {
    return this.#timeouts.timeoutForBytes(bytes);
  }

  async authenticate(): Promise<void> {
    this.#session = undefined;
    await this.#signIn();
  }

  async call<T>(spec: RequestSpec, handle: (reply: Reply) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const session = this.#session;
      const token =
        session !== undefined && this.#now().getTime() < session.renewAt
          ? session.token
          : await this.#signIn();
      const reply = await this.#transport.send({
        ...spec,
        headers: { ...spec.headers, authorization: `Bearer ${token}` },
      });
      if (reply.status === 401 && attempt === 0) {
        const error = await statusError(reply, this.origin);
        if (error.detail?.code !== 'unauthenticated') throw error;
        if (this.#session?.token === token) this.#session = undefined;
        continue;
      }
      return handle(reply);
    }
  }

  async directory(etag: string | undefined): Promise<DirectoryReply> {
    if (etag !== undefined && !ETagSchema.safeParse(etag).success) {
      throw new NiemError('invalid-input', 'directory: an ETag is a quoted SHA-256 hex');
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (etag !== undefined) headers['if-none-match'] = etag;
    const spec = {
      method: 'GET' as const,
      path: routes.directory.path,
      headers,
      deadlineMs: this.deadline(MAX_DIRECTORY_BYTES),
    };
    return this.call(spec, async (reply) => {
      if (reply.status === 304) {
        const same = reply.header('etag');
        await reply.discard();
        if (etag === undefined || (same !== undefined && same !== etag)) {
          throw badReply(`${this.origin} answered 304 for a directory the client does not hold`);
        }
        return { changed: false };
      }
      await expectStatus(reply, this.origin, [200]);
      const tag = reply.header('etag');
      expectContentType(reply, this.origin, 'json');
      const body = await reply.read(MAX_DIRECTORY_BYTES);
      if (tag !== `"${createHash('sha256').update(body).digest('hex')}"`) {
        throw badReply(`${this.origin} sent a directory whose ETag is not the SHA-256 of its body`);
      }
      try {
        parseDirectory(new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch (err) {
        throw badReply(`${this.origin} sent a directory that cannot be imported`, err);
      }
      return { changed: true, etag: tag, body: new Uint8Array(body) };
    });
  }

  upload(
    pkg: PackageSource,
    progress: TransferProgress,
    signal?: AbortSignal,
  ): Promise<VerifiedReceipt> {
    const { trustAnchors, organId, senderCertificateSha256, uploadConcurrency } = this.#options;
    return uploadPackage(
      this,
      pkg,
      progress,
      {
        trustAnchors,
        organId,
        now: this.#now,
        concurrency: uploadConcurrency ?? 2,
        ...(senderCertificateSha256 === undefined ? {} : { senderCertificateSha256 }),
      },
      signal,
    );
  }

  async uploadStatus(sha256: string): Promise<UploadStatus | undefined> {
    if (!Sha256HexSchema.safeParse(sha256).success) {
      throw new NiemError('invalid-input', 'uploadStatus: not a lowercase hex SHA-256');
    }
    const spec = {
      method: 'GET' as const,
      path: routePath(routes.uploadStatus.path, { sha256 }),
      headers: { accept: 'application/json' },
      deadlineMs: this.deadline(0),
    };
    return this.call(spec, async (reply) => {
      if (reply.status !== 200) {
        const error = await statusError(reply, this.origin);
        if (reply.status === 404 && error.detail?.code === 'not-found') return undefined;
        throw error;
      }
      const status = await readJson(reply, this.origin, UploadStatusSchema, MAX_JSON_BYTES);
      return checkUploadStatus(status, sha256, undefined, this.origin);
    });
  }

  async mailbox(after: string | undefined, limit = 100): Promise<MailboxReply> {
    if (after !== undefined && !CursorSchema.safeParse(after).success) {
      throw new NiemError('invalid-input', 'mailbox: a cursor is 1 to 20 digits');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new NiemError('invalid-input', 'mailbox: limit is 1 to 500');
    }
    const query = new URLSearchParams();
    if (after !== undefined) query.set('after', after);
    query.set('limit', String(limit));
    const spec = {
      method: 'GET' as const,
      path: `${routes.mailbox.path}?${query.toString()}`,
      headers: { accept: 'application/json' },
      deadlineMs: this.deadline(MAX_JSON_BYTES),
    };
    return this.call(spec, async (reply) => {
      await expectStatus(reply, this.origin, [200]);
      const mailbox = await readJson(reply, this.origin, MailboxReplySchema, MAX_JSON_BYTES);
      let previous = BigInt(after ?? mailbox.acked);
      for (const entry of mailbox.entries) {
        const cursor = BigInt(entry.cursor);
        if (cursor <= previous) {
          throw badReply(`${this.origin} sent mailbox entries out of order (${entry.cursor})`);
        }
        previous = cursor;
      }
      if (mailbox.entries.length > limit) {
        throw badReply(`${this.origin} sent more than the ${limit} mailbox entries asked for`);
      }
      return mailbox;
    });
  }

  download(sha256: string, offset: number, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    return downloadPackage(this, sha256, offset, signal);
  }

  async ack(cursor: string): Promise<void> {
    const request = AckRequestSchema.safeParse({ cursor });
    if (!request.success) throw new NiemError('invalid-input', 'ack: a cursor is 1 to 20 digits');
    await this.#postJson(routes.ack.path, request.data, [204]);
  }

  async postNotice(der: Uint8Array): Promise<void> {
    if (der.length === 0 || der.length > MAX_STATEMENT_BYTES) {
      throw new NiemError('invalid-input', `a notice of ${der.length} bytes cannot be posted`);
    }
    await this.#postJson(routes.postNotice.path, { notice: toBase64(der) }, [201, 202]);
  }

  async close(): Promise<void> {
    this.#session = undefined;
    this.#transport.close();
  }

  async #postJson(path: string, value: unknown, allowed: readonly number[]): Promise<void> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    const spec = {
      method: 'POST' as const,
      path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      deadlineMs: this.deadline(body.length),
    };
    await this.call(spec, async (reply) => {
      await expectStatus(reply, this.origin, allowed);
      await reply.discard();
    });
  }

  /** One sign-in at a time: concurrent callers share it. */
  #signIn(): Promise<string> {
    this.#signingIn ??= this.#openSession().finally(() => {
      this.#signingIn = undefined;
    });
    return this.#signingIn;
  }

  async #openSession(): Promise<string> {
    this.#session = undefined;
    const challenge = await this.#transport.send({
      method: 'POST',
      path: routes.challenge.path,
      headers: { accept: 'application/json' },
      deadlineMs: this.deadline(0),
    });
    await expectStatus(challenge, this.origin, [200]);
    const { nonce } = await readJson(challenge, this.origin, ChallengeReplySchema, MAX_JSON_BYTES);
    const signer = await this.#options.signer();
    const proof = await signStatement(
      signer,
      {
        type: 'niem-auth',
        version: 1,
        nonce,
        audience: this.origin,
        at: this.#now().toISOString(),
      },
      {
        level: 'thuong',
        ...(this.#options.certificates === undefined
          ? {}
          : { certificates: this.#options.certificates }),
      },
    );
    const body = Buffer.from(JSON.stringify({ proof: toBase64(proof) }), 'utf8');
    const reply = await this.#transport.send({
      method: 'POST',
      path: routes.session.path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      deadlineMs: this.deadline(body.length),
    });
    await expectStatus(reply, this.origin, [200]);
    const session = await readJson(reply, this.origin, SessionReplySchema, MAX_JSON_BYTES);
    if (session.organId !== this.#options.organId) {
      throw badReply(
        `${this.origin} opened a session for agency ${session.organId}, not ${this.#options.organId}`,
      );
    }
    const now = this.#now().getTime();
    const expires = Date.parse(session.expiresAt);
    const renewAt = expires - Math.min(SESSION_MARGIN_MS, Math.max(0, (expires - now) / 2));
    this.#session = { token: session.token, renewAt };
    return session.token;
  }
}

/** The platform client for `options.url`; nothing is sent before the first call. */
export function createPlatformClient(options: PlatformClientOptions): PlatformApi {
  return new PlatformClient(options);
}
