// The audit trail of the vault in the real native process (token host on the
// fault-injecting module over SoftHSM2), as the CLI keeps it: every entry names the
// signed-in token certificate's `CN #serial`, the token's identity is recorded once, and
// a sign-out or the idle lock ends with a checkpoint signed by the token over the last
// entry, written before the vault closes. Pulling the token leaves the session's entries
// unsigned (the token is gone); the next sign-out's checkpoint covers them. Checked by
// opening the profile afterwards with the agency recovery key and verifying the trail
// against the identities' certificates.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, VaultState } from '../../native/api/contract.ts';
import { verifyAudit } from '../../native/audit/index.ts';
import { childSpawner } from '../../native/host/child-spawner.ts';
import { NativeSupervisor } from '../../native/host/supervisor.ts';
import { actorOf, identityCertificates, openVault } from '../../native/vault/index.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { makeVaultPki, type VaultPki } from '../unit/vault-fixture.ts';
import { FaultControl, faultModule } from './helpers/fault-fixture.ts';
import { buildDemo, tempDir } from './helpers/softhsm-fixture.ts';

let dir: ReturnType<typeof tempDir>;
let demo: DemoManifest;
let control: FaultControl;
let pki: VaultPki;
let native: NativeSupervisor;
let profile: string;
let settingsFile: string;
let vpcp: DemoManifest['tokens'][number];
let vpcpCertificate: Buffer;
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
  dir = tempDir('niem-vault-audit-');
  demo = buildDemo(dir.path);
  const token = demo.tokens.find((t) => t.label === 'VPCP-VANTHU');
  assert.ok(token);
  vpcp = token;
  vpcpCertificate = new X509Certificate(readFileSync(token.certificatePem)).raw;
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

async function signIn(supervisor: NativeSupervisor): Promise<void> {
  const listed = await supervisor.call('tokens.list', {});
  assert.ok(listed.ok, JSON.stringify(listed));
  const id = listed.value.find((t) => t.label === vpcp.label)?.id;
  assert.ok(id, `${vpcp.label} listed`);
  const login = await supervisor.call('session.login', { token: id, pin: vpcp.pin });
  assert.ok(login.ok, JSON.stringify(login));
}

