/**
 * Opening received packages from the vault: one verified on arrival opens without
 * decrypting again (its documents are read from the vault), and a Tuyệt mật subject is
 * listed only then; `openInbox` (`niem open ID --out DIR`) opens an imported package into
 * the vault and writes manifest.json and the documents to the folder, nothing when it is
 * refused (the status left as it was); a package refused on arrival may be opened to read
 * it but is never registered; one a clerk opened before the platform delivered it is not
 * opened again on arrival.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import type { RecipientKey } from '../../native/seal/cms-crypto/index.ts';
import { receivePackage, type ReceiveOptions } from '../../native/sync/inbox-arrival.ts';
import {
  getInbox,
  importInbox,
  inboxDocuments,
  inboxStatusHistory,
  initVault,
  listInbox,
  openInbox,
  openInboxInVault,
  searchInbox,
  type Vault,
} from '../../native/vault/index.ts';
import {
  MemoryPlatform,
  OTHER_ORG,
  RECEIVER_ORG,
  entryFor,
  makeArrivalPki,
  sealTestPackage,
  type ArrivalPki,
} from './inbox-fixture.ts';
import { rejectsWithKind, tempProfile } from './vault-fixture.ts';

let pki: ArrivalPki;
before(() => {
  pki = makeArrivalPki();
});
after(() => pki.dispose());

const options = (): ReceiveOptions => ({
  keys: [pki.keys.clerk.key],
  trustAnchors: [pki.root],
  signer: pki.receiver.signer,
  organId: RECEIVER_ORG,
  certificates: [pki.issuing],
});

/** A key that fails if it is ever asked to decrypt. */
const untouchable = (): RecipientKey => ({
  certificate: pki.keys.clerk.key.certificate,
  decrypt: () => Promise.reject(new NiemError('token-removed', 'must not be used')),
});

const actions = (vault: Vault): string[] =>
  vault.database.prepare('SELECT action FROM audit ORDER BY seq').pluck().all() as string[];

async function withVault(work: (vault: Vault, dir: string) => Promise<void>): Promise<void> {
  const t = tempProfile('inbox-open');
  const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
  try {
    await work(vault, t.dir);
  } finally {
    await vault.close();
    t.dispose();
  }
}

const topSecret = () =>
  sealTestPackage(pki, {
    level: 'tuyet-mat',
    subject: 'Kế hoạch tuyệt mật',
    documents: [
      { name: 'ke-hoach.txt', content: Buffer.from('kế hoạch') },
      { name: 'phu-luc.txt', content: Buffer.from('phụ lục') },
    ],
  });

