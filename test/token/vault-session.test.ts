// The vault in the real native process, opened by the token through the token host (on
// the fault-injecting module over SoftHSM2): absent until initialised, open after
// sign-in, and locked (`vault.changed`, every drafts call refused, the profile released)
// on sign-out, token removal, idle time and a native restart. After each lock the test
// opens the profile itself with the agency recovery key: the data is all there, and the
// native process no longer holds the database (it is opened exclusively).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, VaultState } from '../../native/api/contract.ts';
import { childSpawner } from '../../native/host/child-spawner.ts';
import { NativeSupervisor } from '../../native/host/supervisor.ts';
import { getDraft, listDrafts, openVault, readDraftDocument } from '../../native/vault/index.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { drain, makeVaultPki, type VaultPki } from '../unit/vault-fixture.ts';
import { FaultControl, faultModule } from './helpers/fault-fixture.ts';
import { buildDemo, tempDir } from './helpers/softhsm-fixture.ts';

let dir: ReturnType<typeof tempDir>;
let demo: DemoManifest;
let control: FaultControl;
let pki: VaultPki;
let native: NativeSupervisor;
let profile: string;
let settingsFile: string;
const events: { name: EventName; payload: unknown }[] = [];

function startNative(extraEnv: Record<string, string> = {}): NativeSupervisor {
  const supervisor = new NativeSupervisor({
    spawn: childSpawner({
      env: {
        ...process.env,
        ...control.env(),
        NIEM_PKCS11_MODULE: faultModule(),
        NIEM_PROFILE_DIR: profile,
        NIEM_SETTINGS_FILE: settingsFile,
        ...extraEnv,
      },
    }),
  });
  supervisor.onEvent((name, payload) => events.push({ name, payload }));
  return supervisor;
}

before(async () => {
  dir = tempDir('niem-vault-session-');
  demo = buildDemo(dir.path);
  control = new FaultControl(dir.path, demo.softhsm2Conf);
  control.set({});
  pki = makeVaultPki();
  profile = join(dir.path, 'profile');
  settingsFile = join(dir.path, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ vaultRecoveryCertificate: pki.recovery.certPath }));
  native = startNative();
  await native.start();
});

after(async () => {
  await native?.stop();
  pki?.dispose();
  dir?.dispose();
});

beforeEach(async () => {
  control.set({});
  await native.call('session.logout', {});
  events.length = 0;
});

async function signIn(supervisor: NativeSupervisor, label = 'VPCP-VANTHU'): Promise<void> {
  const token = demo.tokens.find((t) => t.label === label);
  assert.ok(token);
  const listed = await supervisor.call('tokens.list', {});
  assert.ok(listed.ok, JSON.stringify(listed));
  const id = listed.value.find((t) => t.label === label)?.id;
  assert.ok(id, `${label} listed`);
  const login = await supervisor.call('session.login', { token: id, pin: token.pin });
  assert.ok(login.ok, JSON.stringify(login));
}

async function vaultState(supervisor = native): Promise<VaultState> {
  const state = await supervisor.call('vault.state', {});
  assert.ok(state.ok, JSON.stringify(state));
  return state.value;
}

