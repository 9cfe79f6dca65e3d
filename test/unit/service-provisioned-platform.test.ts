/**
 * The platform an administrator provisions in the settings file: a profile without a
 * platform adopts its address and CA certificates when its vault opens (audited), a
 * profile that has its own keeps it, and a settings file with a plain-HTTP address or a
 * file without a certificate is refused without changing the profile.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettingsSchema } from '../../native/service/settings.ts';
import { adoptProvisionedPlatform } from '../../native/service/sync-setup.ts';
import {
  getSyncState,
  initVault,
  listTrustAnchors,
  setPlatformUrl,
  type Vault,
} from '../../native/vault/index.ts';
import { makeVaultPki, tempProfile, type VaultPki } from './vault-fixture.ts';

describe('a platform provisioned in the settings', () => {
  let pki: VaultPki;
  let vault: Vault;
  let dispose: () => void;
  let dir: string;

  before(async () => {
    pki = makeVaultPki();
    const temp = tempProfile('provisioned');
    dispose = temp.dispose;
    dir = temp.dir;
    vault = await initVault(temp.profile, { holder: pki.clerk.holder, actor: 'Văn thư' });
  });
  after(async () => {
    await vault.close();
    dispose();
    pki.dispose();
  });

  it('is refused in the settings unless its address is https', () => {
    const parsed = (url: string) =>
      SettingsSchema.safeParse({ platform: { url, trustAnchors: ['/ca.pem'] } }).success;
    assert.equal(parsed('https://truc.example:8443'), true);
    assert.equal(parsed('http://truc.example:8443'), false);
    assert.equal(parsed('truc.example'), false);
    assert.equal(SettingsSchema.safeParse({ platform: { url: 'https://a' } }).success, false);
  });

  it('refuses a trust file without a certificate and changes nothing', () => {
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    assert.throws(
      () =>
        adoptProvisionedPlatform(vault, { url: 'https://127.0.0.1:8443', trustAnchors: [empty] }),
      { kind: 'invalid-input' },
    );
    assert.equal(getSyncState(vault).platformUrl, null);
    assert.equal(listTrustAnchors(vault).length, 0);
  });

  it('is adopted by a profile without a platform: address and CA, once', () => {
    const ca = join(pki.dir, 'ca.pem');
    const adopted = adoptProvisionedPlatform(vault, {
      url: 'https://127.0.0.1:8443',
      trustAnchors: [ca],
    });
    assert.equal(adopted, true);
    assert.equal(getSyncState(vault).platformUrl, 'https://127.0.0.1:8443');
    assert.deepEqual(
      listTrustAnchors(vault).map((a) => a.subject),
      ['C=VN, CN=Niêm vault TEST CA'],
    );
    assert.equal(
      adoptProvisionedPlatform(vault, { url: 'https://other:1', trustAnchors: [ca] }),
      false,
    );
    assert.equal(getSyncState(vault).platformUrl, 'https://127.0.0.1:8443');
  });

  it('never replaces the platform a profile chose', () => {
    setPlatformUrl(vault, 'https://truc.agency:9443');
    adoptProvisionedPlatform(vault, {
      url: 'https://127.0.0.1:8443',
      trustAnchors: [join(pki.dir, 'ca.pem')],
    });
    assert.equal(getSyncState(vault).platformUrl, 'https://truc.agency:9443');
  });
});
