/**
 * Changing a token's user PIN (C_SetPIN through `token.changePin`). The three PINs pass
 * through `change` as arguments and are never written to the state. One change at a
 * time, never while a sign-in is in flight, never on a token whose PIN is locked: the app
 * never spends a try on its own. Problems the renderer can see before sending (the two
 * new PINs differ, the new one equals the current one, a PIN that is not 1–64 printable
 * ASCII) are reported without any call.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { TokenInfo } from '../../../native/api/contract.ts';
import type { WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';
import { isValidPin, localError } from './pin-rules.ts';

/** What the clerk typed: the current PIN, the new PIN and the new PIN again. */
export interface PinChangeEntry {
  oldPin: string;
  newPin: string;
  again: string;
}

/** A problem found before sending that has no error kind of its own. */
export type PinChangeProblem = 'mismatch' | 'same-as-old';

export interface PinChangeSlice {
  pinChange: {
    /** True while a `token.changePin` call is in flight. */
    pending: boolean;
    /** The token of the last attempt; null when there was none (or after reset). */
    tokenId: string | null;
    /** The last attempt changed the PIN. */
    done: boolean;
    /** The last attempt stopped in the renderer for this reason. */
    problem: PinChangeProblem | null;
    /** The last attempt failed with this error (from the token, or checked here). */
    error: WireError | null;
    /**
     * Changes the PIN of `tokenId`. `entry` is null on a token with a PIN pad (both PINs
     * are typed on the reader). Resolves true when changed. Returns false at once while a
     * change or a sign-in is in flight.
     */
    change(tokenId: string, entry: PinChangeEntry | null): Promise<boolean>;
    /** Forgets the last attempt's outcome (the form closed, another token was chosen). */
    reset(): void;
  };
}

const idle = { pending: false, tokenId: null, done: false, problem: null, error: null } as const;

/** The token as the list shows it now, else the signed-in session's token. */
function findToken(state: AppState, tokenId: string): TokenInfo | undefined {
  const listed = state.tokens.list.find((t) => t.id === tokenId);
  if (listed !== undefined) return listed;
  const session = state.session.current;
  return session.state === 'signed-in' && session.token.id === tokenId ? session.token : undefined;
}

/** Why `entry` must not be sent to `token`, or null when it may be. */
function checkEntry(
  token: TokenInfo | undefined,
  entry: PinChangeEntry | null,
): Pick<PinChangeSlice['pinChange'], 'problem' | 'error'> | null {
  if (token === undefined) return { problem: null, error: localError('token-absent', 'unknown') };
  if (!token.pinInitialized) {
    return { problem: null, error: localError('pin-not-initialized', 'no user PIN set') };
  }
  if (token.pinState === 'locked') {
    return { problem: null, error: localError('pin-locked', 'the token reports its PIN locked') };
  }
  if (token.protectedAuthPath) {
    return entry === null
      ? null
      : { problem: null, error: localError('invalid-input', 'a PIN-pad token takes no typed PIN') };
  }
  if (entry === null) return { problem: null, error: localError('pin-invalid', 'no PIN typed') };
  if (!isValidPin(entry.oldPin)) {
    return { problem: null, error: localError('pin-invalid', 'current PIN: not 1-64 ASCII') };
  }
  if (entry.newPin !== entry.again) return { problem: 'mismatch', error: null };
  if (!isValidPin(entry.newPin)) {
    return { problem: null, error: localError('new-pin-invalid', 'new PIN: not 1-64 ASCII') };
  }
  if (entry.newPin === entry.oldPin) return { problem: 'same-as-old', error: null };
  return null;
}

export function createPinChangeSlice(
  bridge: NiemBridge,
): StateCreator<AppState, [], [], PinChangeSlice> {
  return (set, get) => {
    const patch = (p: Partial<PinChangeSlice['pinChange']>): void =>
      set((s) => ({ pinChange: { ...s.pinChange, ...p } }));

    return {
      pinChange: {
        ...idle,

        async change(tokenId, entry) {
          const state = get();
          if (state.pinChange.pending || state.session.pending === 'login') return false;
          const refused = checkEntry(findToken(state, tokenId), entry);
          if (refused !== null) {
            patch({ ...idle, tokenId, ...refused });
            return false;
          }
          patch({ ...idle, tokenId, pending: true });
          const params =
            entry === null
              ? { token: tokenId, oldPin: null, newPin: null }
              : { token: tokenId, oldPin: entry.oldPin, newPin: entry.newPin };
          const result = await callBridge(() => bridge.token.changePin(params));
          patch(
            result.ok
              ? { ...idle, tokenId, done: true }
              : { ...idle, tokenId, error: result.error },
          );
          // A try used or restored, or the token gone: its PIN state is worth reading again.
          void get().tokens.refresh();
          return result.ok;
        },

        reset() {
          if (get().pinChange.pending) return;
          patch({ ...idle });
        },
      },
    };
  };
}
