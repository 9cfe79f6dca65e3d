// The supervisor's contract with a native process: sequence numbers, time limits,
// validation of what crosses, crash notice and restart. A scripted in-memory child stands
// in for the process here so each failure can be produced exactly; the real child
// process is exercised by the token and e2e suites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NativeSupervisor, type NativeChild } from '../../native/host/supervisor.ts';
import type { HostToNative } from '../../native/api/host-protocol.ts';

const token = {
  id: '0123456789abcdef',
  label: 'VPCP-VANTHU',
  manufacturer: 'SoftHSM project',
  model: 'SoftHSM v2',
  serial: '1234',
  module: '/usr/lib/softhsm/libsofthsm2.so',
  slot: 1,
  pinState: 'normal',
  protectedAuthPath: false,
  pinInitialized: true,
};

class ScriptedChild implements NativeChild {
  readonly pid = 4242;
  readonly sent: HostToNative[] = [];
  #onMessage: ((m: unknown) => void)[] = [];
  #onExit: ((i: { code: number | null; signal: string | null }) => void)[] = [];
  killed = false;
  postMessage(message: HostToNative): void {
    this.sent.push(structuredClone(message));
  }
  onMessage(listener: (m: unknown) => void): void {
    this.#onMessage.push(listener);
  }
  onExit(listener: (i: { code: number | null; signal: string | null }) => void): void {
    this.#onExit.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  say(message: unknown): void {
    for (const l of this.#onMessage) l(message);
  }
  exit(code: number | null, signal: string | null = null): void {
    for (const l of this.#onExit) l({ code, signal });
  }
  lastCall(): Extract<HostToNative, { t: 'call' }> {
    const calls = this.sent.filter((m) => m.t === 'call');
    const last = calls.at(-1);
    assert.ok(last, 'a call was sent');
    return last;
  }
}

function setup(options: { timeoutScale?: number; restartDelayMs?: number } = {}) {
  const children: ScriptedChild[] = [];
  const supervisor = new NativeSupervisor({
    spawn: () => {
      const child = new ScriptedChild();
      children.push(child);
      queueMicrotask(() => child.say({ t: 'ready', pid: child.pid, protocol: 1 }));
      return child;
    },
    restartDelayMs: options.restartDelayMs ?? 5,
    timeoutScale: options.timeoutScale ?? 1,
  });
  return { supervisor, children, current: () => children.at(-1) as ScriptedChild };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test('a call carries a fresh sequence number and resolves with the validated result', async () => {
  const { supervisor, current } = setup();
  await supervisor.start();
  const first = supervisor.call('tokens.list', {});
  const second = supervisor.call('session.current', {});
  await tick();
  const [a, b] = current().sent as Extract<HostToNative, { t: 'call' }>[];
  assert.ok(a && b);
  assert.ok(b.seq > a.seq, 'sequence numbers increase');
  // answered out of order: each result still reaches its own caller
  current().say({ t: 'result', seq: b.seq, ok: true, value: { state: 'signed-out' } });
  current().say({ t: 'result', seq: a.seq, ok: true, value: [token] });
  assert.deepEqual(await first, { ok: true, value: [token] });
  assert.deepEqual(await second, { ok: true, value: { state: 'signed-out' } });
});

test('invalid params are refused before anything is sent', async () => {
  const { supervisor, current } = setup();
  await supervisor.start();
  const results = await Promise.all([
    supervisor.call('session.login', { token: 'not-hex', pin: '1234' }),
    supervisor.call('session.login', { token: token.id, pin: 'bad\u0000pin' }),
    supervisor.call('session.login', { token: token.id, pin: '1234', extra: true }),
    supervisor.call('tokens.list', { unexpected: 1 }),
    supervisor.call('no.such' as 'tokens.list', {}),
  ]);
  for (const r of results) assert.equal(r.ok ? 'ok' : r.error.kind, 'invalid-input');
  assert.equal(current().sent.length, 0);
});

test('a call that gets no answer in time fails with `timeout`', async () => {
  const { supervisor } = setup({ timeoutScale: 0.002 }); // 5 000 ms limit → 10 ms
  await supervisor.start();
  const result = await supervisor.call('session.current', {});
  assert.equal(result.ok ? 'ok' : result.error.kind, 'timeout');
});

test('a malformed result from the native process becomes `internal`, not data', async () => {
  const { supervisor, current } = setup();
  await supervisor.start();
  const pending = supervisor.call('tokens.list', {});
  await tick();
  current().say({ t: 'result', seq: current().lastCall().seq, ok: true, value: [{ label: 42 }] });
  const result = await pending;
  assert.equal(result.ok ? 'ok' : result.error.kind, 'internal');
});

test('a crash fails pending calls, locks the session and the vault, and restarts the process', async () => {
  const { supervisor, children, current } = setup();
  const events: [string, unknown][] = [];
  supervisor.onEvent((name, payload) => events.push([name, payload]));
  await supervisor.start();
  const pending = supervisor.call('session.current', {});
  await tick();
  const crashed = current();
  crashed.exit(null, 'SIGSEGV');
  const result = await pending;
  assert.equal(result.ok ? 'ok' : result.error.kind, 'native-restarted');
  assert.deepEqual(events, [
    ['session.locked', { reason: 'native-restarted' }],
    ['vault.changed', { state: { state: 'locked', reason: 'native-restarted', problem: null } }],
  ]);
  // a call made right after the crash waits for the restarted process and is served
  const after = supervisor.call('session.current', {});
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(children.length, 2, 'a new process was spawned');
  assert.notEqual(current(), crashed);
  current().say({
    t: 'result',
    seq: current().lastCall().seq,
    ok: true,
    value: { state: 'signed-out' },
  });
  assert.deepEqual(await after, { ok: true, value: { state: 'signed-out' } });
  assert.equal(supervisor.restarts, 1);
});

test('events are validated: unknown, malformed and replayed ones are dropped', async () => {
  const { supervisor, current } = setup();
  const events: [string, unknown][] = [];
  supervisor.onEvent((name, payload) => events.push([name, payload]));
  await supervisor.start();
  current().say({ t: 'event', seq: 0, name: 'tokens.changed', payload: { tokens: [token] } });
  current().say({ t: 'event', seq: 1, name: 'evil.event', payload: {} });
  current().say({ t: 'event', seq: 2, name: 'session.locked', payload: { reason: 'because' } });
  current().say({ t: 'event', seq: 0, name: 'tokens.changed', payload: { tokens: [] } });
  current().say({
    t: 'event',
    seq: 3,
    name: 'session.locked',
    payload: { reason: 'token-removed' },
  });
  current().say({ nonsense: true });
  assert.deepEqual(events, [
    ['tokens.changed', { tokens: [token] }],
    ['session.locked', { reason: 'token-removed' }],
  ]);
});

test('stop asks for shutdown and does not restart', async () => {
  const { supervisor, children, current } = setup();
  await supervisor.start();
  const child = current();
  const stopping = supervisor.stop(50);
  assert.deepEqual(child.sent.at(-1), { t: 'shutdown' });
  child.exit(0);
  await stopping;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(children.length, 1);
  const result = await supervisor.call('session.current', {});
  assert.equal(result.ok ? 'ok' : result.error.kind, 'native-restarted');
});

test('a process that never exits on shutdown is killed after the grace period', async () => {
  const { supervisor, current } = setup();
  await supervisor.start();
  const child = current();
  await supervisor.stop(10);
  assert.equal(child.killed, true);
});

test('a call waiting for a restart is answered when the host stops meanwhile', async () => {
  const { supervisor, children } = setup({ restartDelayMs: 10_000 });
  await supervisor.start();
  children[0]?.exit(1);
  const waiting = supervisor.call('session.current', {});
  await supervisor.stop(10);
  const result = await waiting;
  assert.equal(result.ok ? 'ok' : result.error.kind, 'native-restarted');
  assert.equal(children.length, 1, 'no restart after stop');
});
