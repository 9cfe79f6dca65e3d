/**
 * Where the renderer finds its host: `window.niem`, set before this code runs by the
 * Electron preload or by the test bridge's script. Only the entry reads it; everything
 * else receives the bridge as an argument.
 */
import type { NiemBridge } from '../../native/api/bridge-api.ts';

declare global {
  interface Window {
    /** The host bridge; absent when the page is opened outside Niêm. */
    readonly niem?: NiemBridge;
  }
}

function hasFunctions(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** The bridge when it is present and has the expected shape, else undefined. */
export function findBridge(): NiemBridge | undefined {
  const candidate: unknown = window.niem;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const bridge = candidate as Record<string, unknown>;
  const complete =
    hasFunctions(bridge['tokens'], ['list']) &&
    hasFunctions(bridge['session'], ['login', 'logout', 'current', 'touch', 'checkKey']) &&
    hasFunctions(bridge['token'], ['changePin']) &&
    hasFunctions(bridge['on'], ['tokensChanged', 'sessionLocked']);
  return complete ? (candidate as NiemBridge) : undefined;
}

/** localStorage, or undefined where the page may not use it. */
export function findLocaleStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
