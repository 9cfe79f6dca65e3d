/**
 * Builds the `window.niem` object (NiemBridge) from the contract's tables and a
 * transport. Used by the Electron preload (transport = ipcRenderer) and meant for the
 * test bridge client too, so both hosts expose the same shape. Pure module.
 *
 * What it exposes, and nothing else (DESIGN.md rule 2):
 *   - for each method `a.b`, a named function `niem.a.b(params)` that invokes exactly
 *     that method (absent params → `{}`) and resolves to a Result, never rejecting;
 *   - for each event `x.y`, `niem.on.xY(listener)`: the listener gets the payload only
 *     and the call returns an unsubscribe function;
 *   - `niem.host`.
 * There is no generic invoke, no send, no transport object and no event object.
 */
import { camelEvent, type NiemBridge } from '../../native/api/bridge-api.ts';
import {
  eventNames as contractEvents,
  methodNames as contractMethods,
  type EventName,
  type MethodName,
} from '../../native/api/contract.ts';
import type { Result, WireError } from '../../native/api/errors.ts';

/** How the bridge reaches the host. Neither function is exposed to the page. */
export interface BridgeTransport {
  /** Invokes one contract method; may reject (turned into an `internal` Result). */
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Subscribes to one event; the callback gets the payload only. Returns unsubscribe. */
  subscribe(event: EventName, callback: (payload: unknown) => void): () => void;
}

/** A transport plus which host this is; the name tables default to the contract's. */
export interface BuildBridgeOptions extends BridgeTransport {
  host: NiemBridge['host'];
  /** Defaults to the contract's methods; tests may pass others. */
  methodNames?: readonly MethodName[];
  /** Defaults to the contract's events. */
  eventNames?: readonly EventName[];
}

/** A transport failure (e.g. no handler in main) as a Result error, like the host's. */
function transportError(err: unknown): WireError {
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: message.slice(0, 2000) };
}

/** Names that must never become keys of the bridge or of a namespace. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype', 'then', 'on', 'host']);
const IDENTIFIER = /^[a-z][A-Za-z0-9]*$/;

function checkKey(key: string, what: string): void {
  if (!IDENTIFIER.test(key) || RESERVED.has(key)) {
    throw new Error(`bridge-builder: ${what} "${key}" is not a safe property name`);
  }
}

/** Returns a function whose `name` is `name` (for stack traces and the page's devtools). */
function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

export function buildBridge(options: BuildBridgeOptions): NiemBridge {
  const { invoke, subscribe, host } = options;
  const methodList = options.methodNames ?? contractMethods;
  const eventList = options.eventNames ?? contractEvents;

  const namespaces = new Map<string, Record<string, unknown>>();
  for (const method of methodList) {
    const dot = method.indexOf('.');
    const ns = method.slice(0, dot);
    const member = method.slice(dot + 1);
    checkKey(ns, 'namespace');
    checkKey(member, 'method');
    const target = namespaces.get(ns) ?? {};
    namespaces.set(ns, target);
    if (Object.hasOwn(target, member))
      throw new Error(`bridge-builder: duplicate method ${method}`);
    target[member] = named(member, (params?: unknown): Promise<Result<unknown>> =>
      Promise.resolve()
        .then(() => invoke(method, params ?? {}))
        .then(
          (result) => result as Result<unknown>,
          (err: unknown) => ({ ok: false as const, error: transportError(err) }),
        ),
    );
  }

  const on: Record<string, unknown> = {};
  for (const event of eventList) {
    const key = camelEvent(event);
    checkKey(key, 'event');
    if (Object.hasOwn(on, key)) throw new Error(`bridge-builder: duplicate event ${event}`);
    on[key] = named(key, (listener: (payload: unknown) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`niem.on.${key} needs a function`);
      let active = true;
      const unsubscribe = subscribe(event, (payload) => {
        if (active) listener(payload);
      });
      return named(`unsubscribe${key.charAt(0).toUpperCase()}${key.slice(1)}`, () => {
        if (!active) return;
        active = false;
        unsubscribe();
      });
    });
  }

  const bridge: Record<string, unknown> = {};
  for (const [ns, members] of namespaces) bridge[ns] = Object.freeze(members);
  bridge.on = Object.freeze(on);
  bridge.host = host;
  return Object.freeze(bridge) as unknown as NiemBridge;
}
