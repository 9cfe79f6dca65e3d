/**
 * Calls one bridge method and always comes back with a Result. The bridge resolves to a
 * Result by design; a rejection or a malformed reply is turned into an `internal` error
 * so that no action ever throws into React.
 */
import type { Result } from '../../../native/api/errors.ts';

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  if (ok === true) return 'value' in value;
  if (ok !== false) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { kind?: unknown }).kind === 'string'
  );
}

export async function callBridge<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    const result: unknown = await call();
    if (isResult(result)) return result as Result<T>;
    return {
      ok: false,
      error: { kind: 'internal', message: 'The host returned a malformed reply.' },
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { kind: 'internal', message: message.slice(0, 2000) } };
  }
}
