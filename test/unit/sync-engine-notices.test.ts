/**
 * Notices about the packages we sent, through the sync engine's pull (scripted platform,
 * real vault, real signatures): an 01 from the recipient delivers the package, later
 * notices (03 with its register number) are kept too, the same notice twice is kept once,
 * and with two recipients the package is delivered when both answered. Forged notices
 * (another root), notices from an agency that is not a recipient, for a package we did
 * not send, signed by another agency than `from`, addressed to someone else, or not a
 * statement at all are refused: nothing recorded, the refusal audited, the mailbox
 * acknowledged past them. A package whose receipt answer was lost is asked again when
 * its 01 comes, so it ends delivered, never failed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { getOutbox, outboxNotices } from '../../native/vault/index.ts';
import {
  OUTSIDER,
  RECIPIENT,
  SECOND,
  auditActions as actionsSince,
  lastSeq,
  clerkOf,
  queuePackage,
  setupSync,
  syncSuite,
  signedNotice,
  type SyncSetup,
} from './sync-engine-fixture.ts';

const suite = syncSuite();

const noticeCount = (s: SyncSetup): number =>
  s.vault.database.prepare('SELECT count(*) FROM outbox_notices').pluck().get() as number;

describe('sync engine: notices', () => {
  it('01 delivers, 03 is kept too, the same notice twice is kept once', async () => {
    const s = await setupSync('notice-01', suite.keys.clerk, suite.pki);
    try {
      const { id, sha256 } = await queuePackage(s.vault, randomBytes(500));
      await s.engine.runOnce();
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
      const recipient = suite.pki.clerks[RECIPIENT];
      assert.ok(recipient);
      const arrived = await signedNotice(recipient, { sha256 });
      s.platform.addNotice(arrived);
      const seq = lastSeq(s.vault);
      let report = await s.engine.runOnce();
      assert.deepEqual([report.notices, report.delivered], [1, 1]);
      let row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'delivered');
      assert.ok(row.deliveredAt !== null);
      assert.deepEqual(actionsSince(s.vault, seq), ['outbox.notice', 'outbox.delivered']);

      const registered = await signedNotice(recipient, {
        sha256,
        status: '03',
        register: { year: 2026, number: 17 },
      });
      s.platform.addNotice(registered);
      s.platform.addNotice(arrived); // relayed twice
      report = await s.engine.runOnce();
      assert.equal(report.notices, 1);
      row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'delivered');
      assert.deepEqual(
        row.notices.map((n) => [n.status, n.from]),
        [
          ['01', RECIPIENT],
          ['03', RECIPIENT],
        ],
      );
      const held = outboxNotices(s.vault, id);
      assert.deepEqual(held[1]?.register, { year: 2026, number: 17 });
      assert.match(held[0]?.signer ?? '', /^Văn thư c1 #/);
      assert.equal(s.platform.acked, s.platform.entries.at(-1)?.cursor);
      const events = s.events.filter((e) => e.type === 'notice');
      assert.ok(events.every((e) => e.type === 'notice' && e.accepted));
    } finally {
      await s.dispose();
    }
  });

  it('with two recipients, delivered once both answered', async () => {
    const s = await setupSync('notice-two', suite.keys.clerk, suite.pki);
    try {
      const { id, sha256 } = await queuePackage(s.vault, randomBytes(50), [RECIPIENT, SECOND]);
      await s.engine.runOnce();
      s.platform.addNotice(await signedNotice(clerkOf(suite.pki, RECIPIENT), { sha256 }));
      await s.engine.runOnce();
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
      s.platform.addNotice(
        await signedNotice(clerkOf(suite.pki, SECOND), {
          sha256,
          from: SECOND,
          status: '02',
          reason: 'Sai nơi nhận',
        }),
      );
      const report = await s.engine.runOnce();
      assert.equal(report.delivered, 1);
      assert.equal(getOutbox(s.vault, id).transportState, 'delivered');
      assert.equal(outboxNotices(s.vault, id)[1]?.reason, 'Sai nơi nhận');
    } finally {
      await s.dispose();
    }
  });

  it('refuses forged, misaddressed and foreign notices; records nothing of them', async () => {
    const s = await setupSync('notice-refused', suite.keys.clerk, suite.pki);
    try {
      const { id, sha256 } = await queuePackage(s.vault, randomBytes(50));
      await s.engine.runOnce();
      const recipient = clerkOf(suite.pki, RECIPIENT);
      const cases: [string, Uint8Array][] = [
        ['untrusted', await signedNotice(suite.pki.forger, { sha256 })],
        [
          'not-a-recipient',
          await signedNotice(clerkOf(suite.pki, OUTSIDER), { sha256, from: OUTSIDER }),
        ],
        ['unknown-package', await signedNotice(recipient, { sha256: 'ab'.repeat(32) })],
        ['signer-not-sender', await signedNotice(clerkOf(suite.pki, SECOND), { sha256 })],
        ['not-for-us', await signedNotice(recipient, { sha256, to: SECOND })],
        ['malformed', new Uint8Array(Buffer.from('not a statement'))],
      ];
      for (const [, der] of cases) s.platform.addNotice(der);
      const seq = lastSeq(s.vault);
      const report = await s.engine.runOnce();
      assert.deepEqual(
        report.refusedNotices.map((r) => r.refusal),
        cases.map(([refusal]) => refusal),
      );
      assert.equal(report.notices, 0);
      assert.equal(noticeCount(s), 0);
      assert.equal(getOutbox(s.vault, id).transportState, 'sent');
      assert.deepEqual(
        actionsSince(s.vault, seq),
        cases.map(() => 'notice.refused'),
      );
      assert.equal(s.platform.acked, s.platform.entries.at(-1)?.cursor, 'acknowledged past them');
      const refusals = s.events.filter((e) => e.type === 'notice' && !e.accepted);
      assert.equal(refusals.length, cases.length);
      // The audit entry says why, never the statement's text; an unverified one, not even who.
      const details = (
        s.vault.database
          .prepare(`SELECT detail FROM audit WHERE action = 'notice.refused' ORDER BY seq`)
          .pluck()
          .all() as string[]
      ).map((d) => Object.keys(JSON.parse(d) as object).sort());
      assert.deepEqual(details[0], ['cursor', 'refusal']);
      assert.deepEqual(details[1], ['cursor', 'from', 'refusal', 'status', 'to']);
    } finally {
      await s.dispose();
    }
  });

  it('a lost receipt answer: the 01 brings the receipt back, delivered, never failed', async () => {
    const s = await setupSync('notice-lost', suite.keys.clerk, suite.pki);
    try {
      const bytes = randomBytes(200_000);
      const { id, sha256 } = await queuePackage(s.vault, bytes);
      s.platform.script = [{ kind: 'lost-answer' }];
      await s.engine.runOnce();
      assert.equal(getOutbox(s.vault, id).transportState, 'failed-retrying');
      // The recipient got it and said so before our next attempt was due.
      s.platform.addNotice(await signedNotice(clerkOf(suite.pki, RECIPIENT), { sha256 }));
      const report = await s.engine.runOnce();
      const row = getOutbox(s.vault, id);
      assert.equal(row.transportState, 'delivered');
      assert.equal(row.receipt, true);
      assert.deepEqual([report.sent, report.delivered], [1, 1]);
      assert.equal(s.platform.bytesTaken, bytes.length, 'no byte sent twice');
    } finally {
      await s.dispose();
    }
  });
});
