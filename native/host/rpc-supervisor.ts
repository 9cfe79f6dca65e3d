/**
 * Supervises one child process that serves a table of methods and events: the native
 * process (supervised by a host) and the token host (supervised by the native process).
 * Owns: spawning through a host-specific spawner, sequence-numbered calls with a time
 * limit each, validation of everything that crosses, noticing a crash or exit, telling
 * the owner (`onCrash`), and restarting with back-off. It never holds secrets: a PIN
 * passes through `call` and is not kept.
 */
import type { z } from 'zod';
import type { ErrorKind, Result, WireError } from '../api/errors.ts';
import { NativeToHostSchema, type HostToNative } from '../api/host-protocol.ts';

/** One running native process, as a host's spawner provides it. */
export interface NativeChild {
  readonly pid: number | undefined;
  postMessage(message: HostToNative): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

/** Starts a new native process. Called once at start and once per restart. */
export type NativeSpawner = () => NativeChild;

/** One method a child serves: schemas of what crosses, and its time limit in ms. */
export interface RpcMethodSpec {
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly timeoutMs: number;
}

export type RpcMethods = Readonly<Record<string, RpcMethodSpec>>;
export type RpcEvents = Readonly<Record<string, z.ZodType>>;

export interface SupervisorOptions {
  spawn: NativeSpawner;
  /** Diagnostic lines (never contain params or results). */
  log?: (line: string) => void;
  /** How long the child has to say `ready`, in ms. Default 15 000. */
  readyTimeoutMs?: number;
  /** First restart delay in ms, doubled per consecutive crash up to `maxRestartDelayMs`. Default 250. */
  restartDelayMs?: number;
  /** Upper bound of the restart delay in ms. Default 10 000. */
  maxRestartDelayMs?: number;
  /** Multiplies every method's own time limit (tests use < 1). Default 1. */
  timeoutScale?: number;
}

export interface RpcSupervisorOptions<
  M extends RpcMethods,
  E extends RpcEvents,
> extends SupervisorOptions {
  /** What the child is called in log lines. */
  name: string;
  methods: M;
  events: E;
  /** Kind given to calls pending when the child dies. */
  crashKind: ErrorKind;
  /** Called once per unexpected exit, after pending calls failed, before the restart. */
  onCrash?: (info: { code: number | null; signal: string | null }) => void;
  /** Kill (and so restart) the child when a call passes its time limit: for children that may hang in vendor code. */
  killOnTimeout?: boolean;
}

type Pending = {
  method: string;
  resolve: (result: Result<unknown>) => void;
  timer: NodeJS.Timeout;
};

const fail = (kind: WireError['kind'], message: string): Result<never> => ({
  ok: false,
  error: { kind, message },
});

type Options<M extends RpcMethods, E extends RpcEvents> = Required<
  Omit<RpcSupervisorOptions<M, E>, 'log' | 'onCrash'>
> &
  Pick<RpcSupervisorOptions<M, E>, 'log' | 'onCrash'>;

export class RpcSupervisor<M extends RpcMethods, E extends RpcEvents> {
  readonly #options: Options<M, E>;
  readonly #listeners = new Set<(name: keyof E & string, payload: unknown) => void>();
  readonly #pending = new Map<number, Pending>();
  #child: NativeChild | undefined;
  #ready: Promise<void> | undefined;
  #nextSeq = 1;
  #lastEventSeq = -1;
  #stopped = false;
  #consecutiveCrashes = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #abortRestart: ((err: Error) => void) | undefined;
  #restarts = 0;

  constructor(options: RpcSupervisorOptions<M, E>) {
    this.#options = {
      readyTimeoutMs: 15_000,
      restartDelayMs: 250,
      maxRestartDelayMs: 10_000,
      timeoutScale: 1,
      killOnTimeout: false,
      ...options,
    };
  }

  /** Number of restarts after a crash or unexpected exit since construction. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Pid of the current native process, if one runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the child; resolves once it reported `ready`. */
  start(): Promise<void> {
    this.#stopped = false;
    return this.#spawn();
  }

