/**
 * The renderer's store, driven through a small in-test bridge (no React, no window):
 * the PIN never lands in the state, a login in flight cannot be doubled, errors come
 * back as kinds with tries left, and host events update the screen's state. Also the
 * PIN pad login, the PIN change, the throttled activity report and "check the token".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAppStore } from '../../renderer/src/store/app-store.ts';
import type { AppStore } from '../../renderer/src/store/app-store.ts';
import { localeStorageKey } from '../../renderer/src/store/locale-slice.ts';
import { takePins } from '../../renderer/src/components/take-pins.ts';
import type { NiemBridge } from '../../native/api/bridge-api.ts';
import type {
  Identity,
  KeyCheck,
  LockReason,
  Params,
  Session,
  TokenInfo,
  ModuleStatus,
} from '../../native/api/contract.ts';
import type { Result } from '../../native/api/errors.ts';

const PIN = 'secret-1234';

function token(id: string, label: string, overrides: Partial<TokenInfo> = {}): TokenInfo {
  return {
    id,
    label,
    manufacturer: 'SoftHSM project',
    model: 'SoftHSM v2',
    serial: `serial-${label}`,
    module: '/usr/lib/softhsm/libsofthsm2.so',
    slot: 0,
    pinState: 'normal',
    protectedAuthPath: false,
    pinInitialized: true,
    ...overrides,
  };
}

const tokenA = token('aaaaaaaaaaaaaaaa', 'Van thu A');
const tokenB = token('bbbbbbbbbbbbbbbb', 'Van thu B');

const identity: Identity = {
  commonName: 'Văn thư Bộ A',
  organization: 'Bộ A',
  organizationalUnit: 'Văn phòng',
  organId: '000.00.00.G22',
  subject: 'CN=Văn thư Bộ A,O=Bộ A',
  issuer: 'CN=CA Chính phủ',
  issuerCommonName: 'CA Chính phủ',
  serialNumber: '0A1B',
  notBefore: '2025-01-01T00:00:00Z',
  notAfter: '2027-12-31T23:59:59Z',
  keyAlgorithm: 'RSA 3072',
  fingerprint: 'AB'.repeat(32),
  keyId: '01',
  warnings: [],
};

function signedIn(t: TokenInfo): Session {
  return { state: 'signed-in', token: t, identity, since: '2026-01-01T00:00:00Z' };
}

type LoginHandler = (params: Params<'session.login'>) => Promise<Result<Session>>;
type ChangePinHandler = (params: Params<'token.changePin'>) => Promise<Result<{ changed: true }>>;

interface FakeHost {
  bridge: NiemBridge;
  calls: string[];
  /** Every login's parameters, as sent (tests look for the PIN and for null). */
  logins: Params<'session.login'>[];
  /** Every PIN change's parameters, as sent. */
  pinChanges: Params<'token.changePin'>[];
  tokens: TokenInfo[];
  /** What `tokens.modules` answers. */
  modules: ModuleStatus[];
  login: LoginHandler;
  changePin: ChangePinHandler;
  touch: () => Promise<Result<{ idleLockAt: string | null }>>;
  checkKey: () => Promise<Result<KeyCheck>>;
  current: Session;
  emitTokens(list: TokenInfo[]): void;
  emitLocked(reason: LockReason): void;
}

const vaultLocked = { ok: false, error: { kind: 'vault-locked', message: 'locked' } } as const;

