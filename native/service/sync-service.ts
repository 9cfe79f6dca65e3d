/**
 * Background sync in the native process: while the vault is open and the profile names a
 * platform, a sync engine runs (started when the vault opens, stopped before it locks or
 * the process quits); `sync.now` asks for a round at once. The engine's events become the
 * contract's `outbox.changed`, `inbox.changed` and `sync.changed`, so the UI shows live
 * progress without polling. Without a platform nothing runs and the app works offline.
 *
 * The engine itself is native/sync's; this service only decides when it runs and tells the
 * UI. `configure` (given by the vault service) builds it for the open vault, or says there
 * is no platform.
 */
import type { TransportState } from '../api/boxes-contract.ts';
import type { EventName, EventPayload } from '../api/contract.ts';
import { toWireError, type WireError } from '../api/errors.ts';
import type { SyncState } from '../api/exchange-contract.ts';
import { errorOf, failureAction, transportStateOf } from './outbox-view.ts';

/** What the service needs of a sync engine (native/sync/sync-engine.ts). */
export interface SyncEngineHandle {
  /** Runs rounds in the background until stopped. */
  start(): void;
  /** Stops: aborts transfers in flight (they resume next time) and waits for the round to end. */
  stop(): Promise<void>;
  /** One round now: upload what waits, fetch the mailbox, send notices. */
  runOnce(): Promise<unknown>;
  /** The background loop runs at once (a package was sealed). */
  wake?(): void;
}

/** An event of the engine, as native/sync announces them (fields it leaves out are null). */
export type SyncEngineEvent =
  | {
      type: 'outbox';
      id: number;
      state: string;
      bytesDone?: number | null;
      bytesTotal?: number | null;
      nextAttemptAt?: string | Date | null;
      error?: unknown;
      action?: string | null;
    }
  | { type: 'inbox'; id?: number | null }
  | { type: 'sync'; phase: string; at?: string | Date | null; error?: unknown };

/** A sync set up for the open vault: the platform's address and the engine. */
export interface SyncSetup {
  platform: string;
  engine: SyncEngineHandle;
}

export type SyncEmit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface SyncServiceOptions {
  emit: SyncEmit;
  log?: (line: string) => void;
}

const idle: SyncState = {
  configured: false,
  platform: null,
  phase: 'stopped',
  lastRunAt: null,
  lastError: null,
};

function iso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An engine's error (NiemError, WireError-like object, text) as the contract carries it. */
export function wireErrorOf(error: unknown): WireError | null {
  if (error === null || error === undefined) return null;
  return errorOf(error) ?? toWireError(error);
}

const count = (n: number | null | undefined): number | null =>
  typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;

export class SyncService {
  readonly #options: SyncServiceOptions;
  #state: SyncState = idle;
  #setup: SyncSetup | undefined;
  /** Moves at every stop: events of an engine that was stopped are dropped. */
  #generation = 0;

  constructor(options: SyncServiceOptions) {
    this.#options = options;
  }

  get state(): SyncState {
    return this.#state;
  }

  /**
   * The vault opened: `configure` builds the engine (undefined: no platform configured).
   * A failure to configure is reported in the state, never thrown: the vault stays open.
   */
  async start(
    configure: (onEvent: (event: SyncEngineEvent) => void) => Promise<SyncSetup | undefined>,
  ): Promise<void> {
    await this.stop(false);
    const generation = this.#generation;
    let setup: SyncSetup | undefined;
    try {
      setup = await configure((event) => {
        if (generation === this.#generation) this.#onEvent(event);
      });
    } catch (err) {
      this.#options.log?.(`sync not started: ${toWireError(err).kind}`);
      this.#set({ ...idle, lastError: toWireError(err) });
      return;
    }
    if (generation !== this.#generation) {
      await setup?.engine.stop();
      return;
    }
    if (setup === undefined) {
      this.#set(idle);
      return;
    }
    this.#setup = setup;
    this.#set({ ...idle, configured: true, platform: setup.platform, phase: 'idle' });
    setup.engine.start();
  }

  /** The vault is locking or the process quits: the engine stops first. */
  async stop(tell = true): Promise<void> {
    this.#generation += 1;
    const setup = this.#setup;
    this.#setup = undefined;
    if (setup !== undefined) {
      await setup.engine.stop().catch((err: unknown) => {
        this.#options.log?.(`sync stop: ${toWireError(err).kind}`);
      });
    }
    if (tell && (setup !== undefined || this.#state.configured)) {
      this.#set({ ...this.#state, phase: 'stopped' });
    } else {
      this.#state = { ...this.#state, phase: 'stopped' };
    }
  }

  /** `sync.now`: a round starts at once (not awaited); the state says it runs. */
  now(): SyncState {
    const setup = this.#setup;
    if (setup === undefined) return this.#state;
    const generation = this.#generation;
    this.#set({ ...this.#state, phase: 'running' });
    void setup.engine.runOnce().then(
      (report) => {
        if (generation !== this.#generation) return;
        const error = (report as { error?: unknown } | undefined)?.error;
        this.#set({
          ...this.#state,
          phase: 'idle',
          lastRunAt: new Date().toISOString(),
          lastError: wireErrorOf(error),
        });
      },
      (err: unknown) => {
        if (generation !== this.#generation) return;
        this.#set({
          ...this.#state,
          phase: 'idle',
          lastRunAt: new Date().toISOString(),
          lastError: toWireError(err),
        });
      },
    );
    return this.#state;
  }

  /** A draft was sealed: send it without waiting for the next round. */
  nudge(): void {
    const engine = this.#setup?.engine;
    if (engine === undefined) return;
    if (engine.wake !== undefined) engine.wake();
    else if (this.#state.phase !== 'running') this.now();
  }

  #onEvent(event: SyncEngineEvent): void {
    if (event.type === 'outbox') {
      const nextAttemptAt = iso(event.nextAttemptAt);
      const state: TransportState = transportStateOf(event.state, nextAttemptAt);
      this.#options.emit('outbox.changed', {
        id: event.id,
        state,
        bytesDone: count(event.bytesDone),
        bytesTotal: count(event.bytesTotal),
        nextAttemptAt: state === 'failed-retrying' ? nextAttemptAt : null,
        error: state === 'failed' || state === 'failed-retrying' ? wireErrorOf(event.error) : null,
        action: state === 'failed' ? (failureAction(event.action) ?? 'retry') : null,
      });
    } else if (event.type === 'inbox') {
      this.#options.emit('inbox.changed', { id: event.id ?? null });
    } else {
      const running =
        event.phase === 'running' || event.phase === 'start' || event.phase === 'started';
      const ended = iso(event.at) ?? new Date().toISOString();
      this.#set({
        ...this.#state,
        phase: running ? 'running' : 'idle',
        ...(running ? {} : { lastRunAt: ended, lastError: wireErrorOf(event.error) }),
      });
    }
  }

  /** Records `state`; the UI is told only when something it shows changed. */
  #set(state: SyncState): void {
    const same = JSON.stringify(state) === JSON.stringify(this.#state);
    this.#state = state;
    if (!same) this.#options.emit('sync.changed', { state });
  }
}
