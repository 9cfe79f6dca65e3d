/**
 * The vault's life with software keys: created for a clerk and a recovery officer, opened
 * by either, refused to anyone else, re-wrapped for a new clerk (the recovery kept), locked
 * by close, owned by one process at a time, and refused when written by a newer Niêm.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  SCHEMA_VERSION,
  createDraft,
  getDraft,
  initVault,
  listDrafts,
  openVault,
  rewrapVault,
} from '../../native/vault/index.ts';
import { makeVaultPki, rejectsWithKind, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

describe('vault lifecycle', () => {
  it('opens for the clerk and for the recovery key, with what was written', async () => {
    const t = tempProfile('vault-open');
    try {
      const vault = await initVault(t.profile, {
        holder: pki.clerk.holder,
        recovery: pki.recovery.holder,
      });
      const id = await createDraft(vault, {
        subject: 'Công văn về lịch họp',
        level: 'mat',
        recipients: ['000.00.00.G22'],
      });
      await vault.close();
      for (const key of [pki.clerk.key, pki.recovery.key]) {
        const { vault: again, report } = await openVault(t.profile, [key]);
        assert.equal(report.restored, undefined);
        assert.equal(report.migration.to, SCHEMA_VERSION);
        assert.equal(getDraft(again, id).subject, 'Công văn về lịch họp');
        await again.close();
      }
    } finally {
      t.dispose();
    }
  });

  it('refuses a key it was not wrapped for, and changes nothing', async () => {
    const t = tempProfile('vault-stranger');
    try {
      await (await initVault(t.profile, { holder: pki.clerk.holder })).close();
      const before = readFileSync(join(t.profile, 'vault.key'));
      await rejectsWithKind(openVault(t.profile, [pki.stranger.key]), 'vault-key-mismatch');
      await rejectsWithKind(openVault(t.profile, [pki.recovery.key]), 'vault-key-mismatch');
      assert.deepEqual(readFileSync(join(t.profile, 'vault.key')), before);
    } finally {
      t.dispose();
    }
  });

  it('re-wraps for a new token with the recovery key: the old token is out, recovery stays', async () => {
    const t = tempProfile('vault-rewrap');
    try {
      const vault = await initVault(t.profile, {
        holder: pki.clerk.holder,
        recovery: pki.recovery.holder,
      });
      const id = await createDraft(vault, { subject: 'Giữ lại', level: 'thuong', recipients: [] });
      await vault.close();
      await rewrapVault(t.profile, [pki.recovery.key], pki.newClerk.holder);
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-key-mismatch');
      for (const key of [pki.newClerk.key, pki.recovery.key]) {
        const { vault: again } = await openVault(t.profile, [key]);
        assert.equal(getDraft(again, id).subject, 'Giữ lại');
        await again.close();
      }
    } finally {
      t.dispose();
    }
  });

  it('vault.key is a CMS AuthEnvelopedData that openssl decrypts with the recovery key', async () => {
    const t = tempProfile('vault-openssl');
    try {
      await (
        await initVault(t.profile, { holder: pki.clerk.holder, recovery: pki.recovery.holder })
      ).close();
      // prettier-ignore
      const key = execFileSync('openssl', [
        'cms', '-decrypt', '-inform', 'DER', '-in', join(t.profile, 'vault.key'),
        '-inkey', pki.recovery.keyPath, '-recip', pki.recovery.certPath,
      ]);
      assert.equal(key.length, 32);
    } finally {
      t.dispose();
    }
  });

  it('refuses a damaged vault.key without touching the database', async () => {
    const t = tempProfile('vault-key-damaged');
    try {
      await (await initVault(t.profile, { holder: pki.clerk.holder })).close();
      const path = join(t.profile, 'vault.key');
      const good = readFileSync(path);
      writeFileSync(path, good.subarray(0, good.length - 20));
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-corrupt');
      const flipped = Buffer.from(good);
      const last = flipped.length - 1; // inside the mac
      flipped.writeUInt8(flipped.readUInt8(last) ^ 1, last);
      writeFileSync(path, flipped);
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-corrupt');
      writeFileSync(path, good);
      const { vault } = await openVault(t.profile, [pki.clerk.key]);
      await vault.close();
    } finally {
      t.dispose();
    }
  });

  it('never creates a vault over an existing one', async () => {
    const t = tempProfile('vault-exists');
    try {
      await (await initVault(t.profile, { holder: pki.clerk.holder })).close();
      await rejectsWithKind(initVault(t.profile, { holder: pki.stranger.holder }), 'vault-exists');
      const { vault } = await openVault(t.profile, [pki.clerk.key]);
      await vault.close();
    } finally {
      t.dispose();
    }
  });

  it('says there is no vault in an empty profile folder', async () => {
    const t = tempProfile('vault-none');
    try {
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-not-found');
    } finally {
      t.dispose();
    }
  });

  it('is locked after close: every method throws vault-locked', async () => {
    const t = tempProfile('vault-locked');
    try {
      const vault = await initVault(t.profile, { holder: pki.clerk.holder });
      const id = await createDraft(vault, { subject: 'x', level: 'thuong', recipients: [] });
      await vault.close();
      assert.equal(vault.isOpen, false);
      await rejectsWithKind(() => listDrafts(vault), 'vault-locked');
      await rejectsWithKind(() => getDraft(vault, id), 'vault-locked');
      await rejectsWithKind(() => vault.transaction(() => 1), 'vault-locked');
      await rejectsWithKind(vault.writeBlob(Buffer.from('x')), 'vault-locked');
      await rejectsWithKind(vault.snapshot(), 'vault-locked');
      await rejectsWithKind(vault.rewrap(pki.newClerk.holder), 'vault-locked');
      await rejectsWithKind(
        createDraft(vault, { subject: 'y', level: 'thuong', recipients: [] }),
        'vault-locked',
      );
    } finally {
      t.dispose();
    }
  });

  it('is owned by one opener at a time', async () => {
    const t = tempProfile('vault-in-use');
    try {
      const vault = await initVault(t.profile, { holder: pki.clerk.holder });
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-in-use');
      await vault.close();
      const { vault: again } = await openVault(t.profile, [pki.clerk.key]);
      await again.close();
    } finally {
      t.dispose();
    }
  });

  it('refuses a vault written by a newer Niêm and leaves it as it was', async () => {
    const t = tempProfile('vault-newer');
    try {
      const vault = await initVault(t.profile, { holder: pki.clerk.holder });
      vault.database.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      await vault.close({ snapshot: false });
      await rejectsWithKind(openVault(t.profile, [pki.clerk.key]), 'vault-too-new');
    } finally {
      t.dispose();
    }
  });
});
