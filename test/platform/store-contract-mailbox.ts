/**
 * The PlatformStore contract, second part: notices, mailbox paging, acknowledgements and
 * cursors under concurrent writers within one store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlatformStore } from '../../platform/store/platform-store.ts';
import {
  A,
  agency,
  allCursors,
  B,
  C,
  deliver,
  LATER,
  notice,
  NOW,
  rejectsWith,
  withStore,
  type StoreFactory,
} from './store-fixture.ts';

export function mailboxContract(name: string, fresh: StoreFactory): void {
  const test = (title: string, body: (store: PlatformStore) => Promise<void>) =>
    it(title, withStore(fresh, body));

  describe(`${name}: notices`, () => {
    test('a notice is stored once and put into the `to` mailbox', async (store) => {
      await store.putAgency(agency(A));
      const n = notice(A, B);
      assert.equal(await store.addNotice(n, NOW), 'stored');
      assert.equal(await store.addNotice({ ...n, der: Buffer.from('other') }, LATER), 'same');
      assert.deepEqual(await store.mailbox(A, '0', 10), [
        { cursor: '1', kind: 'notice', notice: n.der, at: NOW },
      ]);
      assert.deepEqual(await store.mailbox(B, '0', 10), []);
      assert.equal(await store.addNotice(notice(A, B, '03'), NOW), 'stored');
      assert.equal(await store.addNotice(notice(A, C, '01'), NOW), 'stored');
      assert.equal(await store.addNotice(notice(A, B, '01', 'c'.repeat(64)), NOW), 'stored');
      assert.deepEqual(await allCursors(store, A), ['1', '2', '3', '4']);
    });

    test('an agency not (or no longer) in the directory still gets its mailbox', async (store) => {
      assert.equal(await store.addNotice(notice(C, B), NOW), 'stored');
      assert.equal(await store.getAgency(C), undefined, 'not listed by the delivery');
      assert.deepEqual((await store.directory()).agencies, []);
      await store.putAgency(agency(C));
      await store.removeAgency(C);
      await store.putAgency(agency(C));
      await store.addNotice(notice(C, B, '02'), NOW);
      assert.deepEqual(await allCursors(store, C), ['1', '2'], 'cursors never restart');
    });
  });

  describe(`${name}: mailbox and acknowledgements`, () => {
    test('paging with after and limit, packages and notices in one sequence', async (store) => {
      const p1 = await deliver(store, [B]);
      await store.addNotice(notice(B, C), NOW);
      const p2 = await deliver(store, [B, C]);
      await store.addNotice(notice(B, C, '03'), NOW);
      await deliver(store, [B]);
      const all = await store.mailbox(B, '0', 100);
      assert.deepEqual(
        all.map((e) => [e.cursor, e.kind]),
        [
          ['1', 'package'],
          ['2', 'notice'],
          ['3', 'package'],
          ['4', 'notice'],
          ['5', 'package'],
        ],
      );
      assert.equal(all[0]?.kind === 'package' && all[0].sha256, p1.sha256);
      assert.equal(all[2]?.kind === 'package' && all[2].sha256, p2.sha256);
      assert.deepEqual(await store.mailbox(B, '0', 2), all.slice(0, 2));
      assert.deepEqual(await store.mailbox(B, '2', 2), all.slice(2, 4));
      assert.deepEqual(await store.mailbox(B, '4', 2), all.slice(4));
      assert.deepEqual(await store.mailbox(B, '5', 2), []);
      assert.deepEqual(await store.mailbox(B, '99999999999999999999', 2), []);
      assert.deepEqual(await allCursors(store, C), ['1']);
      await rejectsWith(store.mailbox(B, '-1', 2), 'invalid-input');
      await rejectsWith(store.mailbox(B, '0', 0), 'invalid-input');
    });

    test('ack moves forward, never back, and refuses a cursor beyond the last entry', async (store) => {
      assert.equal(await store.ackedCursor(B), '0');
      await store.ack(B, '0');
      await rejectsWith(store.ack(B, '1'), 'invalid-input');
      await deliver(store, [B]);
      await store.addNotice(notice(B, C), NOW);
      await deliver(store, [B]);
      await store.ack(B, '2');
      assert.equal(await store.ackedCursor(B), '2');
      await store.ack(B, '1');
      assert.equal(await store.ackedCursor(B), '2', 'never back');
      await rejectsWith(store.ack(B, '4'), 'invalid-input');
      await rejectsWith(store.ack(B, '99999999999999999999'), 'invalid-input');
      await rejectsWith(store.ack(B, 'x'), 'invalid-input');
      assert.equal(await store.ackedCursor(B), '2');
      await store.ack(B, '3');
      assert.equal(await store.ackedCursor(B), '3');
      assert.equal(await store.ackedCursor(C), '0');
    });

    test('concurrent deliveries and notices to one agency get distinct, gap-free cursors', async (store) => {
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => store.addNotice(notice(A, B, '01', hexOf(i)), NOW)),
        ...Array.from({ length: 5 }, () => deliver(store, [A, C])),
      ]);
      const cursors = await allCursors(store, A);
      assert.deepEqual(
        cursors,
        Array.from({ length: 15 }, (_, i) => String(i + 1)),
      );
      assert.deepEqual(await allCursors(store, C), ['1', '2', '3', '4', '5']);
    });
  });
}

function hexOf(i: number): string {
  return i.toString(16).padStart(64, '0');
}
