// The preload's bridge: exactly the contract's methods and events as named functions,
// nothing generic, listeners get the payload only. Tested twice: the pure builder, and
// the real preload bundle run in a VM with a fake 'electron' (as the sandbox would).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { camelEvent } from '../../native/api/bridge-api.ts';
import {
  eventNames,
  methodNames,
  type EventName,
  type MethodName,
} from '../../native/api/contract.ts';
import { buildBridge } from '../../electron/preload/bridge-builder.ts';
import { buildElectron } from '../../scripts/build-electron.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const FORBIDDEN = [
  'invoke',
  'send',
  'sendSync',
  'ipcRenderer',
  'ipc',
  'on.on',
  'removeListener',
  'postMessage',
  'require',
  'process',
];

/** Every own property path of the bridge, with the type of its value. */
function shape(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of Object.getOwnPropertyNames(value)) {
    const child = (value as Record<string, unknown>)[key];
    const name = prefix + key;
    if (typeof child === 'object' && child !== null) {
      for (const [k, v] of shape(child, `${name}.`)) out.set(k, v);
    } else {
      out.set(name, typeof child);
    }
  }
  return out;
}

function expectedShape(): Map<string, string> {
  const expected = new Map<string, string>([['host', 'string']]);
  for (const method of methodNames) expected.set(method, 'function');
  for (const event of eventNames) expected.set(`on.${camelEvent(event)}`, 'function');
  return expected;
}

function recordingTransport() {
  const invoked: { method: MethodName; params: unknown }[] = [];
  const subscribers = new Map<EventName, Set<(payload: unknown) => void>>();
  return {
    invoked,
    subscribers,
    invoke: (method: MethodName, params: unknown) => {
      invoked.push({ method, params });
      return Promise.resolve({ ok: true, value: method });
    },
    subscribe: (event: EventName, callback: (payload: unknown) => void) => {
      const set = subscribers.get(event) ?? new Set();
      subscribers.set(event, set);
      set.add(callback);
      return () => set.delete(callback);
    },
  };
}

describe('bridge builder', () => {
  it("exposes exactly the contract's methods and events, and host", () => {
    const bridge = buildBridge({ host: 'electron', ...recordingTransport() });
    assert.deepEqual(shape(bridge), expectedShape());
    const keys = [...shape(bridge).keys()];
    for (const word of FORBIDDEN)
      assert.ok(!keys.some((k) => k.split('.').includes(word) || k === word), word);
  });

  it('names every function after its member and freezes every object', () => {
    const bridge = buildBridge({ host: 'bridge', ...recordingTransport() }) as unknown as Record<
      string,
      Record<string, { name: string }>
    >;
    for (const method of methodNames) {
      const [ns = '', member = ''] = method.split('.');
      assert.equal(bridge[ns]?.[member]?.name, member);
      assert.ok(Object.isFrozen(bridge[ns]));
    }
    for (const event of eventNames)
      assert.equal(bridge.on?.[camelEvent(event)]?.name, camelEvent(event));
    assert.ok(Object.isFrozen(bridge) && Object.isFrozen(bridge.on));
  });

  it('each method invokes its own method, absent params as {}', async () => {
    const transport = recordingTransport();
    const bridge = buildBridge({ host: 'electron', ...transport });
    // A page may call without params at run time, whatever the types say.
    const loose = bridge as unknown as Record<
      string,
      Record<string, (p?: unknown) => Promise<unknown>>
    >;
    assert.deepEqual(await loose.tokens?.list?.(), { ok: true, value: 'tokens.list' });
    await bridge.session.login({ token: '0123456789abcdef', pin: '1234' });
    await loose.session?.current?.(undefined);
    assert.deepEqual(transport.invoked, [
      { method: 'tokens.list', params: {} },
      { method: 'session.login', params: { token: '0123456789abcdef', pin: '1234' } },
      { method: 'session.current', params: {} },
    ]);
  });

  it('turns a failing transport into an internal error result, never a rejection', async () => {
    const bridge = buildBridge({
      host: 'electron',
      invoke: () => {
        throw new Error('No handler registered');
      },
      subscribe: () => () => {},
    });
    assert.deepEqual(await bridge.tokens.list({}), {
      ok: false,
      error: { kind: 'internal', message: 'No handler registered' },
    });
  });

  it('listeners get the payload only, and unsubscribe works (twice is harmless)', () => {
    const transport = recordingTransport();
    const bridge = buildBridge({ host: 'electron', ...transport });
    const seen: unknown[][] = [];
    const unsubscribe = bridge.on.sessionLocked((...args: unknown[]) => seen.push(args));
    const payload = { reason: 'logout' };
    for (const callback of transport.subscribers.get('session.locked') ?? []) callback(payload);
    assert.deepEqual(seen, [[payload]]);
    unsubscribe();
    unsubscribe();
    assert.equal(transport.subscribers.get('session.locked')?.size, 0);
  });

  it('refuses a non-function listener', () => {
    const bridge = buildBridge({ host: 'electron', ...recordingTransport() });
    assert.throws(() => bridge.on.tokensChanged('alert(1)' as never), TypeError);
  });

  it('refuses method names that would pollute or shadow', () => {
    for (const name of [
      '__proto__.x',
      'constructor.x',
      'tokens.__proto__',
      'on.x',
      'host.x',
      'then.x',
      'a-b.c',
    ]) {
      assert.throws(
        () =>
          buildBridge({
            host: 'electron',
            ...recordingTransport(),
            methodNames: [name as MethodName],
          }),
        /not a safe property name/,
        name,
      );
    }
  });
});

