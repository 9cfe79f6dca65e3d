/**
 * The sign-in session. The PIN passes through `login` as an argument on its way to the
 * bridge and is never written to the state. A login or logout already in flight (or a
 * PIN change) makes any further call a no-op, so the app never spends a PIN try on its
 * own. While signed in, clerk activity is reported to the native side (`touch`, at most
 * once per TOUCH_INTERVAL_MS) to postpone the idle lock.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { NiemBridge } from '../../../native/api/bridge-api.ts';
import type { KeyCheck, LockReason, Session } from '../../../native/api/contract.ts';
import type { ErrorKind, WireError } from '../../../native/api/errors.ts';
import type { AppState } from './app-state.ts';
import { callBridge } from './call-bridge.ts';
import { isValidPin, localError, refreshTokensAfter } from './pin-rules.ts';

/** What the session is doing right now; null when idle. */
export type SessionPending = 'login' | 'logout' | null;

/** Activity is reported at most this often, in ms. */
export const TOUCH_INTERVAL_MS = 30_000;

/** The last "check the token" of this session: in flight, its answer, or its error. */
export interface KeyCheckState {
  pending: boolean;
  result: KeyCheck | null;
  error: WireError | null;
}

export interface SessionSlice {
  session: {
    /** The session as last reported by the native side. */
    current: Session;
    pending: SessionPending;
    /** Why the last login or logout failed; cleared when a new attempt starts. */
    lastError: WireError | null;
    /** Why the last session ended (event or sign-out); shown on the sign-in screen. */
    lockReason: LockReason | null;
    keyCheck: KeyCheckState;
    /**
     * Signs in on `tokenId` with `pin`, or with `null` on a token with a PIN pad (the clerk
     * types the PIN on the reader). Resolves true when signed in. Returns false at once,
     * without calling the native side, while another login, logout or PIN change is in
     * flight, when the token reports its PIN locked, or when the PIN is not 1–64
     * printable ASCII.
     */
    login(tokenId: string, pin: string | null): Promise<boolean>;
    /** Signs out; a no-op while another call is in flight. */
    logout(): Promise<void>;
    /** Reads the native side's session (at start-up, or after a failed sign-out). */
    restore(): Promise<void>;
    /** The native side closed the session (`session.locked`). */
    locked(reason: LockReason): void;
    /**
     * The clerk did something (a key, a click): tells the native side, which postpones
     * the idle lock. Signed in only; at most once per TOUCH_INTERVAL_MS; never two at once.
     * Resolves true when a call was made.
     */
    touch(): Promise<boolean>;
    /** Signs a random challenge on the token and verifies it; one at a time. */
    checkKey(): Promise<void>;
    clearError(): void;
    dismissLock(): void;
  };
}

const signedOut: Session = { state: 'signed-out' };
const noKeyCheck: KeyCheckState = { pending: false, result: null, error: null };

/** `now`: the clock for the activity throttle, in ms (Date.now unless a test passes one). */
export function createSessionSlice(
  bridge: NiemBridge,
  now: () => number = Date.now,
): StateCreator<AppState, [], [], SessionSlice> {
  return (set, get) => {
    const patch = (p: Partial<SessionSlice['session']>): void =>
      set((s) => ({ session: { ...s.session, ...p } }));
    // Not UI state: when activity was last reported, and whether a report is in flight.
    let lastTouchAt = Number.NEGATIVE_INFINITY;
    let touching = false;

    const refuse = (kind: ErrorKind, message: string): false => {
      patch({ lastError: localError(kind, message) });
      return false;
    };

    return {
      session: {
        current: signedOut,
        pending: null,
        lastError: null,
        lockReason: null,
        keyCheck: noKeyCheck,

        async login(tokenId, pin) {
          if (get().session.pending !== null || get().pinChange.pending) return false;
          const token = get().tokens.list.find((t) => t.id === tokenId);
          if (token?.pinState === 'locked') {
            return refuse('pin-locked', 'The token reports its PIN as locked.');
          }
          if (pin === null ? token?.protectedAuthPath !== true : !isValidPin(pin)) {
            return refuse('pin-invalid', 'Checked before sending: not 1-64 printable ASCII.');
          }
          patch({ pending: 'login', lastError: null, lockReason: null, keyCheck: noKeyCheck });
          const result = await callBridge(() => bridge.session.login({ token: tokenId, pin }));
          if (result.ok) {
            // Signing in counts as activity on the native side too.
            lastTouchAt = now();
            patch({ pending: null, current: result.value });
            // The native side opened the vault before answering; its event may come later.
            void get().vault.refresh();
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
            patch({
              pending: null,
              current: result.value,
              lockReason: out ? 'logout' : null,
              keyCheck: out ? noKeyCheck : get().session.keyCheck,
            });
            if (out) get().vault.sessionLocked('logout');
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
            keyCheck: noKeyCheck,
            pending: pending === 'logout' ? null : pending,
          });
          // The token may be gone, back, or served by a restarted token host: look again.
          if (reason !== 'logout') void get().tokens.refresh();
        },

        async touch() {
          if (get().session.current.state !== 'signed-in' || touching) return false;
          const at = now();
          if (at - lastTouchAt < TOUCH_INTERVAL_MS) return false;
          lastTouchAt = at;
          touching = true;
          const result = await callBridge(() => bridge.session.touch({}));
          touching = false;
          // No idle deadline while we think we are signed in: the session ended without
          // our hearing of it. Read it again rather than show a stale identity.
          if (result.ok && result.value.idleLockAt === null) await get().session.restore();
          return true;
        },

        async checkKey() {
          const { current, keyCheck } = get().session;
          if (current.state !== 'signed-in' || keyCheck.pending) return;
          patch({ keyCheck: { pending: true, result: null, error: null } });
          const result = await callBridge(() => bridge.session.checkKey({}));
          const after = get().session.current;
          // The session ended (or another began) meanwhile: its answer is for no one.
          if (after.state !== 'signed-in' || after.since !== current.since) return;
          patch({
            keyCheck: result.ok
              ? { pending: false, result: result.value, error: null }
              : { pending: false, result: null, error: result.error },
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
