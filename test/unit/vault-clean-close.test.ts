/**
 * The open after a clean close skips the whole-file check and the sweeps (they cost
 * seconds on a large vault: bench/vault-bench.ts); after a session that died, or when
 * vault.db changed since the close, the open checks everything again. A page damaged
 * behind the vault's back is found either way: at open when the file changed, or when the
 * page is read (its HMAC), after which the next open checks and restores.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, utimesSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDraft, getDraft, initVault, openVault } from '../../native/vault/index.ts';
import { CLEAN_CLOSE_FILE } from '../../native/vault/clean-close.ts';
import { makeVaultPki, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

async function freshVault(prefix: string) {
  const t = tempProfile(prefix);
  const vault = await initVault(t.profile, { holder: pki.clerk.holder });
  const id = await createDraft(vault, {
    subject: 'Báo cáo định kỳ',
    level: 'mat',
    recipients: ['000.00.00.G22'],
  });
  return { ...t, vault, id };
}

describe('open after a clean close, after a crash, after a change', () => {
  it('a clean close is marked; the next open skips the check and takes the mark', async () => {
    const { profile, vault, dispose } = await freshVault('niem-clean-');
    try {
      await vault.close();
      assert.equal(existsSync(join(profile, CLEAN_CLOSE_FILE)), true);
      const { vault: again, report } = await openVault(profile, [pki.clerk.key]);
      assert.equal(report.integrity, 'none');
      assert.equal(existsSync(join(profile, CLEAN_CLOSE_FILE)), false, 'the mark is taken');
      await again.close();
    } finally {
      dispose();
    }
  });

  it('a session that died (no close) is checked in full at the next open', async () => {
    const { profile, vault, id, dispose } = await freshVault('niem-crash-');
    try {
      await vault.close();
      const { vault: session } = await openVault(profile, [pki.clerk.key]);
      session.database.close(); // the process died here: no Vault.close, no mark
      const { vault: again, report } = await openVault(profile, [pki.clerk.key]);
      assert.equal(report.integrity, 'quick');
      assert.equal(getDraft(again, id).subject, 'Báo cáo định kỳ');
      await again.close();
    } finally {
      dispose();
    }
  });

  it('vault.db changed after the close (same size): checked, damage found, snapshot restored', async () => {
    const { profile, vault, id, dispose } = await freshVault('niem-changed-');
    try {
      await vault.snapshot();
      await vault.close();
      const path = join(profile, 'vault.db');
      const before = statSync(path);
      const bytes = readFileSync(path);
      for (let i = 4096 + 200; i < bytes.length; i += 97) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
      writeFileSync(path, bytes);
      utimesSync(path, before.atime, new Date(before.mtimeMs + 1000));
      const { vault: again, report } = await openVault(profile, [pki.clerk.key]);
      assert.equal(report.integrity, 'quick');
      assert.ok(report.restored, 'restored from the snapshot');
      assert.equal(getDraft(again, id).subject, 'Báo cáo định kỳ');
      await again.close();
    } finally {
      dispose();
    }
  });

  it('an explicit check is always run', async () => {
    const { profile, vault, dispose } = await freshVault('niem-explicit-');
    try {
      await vault.close();
      const { vault: again, report } = await openVault(profile, [pki.clerk.key], {
        integrityCheck: 'full',
      });
      assert.equal(report.integrity, 'full');
      await again.close();
    } finally {
      dispose();
    }
  });
});
