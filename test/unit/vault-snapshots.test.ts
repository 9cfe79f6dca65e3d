/**
 * Snapshots and corruption: the vault keeps the configured number of encrypted snapshots
 * (at most one per interval); a database with damaged bytes (a data page, or page 1) is
 * detected at open and replaced by the newest good snapshot, the clerk told which, and the
 * damaged file kept aside; with no snapshot the open fails with vault-corrupt and the
 * damaged file stays where it was.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDraft,
  getDraft,
  initVault,
  listDrafts,
  listSnapshots,
  openVault,
} from '../../native/vault/index.ts';
import { makeVaultPki, rejectsWithKind, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

/** A clock the test moves. */
function clock(start = Date.parse('2026-03-01T08:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}
const HOUR = 3_600_000;

/** Flips bytes in every page of vault.db from `fromPage` on (after a clean close). */
function damage(path: string, fromPage: number): void {
  const bytes = readFileSync(path);
  for (let page = fromPage; page * 4096 < bytes.length; page++) {
    for (let i = page * 4096 + 200; i < page * 4096 + 4000; i += 97) {
      bytes.writeUInt8(bytes.readUInt8(i) ^ 0x5a, i);
    }
  }
  writeFileSync(path, bytes);
}

describe('vault snapshots', () => {
  it('keeps the newest N, taking at most one per interval at open and close', async () => {
    const t = tempProfile('snap-keep');
    const c = clock();
    const options = { now: c.now, snapshots: { keep: 2, minIntervalMs: HOUR } };
    try {
      await (await initVault(t.profile, { holder: pki.clerk.holder, ...options })).close();
      assert.equal((await listSnapshots(t.profile)).length, 1, 'one at the first close');
      c.advance(10 * 60_000);
      await (await openVault(t.profile, [pki.clerk.key], options)).vault.close();
      assert.equal((await listSnapshots(t.profile)).length, 1, 'none within the hour');
      for (let i = 0; i < 3; i++) {
        c.advance(HOUR);
        await (await openVault(t.profile, [pki.clerk.key], options)).vault.close();
      }
      const kept = await listSnapshots(t.profile);
      assert.equal(kept.length, 2);
      assert.equal(kept[0]?.takenAt.getTime(), c.now().getTime() - 0);
    } finally {
      t.dispose();
    }
  });

  for (const [what, fromPage] of [
    ['every page from page 2 on is', 1],
    ['every page, page 1 included, is', 0],
  ] as const) {
    it(`restores the newest good snapshot when ${what} damaged, and says from when`, async () => {
      const t = tempProfile('snap-restore');
      const c = clock();
      const options = { now: c.now, integrityCheck: 'full' as const };
      try {
        const vault = await initVault(t.profile, { holder: pki.clerk.holder, ...options });
        const early = await createDraft(vault, {
          subject: 'Có trong bản sao',
          level: 'mat',
          recipients: [],
        });
        const snapshot = await vault.snapshot();
        c.advance(5 * 60_000);
        await createDraft(vault, { subject: 'Sau bản sao', level: 'mat', recipients: [] });
        await vault.close({ snapshot: false });
        const db = join(t.profile, 'vault.db');
        damage(db, fromPage);
        const damagedBytes = readFileSync(db);
        c.advance(60_000);
        const { vault: again, report } = await openVault(t.profile, [pki.clerk.key], options);
        assert.equal(report.restored?.snapshotAt.getTime(), snapshot.takenAt.getTime());
        const keptAs = report.restored?.damagedKeptAs;
        assert.ok(keptAs !== undefined && keptAs.includes('/damaged/'));
        assert.deepEqual(readFileSync(keptAs), damagedBytes, 'the damaged file is kept as it was');
        assert.deepEqual(
          listDrafts(again).map((d) => d.id),
          [early],
        );
        assert.equal(getDraft(again, early).subject, 'Có trong bản sao');
        await again.close();
      } finally {
        t.dispose();
      }
    });
  }

  it('with no snapshot, refuses with vault-corrupt and leaves the damaged file in place', async () => {
    const t = tempProfile('snap-none');
    try {
      const vault = await initVault(t.profile, { holder: pki.clerk.holder });
      await createDraft(vault, { subject: 'x', level: 'mat', recipients: [] });
      await vault.close({ snapshot: false });
      const db = join(t.profile, 'vault.db');
      damage(db, 1);
      const damagedBytes = readFileSync(db);
      await rejectsWithKind(
        openVault(t.profile, [pki.clerk.key], { integrityCheck: 'full' }),
        'vault-corrupt',
      );
      assert.deepEqual(readFileSync(db), damagedBytes);
      assert.ok(
        !existsSync(join(t.profile, 'damaged')) ||
          readdirSync(join(t.profile, 'damaged')).length === 0,
      );
    } finally {
      t.dispose();
    }
  });

  it('skips a damaged newest snapshot for an older good one, and restores a missing database', async () => {
    const t = tempProfile('snap-older');
    const c = clock();
    try {
      const vault = await initVault(t.profile, { holder: pki.clerk.holder, now: c.now });
      const id = await createDraft(vault, { subject: 'Cũ', level: 'thuong', recipients: [] });
      const older = await vault.snapshot();
      c.advance(HOUR);
      const newer = await vault.snapshot();
      await vault.close({ snapshot: false });
      damage(newer.path, 0);
      rmSync(join(t.profile, 'vault.db'));
      const { vault: again, report } = await openVault(t.profile, [pki.clerk.key], { now: c.now });
      assert.equal(report.restored?.snapshotAt.getTime(), older.takenAt.getTime());
      assert.equal(report.restored?.damagedKeptAs, undefined);
      assert.equal(getDraft(again, id).subject, 'Cũ');
      await again.close({ snapshot: false });
      assert.ok(statSync(newer.path).size > 0, 'a damaged snapshot is not deleted by the restore');
    } finally {
      t.dispose();
    }
  });
});
