/**
 * The shape of `window.niem`, the only thing the renderer sees of the outside world.
 * Derived from the contract: `tokens.list` becomes `niem.tokens.list(params)`, and the
 * event `tokens.changed` becomes `niem.on.tokensChanged(listener)`, which returns an
 * unsubscribe function. Both the Electron preload and the test bridge client build this
 * object with named functions only (no generic invoke is exposed).
 */
import type { Result } from './errors.ts';
import type { EventName, EventPayload, MethodName, Params, ResultOf } from './contract.ts';

type Namespace<N extends string> = N extends `${infer A}.${string}` ? A : never;
type Member<N extends string> = N extends `${string}.${infer B}` ? B : never;

type MethodFn<M extends MethodName> =
  object extends Params<M>
    ? (params?: Params<M>) => Promise<Result<ResultOf<M>>>
    : (params: Params<M>) => Promise<Result<ResultOf<M>>>;

export type CamelEvent<E extends string> = E extends `${infer A}.${infer B}`
  ? `${A}${Capitalize<B>}`
  : E;

export type NiemMethods = {
  [NS in Namespace<MethodName>]: {
    [M in MethodName as Namespace<M> extends NS ? Member<M> : never]: MethodFn<M>;
  };
};

export type NiemEvents = {
  [E in EventName as CamelEvent<E>]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

export type NiemBridge = NiemMethods & {
  on: NiemEvents;
  /** Which host serves the UI: the packaged Electron app or the test/demo bridge. */
  readonly host: 'electron' | 'bridge';
};

/** `tokens.changed` → `tokensChanged`; used by the preload and the bridge client. */
export function camelEvent<E extends string>(name: E): CamelEvent<E> {
  const dot = name.indexOf('.');
  if (dot < 0) return name as CamelEvent<E>;
  return (name.slice(0, dot) +
    name.charAt(dot + 1).toUpperCase() +
    name.slice(dot + 2)) as CamelEvent<E>;
}
