/**
 * The vault's sync bookkeeping on a real vault: trust anchors (CA certificates only,
 * added once, listed, removed, each change audited), the sync state (the platform kept
 * as its origin, a new platform forgets the old cursor and ETag, the cursor never goes
 * back), and the outbox list carrying the transport fields (progress, error with the
 * platform's code, action, next attempt, receipt, notices) with the sent list as the
 * view of the rows holding a receipt.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  addTrustAnchors,
  beginUpload,
  getOutbox,
  getSyncState,
  listOutbox,
  listSent,
  listTrustAnchors,
  markSent,
  recordFailure,
  recordRetry,
  recordUploadProgress,
  removeTrustAnchor,
  setDirectoryEtag,
  setMailboxCursor,
  setPlatformUrl,
  trustAnchorCertificates,
  type Vault,
} from '../../native/vault/index.ts';
import {
  RECIPIENT,
  auditActions,
  clerkOf,
  fakeClock,
  makeSyncPki,
  queuePackage,
  senderVault,
  type SyncPki,
} from './sync-engine-fixture.ts';
import { makeVaultPki, rejectsWithKind, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: SyncPki;
let keys: VaultPki;
let vault: Vault;
let dispose: () => void;
before(async () => {
  pki = makeSyncPki();
  keys = makeVaultPki();
  const temp = tempProfile('outbox-transport');
  dispose = temp.dispose;
  vault = await senderVault(temp.profile, keys.clerk, pki, fakeClock());
});
after(async () => {
  await vault.close();
  dispose();
  pki.dispose();
  keys.dispose();
});

describe('vault: trust anchors, sync state, outbox transport fields', () => {
  it('keeps CA certificates as trust anchors, once each, audited', async () => {
    assert.equal(listTrustAnchors(vault).length, 1, 'the fixture added the CA');
    const caPem = readFileSync(`${keys.dir}/ca.pem`);
    const ca = new Uint8Array(new X509Certificate(caPem).raw);
    const added = addTrustAnchors(vault, [ca, ca, pki.ca]);
    assert.equal(added.added.length, 1);
    assert.equal(added.present.length, 2, 'the repeat and the CA the fixture added');
    await rejectsWithKind(
      () => addTrustAnchors(vault, [clerkOf(pki, RECIPIENT).der]),
      'invalid-input',
    );
    await rejectsWithKind(() => addTrustAnchors(vault, [new Uint8Array([1, 2, 3])]), 'malformed');
    const anchors = listTrustAnchors(vault);
    assert.equal(anchors.length, 2);
    assert.match(anchors[1]?.subject ?? '', /Niêm vault TEST CA/);
    assert.deepEqual(trustAnchorCertificates(vault)[1], ca);
    assert.equal(removeTrustAnchor(vault, anchors[1]?.sha256 ?? ''), true);
    assert.equal(removeTrustAnchor(vault, anchors[1]?.sha256 ?? ''), false);
    await rejectsWithKind(() => removeTrustAnchor(vault, 'xyz'), 'invalid-input');
    assert.deepEqual(
      auditActions(vault).filter((a) => a.startsWith('trust.')),
      ['trust.add', 'trust.add', 'trust.remove'],
    );
  });

  it('remembers the platform as its origin; a new one starts afresh; the cursor only moves on', async () => {
    assert.deepEqual(getSyncState(vault), {
      platformUrl: null,
      mailboxCursor: null,
      directoryEtag: null,
      lastRunAt: null,
      lastError: null,
    });
    assert.equal(setPlatformUrl(vault, 'https://truc.example:8443/'), 'https://truc.example:8443');
    setMailboxCursor(vault, '42');
    setMailboxCursor(vault, '7');
    setDirectoryEtag(vault, `"${'a'.repeat(64)}"`);
    assert.equal(getSyncState(vault).mailboxCursor, '42');
    setPlatformUrl(vault, 'https://truc.example:8443');
    assert.equal(getSyncState(vault).mailboxCursor, '42', 'the same platform keeps its cursor');
    setPlatformUrl(vault, 'https://truc-moi.example');
    assert.deepEqual(
      [getSyncState(vault).mailboxCursor, getSyncState(vault).directoryEtag],
      [null, null],
    );
    await rejectsWithKind(() => setPlatformUrl(vault, 'ftp://x'), 'invalid-input');
    await rejectsWithKind(() => setPlatformUrl(vault, 'https://u:p@x'), 'invalid-input');
    await rejectsWithKind(() => setMailboxCursor(vault, '-1'), 'invalid-input');
    assert.equal(auditActions(vault).filter((a) => a === 'sync.platform').length, 2);
  });

  it('lists the transport fields; the sent list is the rows holding a receipt', async () => {
    const a = await queuePackage(vault, new Uint8Array(1000).fill(1));
    const b = await queuePackage(vault, new Uint8Array(10).fill(2));
    const c = await queuePackage(vault, new Uint8Array(10).fill(3));
    beginUpload(vault, a.id);
    recordUploadProgress(vault, a.id, 400, 1000);
    let row = getOutbox(vault, a.id);
    assert.deepEqual(
      [row.transportState, row.bytesDone, row.size, row.attempts],
      ['uploading', 400, 1000, 1],
    );
    recordRetry(
      vault,
      b.id,
      { kind: 'platform-unreachable', message: 'refused' },
      '2030-01-01T00:00:00.000Z',
      { countAttempt: true },
    );
    row = getOutbox(vault, b.id);
    assert.deepEqual(
      [row.transportState, row.nextAttemptAt, row.attempts],
      ['failed-retrying', '2030-01-01T00:00:00.000Z', 1],
    );
    assert.deepEqual(row.error, { kind: 'platform-unreachable', message: 'refused' });
    recordFailure(
      vault,
      c.id,
      {
        kind: 'platform-refused',
        message: 'no',
        code: 'recipient-not-cleared',
        organId: RECIPIENT,
      },
      're-seal',
    );
    row = getOutbox(vault, c.id);
    assert.deepEqual(row.error?.detail, { code: 'recipient-not-cleared', organId: RECIPIENT });
    assert.equal(row.action, 're-seal');
    assert.equal(row.lastError, 'no');
    assert.equal(
      markSent(vault, a.id, new Uint8Array([0x30, 0x00]), '2026-05-05T05:05:05.000Z'),
      a.id,
    );
    row = getOutbox(vault, a.id);
    assert.deepEqual(
      [row.transportState, row.receipt, row.receiptAt, row.bytesDone, row.error],
      ['sent', true, '2026-05-05T05:05:05.000Z', 1000, null],
    );
    assert.deepEqual(
      listSent(vault).map((s) => [s.id, s.state, s.sentAt]),
      [[a.id, 'sent', '2026-05-05T05:05:05.000Z']],
    );
    assert.equal(listOutbox(vault).length, 3, 'one outbox list with every state');
    const json = JSON.parse(JSON.stringify(listOutbox(vault)[0])) as Record<string, unknown>;
    for (const field of [
      'transportState',
      'bytesDone',
      'size',
      'nextAttemptAt',
      'error',
      'action',
      'receipt',
      'notices',
    ]) {
      assert.ok(field in json, field);
    }
  });
});
