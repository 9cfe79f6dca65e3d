/**
 * Packages refused on arrival: a tampered package, an untrusted signer and a sender that
 * is not the one the platform named are stored, refused with status 02 and the reason in
 * Vietnamese (01 and 02 notices queued), their documents never kept; a package for
 * someone else is refused before anything is stored (only the refusal is recorded, no
 * notice), and again without downloading; a fault of the workstation (the token gone)
 * refuses nothing, and the arrival finishes on the next call.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import type { RecipientKey } from '../../native/seal/cms-crypto/index.ts';
import { PackageRefused, type PackageReport } from '../../native/seal/pipeline/index.ts';
import { receivePackage, type ReceiveOptions } from '../../native/sync/inbox-arrival.ts';
import {
  getArrival,
  inboxNotices,
  inboxStatusHistory,
  inboxVerification,
  initVault,
  noticeDer,
  refusalFor,
  refusalOf,
  type Vault,
} from '../../native/vault/index.ts';
import {
  MemoryPlatform,
  OTHER_ORG,
  RECEIVER_ORG,
  SENDER_ORG,
  entryFor,
  filesWithMarker,
  makeArrivalPki,
  receiveOptions,
  sealTestPackage,
  type ArrivalPki,
  type PackageSpec,
} from './inbox-fixture.ts';
import { tempProfile } from './vault-fixture.ts';

let pki: ArrivalPki;
before(() => {
  pki = makeArrivalPki();
});
after(() => pki.dispose());

const MARKER = 'MARKERREFUSEDm5Kw';

const options = (extra: Partial<ReceiveOptions> = {}): ReceiveOptions => receiveOptions(pki, extra);

const spec = (extra: Partial<PackageSpec> = {}): PackageSpec => ({
  level: 'toi-mat',
  subject: `${MARKER} Báo cáo`,
  documents: [{ name: 'bao-cao.txt', content: Buffer.from(`${MARKER} nội dung mật `.repeat(500)) }],
  ...extra,
});

const count = (vault: Vault, table: string): number =>
  vault.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

const actions = (vault: Vault): string[] =>
  vault.database.prepare('SELECT action FROM audit ORDER BY seq').pluck().all() as string[];

/** Receives `bytes` into a fresh vault and runs `check` on it. */
async function arrive(
  bytes: Buffer,
  check: (vault: Vault, platform: MemoryPlatform, dir: string) => Promise<void>,
  sender = SENDER_ORG,
): Promise<void> {
  const t = tempProfile('arrival-refused');
  const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
  try {
    const platform = new MemoryPlatform();
    const entry = entryFor(bytes, 'toi-mat', sender);
    platform.packages.set(entry.sha256, bytes);
    await check(vault, platform, t.dir);
  } finally {
    await vault.close();
    t.dispose();
  }
}

/** Asserts the 02 refusal of the only inbox item and its two notices; returns the 02 notice. */
async function assertRefused(vault: Vault, code: string, reason: string): Promise<void> {
  const history = inboxStatusHistory(vault, 1);
  assert.deepEqual(
    history.map((h) => [h.status, h.note]),
    [
      ['01', null],
      ['02', reason],
    ],
  );
  assert.equal(count(vault, 'inbox_documents'), 0, 'no document of a refused package is kept');
  assert.equal(count(vault, 'incoming_register'), 0);
  assert.equal(count(vault, 'blobs'), 1, 'only the package, encrypted');
  const sha = getArrival(vault, (await shaOf(vault)) as string);
  assert.equal(sha?.state, 'done');
  assert.equal(sha.refusalKind, code);
  const notices = inboxNotices(vault, 1);
  assert.deepEqual(
    notices.map((n) => [n.status, n.to, n.state]),
    [
      ['01', SENDER_ORG, 'queued'],
      ['02', SENDER_ORG, 'queued'],
    ],
  );
  const refusal = await verifyStatement(noticeDer(vault, notices[1]?.id as number), {
    type: 'niem-notice',
    trustAnchors: [pki.root],
  });
  assert.equal(refusal.statement.status, '02');
  assert.equal(refusal.statement.reason, reason);
  assert.equal(refusal.statement.from, RECEIVER_ORG);
  assert.equal(refusal.statement.to, SENDER_ORG);
  assert.equal(refusal.organId, RECEIVER_ORG);
  assert.equal(refusal.level, 'toi-mat');
}

async function shaOf(vault: Vault): Promise<string | undefined> {
  return vault.database
    .prepare('SELECT lower(hex(package_sha256)) FROM inbox WHERE id = 1')
    .pluck()
    .get() as string | undefined;
}