describe('opening received packages from the vault', () => {
  it('a package verified on arrival opens without decrypting again; Tuyệt mật listed then', async () => {
    await withVault(async (vault) => {
      const bytes = await topSecret();
      const platform = new MemoryPlatform();
      const entry = entryFor(bytes, 'tuyet-mat');
      platform.packages.set(entry.sha256, bytes);
      const received = await receivePackage(vault, entry, platform, options());
      const id = received.inboxId as number;
      assert.equal(received.status, '03');
      assert.equal(listInbox(vault)[0]?.subject, null, 'hidden until a clerk opens it');
      assert.deepEqual(searchInbox(vault, 'ke hoach'), [], 'nor searchable');

      const opened = await openInboxInVault(vault, id, {
        keys: [untouchable()],
        trustAnchors: [pki.root],
      });
      assert.equal(opened.subject, 'Kế hoạch tuyệt mật');
      assert.deepEqual(opened.register, received.register);
      assert.equal(listInbox(vault)[0]?.subject, 'Kế hoạch tuyệt mật');
      assert.notEqual(getInbox(vault, id).openedAt, null);
      assert.equal(searchInbox(vault, 'ke hoach').length, 1);
      assert.deepEqual(
        inboxStatusHistory(vault, id).map((h) => h.status),
        ['01', '03'],
        'registered once',
      );
      assert.equal(actions(vault).at(-1), 'inbox.open');
    });
  });

  it('openInbox writes manifest.json and the documents, or nothing when refused', async () => {
    await withVault(async (vault, dir) => {
      const bytes = await topSecret();
      const tampered = Buffer.from(bytes);
      const middle = Math.floor(tampered.length / 2);
      tampered[middle] = (tampered[middle] ?? 0) ^ 1;
      const good = await importInbox(vault, bytes);
      const bad = await importInbox(vault, tampered);
      const open = { keys: [pki.keys.clerk.key], trustAnchors: [pki.root] };

      const badOut = join(dir, 'bad');
      await rejectsWithKind(openInbox(vault, bad.id, { ...open, outDir: badOut }), 'tampered');
      assert.equal(existsSync(badOut), false, 'nothing written');
      assert.equal(
        getInbox(vault, bad.id).status,
        '01',
        'a clerk’s open refuses nothing by itself',
      );

      const out = join(dir, 'out');
      const opened = await openInbox(vault, good.id, { ...open, outDir: out });
      assert.equal(opened.report.committed, true);
      assert.equal(opened.report.outDir, out);
      assert.deepEqual(opened.register?.number, 1);
      assert.deepEqual(readdirSync(out).sort(), ['ke-hoach.txt', 'manifest.json', 'phu-luc.txt']);
      assert.equal(readFileSync(join(out, 'phu-luc.txt'), 'utf8'), 'phụ lục');
      assert.equal(
        JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).securityLevel,
        'tuyet-mat',
      );
      assert.equal(inboxDocuments(vault, good.id).length, 2, 'kept in the vault too');

      // Again, elsewhere: from the vault, no key used.
      const again = join(dir, 'again');
      await openInbox(vault, good.id, {
        keys: [untouchable()],
        trustAnchors: [pki.root],
        outDir: again,
      });
      assert.deepEqual(readdirSync(again).sort(), readdirSync(out).sort());
      assert.deepEqual(actions(vault), [
        'inbox.import',
        'inbox.import',
        'inbox.open-refused',
        'inbox.status',
        'inbox.open',
        'inbox.open',
      ]);
    });
  });

  it('a package refused on arrival may be read, never registered', async () => {
    await withVault(async (vault) => {
      const bytes = await topSecret();
      const platform = new MemoryPlatform();
      const entry = entryFor(bytes, 'tuyet-mat', OTHER_ORG);
      platform.packages.set(entry.sha256, bytes);
      const received = await receivePackage(vault, entry, platform, options());
      assert.equal(received.refusal?.code, 'sender-mismatch');
      const id = received.inboxId as number;
      const opened = await openInboxInVault(vault, id, {
        keys: [pki.keys.clerk.key],
        trustAnchors: [pki.root],
      });
      assert.equal(opened.register, null);
      assert.equal(getInbox(vault, id).status, '02');
      assert.equal(inboxDocuments(vault, id).length, 2);
    });
  });

  it('a package a clerk opened before the platform delivered it is not opened again', async () => {
    await withVault(async (vault) => {
      const bytes = await topSecret();
      const imported = await importInbox(vault, bytes);
      await openInboxInVault(vault, imported.id, {
        keys: [pki.keys.clerk.key],
        trustAnchors: [pki.root],
      });
      const platform = new MemoryPlatform();
      const entry = entryFor(bytes, 'tuyet-mat');
      platform.packages.set(entry.sha256, bytes);
      const received = await receivePackage(vault, entry, platform, {
        ...options(),
        keys: [untouchable()],
      });
      assert.equal(received.inboxId, imported.id);
      assert.equal(received.outcome, 'registered');
      assert.deepEqual(received.register?.number, 1);
      assert.equal(received.noticesQueued, 2, '01 and 03 for the sender');
      assert.deepEqual(
        inboxStatusHistory(vault, imported.id).map((h) => h.status),
        ['01', '03'],
      );
    });
  });
});
