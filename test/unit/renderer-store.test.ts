/**
 * The renderer's store, driven through a small in-test bridge (no React, no window):
 * the PIN never lands in the state, a login in flight cannot be doubled, errors come
 * back as kinds with tries left, and host events update the screen's state.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAppStore } from '../../renderer/src/store/app-store.ts';
import type { AppStore } from '../../renderer/src/store/app-store.ts';
import { localeStorageKey } from '../../renderer/src/store/locale-slice.ts';
import type { NiemBridge } from '../../native/api/bridge-api.ts';
import type { Identity, LockReason, Session, TokenInfo } from '../../native/api/contract.ts';
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

type LoginHandler = (params: { token: string; pin: string }) => Promise<Result<Session>>;

interface FakeHost {
  bridge: NiemBridge;
  calls: string[];
  tokens: TokenInfo[];
  login: LoginHandler;
  emitTokens(list: TokenInfo[]): void;
  emitLocked(reason: LockReason): void;
}

function fakeHost(initialTokens: TokenInfo[] = [tokenA, tokenB]): FakeHost {
  const tokensListeners = new Set<(p: { tokens: TokenInfo[] }) => void>();
  const lockListeners = new Set<(p: { reason: LockReason }) => void>();
  const host: FakeHost = {
    calls: [],
    tokens: initialTokens,
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
      },
      session: {
        login: (params) => {
          host.calls.push('session.login');
          return host.login(params);
        },
        logout: async () => {
          host.calls.push('session.logout');
          return { ok: true, value: { state: 'signed-out' } };
        },
        current: async () => {
          host.calls.push('session.current');
          return { ok: true, value: { state: 'signed-out' } };
        },
      },
      on: {
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

async function connected(host: FakeHost): Promise<AppStore> {
  const store = createAppStore(host.bridge);
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
