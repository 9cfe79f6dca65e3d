/**
 * The session: which token is signed in and who the clerk is, plus the token watch that
 * reports `tokens.changed` and locks the session when its token disappears. Token calls
 * are serialised: PKCS#11 sessions are not shared between concurrent operations here.
 */
import type { EventName, EventPayload, Session, TokenInfo } from '../api/contract.ts';
import { NiemError } from '../api/errors.ts';
import type { TokenService } from '../token/token-service.ts';
import type { Handlers } from './dispatcher.ts';

export type EventSink = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface SessionServiceOptions {
  /** How many PKCS#11 modules were configured, to tell "none could be loaded" from "no token". */
  moduleCount?: number;
  /** How often the token list is polled for insertion and removal, in ms. Default 1 500. */
  pollIntervalMs?: number;
}

export class SessionService {
  readonly #tokens: TokenService;
  readonly #emit: EventSink;
  readonly #pollIntervalMs: number;
  readonly #moduleCount: number;
  #session: Session = { state: 'signed-out' };
  #queue: Promise<unknown> = Promise.resolve();
  #lastList = '';
  #poll: NodeJS.Timeout | undefined;

  constructor(tokens: TokenService, emit: EventSink, options: SessionServiceOptions = {}) {
    this.#tokens = tokens;
    this.#emit = emit;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_500;
    this.#moduleCount = options.moduleCount ?? 0;
  }

  readonly handlers: Handlers = {
    'tokens.list': () => this.#serial(() => this.#listTokens()),
    'session.login': ({ token, pin }) =>
      this.#serial(async () => {
        if (this.#session.state === 'signed-in') {
          await this.#tokens.logout();
          this.#session = { state: 'signed-out' };
        }
        const { token: info, identity } = await this.#tokens.login(token, pin);
        this.#session = {
          state: 'signed-in',
          token: info,
          identity,
          since: new Date().toISOString(),
        };
        return this.#session;
      }),
    'session.logout': () =>
      this.#serial(async () => {
        const wasSignedIn = this.#session.state === 'signed-in';
        await this.#tokens.logout();
        this.#session = { state: 'signed-out' };
        if (wasSignedIn) this.#emit('session.locked', { reason: 'logout' });
        return this.#session;
      }),
    'session.current': async () => this.#session,
  };

  /** Starts polling the token list; the first poll only records the state. */
  startWatching(): void {
    if (this.#poll) return;
    const tick = () => {
      this.#serial(() => this.#watchOnce()).catch(() => {});
    };
    this.#poll = setInterval(tick, this.#pollIntervalMs);
    this.#poll.unref();
  }

  /** Stops polling, logs out, finalizes the modules. */
  async shutdown(): Promise<void> {
    clearInterval(this.#poll);
    await this.#serial(async () => {
      this.#session = { state: 'signed-out' };
      await this.#tokens.close();
    });
  }

  async #listTokens(): Promise<TokenInfo[]> {
    const list = await this.#tokens.listTokens();
    const problems = this.#tokens.moduleProblems;
    if (list.length === 0 && (this.#moduleCount === 0 || problems.length >= this.#moduleCount)) {
      const reasons = problems.map((p) => `${p.path}: ${p.reason}`).join('; ');
      throw new NiemError(
        'module-unavailable',
        this.#moduleCount === 0
          ? 'no PKCS#11 module is configured and none was found at the known locations'
          : `no PKCS#11 module could be loaded (${reasons})`,
      );
    }
    this.#lastList = JSON.stringify(list);
    return list;
  }

  async #watchOnce(): Promise<void> {
    let list: TokenInfo[];
    try {
      list = await this.#tokens.listTokens();
    } catch {
      return; // a failing module is reported on tokens.list, not by the watch
    }
    const serialized = JSON.stringify(list);
    if (serialized === this.#lastList) return;
    const first = this.#lastList === '';
    this.#lastList = serialized;
    if (this.#session.state === 'signed-in') {
      const current = this.#session.token.id;
      if (!list.some((t) => t.id === current)) {
        await this.#tokens.logout().catch(() => {});
        this.#session = { state: 'signed-out' };
        this.#emit('session.locked', { reason: 'token-removed' });
      }
    }
    if (!first) this.#emit('tokens.changed', { tokens: list });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }
}
