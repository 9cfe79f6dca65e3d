// The token layer's isolation and session lifecycle, through the real native process
// and its token host, on the fault-injecting module over SoftHSM2: a slow token blocks
// nothing else, a crashing module is survived, removal and idle time lock the session.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventName, TokenInfo } from '../../native/api/contract.ts';
import { childSpawner } from '../../native/host/child-spawner.ts';
import { NativeSupervisor } from '../../native/host/supervisor.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { FaultControl, faultModule } from './helpers/fault-fixture.ts';
import { buildDemo, tempDir } from './helpers/softhsm-fixture.ts';

let dir: ReturnType<typeof tempDir>;
let demo: DemoManifest;
let control: FaultControl;
let native: NativeSupervisor;
const events: { name: EventName; payload: unknown; at: number }[] = [];

function startNative(extraEnv: Record<string, string> = {}): NativeSupervisor {
  const supervisor = new NativeSupervisor({
    spawn: childSpawner({
      env: { ...process.env, ...control.env(), NIEM_PKCS11_MODULE: faultModule(), ...extraEnv },
    }),
  });
  supervisor.onEvent((name, payload) => events.push({ name, payload, at: Date.now() }));
  return supervisor;
}

before(async () => {
  dir = tempDir('niem-token-host-');
  demo = buildDemo(dir.path);
  control = new FaultControl(dir.path, demo.softhsm2Conf);
  control.set({});
  native = startNative();
  await native.start();
});

after(async () => {
  await native?.stop();
  dir?.dispose();
});

beforeEach(async () => {
  control.set({});
  control.resetState();
  await native.call('session.logout', {});
  events.length = 0;
});

const demoToken = (i: number) => {
  const t = demo.tokens[i];
  assert.ok(t);
  return t;
};

async function listed(label: string): Promise<TokenInfo> {
  const result = await native.call('tokens.list', {});
  assert.ok(result.ok, JSON.stringify(result));
  const token = result.value.find((t) => t.label === label);
  assert.ok(token, `${label} listed`);
  return token;
}

async function signIn(index = 0): Promise<TokenInfo> {
  const { label, pin } = demoToken(index);
  const token = await listed(label);
  const result = await native.call('session.login', { token: token.id, pin });
  assert.ok(result.ok, JSON.stringify(result));
  return token;
}

async function waitForEvent(name: EventName, predicate: (p: unknown) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = events.find((e) => e.name === name && predicate(e.payload));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no ${name} event within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a token that takes 2 s to sign blocks nothing: the native process answers meanwhile', async () => {
  await signIn(0);
  control.set({ 'latency.C_Sign': 2000, 'latency.C_SignFinal': 2000 });
  const started = Date.now();
  let signDone = 0;
  const check = native.call('session.checkKey', {}).then((r) => {
    signDone = Date.now();
    return r;
  });
  await new Promise((r) => setTimeout(r, 300)); // the token is now busy signing
  const pings: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const t0 = performance.now();
    const ping = await native.call('native.ping', {});
    assert.ok(ping.ok);
    pings.push(performance.now() - t0);
    const current = await native.call('session.current', {});
    assert.equal(current.ok && current.value.state, 'signed-in');
  }
  const pingsDone = Date.now();
  const result = await check;
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.verified, true);
  assert.ok(signDone - started >= 2000, 'the signature really took the injected 2 s');
  assert.ok(pingsDone < signDone, 'all pings were answered while the token was signing');
  // generous bound (the figure itself is measured by bench/native-latency.ts)
  assert.ok(Math.max(...pings) < 500, `ping took ${Math.max(...pings)} ms`);
});

test('a module that crashes its process is survived: token-module-crashed, restart, new login', async () => {
  await signIn(0);
  const nativePid = native.pid;
  control.set({ crash: 'C_Sign' });
  const result = await native.call('session.checkKey', {});
  assert.equal(result.ok ? 'ok' : result.error.kind, 'token-module-crashed');
  await waitForEvent(
    'session.locked',
    (p) => (p as { reason: string }).reason === 'token-module-crashed',
    2000,
  );
  const current = await native.call('session.current', {});
  assert.equal(current.ok && current.value.state, 'signed-out', 'the clerk must sign in again');
  assert.equal(native.pid, nativePid, 'the native process itself did not restart');
  control.set({});
  await signIn(0); // the token host was restarted and serves again
  const check = await native.call('session.checkKey', {});
  assert.ok(check.ok && check.value.verified);
});

