/**
 * A reply of the platform whose headers arrived (./https-transport.ts makes them): the
 * status, the headers, and the body read once, as it arrives, within the exchange's time
 * limits (idle, and what is left of its deadline; time the caller spends between two
 * pieces is not counted). Leaving the body before its end ends the connection.
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { NiemError } from '../api/errors.ts';
import { badReply, networkError, unreachable } from './platform-errors.ts';

/** A reply body up to this size is drained to keep its connection; a larger one is cut. */
const DRAIN_BYTES = 64 * 1024;

/** Shared by a request and its reply: the first failure decided on purpose (timeout, abort). */
export interface ExchangeState {
  failure: unknown;
  /** Stops listening to the request's abort signal. */
  release: () => void;
}

/** A reply whose headers arrived; its body is read once, with the exchange's time limits. */
export class Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly #req: ClientRequest;
  readonly #res: IncomingMessage;
  readonly #state: ExchangeState;
  readonly #idleMs: number;
  readonly #origin: string;
  #budgetMs: number;
  #started = false;

  constructor(
    req: ClientRequest,
    res: IncomingMessage,
    state: ExchangeState,
    limits: { idleMs: number; budgetMs: number; origin: string },
  ) {
    this.#req = req;
    this.#res = res;
    this.#state = state;
    this.#idleMs = limits.idleMs;
    this.#budgetMs = limits.budgetMs;
    this.#origin = limits.origin;
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
  }

  /** A header's value (several values joined with `, `), lowercase name. */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** Content-Length when present and well formed. */
  contentLength(): number | undefined {
    const value = this.header('content-length');
    return value !== undefined && /^[0-9]{1,16}$/.test(value) ? Number(value) : undefined;
  }

  /** Allows at least `ms` more of waiting for the body (a download's size is known only now). */
  extendDeadline(ms: number): void {
    this.#budgetMs = Math.max(this.#budgetMs, ms);
  }

  /** The body's pieces as they arrive; ends the connection when left before the end. */
  async *body(): AsyncGenerator<Buffer, void, undefined> {
    if (this.#started) throw new NiemError('internal', 'a reply body is read once');
    this.#started = true;
    const pieces = this.#res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let finished = false;
    try {
      for (;;) {
        const next = await this.#wait(pieces.next());
        if (next.done === true) break;
        yield next.value;
      }
      if (!this.#res.complete) {
        throw unreachable(`${this.#origin} closed the connection before the end of its reply`);
      }
      finished = true;
    } catch (err) {
      throw this.#state.failure ?? networkError(err, this.#origin);
    } finally {
      this.#state.release();
      if (!finished) this.#req.destroy();
    }
  }

  /** The whole body; more than `max` bytes is `platform-bad-reply`. */
  async read(max: number): Promise<Buffer> {
    const declared = this.contentLength();
    if (declared !== undefined && declared > max) {
      void this.discard();
      throw badReply(`${this.#origin} sent a reply of ${declared} bytes (at most ${max})`);
    }
    const parts: Buffer[] = [];
    let total = 0;
    for await (const piece of this.body()) {
      total += piece.length;
      if (total > max) {
        throw badReply(`${this.#origin} sent a reply longer than ${max} bytes`);
      }
      parts.push(piece);
    }
    return Buffer.concat(parts, total);
  }

  /**
   * Leaves the body unread: none (204, 304) or a small one is drained, within the time
   * limits, so the connection serves the next request; a large or unbounded one is cut.
   * Resolves when the connection is free again (never rejects).
   */
  async discard(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#state.release();
    const length = this.status === 204 || this.status === 304 ? 0 : this.contentLength();
    if (length === undefined || length > DRAIN_BYTES) {
      this.#req.destroy();
      return;
    }
    this.#res.resume();
    try {
      await this.#wait(finished(this.#res));
    } catch {
      this.#req.destroy();
    }
  }

  /** Waits for `step` within the idle limit and what is left of the deadline. */
  async #wait<T>(step: Promise<T>): Promise<T> {
    const start = performance.now();
    const idle = this.#idleMs <= this.#budgetMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const err = unreachable(
            idle
              ? `${this.#origin} sent nothing for ${this.#idleMs} ms`
              : `${this.#origin} is too slow: the reply did not arrive in time`,
          );
          this.#state.failure ??= err;
          this.#req.destroy(err);
          reject(err);
        },
        Math.max(0, Math.min(this.#idleMs, this.#budgetMs)),
      );
    });
    try {
      return await Promise.race([step, timeout]);
    } finally {
      clearTimeout(timer);
      this.#budgetMs -= performance.now() - start;
    }
  }
}
