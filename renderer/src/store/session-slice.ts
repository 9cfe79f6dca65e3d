/**
 * The sign-in session. The PIN passes through `login` as an argument on its way to the
 * bridge and is never written to the state. A login or logout already in flight makes
 * any further call a no-op, so the app never spends a PIN try on its own.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { LockReason, Session } from '../../../native/api/contract.ts';
import type { ErrorKind, WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';

/** What the session is doing right now; null when idle. */
export type SessionPending = 'login' | 'logout' | null;

export interface SessionSlice {
  session: {
    /** The session as last reported by the native side. */
    current: Session;
    pending: SessionPending;
    /** Why the last login or logout failed; cleared when a new attempt starts. */
    lastError: WireError | null;
    /** Why the last session ended (event or sign-out); shown on the sign-in screen. */
    lockReason: LockReason | null;
    /**
     * Signs in on `tokenId` with `pin`. Resolves true when signed in. Returns false at once,
     * without calling the native side, while another login or logout is in flight.
     */
    login(tokenId: string, pin: string): Promise<boolean>;
    /** Signs out; a no-op while another call is in flight. */
    logout(): Promise<void>;
    /** Reads the native side's session (at start-up, or after a failed sign-out). */
    restore(): Promise<void>;
    /** The native side closed the session (`session.locked`). */
    locked(reason: LockReason): void;
    clearError(): void;
    dismissLock(): void;
  };
}

/** Same rule as the contract's PinSchema: 1–64 printable ASCII characters. */
const pinPattern = /^[\x20-\x7e]{1,64}$/;

/** Errors after which the token's PIN state or presence may have changed. */
const refreshTokensAfter: ReadonlySet<ErrorKind> = new Set([
  'pin-incorrect',
  'pin-locked',
  'token-absent',
]);

const signedOut: Session = { state: 'signed-out' };

function localError(kind: ErrorKind, message: string): WireError {
  return { kind, message };
}

export function createSessionSlice(
  bridge: NiemBridge,
): StateCreator<AppState, [], [], SessionSlice> {
  return (set, get) => {
    const patch = (p: Partial<SessionSlice['session']>): void =>
      set((s) => ({ session: { ...s.session, ...p } }));

    return {
      session: {
        current: signedOut,
        pending: null,
        lastError: null,
        lockReason: null,

        async login(tokenId, pin) {
          if (get().session.pending !== null) return false;
          const token = get().tokens.list.find((t) => t.id === tokenId);
          if (token?.pinState === 'locked') {
            patch({ lastError: localError('pin-locked', 'The token reports its PIN as locked.') });
            return false;
          }
          if (!pinPattern.test(pin)) {
            patch({
              lastError: localError(
                'pin-invalid',
                'Checked before sending: not 1-64 printable ASCII.',
              ),
            });
            return false;
          }
          patch({ pending: 'login', lastError: null, lockReason: null });
          const result = await callBridge(() => bridge.session.login({ token: tokenId, pin }));
          if (result.ok) {
            patch({ pending: null, current: result.value });
            return result.value.state === 'signed-in';
          }
          patch({ pending: null, lastError: result.error });
          if (refreshTokensAfter.has(result.error.kind)) void get().tokens.refresh();
          return false;
        },

        async logout() {
          if (get().session.pending !== null) return;
          patch({ pending: 'logout', lastError: null });
          const result = await callBridge(() => bridge.session.logout({}));
          if (result.ok) {
            const out = result.value.state === 'signed-out';
            patch({ pending: null, current: result.value, lockReason: out ? 'logout' : null });
            return;
          }
          patch({ pending: null, lastError: result.error });
          await get().session.restore();
        },

        async restore() {
          const result = await callBridge(() => bridge.session.current({}));
          if (get().session.pending !== null) return;
          if (result.ok) patch({ current: result.value });
          else patch({ lastError: result.error });
        },

        locked(reason) {
          const { pending } = get().session;
          patch({
            current: signedOut,
            lockReason: reason,
            lastError: null,
            pending: pending === 'logout' ? null : pending,
          });
        },

        clearError() {
          if (get().session.lastError !== null) patch({ lastError: null });
        },

        dismissLock() {
          patch({ lockReason: null });
        },
      },
    };
  };
}