for (const slotEvents of [1, 0]) {
  test(`removing the token locks the session at once and reports the change (slot events ${slotEvents ? 'reported' : 'not supported: polling'}); re-insertion lists it again`, async () => {
    const token = await signIn(1);
    control.set({ present: 0, slot_events: slotEvents });
    const removedAt = Date.now();
    const locked = await waitForEvent(
      'session.locked',
      (p) => (p as { reason: string }).reason === 'token-removed',
      3000,
    );
    assert.ok(locked.at - removedAt <= 2500, `locked after ${locked.at - removedAt} ms`);
    const changed = await waitForEvent(
      'tokens.changed',
      (p) => !(p as { tokens: TokenInfo[] }).tokens.some((t) => t.id === token.id),
      3000,
    );
    assert.ok(changed.at - removedAt <= 2500, `tokens.changed after ${changed.at - removedAt} ms`);
    const current = await native.call('session.current', {});
    assert.equal(current.ok && current.value.state, 'signed-out');
    const login = await native.call('session.login', { token: token.id, pin: demoToken(1).pin });
    assert.equal(login.ok ? 'ok' : login.error.kind, 'token-absent');

    events.length = 0;
    control.set({ present: 1, slot_events: slotEvents });
    await waitForEvent(
      'tokens.changed',
      (p) => (p as { tokens: TokenInfo[] }).tokens.some((t) => t.id === token.id),
      3000,
    );
    await signIn(1);
  });
}

for (const ckr of ['CKR_SESSION_HANDLE_INVALID', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT']) {
  test(`${ckr} in the middle of an operation ends in the same clean lock as a removal`, async () => {
    await signIn(0);
    control.set({ 'fail.C_Sign': ckr, 'fail.C_SignInit': ckr });
    const result = await native.call('session.checkKey', {});
    assert.equal(result.ok, false);
    await waitForEvent(
      'session.locked',
      (p) => (p as { reason: string }).reason === 'token-removed',
      3000,
    );
    const current = await native.call('session.current', {});
    assert.equal(current.ok && current.value.state, 'signed-out');
    control.set({});
    await signIn(0);
  });
}

test('the retry counter is reported before each entry and the token locks after the last try', async () => {
  control.set({ pin_tries: 3 });
  const { label, pin } = demoToken(0);
  const states: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const token = await listed(label);
    states.push(token.pinState);
    const result = await native.call('session.login', { token: token.id, pin: '999999' });
    assert.equal(result.ok, false);
  }
  const lockedToken = await listed(label);
  states.push(lockedToken.pinState);
  assert.deepEqual(states, ['normal', 'count-low', 'final-try', 'locked']);
  const right = await native.call('session.login', { token: lockedToken.id, pin });
  assert.equal(right.ok ? 'ok' : right.error.kind, 'pin-locked', 'even the right PIN is refused');
});

test('a device error in the middle of an operation is reported and the session stays usable', async () => {
  await signIn(0);
  control.set({ 'fail.C_Sign': 'CKR_DEVICE_ERROR', 'fail.C_SignFinal': 'CKR_DEVICE_ERROR' });
  const failed = await native.call('session.checkKey', {});
  assert.equal(failed.ok ? 'ok' : failed.error.kind, 'device-error');
  control.set({});
  const current = await native.call('session.current', {});
  assert.equal(current.ok && current.value.state, 'signed-in');
  const again = await native.call('session.checkKey', {});
  assert.ok(again.ok && again.value.verified);
});

test('the session locks itself after the idle time, and activity postpones it', async () => {
  const idle = startNative({ NIEM_IDLE_LOCK_MINUTES: '0.04' }); // 2.4 s: activity every 0.6 s keeps it
  await idle.start();
  try {
    const { label, pin } = demoToken(0);
    const listedTokens = await idle.call('tokens.list', {});
    assert.ok(listedTokens.ok);
    const token = listedTokens.value.find((t) => t.label === label);
    assert.ok(token);
    const login = await idle.call('session.login', { token: token.id, pin });
    assert.ok(login.ok);
    // 6 × 0.6 s = 3.6 s signed in, well past the 2.4 s idle time: only activity explains it
    for (let i = 0; i < 6; i += 1) {
      await new Promise((r) => setTimeout(r, 600));
      const touch = await idle.call('session.touch', {});
      assert.ok(touch.ok && touch.value.idleLockAt !== null);
    }
    const still = await idle.call('session.current', {});
    assert.equal(still.ok && still.value.state, 'signed-in', 'activity kept the session open');
    await waitForEvent('session.locked', (p) => (p as { reason: string }).reason === 'idle', 5000);
    const after = await idle.call('session.current', {});
    assert.equal(after.ok && after.value.state, 'signed-out');
  } finally {
    await idle.stop();
  }
});