describe('preload bundle (as the sandbox runs it)', () => {
  let outDir: string;
  let code: string;

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'niem-preload-'));
    await buildElectron({ root: repoRoot, outDir, only: ['preload'], logLevel: 'silent' });
    code = readFileSync(path.join(outDir, 'electron', 'preload.cjs'), 'utf8');
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  function runPreload() {
    const exposed = new Map<string, unknown>();
    const invokes: unknown[][] = [];
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const required: string[] = [];
    const ipcRenderer = {
      invoke: (...args: unknown[]) => {
        invokes.push(args);
        return Promise.resolve({ ok: true, value: null });
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => {
        listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
      },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => {
        listeners.get(channel)?.delete(listener);
      },
    };
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value),
      },
      ipcRenderer,
    };
    const require = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, {
      require,
      module,
      exports: module.exports,
      Promise,
      Object,
      Map,
      Set,
      Error,
      TypeError,
      String,
      JSON,
    });
    return { exposed, invokes, listeners, required };
  }

  it('requires nothing but electron and contains no zod', () => {
    const { required } = runPreload();
    assert.deepEqual(required, ['electron']);
    assert.deepEqual(
      [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
      ['electron'],
    );
    assert.ok(code.length < 20_000, `preload bundle is ${code.length} bytes`);
  });

  it('exposes only window.niem, with the contract shape', () => {
    const { exposed } = runPreload();
    assert.deepEqual([...exposed.keys()], ['niem']);
    assert.deepEqual(shape(exposed.get('niem')), expectedShape());
    assert.equal((exposed.get('niem') as { host: string }).host, 'electron');
  });

  it('invokes niem:<method> with the params object only', async () => {
    const { exposed, invokes } = runPreload();
    const niem = exposed.get('niem') as {
      tokens: { list(p?: unknown): Promise<unknown> };
      session: { login(p: unknown): Promise<unknown> };
    };
    await niem.tokens.list();
    await niem.session.login({ token: '0123456789abcdef', pin: '1234' });
    // Objects made inside the VM have its prototypes: compare them as JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(invokes)), [
      ['niem:tokens.list', {}],
      ['niem:session.login', { token: '0123456789abcdef', pin: '1234' }],
    ]);
  });

  it('hands listeners the payload, never the IPC event, and unsubscribes', () => {
    const { exposed, listeners } = runPreload();
    const niem = exposed.get('niem') as {
      on: { tokensChanged(l: (...a: unknown[]) => void): () => void };
    };
    const seen: unknown[][] = [];
    const unsubscribe = niem.on.tokensChanged((...args) => seen.push(args));
    const channel = listeners.get('niem:event:tokens.changed');
    assert.equal(channel?.size, 1);
    const ipcEvent = { sender: { send: () => 'leaked' }, ports: [] };
    for (const listener of channel ?? []) listener(ipcEvent, { tokens: [] }, 'extra');
    assert.deepEqual(seen, [[{ tokens: [] }]]);
    unsubscribe();
    assert.equal(channel?.size, 0);
  });
});
