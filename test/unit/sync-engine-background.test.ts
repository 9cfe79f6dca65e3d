/**
 * The sync engine over time (scripted platform, real vault): an upload stopped midway
 * stays `uploading` with the bytes the platform holds and, after the vault is reopened
 * by a new engine (a restart), resumes from there, no byte sent twice; an upload left
 * `uploading` by a process that died resumes the same way; a transfer that stops making
 * progress is cut (failed-retrying, platform-unreachable) and time limits grow with size;
 * the background loop runs at start, at wake() and after the interval, one run at a time,
 * and stop() ends it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { transferTimeoutMs } from '../../native/sync/sync-backoff.ts';
import { createSyncEngine } from '../../native/sync/sync-engine.ts';
import { beginUpload, getOutbox, openVault } from '../../native/vault/index.ts';
import {
  US,
  queuePackage,
  setupSync,
  syncSuite,
  until,
  type SyncSetup,
} from './sync-engine-fixture.ts';

const suite = syncSuite();

/** Closes the vault, reopens it and builds a new engine on it, as a restarted app does. */
async function restart(s: SyncSetup): Promise<void> {
  await s.engine.stop();
  await s.vault.close();
  s.vault = (await openVault(s.profile, [suite.keys.clerk.key], { now: s.clock.now })).vault;
  s.engine = createSyncEngine({
    vault: s.vault,
    platform: s.platform,
    organId: US,
    clock: s.clock.now,
    onEvent: (e) => s.events.push(e),
  });
}

describe('sync engine: resume, limits, background', () => {
  it('an upload stopped midway resumes after a restart from what the platform holds', async () => {
    const s = await setupSync('resume', suite.keys.clerk, suite.pki);
    try {
      const bytes = randomBytes(1_000_000);
      const { id } = await queuePackage(s.vault, bytes);
      s.platform.script = [{ kind: 'hang-after', bytes: 400_000 }];
      const run = s.engine.runOnce();
      await until(() => s.platform.bytesTaken >= 400_000);
      await s.engine.stop();
      const report = await run;
      assert.equal(report.aborted, true);
      const row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'uploading', 'a stop is not a failure');
      assert.equal(row.bytesDone, 400_000, 'the bytes the platform holds are kept');
      assert.equal(row.error, null);

      await restart(s);
      assert.equal(getOutbox(s.vault, id).transportState, 'uploading');
      const resumed = await s.engine.runOnce();
      assert.equal(resumed.sent, 1);
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
      assert.equal(s.platform.bytesTaken, bytes.length, 'each byte once');
      assert.equal(getOutbox(s.vault, id).attempts, 2);
    } finally {
      await s.dispose();
    }
  });

  it('an upload a dead process left uploading resumes at the next run', async () => {
    const s = await setupSync('died', suite.keys.clerk, suite.pki);
    try {
      const { id } = await queuePackage(s.vault, randomBytes(5000));
      beginUpload(s.vault, id); // the process died right after
      await restart(s);
      const report = await s.engine.runOnce();
      assert.equal(report.sent, 1);
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
    } finally {
      await s.dispose();
    }
  });

  it('cuts a transfer that stops making progress; limits grow with size', async () => {
    assert.equal(transferTimeoutMs(0), 60_000);
    assert.equal(transferTimeoutMs(1024 ** 3), 60_000 + 16_384_000, '1 GiB at 64 KiB/s');
    assert.ok(transferTimeoutMs(2 * 1024 ** 3) > transferTimeoutMs(1024 ** 3));
    const s = await setupSync('stall', suite.keys.clerk, suite.pki, { limits: { stallMs: 100 } });
    try {
      const { id } = await queuePackage(s.vault, randomBytes(300_000));
      s.platform.script = [{ kind: 'hang-after', bytes: 70_000 }];
      const report = await s.engine.runOnce();
      assert.equal(report.aborted, false);
      const row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'failed-retrying');
      assert.equal(row.error?.kind, 'platform-unreachable');
      assert.match(row.error?.message ?? '', /no progress/);
      assert.ok(row.bytesDone >= 65_536, 'what the platform took is kept');
    } finally {
      await s.dispose();
    }
  });

  it('runs in the background: at start, on wake(), one run at a time; stop() ends it', async () => {
    const s = await setupSync('background', suite.keys.clerk, suite.pki, { intervalMs: 3_600_000 });
    try {
      s.engine.start();
      await until(() => s.engine.lastReport !== undefined);
      const { id } = await queuePackage(s.vault, randomBytes(100_000));
      s.engine.wake();
      await until(() => getOutbox(s.vault, id).transportState === 'sent');
      // Runs asked for while the loop runs wait their turn.
      const more = await Promise.all([
        queuePackage(s.vault, randomBytes(50_000)),
        queuePackage(s.vault, randomBytes(50_000)),
      ]);
      s.engine.wake();
      const reports = await Promise.all([s.engine.runOnce(), s.engine.runOnce()]);
      assert.equal(reports.reduce((n, r) => n + r.sent, 0) >= 1, true);
      await until(() => more.every((m) => getOutbox(s.vault, m.id).transportState === 'sent'));
      assert.equal(s.platform.maxActive, 1, 'never two uploads at once');
      const runs = s.events.filter((e) => e.type === 'sync' && e.phase === 'start').length;
      await s.engine.stop();
      assert.equal(s.engine.running, false);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(
        s.events.filter((e) => e.type === 'sync' && e.phase === 'start').length,
        runs,
        'nothing runs after stop()',
      );
    } finally {
      await s.dispose();
    }
  });

  it('retries by itself when a package is due, without waiting for the interval', async () => {
    const s = await setupSync('due', suite.keys.clerk, suite.pki, {
      intervalMs: 3_600_000,
      clock: () => new Date(),
      backoff: { baseMs: 200, capMs: 200 },
    });
    try {
      const { id } = await queuePackage(s.vault, randomBytes(1000));
      s.platform.script = [{ kind: 'throw', error: new Error('socket hang up') }];
      s.engine.start();
      await until(() => getOutbox(s.vault, id).transportState === 'sent', 5_000);
      assert.equal(getOutbox(s.vault, id).attempts, 2);
    } finally {
      await s.dispose();
    }
  });
});
