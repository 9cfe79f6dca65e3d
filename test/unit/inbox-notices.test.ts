/**
 * The notices we sign back to the sender agency: 01 and 03 after an arrival, each
 * verifying with verifyStatement (signed by our clerk, our agency to theirs, the package's
 * hash and level, the register number with 03); signed once and re-sent byte for byte
 * after a failure and a crash; a notice the platform refuses is kept refused and the next
 * goes; the clerk's statuses (refuse with a reason, 04/05/06) in the business's order,
 * with a notice only for packages that came from the platform; a status recorded without
 * its notice (a crash in between) gets it signed later; the signed bytes never change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyStatement, type VerifiedStatement } from '../../native/exchange/signed-statement.ts';
import { receivePackage, type ReceiveOptions } from '../../native/sync/inbox-arrival.ts';
import {
  changeInboxStatus,
  queueNotices,
  sendPendingNotices,
  type NoticeIdentity,
} from '../../native/sync/notices-out.ts';
import {
  addInboxStatus,
  importInbox,
  inboxNotices,
  inboxStatusHistory,
  initVault,
  noticeDer,
  openVault,
  type Vault,
} from '../../native/vault/index.ts';
import {
  MemoryPlatform,
  RECEIVER_ORG,
  SENDER_ORG,
  entryFor,
  makeArrivalPki,
  sealTestPackage,
  type ArrivalPki,
} from './inbox-fixture.ts';
import { rejectsWithKind, tempProfile } from './vault-fixture.ts';

let pki: ArrivalPki;
before(() => {
  pki = makeArrivalPki();
});
after(() => pki.dispose());

const identity = (): NoticeIdentity => ({
  signer: pki.receiver.signer,
  organId: RECEIVER_ORG,
  certificates: [pki.issuing],
});

const options = (): ReceiveOptions => ({
  keys: [pki.keys.clerk.key],
  trustAnchors: [pki.root],
  ...identity(),
});

async function delivered(
  vault: Vault,
  platform: MemoryPlatform,
  subject: string,
  cursor = '1',
): Promise<{ id: number; sha256: string }> {
  const bytes = await sealTestPackage(pki, {
    level: 'mat',
    subject,
    documents: [{ name: 'a.txt', content: Buffer.from(subject) }],
  });
  const entry = entryFor(bytes, 'mat', SENDER_ORG, cursor);
  platform.packages.set(entry.sha256, bytes);
  const received = await receivePackage(vault, entry, platform, options());
  return { id: received.inboxId as number, sha256: entry.sha256 };
}

const state = (vault: Vault, id: number) =>
  inboxNotices(vault, id).map((n) => [n.status, n.state, n.attempts]);

describe('notices to the sender', () => {
  it('are signed once, verify, and are re-sent byte for byte after a failure and a crash', async () => {
    const t = tempProfile('notices-once');
    let vault: Vault | undefined;
    try {
      vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
      const platform = new MemoryPlatform();
      const pkg = await delivered(vault, platform, 'Công văn số 1');
      const notices = inboxNotices(vault, pkg.id);
      assert.deepEqual(
        notices.map((n) => [n.status, n.to, n.state]),
        [
          ['01', SENDER_ORG, 'queued'],
          ['03', SENDER_ORG, 'queued'],
        ],
      );
      const year = new Date().getUTCFullYear();
      for (const [i, n] of notices.entries()) {
        const v: VerifiedStatement<'niem-notice'> = await verifyStatement(noticeDer(vault, n.id), {
          type: 'niem-notice',
          trustAnchors: [pki.root],
        });
        assert.equal(v.organId, RECEIVER_ORG);
        assert.equal(v.level, 'mat');
        assert.deepEqual(
          { ...v.statement, at: undefined },
          {
            type: 'niem-notice',
            version: 1,
            sha256: pkg.sha256,
            status: i === 0 ? '01' : '03',
            from: RECEIVER_ORG,
            to: SENDER_ORG,
            at: undefined,
            ...(i === 1 ? { register: { year, number: 1 } } : {}),
          },
        );
      }

      // 01 goes, 03 meets an unreachable platform: it stays queued.
      platform.noticeReplies.push('ok', 'unreachable');
      await rejectsWithKind(sendPendingNotices(vault, platform), 'platform-unreachable');
      assert.deepEqual(state(vault, pkg.id), [
        ['01', 'sent', 1],
        ['03', 'queued', 1],
      ]);
      const firstTry = platform.posted[1];

      // The client dies; after the restart nothing is signed again and 03 goes as it was.
      vault.database.close();
      ({ vault } = await openVault(t.profile, [pki.keys.clerk.key]));
      assert.equal(await queueNotices(vault, identity()), 0);
      assert.deepEqual(await sendPendingNotices(vault, platform), {
        sent: 1,
        refused: 0,
        pending: 0,
      });
      assert.equal(platform.posted.length, 3);
      assert.deepEqual(platform.posted[2], firstTry, 'the same bytes');
      assert.deepEqual(platform.posted[2], Buffer.from(noticeDer(vault, notices[1]?.id as number)));
      assert.deepEqual(await sendPendingNotices(vault, platform), {
        sent: 0,
        refused: 0,
        pending: 0,
      });
      assert.equal(platform.posted.length, 3);

      // The signed bytes and a sent state never change, and notices are never deleted.
      const db = vault.database;
      const id = notices[0]?.id;
      assert.throws(
        () => db.prepare("UPDATE inbox_notices SET der = x'00' WHERE id = ?").run(id),
        /signed once/,
      );
      assert.throws(
        () =>
          db
            .prepare(`UPDATE inbox_notices SET state = 'queued', sent_at = NULL WHERE id = ?`)
            .run(id),
        /stays sent/,
      );
      assert.throws(() => db.prepare('DELETE FROM inbox_notices WHERE id = ?').run(id), /kept/);

      // A status recorded without its notice (a crash in between) is signed later, once.
      addInboxStatus(vault, pkg.id, '04', 'Phòng Tổng hợp');
      assert.equal(await queueNotices(vault, identity()), 1);
      assert.equal(await queueNotices(vault, identity()), 0);
      const assigned = inboxNotices(vault, pkg.id)[2];
      const v = await verifyStatement(noticeDer(vault, assigned?.id as number), {
        type: 'niem-notice',
        trustAnchors: [pki.root],
      });
      assert.equal(v.statement.status, '04');
      assert.equal(v.statement.reason, undefined, 'an internal note is not sent');
    } finally {
      await vault?.close();
      t.dispose();
    }
  });

  it('a refused notice is kept refused and the next one goes', async () => {
    const t = tempProfile('notices-refused');
    const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
    try {
      const platform = new MemoryPlatform();
      const pkg = await delivered(vault, platform, 'Công văn số 2');
      platform.noticeReplies.push('refused');
      assert.deepEqual(await sendPendingNotices(vault, platform), {
        sent: 1,
        refused: 1,
        pending: 0,
      });
      const [first] = inboxNotices(vault, pkg.id);
      assert.deepEqual(
        [first?.state, first?.errorKind, first?.errorCode],
        ['refused', 'platform-refused', 'notice-refused'],
      );
      assert.deepEqual(state(vault, pkg.id)[1], ['03', 'sent', 1]);

      // A stopped run sends nothing more.
      await changeInboxStatus(vault, pkg.id, '04', identity());
      const stop = new AbortController();
      stop.abort();
      assert.deepEqual(await sendPendingNotices(vault, platform, stop.signal), {
        sent: 0,
        refused: 0,
        pending: 1,
      });
    } finally {
      await vault.close();
      t.dispose();
    }
  });

  it('the clerk’s statuses follow the business order; a notice only for platform packages', async () => {
    const t = tempProfile('notices-clerk');
    const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
    try {
      const platform = new MemoryPlatform();
      const pkg = await delivered(vault, platform, 'Công văn số 3');
      const me = identity();
      assert.deepEqual(await changeInboxStatus(vault, pkg.id, '04', me, 'Phòng Pháp chế'), {
        status: '04',
        notice: true,
      });
      await rejectsWithKind(changeInboxStatus(vault, pkg.id, '02', me, 'Sai'), 'invalid-input');
      await changeInboxStatus(vault, pkg.id, '05', me);
      await rejectsWithKind(changeInboxStatus(vault, pkg.id, '04', me), 'invalid-input');
      await changeInboxStatus(vault, pkg.id, '06', me);
      assert.deepEqual(
        inboxStatusHistory(vault, pkg.id).map((h) => [h.status, h.note]),
        [
          ['01', null],
          ['03', null],
          ['04', 'Phòng Pháp chế'],
          ['05', null],
          ['06', null],
        ],
      );
      assert.deepEqual(
        inboxNotices(vault, pkg.id).map((n) => n.status),
        ['01', '03', '04', '05', '06'],
      );

      // Refused by the clerk, after registering: the reason goes in the notice.
      const second = await delivered(vault, platform, 'Công văn số 4', '2');
      await rejectsWithKind(changeInboxStatus(vault, second.id, '02', me), 'invalid-input');
      await rejectsWithKind(changeInboxStatus(vault, second.id, '02', me, '  '), 'invalid-input');
      const reason = 'Thiếu phụ lục 2 so với công văn.';
      await changeInboxStatus(vault, second.id, '02', me, reason);
      const refusal = inboxNotices(vault, second.id)[2];
      assert.equal(refusal?.status, '02');
      const v = await verifyStatement(noticeDer(vault, refusal?.id as number), {
        type: 'niem-notice',
        trustAnchors: [pki.root],
      });
      assert.equal(v.statement.reason, reason);
      await rejectsWithKind(changeInboxStatus(vault, second.id, '04', me), 'invalid-input');

      // A package imported from a file: the status is recorded, no notice (no platform).
      const bytes = await sealTestPackage(pki, {
        level: 'thuong',
        subject: 'Từ tệp',
        documents: [{ name: 'b.txt', content: Buffer.from('b') }],
      });
      const imported = await importInbox(vault, bytes);
      assert.deepEqual(
        await changeInboxStatus(vault, imported.id, '02', me, 'Không đúng nơi nhận'),
        {
          status: '02',
          notice: false,
        },
      );
      assert.deepEqual(inboxNotices(vault, imported.id), []);
      assert.equal(await queueNotices(vault, me), 0);

      // A signer that fails changes nothing.
      const third = await delivered(vault, platform, 'Công văn số 5', '3');
      const broken: NoticeIdentity = {
        ...me,
        signer: { ...me.signer, sign: () => Promise.reject(new Error('token gone')) },
      };
      await assert.rejects(changeInboxStatus(vault, third.id, '04', broken));
      await rejectsWithKind(
        changeInboxStatus(vault, third.id, '04', { ...me, organId: 'not an organ id' }),
        'invalid-input',
      );
      assert.deepEqual(
        inboxStatusHistory(vault, third.id).map((h) => h.status),
        ['01', '03'],
      );
      assert.deepEqual(
        inboxNotices(vault, third.id).map((n) => n.status),
        ['01', '03'],
      );
    } finally {
      await vault.close();
      t.dispose();
    }
  });
});
