/**
 * Routes a call to its handler inside a served process (the native process, the token
 * host). Each process is a trust boundary of its own: params are parsed again here,
 * whatever the caller did. Errors become `{kind, message}`; nothing of the params (a
 * PIN) is ever logged.
 */
import type { z } from 'zod';
import { toWireError, type Result } from '../api/errors.ts';
import type { RpcMethods } from './rpc-supervisor.ts';

/** One async function per method of the table. */
export type RpcHandlers<M extends RpcMethods> = {
  [K in keyof M]: (params: z.infer<M[K]['params']>) => Promise<z.infer<M[K]['result']>>;
};

export type Dispatch = (method: string, params: unknown) => Promise<Result<unknown>>;

export function createDispatcher<M extends RpcMethods>(
  methods: M,
  handlers: RpcHandlers<M>,
  log: (line: string) => void = () => {},
): Dispatch {
  return async (method, params) => {
    if (!Object.hasOwn(methods, method)) {
      return { ok: false, error: { kind: 'invalid-input', message: 'unknown method' } };
    }
    const spec = methods[method] as M[keyof M];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { kind: 'invalid-input', message: `invalid params for ${method}` },
      };
    }
    const started = performance.now();
    try {
      const handler = handlers[method as keyof M] as (p: unknown) => Promise<unknown>;
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