/** Waits for `vault.changed` with `state` (and `reason` when given). */
async function vaultChanged(state: VaultState['state'], reason?: string): Promise<VaultState> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = events.find((e) => {
      if (e.name !== 'vault.changed') return false;
      const s = (e.payload as { state: VaultState }).state;
      return s.state === state && (reason === undefined || ('reason' in s && s.reason === reason));
    });
    if (found) return (found.payload as { state: VaultState }).state;
    if (Date.now() > deadline) assert.fail(`no vault.changed ${state} ${reason ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a locked vault looks like from the UI: every drafts call is vault-locked. */
async function assertLocked(supervisor = native): Promise<void> {
  const state = await vaultState(supervisor);
  assert.equal(state.state, 'locked');
  const list = await supervisor.call('drafts.list', {});
  assert.equal(list.ok ? 'ok' : list.error.kind, 'vault-locked');
  const get = await supervisor.call('drafts.get', { id: 1 });
  assert.equal(get.ok ? 'ok' : get.error.kind, 'vault-locked');
}

/** Opens the profile in this process with the recovery key: it is released, and holds `subjects`. */
async function assertReleasedWith(subjects: string[]): Promise<void> {
  const { vault } = await openVault(profile, [pki.recovery.key]);
  try {
    assert.deepEqual(
      listDrafts(vault)
        .map((d) => d.subject)
        .sort(),
      [...subjects].sort(),
    );
  } finally {
    await vault.close();
  }
}

test('absent until initialised; open after sign-in; sign-out locks it and releases the profile', async () => {
  await assertLocked();
  await signIn(native);
  assert.deepEqual(await vaultChanged('absent'), { state: 'absent', profile });
  const refused = await native.call('drafts.list', {});
  assert.equal(refused.ok ? 'ok' : refused.error.kind, 'vault-locked');

  const init = await native.call('vault.init', {});
  assert.ok(init.ok, JSON.stringify(init));
  assert.deepEqual(init.value, { state: 'open', profile });
  const again = await native.call('vault.init', {});
  assert.equal(again.ok ? 'ok' : again.error.kind, 'vault-exists');

  const created = await native.call('drafts.create', {
    subject: 'Công văn về lịch họp',
    level: 'mat',
    urgency: 'khan',
    recipients: ['000.00.00.G99'],
    metadata: { codeNumber: '15', codeNotation: 'VPCP-TH' },
  });
  assert.ok(created.ok, JSON.stringify(created));
  const content = Buffer.from('Nội dung công văn');
  const added = await native.call('drafts.addDocument', {
    draftId: created.value.id,
    name: 'công văn.txt',
    mediaType: 'text/plain',
    contentBase64: content.toString('base64'),
  });
  assert.ok(added.ok, JSON.stringify(added));
  assert.equal(added.value.documents[0]?.size, content.length);
  const page = await native.call('drafts.list', { search: 'lich hop' });
  assert.ok(page.ok);
  assert.equal(page.value.total, 1);

  events.length = 0;
  const logout = await native.call('session.logout', {});
  assert.ok(logout.ok);
  await vaultChanged('locked', 'logout');
  await assertLocked();
  await assertReleasedWith(['Công văn về lịch họp']);

  await signIn(native);
  await vaultChanged('open');
  const reopened = await native.call('drafts.get', { id: created.value.id });
  assert.ok(reopened.ok, JSON.stringify(reopened));
  assert.equal(reopened.value.subject, 'Công văn về lịch họp');
  assert.deepEqual(reopened.value.metadata, { codeNumber: '15', codeNotation: 'VPCP-TH' });
  // The document's bytes, read back with the recovery key after the next lock.
  await native.call('session.logout', {});
  const { vault } = await openVault(profile, [pki.recovery.key]);
  try {
    const doc = getDraft(vault, created.value.id).documents[0];
    assert.ok(doc);
    assert.deepEqual(await drain(readDraftDocument(vault, created.value.id, doc.id)), content);
  } finally {
    await vault.close();
  }
});

test('removing the token locks the vault at once and releases the profile', async () => {
  await signIn(native);
  await vaultChanged('open');
  control.set({ present: 0 });
  await vaultChanged('locked', 'token-removed');
  await assertLocked();
  await assertReleasedWith(['Công văn về lịch họp']);
  control.set({ present: 1 });
});

test('another token cannot open the vault: locked with vault-key-mismatch, nothing changed', async () => {
  await signIn(native, 'BTP-VANTHU');
  const state = await vaultChanged('locked');
  assert.equal(state.state === 'locked' && state.problem?.kind, 'vault-key-mismatch');
  await assertLocked();
  const init = await native.call('vault.init', {});
  assert.equal(init.ok ? 'ok' : init.error.kind, 'vault-exists', 'no new vault over the old one');
  await assertReleasedWith(['Công văn về lịch họp']);
});

test('the idle lock closes the vault', async () => {
  const idle = startNative({ NIEM_IDLE_LOCK_MINUTES: '0.02' }); // 1.2 s
  await idle.start();
  try {
    await signIn(idle);
    await vaultChanged('open');
    await vaultChanged('locked', 'idle');
    await assertLocked(idle);
    await assertReleasedWith(['Công văn về lịch họp']);
  } finally {
    await idle.stop();
  }
});

test('a native process that dies takes the vault with it: locked, then opened again by a new sign-in', async () => {
  await signIn(native);
  await vaultChanged('open');
  const pid = native.pid;
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  await vaultChanged('locked', 'native-restarted');
  const first = await native.call('vault.state', {}); // waits for the restarted process
  assert.ok(first.ok);
  assert.notEqual(native.pid, pid);
  assert.deepEqual(first.value, { state: 'locked', reason: null, problem: null });
  await assertLocked();
  await signIn(native);
  await vaultChanged('open');
  const page = await native.call('drafts.list', {});
  assert.ok(page.ok && page.value.total === 1, JSON.stringify(page));
});
