/**
 * The sync engine against the real platform (platform/server over TLS on 127.0.0.1, the
 * SQLite store) with the real client (native/sync/platform-client.ts) and real sealed
 * packages: a package goes out and its receipt, verified by the client, is kept; the
 * recipient's signed 01 and 03, relayed by the platform, make it delivered; the platform
 * refuses a recipient not cleared (failed, re-seal); a platform that is down leaves the
 * package failed-retrying and a restarted one takes it; an upload stopped midway resumes
 * from the chunks the platform holds after the vault is reopened; a platform whose TLS
 * certificate the profile does not trust fails what is due (tell the administrator).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSyncEngine } from '../../native/sync/sync-engine.ts';
import type { SyncEvent } from '../../native/sync/sync-engine.ts';
import { getOutbox, openVault, outboxReceipt, type Vault } from '../../native/vault/index.ts';
import {
  RECIPIENT,
  SECOND,
  US,
  clerkOf,
  fakeClock,
  makeSyncPki,
  senderVault,
  signedNotice,
  until,
  type FakeClock,
  type SyncPki,
} from './sync-engine-fixture.ts';
import {
  clientFor,
  importTestDirectory,
  makePlatformKeys,
  sealForTest,
  startRealPlatform,
  type PlatformKeys,
  type RealPlatform,
} from './sync-engine-real-fixture.ts';
import { makeVaultPki, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: SyncPki;
let keys: VaultPki;
let platformKeys: PlatformKeys;
before(() => {
  pki = makeSyncPki();
  keys = makeVaultPki();
  platformKeys = makePlatformKeys(pki);
});
after(() => {
  pki.dispose();
  keys.dispose();
});

interface Sender {
  vault: Vault;
  clock: FakeClock;
  profile: string;
  dispose: () => Promise<void>;
}

async function sender(name: string): Promise<Sender> {
  const temp = tempProfile(`sync-real-${name}`);
  const clock = fakeClock();
  const vault = await senderVault(temp.profile, keys.clerk, pki, clock);
  importTestDirectory(vault, pki);
  const s: Sender = {
    vault,
    clock,
    profile: temp.profile,
    dispose: async () => {
      await s.vault.close();
      temp.dispose();
    },
  };
  return s;
}

function engineFor(s: Sender, url: string, events: SyncEvent[] = [], anchors?: Uint8Array[]) {
  const platform = clientFor(pki, url, US, anchors);
  const engine = createSyncEngine({
    vault: s.vault,
    platform,
    organId: US,
    clock: s.clock.now,
    onEvent: (e) => events.push(e),
    sendNotices: false,
  });
  return {
    engine,
    platform,
    close: async () => {
      await engine.stop();
      await platform.close();
    },
  };
}

describe('sync engine with the real platform over TLS', () => {
  let platform: RealPlatform;
  before(async () => {
    platform = await startRealPlatform(pki, platformKeys);
  });
  after(async () => {
    await platform.dispose();
  });

  it('sends a sealed package, keeps the receipt, and is delivered by the signed 01 and 03', async () => {
    const s = await sender('deliver');
    const events: SyncEvent[] = [];
    const { engine, close } = engineFor(s, platform.url, events);
    const recipient = clientFor(pki, platform.url, RECIPIENT);
    try {
      const sealed = await sealForTest(s.vault, pki, [RECIPIENT]);
      const report = await engine.runOnce();
      assert.equal(report.error, null, JSON.stringify(report.error));
      assert.equal(report.sent, 1);
      const row = getOutbox(s.vault, sealed.outboxId);
      assert.equal(row.transportState, 'sent');
      assert.equal(row.bytesDone, sealed.bytes);
      const receipt = outboxReceipt(s.vault, sealed.outboxId);
      assert.ok(receipt !== undefined && receipt.der.length > 100, 'the signed receipt is kept');
      const uploading = events.filter((e) => e.type === 'outbox' && e.state === 'uploading');
      assert.ok(uploading.length >= 3, 'progress as chunks are acknowledged');

      // The recipient finds it in its mailbox and sends 01, then 03.
      const mailbox = await recipient.mailbox(undefined);
      assert.deepEqual(
        mailbox.entries.map((e) => (e.kind === 'package' ? e.sha256 : e.kind)),
        [sealed.packageSha256],
      );
      const clerk = clerkOf(pki, RECIPIENT);
      await recipient.postNotice(await signedNotice(clerk, { sha256: sealed.packageSha256 }));
      await recipient.postNotice(
        await signedNotice(clerk, {
          sha256: sealed.packageSha256,
          status: '03',
          register: { year: 2026, number: 1 },
        }),
      );
      const second = await engine.runOnce();
      assert.equal(second.error, null, JSON.stringify(second.error));
      assert.deepEqual([second.notices, second.delivered], [2, 1]);
      const delivered = getOutbox(s.vault, sealed.outboxId);
      assert.equal(delivered.transportState, 'delivered');
      assert.deepEqual(
        delivered.notices.map((n) => n.status),
        ['01', '03'],
      );
      // Nothing more: a third run changes nothing.
      const third = await engine.runOnce();
      assert.deepEqual([third.sent, third.notices, third.error], [0, 0, null]);
    } finally {
      await recipient.close();
      await close();
      await s.dispose();
    }
  });

  it('a recipient the platform has not cleared: failed, re-seal, naming the agency', async () => {
    const s = await sender('refused');
    const { engine, close } = engineFor(s, platform.url);
    try {
      const sealed = await sealForTest(s.vault, pki, [SECOND], 'toi-mat', 10_000);
      const report = await engine.runOnce();
      const row = getOutbox(s.vault, sealed.outboxId);
      assert.equal(row.transportState, 'failed');
      assert.equal(row.action, 're-seal');
      assert.equal(row.error?.kind, 'platform-refused');
      assert.deepEqual(row.error?.detail, { code: 'recipient-not-cleared', organId: SECOND });
      assert.equal(report.failures.length, 1);
    } finally {
      await close();
      await s.dispose();
    }
  });

  it('the platform down: failed-retrying; restarted: the package goes', async () => {
    const s = await sender('down');
    const { engine, close } = engineFor(s, platform.url);
    try {
      const sealed = await sealForTest(s.vault, pki, [RECIPIENT], 'mat', 50_000);
      await platform.stop();
      const report = await engine.runOnce();
      assert.equal(report.error?.kind, 'platform-unreachable');
      const row = getOutbox(s.vault, sealed.outboxId);
      assert.equal(row.transportState, 'failed-retrying');
      assert.ok(row.nextAttemptAt !== null);
      await platform.restart();
      s.clock.advance(15 * 60_000);
      const again = await engine.runOnce();
      assert.equal(again.error, null, JSON.stringify(again.error));
      assert.equal(getOutbox(s.vault, sealed.outboxId).transportState, 'sent');
    } finally {
      await close();
      await s.dispose();
    }
  });

  it('an upload stopped midway resumes from the chunks the platform holds', async () => {
    const s = await sender('resume');
    const events: SyncEvent[] = [];
    let run = engineFor(s, platform.url, events);
    try {
      const sealed = await sealForTest(s.vault, pki, [RECIPIENT], 'mat', 3_000_000);
      const first = run.engine.runOnce();
      await until(() =>
        events.some(
          (e) => e.type === 'outbox' && e.state === 'uploading' && e.bytesDone > 1_000_000,
        ),
      );
      await run.close();
      const stopped = await first;
      assert.equal(stopped.aborted, true);
      const row = getOutbox(s.vault, sealed.outboxId);
      assert.equal(row.transportState, 'uploading');
      assert.ok(row.bytesDone > 0);

      // A restart: the vault reopened, a new client and engine.
      await s.vault.close();
      s.vault = (await openVault(s.profile, [keys.clerk.key], { now: s.clock.now })).vault;
      const resumed: SyncEvent[] = [];
      run = engineFor(s, platform.url, resumed);
      const report = await run.engine.runOnce();
      assert.equal(report.error, null, JSON.stringify(report.error));
      assert.equal(report.sent, 1);
      const firstProgress = resumed.find(
        (e) => e.type === 'outbox' && e.state === 'uploading' && e.bytesDone > 0,
      );
      assert.ok(
        firstProgress?.type === 'outbox' && firstProgress.bytesDone < sealed.bytes,
        'progress starts from what the platform held',
      );
      const done = getOutbox(s.vault, sealed.outboxId);
      assert.equal(done.transportState, 'sent');
      assert.equal(done.attempts, 2);
    } finally {
      await run.close();
      await s.dispose();
    }
  });

  it('a platform certificate the profile does not trust: failed, tell the administrator', async () => {
    const s = await sender('untrusted');
    const other = makeSyncPki();
    const { engine, close } = engineFor(s, platform.url, [], [other.ca]);
    try {
      const sealed = await sealForTest(s.vault, pki, [RECIPIENT], 'mat', 1000);
      const report = await engine.runOnce();
      assert.equal(report.error?.kind, 'platform-untrusted');
      const row = getOutbox(s.vault, sealed.outboxId);
      assert.deepEqual([row.transportState, row.action], ['failed', 'tell-administrator']);
    } finally {
      other.dispose();
      await close();
      await s.dispose();
    }
  });
});
