/**
 * The sync engine's mailbox pull (scripted platform, real vault): packages go to the inbox
 * receiver in cursor order; the mailbox is acknowledged only up to the last entry handled
 * for good, page by page, and the cursor is kept in the vault so a new engine (after a
 * restart) starts from it; a receiver that cannot take a package now stops the pull there
 * (next run starts from it); without a receiver packages stay in the mailbox; a page whose
 * cursors go backwards is refused whole; the cached directory is refreshed with its ETag
 * and refused when a certificate is not issued by a trust anchor.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import type { PackageEntry } from '../../native/sync/sync-engine.ts';
import { createSyncEngine } from '../../native/sync/sync-engine.ts';
import { getSyncState, listAgencies, openVault } from '../../native/vault/index.ts';
import {
  RECIPIENT,
  SECOND,
  US,
  clerkOf,
  setupSync,
  syncSuite,
  signedNotice,
} from './sync-engine-fixture.ts';

const suite = syncSuite();

const sha = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

describe('sync engine: pull', () => {
  it('hands packages to the receiver in order and acknowledges only what was stored', async () => {
    const received: string[] = [];
    let failOn: string | undefined;
    const receivePackage = async (entry: PackageEntry) => {
      if (entry.sha256 === failOn) {
        throw new NiemError('platform-unreachable', 'download cut');
      }
      received.push(entry.sha256);
      return { inboxId: received.length };
    };
    const s = await setupSync('pull', suite.keys.clerk, suite.pki, {
      receivePackage,
      mailboxPage: 2,
    });
    try {
      const cursors = [1, 2, 3, 4, 5].map((n) => s.platform.addPackage(sha(n)));
      failOn = sha(4);
      let report = await s.engine.runOnce();
      assert.deepEqual(received, [sha(1), sha(2), sha(3)]);
      assert.equal(report.received, 3);
      assert.equal(report.inboxFailures[0]?.sha256, sha(4));
      assert.equal(report.inboxFailures[0]?.error.kind, 'platform-unreachable');
      assert.deepEqual(
        s.platform.calls.filter((c) => c.startsWith('ack')),
        [`ack ${cursors[1]}`, `ack ${cursors[2]}`],
        'page by page, never past the package that failed',
      );
      assert.equal(getSyncState(s.vault).mailboxCursor, cursors[2]);
      const inbox = s.events.filter((e) => e.type === 'inbox');
      assert.deepEqual(
        inbox.map((e) => (e.type === 'inbox' ? [e.phase, e.id] : [])),
        [
          ['receiving', null],
          ['received', 1],
          ['receiving', null],
          ['received', 2],
          ['receiving', null],
          ['received', 3],
          ['receiving', null],
          ['failed', null],
        ],
      );

      // A restart: a new engine on the reopened vault starts from the stored cursor.
      failOn = undefined;
      await s.engine.stop();
      await s.vault.close();
      s.vault = (await openVault(s.profile, [suite.keys.clerk.key], { now: s.clock.now })).vault;
      s.engine = createSyncEngine({
        vault: s.vault,
        platform: s.platform,
        organId: US,
        clock: s.clock.now,
        receivePackage,
        mailboxPage: 2,
      });
      report = await s.engine.runOnce();
      assert.deepEqual(received, [1, 2, 3, 4, 5].map(sha));
      assert.ok(s.platform.calls.includes(`mailbox ${cursors[2]}`));
      assert.equal(s.platform.acked, cursors[4]);
      assert.equal(getSyncState(s.vault).mailboxCursor, cursors[4]);
    } finally {
      await s.dispose();
    }
  });

  it('without a receiver, packages stay in the mailbox; notices before them are taken', async () => {
    const s = await setupSync('pull-none', suite.keys.clerk, suite.pki);
    try {
      const first = s.platform.addNotice(
        await signedNotice(clerkOf(suite.pki, RECIPIENT), { sha256: sha(9) }),
      );
      s.platform.addPackage(sha(1));
      s.platform.addNotice(await signedNotice(clerkOf(suite.pki, RECIPIENT), { sha256: sha(8) }));
      const report = await s.engine.runOnce();
      assert.equal(report.refusedNotices.length, 1, 'the first notice was read (and refused)');
      assert.equal(s.platform.acked, first);
    } finally {
      await s.dispose();
    }
  });

  it('refuses a page whose cursors do not ascend, acknowledging nothing', async () => {
    const received: string[] = [];
    const s = await setupSync('pull-order', suite.keys.clerk, suite.pki, {
      receivePackage: async (entry) => {
        received.push(entry.sha256);
      },
    });
    try {
      s.platform.addPackage(sha(1));
      s.platform.addPackage(sha(2));
      s.platform.entries.reverse();
      const report = await s.engine.runOnce();
      assert.equal(report.error?.kind, 'platform-bad-reply');
      assert.deepEqual(received, []);
      assert.equal(s.platform.count('ack'), 0);
    } finally {
      await s.dispose();
    }
  });

  it('refreshes the directory with its ETag; refuses certificates of another root', async () => {
    const s = await setupSync('directory', suite.keys.clerk, suite.pki);
    try {
      const pem = (der: Uint8Array) => new X509Certificate(der).toString();
      const agency = (organId: string, der: Uint8Array) => ({
        organId,
        name: `Cơ quan ${organId}`,
        clearance: 'toi-mat',
        keyTransport: 'ecdh',
        certificates: [pem(der)],
      });
      const body = (agencies: object[]) =>
        new Uint8Array(
          Buffer.from(JSON.stringify({ format: 'niem-directory', version: 1, agencies })),
        );
      const etag = `"${'a'.repeat(64)}"`;
      s.platform.directoryReply = {
        changed: true,
        etag,
        body: body([
          agency(RECIPIENT, clerkOf(suite.pki, RECIPIENT).der),
          agency(SECOND, clerkOf(suite.pki, SECOND).der),
        ]),
      };
      let report = await s.engine.runOnce();
      assert.equal(report.directoryUpdated, true);
      assert.deepEqual(
        listAgencies(s.vault).map((a) => a.organId),
        [SECOND, RECIPIENT].sort(),
      );
      assert.equal(getSyncState(s.vault).directoryEtag, etag);
      s.platform.directoryReply = { changed: false };
      await s.engine.runOnce();
      assert.ok(s.platform.calls.includes(`directory ${etag}`));

      // A platform slipping in a key of its own for an agency: refused whole.
      s.platform.directoryReply = {
        changed: true,
        etag: `"${'b'.repeat(64)}"`,
        body: body([agency(RECIPIENT, suite.pki.forger.der)]),
      };
      report = await s.engine.runOnce();
      assert.equal(report.error?.kind, 'platform-bad-reply');
      assert.equal(report.directoryUpdated, false);
      assert.equal(getSyncState(s.vault).directoryEtag, etag);
      const certs = listAgencies(s.vault).find((a) => a.organId === RECIPIENT)?.certificates;
      assert.deepEqual(certs, [clerkOf(suite.pki, RECIPIENT).der]);
      assert.equal(s.platform.count('mailbox'), 3, 'the rest of the run went on');
    } finally {
      await s.dispose();
    }
  });

  it('posts the notices we signed as its last step, and reports when it cannot', async () => {
    const asked: string[] = [];
    let fail = false;
    const s = await setupSync('notices-out', suite.keys.clerk, suite.pki, {
      sendNotices: async () => {
        asked.push(s.platform.calls.at(-1) ?? '');
        if (fail) throw new NiemError('platform-unreachable', 'gone');
        return { sent: 2, refused: 0, pending: 0 };
      },
    });
    try {
      let report = await s.engine.runOnce();
      assert.equal(report.noticesSent, 2);
      assert.equal(report.error, null);
      assert.match(asked[0] ?? '', /^mailbox/, 'after the pull');
      fail = true;
      report = await s.engine.runOnce();
      assert.equal(report.error?.kind, 'platform-unreachable');
    } finally {
      await s.dispose();
    }
  });
});