function fakeHost(initialTokens: TokenInfo[] = [tokenA, tokenB]): FakeHost {
  const tokensListeners = new Set<(p: { tokens: TokenInfo[] }) => void>();
  const lockListeners = new Set<(p: { reason: LockReason }) => void>();
  const host: FakeHost = {
    calls: [],
    logins: [],
    pinChanges: [],
    tokens: initialTokens,
    modules: [{ path: '/usr/lib/softhsm/libsofthsm2.so', status: 'loaded' }],
    current: { state: 'signed-out' },
    changePin: async () => ({ ok: true, value: { changed: true } }),
    touch: async () => ({ ok: true, value: { idleLockAt: '2030-01-01T00:00:00.000Z' } }),
    checkKey: async () => ({
      ok: true,
      value: { algorithm: 'rsa-pss-sha256', verified: true, tokenMs: 12.4 },
    }),
    login: async ({ token: id }) => {
      const found = host.tokens.find((t) => t.id === id);
      return found === undefined
        ? { ok: false, error: { kind: 'token-absent', message: 'gone' } }
        : { ok: true, value: signedIn(found) };
    },
    emitTokens: (list) => tokensListeners.forEach((l) => l({ tokens: list })),
    emitLocked: (reason) => lockListeners.forEach((l) => l({ reason })),
    bridge: {
      host: 'bridge',
      tokens: {
        list: async () => {
          host.calls.push('tokens.list');
          return { ok: true, value: host.tokens };
        },
        modules: async () => ({ ok: true, value: host.modules }),
      },
      session: {
        login: (params) => {
          host.calls.push('session.login');
          host.logins.push(params);
          return host.login(params);
        },
        logout: async () => {
          host.calls.push('session.logout');
          return { ok: true, value: { state: 'signed-out' } };
        },
        current: async () => {
          host.calls.push('session.current');
          return { ok: true, value: host.current };
        },
        touch: () => {
          host.calls.push('session.touch');
          return host.touch();
        },
        checkKey: () => {
          host.calls.push('session.checkKey');
          return host.checkKey();
        },
      },
      token: {
        changePin: (params) => {
          host.calls.push('token.changePin');
          host.pinChanges.push(params);
          return host.changePin(params);
        },
      },
      native: {
        ping: async () => ({ ok: true, value: { pid: 1, uptimeMs: 1 } }),
      },
      // The vault is covered by renderer-vault-store.test.ts; here it stays locked.
      vault: {
        state: async () => ({ ok: true, value: { state: 'locked', reason: null, problem: null } }),
        init: async () => vaultLocked,
      },
      drafts: {
        list: async () => vaultLocked,
        get: async () => vaultLocked,
        create: async () => vaultLocked,
        update: async () => vaultLocked,
        delete: async () => vaultLocked,
        addDocument: async () => vaultLocked,
        removeDocument: async () => vaultLocked,
        seal: async () => vaultLocked,
      },
      outbox: { list: async () => vaultLocked, get: async () => vaultLocked },
      inbox: {
        list: async () => vaultLocked,
        get: async () => vaultLocked,
        open: async () => vaultLocked,
        exportDocuments: async () => vaultLocked,
      },
      directory: { list: async () => vaultLocked },
      sync: { state: async () => vaultLocked, now: async () => vaultLocked },
      on: {
        vaultChanged: () => () => undefined,
        outboxChanged: () => () => undefined,
        inboxChanged: () => () => undefined,
        syncChanged: () => () => undefined,
        tokensChanged: (listener) => {
          tokensListeners.add(listener);
          return () => tokensListeners.delete(listener);
        },
        sessionLocked: (listener) => {
          lockListeners.add(listener);
          return () => lockListeners.delete(listener);
        },
      },
    },
  };
  return host;
}

/** Every state the store passes through, serialised, to look for the PIN in any of them. */
function recordStates(store: AppStore): string[] {
  const seen = [JSON.stringify(store.getState())];
  store.subscribe((state) => seen.push(JSON.stringify(state)));
  return seen;
}

