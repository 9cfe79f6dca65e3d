/**
 * Routes a contract call to its handler inside the native process. The native process
 * is a trust boundary of its own: params are parsed again here, whatever the host did.
 * Errors become `{kind, message}`; nothing of the params (a PIN) is ever logged.
 */
import {
  isMethodName,
  methods,
  type MethodName,
  type Params,
  type ResultOf,
} from '../api/contract.ts';
import { toWireError, type Result } from '../api/errors.ts';

/** One async function per contract method. */
export type Handlers = { [M in MethodName]: (params: Params<M>) => Promise<ResultOf<M>> };

export type Dispatch = (method: string, params: unknown) => Promise<Result<unknown>>;

export function createDispatcher(
  handlers: Handlers,
  log: (line: string) => void = () => {},
): Dispatch {
  return async (method, params) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { kind: 'invalid-input', message: 'unknown method' } };
    }
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { kind: 'invalid-input', message: `invalid params for ${method}` },
      };
    }
    const started = performance.now();
    try {
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      log(`${method} ok in ${Math.round(performance.now() - started)} ms`);
      return { ok: true, value };
    } catch (err) {
      const error = toWireError(err);
      log(`${method} failed: ${error.kind} in ${Math.round(performance.now() - started)} ms`);
      return { ok: false, error };
    }
  };
}
