/**
 * The sync engine's push, on a real vault against a scripted platform (state machine
 * only; test/exchange runs the real platform): queued → uploading (progress events and
 * stored bytes) → sent with the receipt kept; failures back off exponentially with full
 * jitter, the next attempt stored and kept across a reopen; refused codes become failed
 * with the clerk's action; an untrusted platform fails everything due and waits for the
 * clerk; a receipt that does not match is refused and kept nowhere; a package holding a
 * receipt is never moved back, in code and by the trigger.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { createSyncEngine, type SyncEvent } from '../../native/sync/sync-engine.ts';
import {
  beginUpload,
  dueOutboxRows,
  getOutbox,
  listSent,
  openVault,
  outboxReceipt,
  recordFailure,
  recordRetry,
  requeueFailed,
} from '../../native/vault/index.ts';
import {
  RECIPIENT,
  SECOND,
  US,
  auditActions,
  lastSeq,
  queuePackage,
  setupSync,
  syncSuite,
  type SyncSetup,
} from './sync-engine-fixture.ts';
import { refused, unreachable } from './sync-engine-platform.ts';
import { rejectsWithKind } from './vault-fixture.ts';

const suite = syncSuite();

const setup = (name: string, random = () => 0.5): Promise<SyncSetup> =>
  setupSync(name, suite.keys.clerk, suite.pki, { random });

const outboxEvents = (events: SyncEvent[], id: number) =>
  events.filter(
    (e): e is Extract<SyncEvent, { type: 'outbox' }> => e.type === 'outbox' && e.id === id,
  );

describe('sync engine: push', () => {
  it('uploads queued packages in order: progress, receipt kept, sent', async () => {
    const s = await setup('push');
    try {
      const bytes = randomBytes(300_000);
      const first = await queuePackage(s.vault, bytes);
      const second = await queuePackage(s.vault, randomBytes(10), [RECIPIENT, SECOND], 'toi-mat');
      const seq = lastSeq(s.vault);
      const report = await s.engine.runOnce();
      assert.equal(report.sent, 2);
      assert.equal(report.error, null);
      assert.deepEqual(
        s.platform.calls.filter((c) => c.startsWith('upload')),
        [`upload ${first.sha256.slice(0, 8)}`, `upload ${second.sha256.slice(0, 8)}`],
      );
      const row = getOutbox(s.vault, first.id);
      assert.equal(row.transportState, 'sent');
      assert.equal(row.receipt, true);
      assert.equal(row.bytesDone, bytes.length);
      assert.equal(row.error, null);
      const receipt = outboxReceipt(s.vault, first.id);
      assert.ok(receipt !== undefined);
      assert.equal(JSON.parse(Buffer.from(receipt.der).toString()).sha256, first.sha256);
      const states = outboxEvents(s.events, first.id).map((e) => e.state);
      assert.equal(states[0], 'uploading');
      assert.equal(states.at(-1), 'sent');
      const progress = outboxEvents(s.events, first.id)
        .filter((e) => e.state === 'uploading')
        .map((e) => e.bytesDone);
      assert.ok(progress.length >= 4, 'progress reported as the platform takes the chunks');
      assert.deepEqual(
        progress,
        [...progress].sort((a, b) => a - b),
        'progress only grows',
      );
      assert.equal(progress.at(-1), bytes.length);
      assert.deepEqual(auditActions(s.vault, seq), [
        'outbox.upload',
        'outbox.sent',
        'outbox.upload',
        'outbox.sent',
      ]);
      assert.deepEqual(
        listSent(s.vault).map((x) => [x.id, x.state]),
        [
          [second.id, 'sent'],
          [first.id, 'sent'],
        ].sort((a, b) => Number(b[0]) - Number(a[0])),
      );
      const phases = s.events.filter((e) => e.type === 'sync').map((e) => e.phase);
      assert.equal(phases[0], 'start');
      assert.equal(phases.at(-1), 'end');
    } finally {
      await s.dispose();
    }
  });

  it('backs off with full jitter, stores the next attempt, keeps it across a reopen', async () => {
    const s = await setup('backoff');
    try {
      const { id } = await queuePackage(s.vault, randomBytes(1000));
      s.platform.script = [{ kind: 'throw', error: unreachable() }];
      const t0 = s.clock.now().getTime();
      const report = await s.engine.runOnce();
      assert.equal(report.failures.length, 1);
      let row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'failed-retrying');
      assert.equal(row.error?.kind, 'platform-unreachable');
      assert.equal(row.attempts, 1);
      // attempt 1: uniform in [0, 5 s); random 0.5 → 2.5 s
      assert.equal(Date.parse(row.nextAttemptAt ?? ''), t0 + 2_500);

      // Not due yet: a run does not touch it.
      s.clock.advance(2_000);
      await s.engine.runOnce();
      assert.equal(s.platform.count('upload'), 1);

      // Due: attempt 2 fails too; ceiling 10 s → 5 s.
      s.clock.advance(600);
      s.platform.script = [{ kind: 'throw-after', bytes: 100, error: unreachable() }];
      await s.engine.runOnce();
      row = getOutbox(s.vault, id);
      assert.equal(row.attempts, 2);
      assert.equal(Date.parse(row.nextAttemptAt ?? ''), s.clock.now().getTime() + 5_000);
      assert.ok(
        outboxEvents(s.events, id).some(
          (e) => e.state === 'failed-retrying' && e.nextAttemptAt === row.nextAttemptAt,
        ),
      );

      // The schedule survives a restart: reopen the vault, a new engine waits for it.
      await s.engine.stop();
      await s.vault.close();
      const { vault } = await openVault(s.profile, [suite.keys.clerk.key], { now: s.clock.now });
      s.vault = vault;
      assert.deepEqual(dueOutboxRows(vault, s.clock.now()), []);
      const engine = createSyncEngine({
        vault,
        platform: s.platform,
        organId: US,
        clock: s.clock.now,
        random: () => 0.5,
      });
      s.engine = engine;
      await engine.runOnce();
      assert.equal(s.platform.count('upload'), 2, 'not before its time');
      s.clock.advance(5_000);
      const report3 = await engine.runOnce();
      assert.equal(report3.sent, 1);
      assert.equal(getOutbox(vault, id).transportState, 'sent');
      assert.equal(s.platform.bytesTaken, 1000, 'resumed from the 100 bytes held');
    } finally {
      await s.dispose();
    }
  });

  it('when the clerk asks (retryFailed), a package waiting for its next attempt goes now', async () => {
    const s = await setup('asked');
    try {
      const { id } = await queuePackage(s.vault, randomBytes(100));
      s.platform.script = [{ kind: 'throw', error: unreachable() }];
      await s.engine.runOnce();
      assert.equal(getOutbox(s.vault, id).transportState, 'failed-retrying');
      await s.engine.runOnce();
      assert.equal(s.platform.count('upload'), 1, 'a plain run keeps the schedule');
      const report = await s.engine.runOnce(undefined, { retryFailed: true });
      assert.equal(report.sent, 1);
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
    } finally {
      await s.dispose();
    }
  });

  it('caps the delay at 15 minutes whatever the attempt', async () => {
    const s = await setup('cap', () => 0.999999);
    try {
      const { id } = await queuePackage(s.vault, randomBytes(10));
      for (let i = 0; i < 12; i++) {
        s.platform.script = [{ kind: 'throw', error: unreachable() }];
        await s.engine.runOnce();
        const next = Date.parse(getOutbox(s.vault, id).nextAttemptAt ?? '');
        const delay = next - s.clock.now().getTime();
        assert.ok(delay <= 15 * 60_000, `attempt ${i + 1}: ${delay} ms`);
        if (i >= 9) assert.ok(delay > 14 * 60_000, `attempt ${i + 1} reaches the cap`);
        s.clock.set(new Date(next));
      }
      assert.equal(getOutbox(s.vault, id).attempts, 12);
    } finally {
      await s.dispose();
    }
  });

  it('maps refused codes to failed with the action; the other packages still go', async () => {
    const cases: [string, string][] = [
      ['level-not-approved', 'tell-administrator'],
      ['recipient-not-cleared', 're-seal'],
      ['recipient-unknown', 're-seal'],
      ['malformed-package', 're-seal'],
      ['forbidden', 'tell-administrator'],
    ];
    const s = await setup('refused');
    try {
      const rows: { id: number }[] = [];
      for (const [code] of cases) {
        rows.push(await queuePackage(s.vault, randomBytes(50)));
        s.platform.script.push({ kind: 'throw', error: refused(code, RECIPIENT) });
      }
      const last = await queuePackage(s.vault, randomBytes(50));
      const report = await s.engine.runOnce();
      assert.equal(report.sent, 1);
      assert.equal(getOutbox(s.vault, last.id).transportState, 'sent');
      cases.forEach(([code, action], i) => {
        const row = getOutbox(s.vault, rows[i]?.id ?? 0);
        assert.equal(row.transportState, 'failed', code);
        assert.equal(row.action, action, code);
        assert.deepEqual(row.error?.detail, { code, organId: RECIPIENT });
        assert.equal(row.nextAttemptAt, null);
      });
      assert.deepEqual(
        report.failures.map((f) => [f.state, f.action]),
        cases.map(([, action]) => ['failed', action]),
      );
      // Failed rows wait for the clerk: not retried by a plain run …
      await s.engine.runOnce();
      assert.equal(s.platform.count('upload'), cases.length + 1);
      assert.equal(s.engine.lastReport?.waitingForClerk, cases.length);
      // … but when the clerk asks (retry-failed), they go in line again.
      const retried = await s.engine.runOnce(undefined, { retryFailed: true });
      assert.equal(retried.requeued, cases.length);
      assert.equal(retried.sent, cases.length);
      assert.equal(retried.waitingForClerk, 0);
      assert.ok(auditActions(s.vault).includes('outbox.requeue'));
    } finally {
      await s.dispose();
    }
  });

  it('an untrusted platform fails everything due (tell the administrator) and stops', async () => {
    const s = await setup('untrusted');
    try {
      const a = await queuePackage(s.vault, randomBytes(20));
      const b = await queuePackage(s.vault, randomBytes(20));
      s.platform.script = [
        {
          kind: 'throw',
          error: new NiemError('platform-untrusted', 'self-signed certificate in chain'),
        },
      ];
      const report = await s.engine.runOnce();
      assert.equal(report.error?.kind, 'platform-untrusted');
      assert.equal(s.platform.count('upload'), 1, 'the second package is not tried');
      assert.equal(s.platform.count('mailbox'), 0, 'no pull after a run-stopping failure');
      for (const { id } of [a, b]) {
        const row = getOutbox(s.vault, id);
        assert.deepEqual([row.transportState, row.action], ['failed', 'tell-administrator']);
        assert.equal(row.attempts, 1);
      }
    } finally {
      await s.dispose();
    }
  });

  it('a sign-in that fails leaves every due package failed-retrying with its time', async () => {
    const s = await setup('auth');
    try {
      const a = await queuePackage(s.vault, randomBytes(20));
      s.platform.authError = unreachable();
      const report = await s.engine.runOnce();
      assert.equal(report.error?.kind, 'platform-unreachable');
      const row = getOutbox(s.vault, a.id);
      assert.equal(row.transportState, 'failed-retrying');
      assert.equal(row.attempts, 1);
      assert.ok(row.nextAttemptAt !== null);
      s.platform.authError = undefined;
      s.clock.advance(5_000);
      assert.equal((await s.engine.runOnce()).sent, 1);
    } finally {
      await s.dispose();
    }
  });

  it('refuses a receipt that does not match the package and keeps nothing of it', async () => {
    const s = await setup('bad-receipt');
    try {
      const { id } = await queuePackage(s.vault, randomBytes(64), [RECIPIENT, SECOND]);
      for (const change of [
        { sha256: 'f'.repeat(64) },
        { recipients: [RECIPIENT] },
        { sender: SECOND },
        { level: 'thuong' as const },
        { size: 63 },
      ]) {
        s.platform.script = [{ kind: 'receipt', change }];
        await s.engine.runOnce();
        const row = getOutbox(s.vault, id);
        assert.equal(row.transportState, 'failed-retrying', JSON.stringify(change));
        assert.equal(row.error?.kind, 'platform-bad-reply');
        assert.equal(outboxReceipt(s.vault, id), undefined);
        s.clock.advance(15 * 60_000);
      }
      await s.engine.runOnce();
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
    } finally {
      await s.dispose();
    }
  });

  it('never moves a package holding a receipt back (code and trigger)', async () => {
    const s = await setup('kept');
    try {
      const { id } = await queuePackage(s.vault, randomBytes(64));
      await s.engine.runOnce();
      const receipt = outboxReceipt(s.vault, id);
      const error = { kind: 'platform-unreachable' as const, message: 'x' };
      await rejectsWithKind(() => beginUpload(s.vault, id), 'internal');
      await rejectsWithKind(
        () => recordRetry(s.vault, id, error, new Date().toISOString()),
        'internal',
      );
      await rejectsWithKind(() => recordFailure(s.vault, id, error, 'retry'), 'internal');
      assert.deepEqual(requeueFailed(s.vault), []);
      assert.throws(
        () =>
          s.vault.database
            .prepare(
              `UPDATE outbox SET transport_state = 'queued', receipt = NULL, receipt_at = NULL WHERE id = ?`,
            )
            .run(id),
        /receipt stays sent or delivered/,
      );
      // A later run with a failing platform does not touch it either.
      s.platform.authError = unreachable();
      await s.engine.runOnce(undefined, { retryFailed: true });
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
      assert.deepEqual(outboxReceipt(s.vault, id), receipt);
    } finally {
      await s.dispose();
    }
  });
});