async function connected(host: FakeHost, now?: () => number): Promise<AppStore> {
  const store = createAppStore(host.bridge, now === undefined ? {} : { now });
  store.getState().host.connect();
  await store.getState().tokens.refresh();
  await new Promise((resolve) => setImmediate(resolve));
  return store;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('renderer store: sign-in', () => {
  it('signs in and shows the identity; the PIN is in no state, before or after', async () => {
    const host = fakeHost();
    const store = await connected(host);
    const states = recordStates(store);
    const ok = await store.getState().session.login(tokenA.id, PIN);
    assert.equal(ok, true);
    const session = store.getState().session.current;
    assert.equal(session.state, 'signed-in');
    assert.equal(session.state === 'signed-in' && session.identity.commonName, 'Văn thư Bộ A');
    assert.ok(states.length > 1);
    for (const state of states) assert.ok(!state.includes(PIN), 'PIN found in the store state');
  });

  it('never sends a second login while one is in flight', async () => {
    const host = fakeHost();
    const gate = deferred<Result<Session>>();
    host.login = () => gate.promise;
    const store = await connected(host);
    const first = store.getState().session.login(tokenA.id, PIN);
    assert.equal(store.getState().session.pending, 'login');
    assert.equal(await store.getState().session.login(tokenA.id, PIN), false);
    await store.getState().session.logout();
    gate.resolve({ ok: true, value: signedIn(tokenA) });
    assert.equal(await first, true);
    assert.deepEqual(
      host.calls.filter((c) => c.startsWith('session.l')),
      ['session.login'],
    );
    assert.equal(store.getState().session.pending, null);
  });

  it('shows a wrong PIN with the tries left, keeps no PIN, and re-reads the PIN state', async () => {
    const host = fakeHost();
    host.login = async () => {
      host.tokens = [{ ...tokenA, pinState: 'final-try' }, tokenB];
      return {
        ok: false,
        error: { kind: 'pin-incorrect', message: 'CKR_PIN_INCORRECT', triesLeft: 1 },
      };
    };
    const store = await connected(host);
    const states = recordStates(store);
    const listsBefore = host.calls.filter((c) => c === 'tokens.list').length;
    assert.equal(await store.getState().session.login(tokenA.id, PIN), false);
    await new Promise((resolve) => setImmediate(resolve));
    const { session, tokens } = store.getState();
    assert.equal(session.current.state, 'signed-out');
    assert.equal(session.lastError?.kind, 'pin-incorrect');
    assert.equal(session.lastError?.triesLeft, 1);
    assert.equal(host.calls.filter((c) => c === 'tokens.list').length, listsBefore + 1);
    assert.equal(tokens.list.find((t) => t.id === tokenA.id)?.pinState, 'final-try');
    for (const state of states) assert.ok(!state.includes(PIN), 'PIN found in the store state');
  });

  it('does not try a PIN on a token that reports its PIN locked', async () => {
    const host = fakeHost([{ ...tokenA, pinState: 'locked' }]);
    const store = await connected(host);
    assert.equal(await store.getState().session.login(tokenA.id, PIN), false);
    assert.equal(store.getState().session.lastError?.kind, 'pin-locked');
    assert.ok(!host.calls.includes('session.login'));
  });

  it('refuses an empty or non-ASCII PIN without spending a try', async () => {
    const host = fakeHost();
    const store = await connected(host);
    for (const pin of ['', 'mật khẩu', 'x'.repeat(65)]) {
      assert.equal(await store.getState().session.login(tokenA.id, pin), false);
      assert.equal(store.getState().session.lastError?.kind, 'pin-invalid');
    }
    assert.ok(!host.calls.includes('session.login'));
  });

  it('turns a rejected bridge call into an internal error instead of throwing', async () => {
    const host = fakeHost();
    host.login = () => Promise.reject(new Error('bridge socket closed'));
    const store = await connected(host);
    assert.equal(await store.getState().session.login(tokenA.id, PIN), false);
    assert.equal(store.getState().session.lastError?.kind, 'internal');
    assert.equal(store.getState().session.pending, null);
  });

  it('signs out and says so', async () => {
    const host = fakeHost();
    const store = await connected(host);
    await store.getState().session.login(tokenA.id, PIN);
    await store.getState().session.logout();
    assert.equal(store.getState().session.current.state, 'signed-out');
    assert.equal(store.getState().session.lockReason, 'logout');
  });
});

describe('renderer store: host events', () => {
  it('returns to sign-in with the reason when the session is locked', async () => {
    const host = fakeHost();
    const store = await connected(host);
    await store.getState().session.login(tokenA.id, PIN);
    host.emitLocked('token-removed');
    assert.equal(store.getState().session.current.state, 'signed-out');
    assert.equal(store.getState().session.lockReason, 'token-removed');
  });

  it('updates the token list, keeping the choice while the token is present', async () => {
    const host = fakeHost();
    const store = await connected(host);
    assert.equal(store.getState().tokens.selectedId, null, 'two tokens: no automatic choice');
    store.getState().tokens.select(tokenB.id);
    host.emitTokens([tokenA, tokenB, token('cccccccccccccccc', 'Van thu C')]);
    assert.equal(store.getState().tokens.list.length, 3);
    assert.equal(store.getState().tokens.selectedId, tokenB.id);
    host.emitTokens([tokenA]);
    assert.deepEqual(
      store.getState().tokens.list.map((t) => t.label),
      ['Van thu A'],
    );
    assert.equal(store.getState().tokens.selectedId, tokenA.id, 'the only token is chosen');
    host.emitTokens([]);
    assert.equal(store.getState().tokens.selectedId, null);
  });

  it('stops listening once disconnected', async () => {
    const host = fakeHost();
    const store = createAppStore(host.bridge);
    const disconnect = store.getState().host.connect();
    await new Promise((resolve) => setImmediate(resolve));
    disconnect();
    host.emitTokens([]);
    assert.equal(store.getState().tokens.list.length, 2);
  });
});

describe('renderer store: language', () => {
  function memoryStorage(initial: Record<string, string> = {}) {
    const data = new Map(Object.entries(initial));
    return {
      data,
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => void data.set(key, value),
    };
  }

  it('is Vietnamese by default and remembers the English choice', () => {
    const storage = memoryStorage();
    const store = createAppStore(fakeHost().bridge, { storage });
    assert.equal(store.getState().ui.locale, 'vi');
    store.getState().ui.setLocale('en');
    assert.equal(storage.data.get(localeStorageKey), 'en');
    assert.equal(createAppStore(fakeHost().bridge, { storage }).getState().ui.locale, 'en');
  });

  it('ignores a stored value it does not know and a storage that throws', () => {
    const bad = memoryStorage({ [localeStorageKey]: 'fr' });
    assert.equal(createAppStore(fakeHost().bridge, { storage: bad }).getState().ui.locale, 'vi');
    const throwing = {
      getItem: (): string | null => {
        throw new Error('denied');
      },
      setItem: (): void => {
        throw new Error('denied');
      },
    };
    const store = createAppStore(fakeHost().bridge, { storage: throwing });
    store.getState().ui.setLocale('en');
    assert.equal(store.getState().ui.locale, 'en');
  });
});

/** Lets pending promise callbacks (the store's follow-up calls) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('renderer store: PIN pad', () => {
  const padToken = token('dddddddddddddddd', 'Ban phim', { protectedAuthPath: true });

  it('signs in on a PIN-pad token with no PIN: the login carries null', async () => {
    const host = fakeHost([padToken, tokenA]);
    const store = await connected(host);
    assert.equal(await store.getState().session.login(padToken.id, null), true);
    assert.deepEqual(host.logins, [{ token: padToken.id, pin: null }]);
    assert.equal(store.getState().session.current.state, 'signed-in');
  });

  it('never sends a login without a PIN for a token that has no pad', async () => {
    const host = fakeHost();
    const store = await connected(host);
    assert.equal(await store.getState().session.login(tokenA.id, null), false);
    assert.equal(store.getState().session.lastError?.kind, 'pin-invalid');
    assert.deepEqual(host.logins, []);
  });
});

describe('renderer store: lock reasons', () => {
  for (const reason of ['idle', 'token-removed', 'token-module-crashed'] as const) {
    it(`returns to sign-in on ${reason}, says why, and looks for tokens again`, async () => {
      const host = fakeHost();
      const store = await connected(host);
      await store.getState().session.login(tokenA.id, PIN);
      const lists = host.calls.filter((c) => c === 'tokens.list').length;
      host.emitLocked(reason);
      assert.equal(store.getState().session.current.state, 'signed-out');
      assert.equal(store.getState().session.lockReason, reason);
      await settle();
      assert.equal(host.calls.filter((c) => c === 'tokens.list').length, lists + 1);
    });
  }

  it('takes an unknown reason as a restart rather than dropping the event', async () => {
    const host = fakeHost();
    const store = await connected(host);
    await store.getState().session.login(tokenA.id, PIN);
    host.emitLocked('exploded' as LockReason);
    assert.equal(store.getState().session.lockReason, 'native-restarted');
  });
});

describe('renderer store: activity report (idle lock)', () => {
  function clock(start = 1_000_000) {
    const c = { t: start, now: () => c.t };
    return c;
  }
  const touches = (host: FakeHost) => host.calls.filter((c) => c === 'session.touch').length;

  it('reports nothing while signed out', async () => {
    const host = fakeHost();
    const c = clock();
    const store = await connected(host, c.now);
    c.t += 60_000;
    assert.equal(await store.getState().session.touch(), false);
    assert.equal(touches(host), 0);
  });

  it('reports at most once per 30 seconds while signed in', async () => {
    const host = fakeHost();
    const c = clock();
    const store = await connected(host, c.now);
    await store.getState().session.login(tokenA.id, PIN);
    // The login itself counted as activity on the native side.
    c.t += 1_000;
    assert.equal(await store.getState().session.touch(), false);
    c.t += 29_000;
    assert.equal(await store.getState().session.touch(), true);
    for (let i = 0; i < 20; i++) {
      c.t += 1_000;
      await store.getState().session.touch();
    }
    assert.equal(touches(host), 1, 'twenty inputs within 20 s: no further report');
    c.t += 10_000;
    assert.equal(await store.getState().session.touch(), true);
    assert.equal(touches(host), 2);
  });

  it('never has two reports in flight', async () => {
    const host = fakeHost();
    const c = clock();
    const gate = deferred<Result<{ idleLockAt: string | null }>>();
    host.touch = () => gate.promise;
    const store = await connected(host, c.now);
    await store.getState().session.login(tokenA.id, PIN);
    c.t += 31_000;
    const first = store.getState().session.touch();
    c.t += 31_000;
    assert.equal(await store.getState().session.touch(), false);
    gate.resolve({ ok: true, value: { idleLockAt: '2030-01-01T00:00:00.000Z' } });
    assert.equal(await first, true);
    assert.equal(touches(host), 1);
  });

  it('re-reads the session when the native side has none any more', async () => {
    const host = fakeHost();
    const c = clock();
    const store = await connected(host, c.now);
    await store.getState().session.login(tokenA.id, PIN);
    host.touch = async () => ({ ok: true, value: { idleLockAt: null } });
    host.current = { state: 'signed-out' };
    c.t += 31_000;
    await store.getState().session.touch();
    assert.equal(store.getState().session.current.state, 'signed-out');
  });
});

describe('renderer store: check the token', () => {
  it('keeps the verified answer, and forgets it when the session ends', async () => {
    const host = fakeHost();
    const store = await connected(host);
    await store.getState().session.checkKey();
    assert.ok(!host.calls.includes('session.checkKey'), 'signed out: no call');
    await store.getState().session.login(tokenA.id, PIN);
    await store.getState().session.checkKey();
    assert.deepEqual(store.getState().session.keyCheck, {
      pending: false,
      result: { algorithm: 'rsa-pss-sha256', verified: true, tokenMs: 12.4 },
      error: null,
    });
    host.emitLocked('token-removed');
    assert.equal(store.getState().session.keyCheck.result, null);
  });

  it('shows the error kind, and runs one check at a time', async () => {
    const host = fakeHost();
    const gate = deferred<Result<KeyCheck>>();
    host.checkKey = () => gate.promise;
    const store = await connected(host);
    await store.getState().session.login(tokenA.id, PIN);
    const first = store.getState().session.checkKey();
    assert.equal(store.getState().session.keyCheck.pending, true);
    await store.getState().session.checkKey();
    gate.resolve({ ok: false, error: { kind: 'device-error', message: 'CKR_DEVICE_ERROR' } });
    await first;
    assert.equal(host.calls.filter((c) => c === 'session.checkKey').length, 1);
    assert.equal(store.getState().session.keyCheck.error?.kind, 'device-error');
    assert.equal(store.getState().session.keyCheck.pending, false);
  });
});

describe('renderer store: PIN change', () => {
  const NEW = 'new-pin-5678';
  const entry = { oldPin: PIN, newPin: NEW, again: NEW };

  it('changes the PIN; no PIN is in any state; the PIN state is read again', async () => {
    const host = fakeHost();
    const store = await connected(host);
    const states = recordStates(store);
    const lists = host.calls.filter((c) => c === 'tokens.list').length;
    assert.equal(await store.getState().pinChange.change(tokenA.id, entry), true);
    assert.deepEqual(host.pinChanges, [{ token: tokenA.id, oldPin: PIN, newPin: NEW }]);
    const { pinChange } = store.getState();
    assert.equal(pinChange.done, true);
    assert.equal(pinChange.tokenId, tokenA.id);
    assert.equal(pinChange.pending, false);
    await settle();
    assert.equal(host.calls.filter((c) => c === 'tokens.list').length, lists + 1);
    for (const state of states) {
      assert.ok(!state.includes(PIN) && !state.includes(NEW), 'a PIN found in the store state');
    }
  });

  it('is never sent twice while one change is in flight, nor during a sign-in', async () => {
    const host = fakeHost();
    const gate = deferred<Result<{ changed: true }>>();
    host.changePin = () => gate.promise;
    const store = await connected(host);
    const first = store.getState().pinChange.change(tokenA.id, entry);
    assert.equal(store.getState().pinChange.pending, true);
    assert.equal(await store.getState().pinChange.change(tokenA.id, entry), false);
    assert.equal(await store.getState().session.login(tokenA.id, PIN), false, 'no login meanwhile');
    gate.resolve({ ok: true, value: { changed: true } });
    assert.equal(await first, true);
    assert.equal(host.pinChanges.length, 1);
    assert.deepEqual(host.logins, []);

    const loginGate = deferred<Result<Session>>();
    host.login = () => loginGate.promise;
    const login = store.getState().session.login(tokenA.id, PIN);
    assert.equal(await store.getState().pinChange.change(tokenA.id, entry), false);
    loginGate.resolve({ ok: true, value: signedIn(tokenA) });
    await login;
    assert.equal(host.pinChanges.length, 1);
  });

  it('checks the entry before sending: nothing reaches the token, no try is used', async () => {
    const host = fakeHost();
    const store = await connected(host);
    const cases = [
      [{ oldPin: PIN, newPin: NEW, again: `${NEW}x` }, 'mismatch', null],
      [{ oldPin: PIN, newPin: PIN, again: PIN }, 'same-as-old', null],
      [{ oldPin: '', newPin: NEW, again: NEW }, null, 'pin-invalid'],
      [{ oldPin: PIN, newPin: 'mật khẩu', again: 'mật khẩu' }, null, 'new-pin-invalid'],
      [{ oldPin: PIN, newPin: 'x'.repeat(65), again: 'x'.repeat(65) }, null, 'new-pin-invalid'],
      [{ oldPin: PIN, newPin: '', again: '' }, null, 'new-pin-invalid'],
    ] as const;
    for (const [typed, problem, kind] of cases) {
      assert.equal(await store.getState().pinChange.change(tokenA.id, typed), false);
      assert.equal(store.getState().pinChange.problem, problem, JSON.stringify(typed));
      assert.equal(store.getState().pinChange.error?.kind ?? null, kind, JSON.stringify(typed));
    }
    assert.deepEqual(host.pinChanges, []);
  });

  it('refuses a token whose PIN is locked or was never set', async () => {
    const locked = token('eeeeeeeeeeeeeeee', 'Khoa', { pinState: 'locked' });
    const unset = token('ffffffffffffffff', 'Chua dat', { pinInitialized: false });
    const host = fakeHost([locked, unset]);
    const store = await connected(host);
    assert.equal(await store.getState().pinChange.change(locked.id, entry), false);
    assert.equal(store.getState().pinChange.error?.kind, 'pin-locked');
    assert.equal(await store.getState().pinChange.change(unset.id, entry), false);
    assert.equal(store.getState().pinChange.error?.kind, 'pin-not-initialized');
    assert.deepEqual(host.pinChanges, []);
  });

  it('shows a wrong current PIN with the tries left', async () => {
    const host = fakeHost();
    host.changePin = async () => ({
      ok: false,
      error: { kind: 'pin-incorrect', message: 'CKR_PIN_INCORRECT', triesLeft: 2 },
    });
    const store = await connected(host);
    assert.equal(await store.getState().pinChange.change(tokenA.id, entry), false);
    const { pinChange } = store.getState();
    assert.equal(pinChange.done, false);
    assert.equal(pinChange.error?.kind, 'pin-incorrect');
    assert.equal(pinChange.error?.triesLeft, 2);
  });

  it('sends nulls for a PIN-pad token, and no typed PIN to it', async () => {
    const padToken = token('dddddddddddddddd', 'Ban phim', { protectedAuthPath: true });
    const host = fakeHost([padToken]);
    const store = await connected(host);
    assert.equal(await store.getState().pinChange.change(padToken.id, entry), false);
    assert.deepEqual(host.pinChanges, []);
    assert.equal(await store.getState().pinChange.change(padToken.id, null), true);
    assert.deepEqual(host.pinChanges, [{ token: padToken.id, oldPin: null, newPin: null }]);
  });

  it('forgets the outcome on reset', async () => {
    const host = fakeHost();
    const store = await connected(host);
    await store.getState().pinChange.change(tokenA.id, entry);
    store.getState().pinChange.reset();
    const { pinChange } = store.getState();
    assert.deepEqual(
      [pinChange.done, pinChange.tokenId, pinChange.error, pinChange.problem],
      [false, null, null, null],
    );
  });
});

describe('renderer forms: taking the PINs', () => {
  it('reads every field and empties every one, whatever is typed', () => {
    const fields = [{ value: PIN }, { value: 'new-1' }, { value: 'new-2' }];
    assert.deepEqual(takePins(fields), [PIN, 'new-1', 'new-2']);
    assert.deepEqual(
      fields.map((f) => f.value),
      ['', '', ''],
    );
    assert.deepEqual(takePins([null, { value: 'x' }]), ['', 'x']);
  });
});

describe('renderer store: modules', () => {
  it('keeps a module that failed to load for the clerk to see, with its reason', async () => {
    const host = fakeHost();
    host.modules = [
      { path: '/usr/lib/softhsm/libsofthsm2.so', status: 'loaded' },
      {
        path: '/usr/lib/libbit4xpki.so',
        status: 'failed',
        reason: 'cannot open shared object file',
      },
    ];
    const store = await connected(host);
    assert.deepEqual(store.getState().tokens.failedModules, [
      {
        path: '/usr/lib/libbit4xpki.so',
        status: 'failed',
        reason: 'cannot open shared object file',
      },
    ]);
    assert.equal(
      store.getState().tokens.list.length,
      2,
      'the tokens of the good module still show',
    );
  });
});
