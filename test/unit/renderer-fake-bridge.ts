/**
 * A fake host bridge for the renderer's store tests: every contract method answers from
 * `answers` (else an `internal` "unused" error), every call is recorded, and events are
 * emitted with `emit`. Built from the contract's tables, so a new method needs no edit.
 */
import { camelEvent, type NiemBridge } from '../../native/api/bridge-api.ts';
import {
  eventNames,
  methodNames,
  type EventName,
  type EventPayload,
  type MethodName,
  type Params,
  type ResultOf,
} from '../../native/api/contract.ts';
import type { Result } from '../../native/api/errors.ts';

export type Answer<M extends MethodName> = (params: Params<M>) => Promise<Result<ResultOf<M>>>;

export interface FakeBridge {
  bridge: NiemBridge;
  calls: { method: MethodName; params: unknown }[];
  /** Sets (or replaces) the answer of `method`. */
  answer<M extends MethodName>(method: M, answer: Answer<M>): void;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** The methods called, in order (optionally only those starting with `prefix`). */
  called(prefix?: string): MethodName[];
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function fakeBridge(): FakeBridge {
  const answers = new Map<MethodName, (params: never) => Promise<Result<unknown>>>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: FakeBridge['calls'] = [];
  const bridge: Record<string, unknown> = { host: 'bridge' };
  for (const method of methodNames) {
    const [ns, member] = method.split('.') as [string, string];
    const target = (bridge[ns] ??= {}) as Record<string, unknown>;
    target[member] = async (params: unknown = {}) => {
      calls.push({ method, params });
      const answer = answers.get(method);
      if (answer === undefined)
        return { ok: false, error: { kind: 'internal', message: 'unused' } };
      return answer(params as never);
    };
  }
  const on: Record<string, unknown> = {};
  for (const event of eventNames) {
    on[camelEvent(event)] = (listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  bridge.on = on;
  return {
    bridge: bridge as unknown as NiemBridge,
    calls,
    answer(method, answer) {
      answers.set(method, answer as (params: never) => Promise<Result<unknown>>);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    called(prefix = '') {
      return calls.map((c) => c.method).filter((m) => m.startsWith(prefix));
    },
  };
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