describe('receivePackage: refusals', () => {
  it('a tampered package is stored, refused 02 with the reason, nothing of it opened', async () => {
    const bytes = await sealTestPackage(pki, spec());
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x20;
    await arrive(bytes, async (vault, platform, dir) => {
      const received = await receivePackage(vault, entryFor(bytes, 'toi-mat'), platform, options());
      assert.equal(received.outcome, 'refused');
      assert.equal(received.status, '02');
      assert.equal(received.refusal?.code, 'tampered');
      const { vi } = refusalOf('tampered');
      assert.match(vi, /không toàn vẹn/);
      await assertRefused(vault, 'tampered', vi);
      assert.deepEqual(actions(vault), [
        'inbox.import',
        'notice.queue',
        'inbox.verify-refused',
        'inbox.status',
        'notice.queue',
      ]);
      assert.deepEqual(filesWithMarker(dir, MARKER), []);
      const again = await receivePackage(vault, entryFor(bytes, 'toi-mat'), platform, options());
      assert.deepEqual([again.outcome, again.noticesQueued, again.downloaded], ['refused', 0, 0]);
    });
  });

  it('an untrusted signer is refused 02, its verification report kept', async () => {
    const bytes = await sealTestPackage(pki, spec({ signer: pki.stranger }));
    await arrive(bytes, async (vault, platform) => {
      const received = await receivePackage(vault, entryFor(bytes, 'toi-mat'), platform, options());
      assert.equal(received.refusal?.code, 'untrusted-signer');
      await assertRefused(vault, 'untrusted-signer', refusalOf('untrusted-signer').vi);
      const report = inboxVerification(vault, 1);
      assert.equal(report?.tag, 'valid');
      assert.equal(report?.signedData?.signers[0]?.chain.status, 'untrusted');
      assert.equal(report?.committed, false);
    });
  });

  it('a sender other than the one the platform named is refused 02, saying so', async () => {
    const bytes = await sealTestPackage(pki, spec({ from: SENDER_ORG }));
    await arrive(
      bytes,
      async (vault, platform) => {
        const entry = entryFor(bytes, 'toi-mat', OTHER_ORG);
        const received = await receivePackage(vault, entry, platform, options());
        assert.equal(received.refusal?.code, 'sender-mismatch');
        assert.match(received.refusal?.reason ?? '', new RegExp(`${SENDER_ORG}.*${OTHER_ORG}`));
        const history = inboxStatusHistory(vault, 1);
        assert.deepEqual(
          history.map((h) => h.status),
          ['01', '02'],
        );
        assert.equal(count(vault, 'inbox_documents'), 0);
        assert.equal(count(vault, 'blobs'), 1, 'the verified documents were dropped');
        const notices = inboxNotices(vault, 1);
        assert.deepEqual(
          notices.map((n) => [n.status, n.to]),
          [
            ['01', OTHER_ORG],
            ['02', OTHER_ORG],
          ],
        );
        assert.equal(inboxVerification(vault, 1)?.committed, false);
      },
      OTHER_ORG,
    );
  });

  it('a package for someone else changes nothing but the refusal record', async () => {
    const bytes = await sealTestPackage(
      pki,
      spec({ recipients: [readFileSync(pki.keys.newClerk.certPath, 'utf8')] }),
    );
    await arrive(bytes, async (vault, platform, dir) => {
      const entry = entryFor(bytes, 'toi-mat');
      const received = await receivePackage(vault, entry, platform, options());
      assert.equal(received.outcome, 'not-for-us');
      assert.equal(received.inboxId, null);
      assert.equal(received.error?.kind, 'not-a-recipient');
      assert.equal(received.refusal?.code, 'not-a-recipient');
      for (const table of ['inbox', 'blobs', 'inbox_notices', 'inbox_arrival_segments']) {
        assert.equal(count(vault, table), 0, table);
      }
      assert.deepEqual(actions(vault), ['inbox.arrival-refused']);
      assert.equal(getArrival(vault, entry.sha256)?.state, 'not-for-us');
      assert.deepEqual(filesWithMarker(dir, MARKER), []);
      const again = await receivePackage(vault, entry, platform, options());
      assert.equal(again.outcome, 'not-for-us');
      assert.equal(platform.downloads.length, 1, 'not downloaded again');
      assert.deepEqual(actions(vault), ['inbox.arrival-refused']);
    });
  });

  it('a fault of the workstation refuses nothing; the next call finishes', async () => {
    const bytes = await sealTestPackage(pki, spec());
    await arrive(bytes, async (vault, platform) => {
      const gone: RecipientKey = {
        certificate: pki.keys.clerk.key.certificate,
        decrypt: () => Promise.reject(new NiemError('token-removed', 'the token went away')),
      };
      const entry = entryFor(bytes, 'toi-mat');
      await assert.rejects(
        receivePackage(vault, entry, platform, options({ keys: [gone] })),
        (err: unknown) => err instanceof NiemError && err.kind === 'token-removed',
      );
      assert.equal(getArrival(vault, entry.sha256)?.state, 'stored');
      assert.deepEqual(
        inboxStatusHistory(vault, 1).map((h) => h.status),
        ['01'],
      );
      const received = await receivePackage(vault, entry, platform, options());
      assert.equal(received.outcome, 'registered');
      assert.equal(received.downloaded, 0);
      assert.deepEqual(
        inboxNotices(vault, 1).map((n) => n.status),
        ['01', '03'],
      );
    });
  });

  it('maps an open’s failures to refusals; faults of the workstation to none', () => {
    const report = {
      tag: 'valid',
      signedData: { verdict: 'valid' },
      levels: { agree: false },
    } as unknown as PackageReport;
    const levels = new PackageRefused(new NiemError('malformed', 'levels'), report);
    assert.equal(refusalFor(levels)?.code, 'levels-disagree');
    assert.match(refusalFor(levels)?.vi ?? '', /Độ mật/);
    assert.equal(refusalFor(new NiemError('malformed', 'x'))?.code, 'malformed');
    assert.equal(refusalFor(new NiemError('unsafe-name', 'x'))?.code, 'unsafe-name');
    for (const kind of ['token-removed', 'vault-locked', 'disk-full', 'internal'] as const) {
      assert.equal(refusalFor(new NiemError(kind, 'x')), undefined, kind);
    }
    assert.equal(refusalFor(new Error('x')), undefined);
  });
});