/** Waits for `vault.changed` with `state` (and `reason` when given). */
async function vaultChanged(state: VaultState['state'], reason?: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = events.some((e) => {
      if (e.name !== 'vault.changed') return false;
      const s = (e.payload as { state: VaultState }).state;
      return s.state === state && (reason === undefined || ('reason' in s && s.reason === reason));
    });
    if (found) return;
    if (Date.now() > deadline) assert.fail(`no vault.changed ${state} ${reason ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Trail {
  entries: { seq: number; actor: string; action: string }[];
  checkpoints: { seq: number; at: string; certificate: Buffer }[];
  report: ReturnType<typeof verifyAudit>;
  identities: number;
}

/** The profile's trail, read with the recovery key after the native process released it. */
async function readTrail(): Promise<Trail> {
  const { vault } = await openVault(profile, [pki.recovery.key]);
  try {
    const db = vault.database;
    return {
      entries: db
        .prepare('SELECT seq, actor, action FROM audit ORDER BY seq')
        .all() as Trail['entries'],
      checkpoints: db
        .prepare('SELECT seq, at, certificate FROM audit_checkpoint ORDER BY seq')
        .all() as Trail['checkpoints'],
      report: verifyAudit(db, { trustedCertificates: identityCertificates(vault) }),
      identities: db.prepare('SELECT count(*) FROM identities').pluck().get() as number,
    };
  } finally {
    await vault.close();
  }
}

const lastSeq = (trail: Trail): number => trail.entries.at(-1)?.seq ?? 0;

test('sign-out: every entry names the token, and the token-signed checkpoint covers the last one', async () => {
  await signIn(native);
  await vaultChanged('absent');
  const init = await native.call('vault.init', {});
  assert.ok(init.ok, JSON.stringify(init));
  const created = await native.call('drafts.create', {
    subject: 'Công văn về lịch trực',
    level: 'mat',
    recipients: ['000.00.00.G99'],
  });
  assert.ok(created.ok, JSON.stringify(created));
  const id = created.value.id;
  const updated = await native.call('drafts.update', {
    id,
    fields: { subject: 'Công văn về lịch trực Tết', level: 'toi-mat', recipients: [] },
  });
  assert.ok(updated.ok, JSON.stringify(updated));
  const added = await native.call('drafts.addDocument', {
    draftId: id,
    name: 'lịch.txt',
    contentBase64: Buffer.from('Lịch trực').toString('base64'),
  });
  assert.ok(added.ok, JSON.stringify(added));
  const documentId = added.value.documents[0]?.id;
  assert.ok(documentId);
  const removed = await native.call('drafts.removeDocument', { draftId: id, documentId });
  assert.ok(removed.ok, JSON.stringify(removed));
  const logout = await native.call('session.logout', {});
  assert.ok(logout.ok);
  await vaultChanged('locked', 'logout');

  const trail = await readTrail();
  assert.deepEqual(
    trail.entries.map((e) => e.action),
    ['identity.add', 'draft.create', 'draft.update', 'draft.document-add', 'draft.document-remove'],
  );
  const actor = actorOf(vpcpCertificate);
  assert.match(actor, / #[0-9A-F]+$/);
  assert.ok(
    trail.entries.every((e) => e.actor === actor),
    `every entry by ${actor}`,
  );
  assert.equal(trail.report.ok, true, JSON.stringify(trail.report));
  assert.equal(trail.report.signerTrust, 'checked');
  assert.equal(trail.report.coveredSeq, lastSeq(trail));
  assert.equal(trail.report.uncovered, 0);
  assert.equal(trail.checkpoints.at(-1)?.seq, lastSeq(trail));
  assert.ok(trail.checkpoints.at(-1)?.certificate.equals(vpcpCertificate), 'signed by the token');
  assert.equal(trail.identities, 1);
});

test('token removal: no checkpoint (the token is gone); the next sign-out covers the entries', async () => {
  await signIn(native);
  await vaultChanged('open');
  const created = await native.call('drafts.create', {
    subject: 'Báo cáo nhanh',
    level: 'thuong',
    recipients: [],
  });
  assert.ok(created.ok, JSON.stringify(created));
  control.set({ present: 0 });
  await vaultChanged('locked', 'token-removed');

  const unsigned = await readTrail();
  assert.equal(unsigned.entries.at(-1)?.action, 'draft.create');
  assert.equal(unsigned.report.ok, true, 'intact, only not yet signed');
  assert.equal(unsigned.report.uncovered, 1);
  assert.ok(unsigned.report.coveredSeq < lastSeq(unsigned));
  assert.equal(unsigned.identities, 1, 'the same token is recorded once');

  control.set({ present: 1 });
  events.length = 0;
  await signIn(native);
  await vaultChanged('open');
  await native.call('session.logout', {});
  await vaultChanged('locked', 'logout');
  const signed = await readTrail();
  assert.equal(lastSeq(signed), lastSeq(unsigned), 'signing in and out adds no entry');
  assert.equal(signed.report.coveredSeq, lastSeq(signed));
  assert.equal(signed.report.uncovered, 0);
});

test('the idle lock signs a checkpoint before the vault closes and the token logs out', async () => {
  const before = await readTrail();
  const idle = startNative({ NIEM_IDLE_LOCK_MINUTES: '0.02' }); // 1.2 s
  await idle.start();
  try {
    const signedInAt = new Date().toISOString();
    await signIn(idle);
    await vaultChanged('locked', 'idle');
    // The profile is released only once the vault closed, after the checkpoint.
    const trail = await readTrail();
    assert.equal(lastSeq(trail), lastSeq(before));
    const checkpoint = trail.checkpoints.at(-1);
    assert.equal(checkpoint?.seq, lastSeq(trail));
    assert.ok((checkpoint?.at ?? '') >= signedInAt, 'signed again at the idle lock');
    assert.ok(checkpoint?.certificate.equals(vpcpCertificate));
    assert.equal(trail.report.ok, true);
    assert.equal(trail.report.uncovered, 0);
  } finally {
    await idle.stop();
  }
});