  /**
   * Calls a method. Params are parsed by the method's schema before anything is sent;
   * the result is parsed by the result schema. Never rejects: every failure is a
   * `{ ok: false, error }` with a stable kind.
   */
  async call<K extends keyof M & string>(
    method: K,
    params: unknown,
  ): Promise<Result<z.infer<M[K]['result']>>> {
    const name = this.#options.name;
    if (!Object.hasOwn(this.#options.methods, method)) {
      return fail('invalid-input', `unknown method ${String(method)}`);
    }
    const spec = this.#options.methods[method] as RpcMethodSpec;
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) return fail('invalid-input', `invalid params for ${method}`);
    if (this.#stopped) return fail(this.#options.crashKind, `${name} stopped`);
    try {
      await this.#ready;
    } catch {
      return fail(this.#options.crashKind, `${name} is not running`);
    }
    const child = this.#child;
    if (!child) return fail(this.#options.crashKind, `${name} is not running`);

    const seq = this.#nextSeq++;
    const result = await new Promise<Result<unknown>>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(seq);
        this.#options.log?.(`${name}: call ${method}#${seq} timed out after ${spec.timeoutMs} ms`);
        resolve(fail('timeout', `${method} did not answer within ${spec.timeoutMs} ms`));
        if (this.#options.killOnTimeout && this.#child === child) child.kill();
      }, spec.timeoutMs * this.#options.timeoutScale);
      this.#pending.set(seq, { method, resolve, timer });
      try {
        child.postMessage({ t: 'call', seq, method, params: parsed.data });
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(seq);
        resolve(fail(this.#options.crashKind, `cannot reach ${name}: ${String(err)}`));
      }
    });
    if (!result.ok) return result;
    const value = spec.result.safeParse(result.value);
    if (!value.success) return fail('internal', `${name} sent a malformed ${method} result`);
    return { ok: true, value: value.data as z.infer<M[K]['result']> };
  }

  /** Subscribes to validated events; returns the unsubscribe function. */
  onEvent(listener: (name: keyof E & string, payload: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks the child to shut down (it logs out and finalizes tokens), kills it after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#abortRestart?.(new Error('stopped'));
    const child = this.#child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, graceMs);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      try {
        child.postMessage({ t: 'shutdown' });
      } catch {
        child.kill();
      }
    });
    this.#child = undefined;
  }

  #spawn(): Promise<void> {
    const child = this.#options.spawn();
    this.#child = child;
    this.#lastEventSeq = -1;
    let markReady: () => void = () => {};
    let markFailed: (err: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => {}); // observed through call() and start()
    this.#ready = ready;
    const readyTimer = setTimeout(
      () => markFailed(new Error(`${this.#options.name} did not become ready`)),
      this.#options.readyTimeoutMs,
    );

    child.onMessage((raw) => {
      if (this.#child !== child) return;
      const parsed = NativeToHostSchema.safeParse(raw);
      if (!parsed.success) {
        this.#options.log?.(`ignored a malformed message from ${this.#options.name}`);
        return;
      }
      const message = parsed.data;
      if (message.t === 'ready') {
        clearTimeout(readyTimer);
        this.#consecutiveCrashes = 0;
        markReady();
      } else if (message.t === 'result') {
        const pending = this.#pending.get(message.seq);
        if (!pending) return; // answered after its time limit: already reported as timeout
        this.#pending.delete(message.seq);
        clearTimeout(pending.timer);
        pending.resolve(
          message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error },
        );
      } else {
        this.#deliverEvent(message.seq, message.name, message.payload);
      }
    });

    child.onExit(({ code, signal }) => {
      if (this.#child !== child) return;
      clearTimeout(readyTimer);
      this.#child = undefined;
      const name = this.#options.name;
      markFailed(new Error(`${name} exited`));
      for (const [seq, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.resolve(fail(this.#options.crashKind, `${name} exited during ${pending.method}`));
        this.#pending.delete(seq);
      }
      if (this.#stopped) return;
      this.#options.log?.(`${name} exited (code ${code}, signal ${signal}); restarting`);
      try {
        this.#options.onCrash?.({ code, signal });
      } catch (err) {
        this.#options.log?.(`crash listener failed: ${String(err)}`);
      }
      const delay = Math.min(
        this.#options.restartDelayMs * 2 ** this.#consecutiveCrashes,
        this.#options.maxRestartDelayMs,
      );
      this.#consecutiveCrashes += 1;
      // Calls made while the process restarts wait for it instead of failing at once.
      const restarted = new Promise<void>((resolve, reject) => {
        this.#abortRestart = reject;
        this.#restartTimer = setTimeout(() => {
          if (this.#stopped) return reject(new Error('stopped'));
          this.#restarts += 1;
          this.#spawn().then(resolve, (err: unknown) => {
            this.#options.log?.(`restart failed: ${String(err)}`);
            reject(err instanceof Error ? err : new Error(String(err)));
          });
        }, delay);
      });
      restarted.catch(() => {});
      this.#ready = restarted;
    });

    return ready;
  }

  #deliverEvent(seq: number, name: string, payload: unknown): void {
    if (seq <= this.#lastEventSeq) {
      this.#options.log?.(`dropped an out-of-order event #${seq}`);
      return;
    }
    this.#lastEventSeq = seq;
    if (!Object.hasOwn(this.#options.events, name)) {
      this.#options.log?.(`dropped an unknown event ${name.slice(0, 100)}`);
      return;
    }
    const parsed = (this.#options.events[name] as z.ZodType).safeParse(payload);
    if (!parsed.success) {
      this.#options.log?.(`dropped a malformed ${name} event`);
      return;
    }
    this.emit(name, parsed.data);
  }

  /** Delivers an event to every listener (also used for events the owner synthesises). */
  protected emit(name: keyof E & string, payload: unknown): void {
    for (const listener of this.#listeners) {
      try {
        listener(name, payload);
      } catch (err) {
        this.#options.log?.(`event listener failed: ${String(err)}`);
      }
    }
  }
}
