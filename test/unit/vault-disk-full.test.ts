/**
 * A full disk: writing a document or a transaction fails with `disk-full`, nothing of the
 * failed change remains (no blob file, no temp file, no row), what was committed before
 * stays, and the vault opens intact once there is room again.
 *
 * Runs on a real 1 MiB tmpfs when this process may mount one (root, as in CI containers
 * here); otherwise the same assertions run with SQLite's max_page_count as the limit for
 * the database and an injected ENOSPC for the blob file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDraft,
  initVault,
  listDrafts,
  openVault,
  type VaultOptions,
} from '../../native/vault/index.ts';
import { makeVaultPki, rejectsWithKind, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

function tryMount(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('vault on a full disk', () => {
  it('refuses with disk-full, keeps every earlier change and leaves nothing half-written', async () => {
    const t = tempProfile('vault-full');
    const mountPoint = join(t.dir, 'disk');
    mkdirSync(mountPoint);
    const mounted = tryMount(mountPoint);
    const profile = join(mountPoint, 'profile');
    const options: VaultOptions = mounted
      ? {}
      : {
          blobs: {
            openForWrite: async (path) => {
              const handle = await open(path, 'wx', 0o600);
              handle.write = (async () => {
                throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
              }) as unknown as typeof handle.write;
              return handle;
            },
          },
        };
    try {
      const vault = await initVault(profile, { holder: pki.clerk.holder, ...options });
      if (!mounted) vault.database.pragma('max_page_count = 200');
      const kept = await createDraft(vault, {
        subject: 'Trước khi đầy',
        level: 'mat',
        recipients: [],
      });
      const before = files(profile).filter((f) => f.includes('/blobs/'));
      await rejectsWithKind(
        createDraft(vault, {
          subject: 'Tài liệu quá lớn',
          level: 'mat',
          recipients: [],
          documents: [{ name: 'lon.pdf', content: randomBytes(2 * 1024 * 1024) }],
        }),
        'disk-full',
      );
      assert.deepEqual(
        files(profile).filter((f) => f.includes('/blobs/')),
        before,
      );
      // Rows until the database itself can grow no more.
      const committed = [kept];
      const filler = randomBytes(48 * 1024).toString('base64');
      await rejectsWithKind(async () => {
        for (let i = 0; i < 100; i++) {
          committed.push(
            await createDraft(vault, {
              subject: `Dự thảo ${i}`,
              level: 'thuong',
              recipients: [],
              metadata: { filler },
            }),
          );
        }
      }, 'disk-full');
      assert.deepEqual(
        listDrafts(vault, { limit: 500 })
          .map((d) => d.id)
          .sort((a, b) => a - b),
        committed,
      );
      await vault.close({ snapshot: false });
      if (mounted) execFileSync('mount', ['-o', 'remount,size=8m', mountPoint]);
      const { vault: again } = await openVault(profile, [pki.clerk.key], {
        integrityCheck: 'full',
      });
      assert.deepEqual(
        listDrafts(again, { limit: 500 })
          .map((d) => d.id)
          .sort((a, b) => a - b),
        committed,
      );
      assert.equal(files(profile).filter((f) => f.endsWith('.tmp')).length, 0);
      await again.close({ snapshot: false });
    } finally {
      if (mounted) execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
      t.dispose();
    }
  });
});
