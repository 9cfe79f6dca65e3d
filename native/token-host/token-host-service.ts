/**
 * Inside the token host: the handlers of the token protocol over the TokenService, the
 * watch that reports insertion and removal (C_WaitForSlotEvent without blocking where
 * the module supports it, comparing token lists otherwise), and the rule that a lost token session
 * (removal, invalid handle) is reported at once as `session.lost`. Token calls are
 * serialised; `ping` never waits behind them.
 */
import type { z } from 'zod';
import type { TokenInfo } from '../api/contract.ts';
import type { RpcHandlers } from '../host/rpc-dispatcher.ts';
import { isSessionLost } from '../token/ckr-errors.ts';
import type { TokenService } from '../token/token-service.ts';
import type { TokenEvents, TokenMethods } from './token-protocol.ts';

type Emit = <E extends keyof TokenEvents>(name: E, payload: z.infer<TokenEvents[E]>) => void;

export interface TokenHostServiceOptions {
  /** Interval of the insertion/removal watch, in ms. Default 1 000 (reports within 2 s). */
  pollIntervalMs?: number;
}

export class TokenHostService {
  readonly #tokens: TokenService;
  readonly #emit: Emit;
  readonly #pollIntervalMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  #lastList = '';
  #signedInToken: string | undefined;
  #poll: NodeJS.Timeout | undefined;

  constructor(tokens: TokenService, emit: Emit, options: TokenHostServiceOptions = {}) {
    this.#tokens = tokens;
    this.#emit = emit;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
  }

  readonly handlers: RpcHandlers<TokenMethods> = {
    'tokens.list': () =>
      this.#serial(async () => {
        const tokens = await this.#tokens.listTokens();
        this.#lastList = JSON.stringify(tokens);
        return {
          tokens,
          problems: [...this.#tokens.moduleProblems],
          loaded: this.#tokens.loadedModulePaths,
        };
      }),
    login: ({ tokenId, pin }) =>
      this.#serial(async () => {
        this.#signedInToken = undefined;
        const result = await this.#tokens.login(tokenId, pin);
        this.#signedInToken = tokenId;
        return result;
      }),
    logout: () =>
      this.#serial(async () => {
        this.#signedInToken = undefined;
        await this.#tokens.logout();
        return {};
      }),
    changePin: (params) =>
      this.#serial(async () => {
        await this.#tokens.changePin(params);
        return {};
      }),
    sign: (params) => this.#operation(async () => ({ signature: await this.#tokens.sign(params) })),
    decrypt: (params) =>
      this.#operation(async () => ({ plaintext: await this.#tokens.decrypt(params) })),
    deriveEcdh: (params) =>
      this.#operation(async () => ({ secret: await this.#tokens.deriveEcdh(params) })),
    certificate: () =>
      this.#operation(async () => ({ der: await this.#tokens.signingCertificate() })),
    capabilities: () => this.#operation(async () => ({ ...(await this.#tokens.capabilities()) })),
    ping: async () => ({ pid: process.pid }),
  };

  /** Starts the insertion/removal watch. */
  startWatching(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => {
      this.#serial(() => this.#watchOnce()).catch(() => {});
    }, this.#pollIntervalMs);
    this.#poll.unref();
  }

  async shutdown(): Promise<void> {
    clearInterval(this.#poll);
    await this.#serial(() => this.#tokens.close());
  }

  /** A token operation of the signed-in session; a lost session is reported at once. */
  #operation<T>(work: () => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      try {
        return await work();
      } catch (err) {
        if (isSessionLost(err)) this.#sessionLost();
        throw err;
      }
    });
  }

  #sessionLost(): void {
    if (this.#signedInToken === undefined) return;
    this.#signedInToken = undefined;
    this.#emit('session.lost', { reason: 'token-removed' });
  }

  async #watchOnce(): Promise<void> {
    let list: TokenInfo[];
    try {
      // Modules that report slot events spare us the list when nothing happened.
      if (this.#lastList !== '' && (await this.#tokens.slotEvents()) === 'unchanged') return;
      list = await this.#tokens.listTokens();
    } catch {
      return;
    }
    const serialized = JSON.stringify(list);
    if (serialized === this.#lastList) return;
    const first = this.#lastList === '';
    this.#lastList = serialized;
    if (this.#signedInToken !== undefined && !list.some((t) => t.id === this.#signedInToken)) {
      await this.#tokens.logout().catch(() => {});
      this.#sessionLost();
    }
    if (!first) this.#emit('tokens.changed', { tokens: list });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }
}
