/**
 * The native process's handle on the token host: an RpcSupervisor over the token
 * protocol. Calls resolve to values or throw NiemError with the host's error kind; a
 * crash of the host (a vendor module taking its process down) fails pending calls with
 * `token-module-crashed`, is reported through `onCrash`, and the host is restarted.
 * A call that hangs past its limit kills the host: a stuck vendor call cannot be
 * cancelled any other way.
 */
import type { z } from 'zod';
import { NiemError, type Result } from '../api/errors.ts';
import { RpcSupervisor, type NativeSpawner } from '../host/rpc-supervisor.ts';
import {
  tokenEvents,
  tokenMethods,
  type TokenEvents,
  type TokenMethods,
} from './token-protocol.ts';

type Params<K extends keyof TokenMethods> = z.infer<TokenMethods[K]['params']>;
type Value<K extends keyof TokenMethods> = z.infer<TokenMethods[K]['result']>;

export interface TokenHostClientOptions {
  spawn: NativeSpawner;
  onCrash: () => void;
  log?: (line: string) => void;
  /** Multiplies the time limits (tests). */
  timeoutScale?: number;
}

export class TokenHostClient {
  readonly #rpc: RpcSupervisor<TokenMethods, TokenEvents>;

  constructor(options: TokenHostClientOptions) {
    this.#rpc = new RpcSupervisor({
      spawn: options.spawn,
      name: 'token host',
      methods: tokenMethods,
      events: tokenEvents,
      crashKind: 'token-module-crashed',
      onCrash: options.onCrash,
      killOnTimeout: true,
      ...(options.log ? { log: options.log } : {}),
      ...(options.timeoutScale ? { timeoutScale: options.timeoutScale } : {}),
    });
  }

  start(): Promise<void> {
    return this.#rpc.start();
  }

  stop(): Promise<void> {
    return this.#rpc.stop();
  }

  /** Pid of the running token host (undefined under Electron, where main owns it). */
  get pid(): number | undefined {
    return this.#rpc.pid;
  }

  onEvent<E extends keyof TokenEvents & string>(
    name: E,
    listener: (payload: z.infer<TokenEvents[E]>) => void,
  ): () => void {
    return this.#rpc.onEvent((event, payload) => {
      if (event === name) listener(payload as z.infer<TokenEvents[E]>);
    });
  }

  /** Calls the host; a failure is thrown as NiemError with the host's kind. */
  async call<K extends keyof TokenMethods & string>(
    method: K,
    params: Params<K>,
  ): Promise<Value<K>> {
    const result: Result<Value<K>> = await this.#rpc.call(method, params);
    if (result.ok) return result.value;
    const { kind, message, triesLeft } = result.error;
    throw new NiemError(kind, message, triesLeft === undefined ? undefined : { triesLeft });
  }
}
