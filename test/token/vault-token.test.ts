/**
 * The vault key on real (SoftHSM2) tokens: wrapped for the RSA-3072 clerk token
 * VPCP-VANTHU (OAEP with SHA-1, all SoftHSM2 can do) and an agency recovery key; opened by
 * that token, which decrypts on the token; refused to the EC token BTP-VANTHU and to a
 * token that is not signed in; re-wrapped for BTP-VANTHU with the recovery key after which
 * BTP opens it by ECDH on the token and VPCP no longer does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tokenRecipientKeys, tokenSenderRecipient } from '../../native/seal/pipeline/index.ts';
import { TokenService } from '../../native/token/token-service.ts';
import {
  createDraft,
  getDraft,
  initVault,
  openVault,
  rewrapVault,
  type KeyHolder,
} from '../../native/vault/index.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { makeVaultPki, rejectsWithKind, type VaultPki } from '../unit/vault-fixture.ts';
import { buildDemo, listedToken, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

let dir: { path: string; dispose: () => void };
let demo: DemoManifest;
let service: TokenService;
let pki: VaultPki;

before(async () => {
  dir = tempDir('vault-token');
  demo = buildDemo(join(dir.path, 'demo'));
  pki = makeVaultPki();
  service = await TokenService.open({ modules: [softhsmPath] });
});
after(async () => {
  await service.close();
  pki.dispose();
  dir.dispose();
});

async function signIn(label: string): Promise<void> {
  if (service.isSignedIn()) await service.logout();
  const token = demo.tokens.find((t) => t.label === label);
  assert.ok(token);
  await service.login((await listedToken(service, label)).id, token.pin);
}

/** The signed-in token's certificate to wrap for, with the OAEP hash it can do. */
async function tokenHolder(): Promise<KeyHolder> {
  const { certificate, oaepHash } = await tokenSenderRecipient(service);
  return { certificate, ...(oaepHash === undefined ? {} : { oaepHash }) };
}

describe('vault key on SoftHSM2 tokens', () => {
  it('opens on the clerk token only, and moves to a new token through recovery', async () => {
    const profile = join(dir.path, 'profile');
    await signIn('VPCP-VANTHU');
    const vpcpHolder = await tokenHolder();
    assert.equal(vpcpHolder.oaepHash, 'sha1', 'SoftHSM2 decrypts OAEP with SHA-1 only');
    const vault = await initVault(profile, { holder: vpcpHolder, recovery: pki.recovery.holder });
    const id = await createDraft(vault, { subject: 'Công văn mật', level: 'mat', recipients: [] });
    await vault.close();

    const opened = await openVault(profile, await tokenRecipientKeys(service));
    assert.equal(getDraft(opened.vault, id).subject, 'Công văn mật');
    await opened.vault.close();

    const keys = await tokenRecipientKeys(service);
    await service.logout();
    await rejectsWithKind(openVault(profile, keys), 'not-signed-in');

    await signIn('BTP-VANTHU');
    await rejectsWithKind(
      openVault(profile, await tokenRecipientKeys(service)),
      'vault-key-mismatch',
    );

    await rewrapVault(profile, [pki.recovery.key], await tokenHolder());
    const moved = await openVault(profile, await tokenRecipientKeys(service));
    assert.equal(getDraft(moved.vault, id).subject, 'Công văn mật');
    await moved.vault.close();

    await signIn('VPCP-VANTHU');
    await rejectsWithKind(
      openVault(profile, await tokenRecipientKeys(service)),
      'vault-key-mismatch',
    );
    await service.logout();
  });
});
