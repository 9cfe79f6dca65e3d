/**
 * The vault's stores with software keys: the directory (import checked whole before
 * anything is written), the seal policy (refusals before anything is written), sealing a
 * draft into the outbox as an encrypted blob with its outgoing register number, export,
 * import into another vault's inbox (inspected, not opened), opening with the recipient's
 * key (report saved, subject listed only now, incoming register number, status 03), a
 * tampered package refused with nothing written, the audit trail of it all, and no
 * marker string in any file of either profile.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAudit } from '../../native/audit/index.ts';
import { parseCertificate, softwareSigner } from '../../native/seal/signed-data/index.ts';
import {
  addInboxStatus,
  createDraft,
  exportOutboxPackage,
  importDirectory,
  importInbox,
  inboxStatusHistory,
  inboxVerification,
  initVault,
  listAgencies,
  listDrafts,
  listInbox,
  listIncomingRegister,
  listOutbox,
  listOutgoingRegister,
  listSent,
  markSent,
  openInbox,
  searchInbox,
  sealDraft,
  type SealIdentity,
  type Vault,
} from '../../native/vault/index.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';
import {
  drain,
  makeVaultPki,
  rejectsWithKind,
  tempProfile,
  type VaultPki,
} from './vault-fixture.ts';

const markers = {
  subject: 'MARKERSTORESUBJ Công văn gửi Bộ',
  topSecret: 'MARKERSTORETOP',
  fileName: 'MARKERSTOREFILE.txt',
  content: 'MARKERSTORECONTENT nội dung',
};

function findMarkers(dir: string): string[] {
  const needles = Object.values(markers).flatMap((m) => {
    const word = m.split(' ')[0] ?? m;
    return [Buffer.from(word, 'utf8'), Buffer.from(word, 'utf16le')];
  });
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath, entry.name));
    for (const n of needles) {
      if (bytes.includes(n)) hits.push(`${relative(dir, join(entry.parentPath, entry.name))}`);
    }
  }
  return hits;
}

const pem = (path: string): string => readFileSync(path, 'utf8');
const actions = (vault: Vault): string[] =>
  vault.database.prepare('SELECT action FROM audit ORDER BY seq').pluck().all() as string[];

let keys: VaultPki;
let signing: SignedDataPki;
before(() => {
  keys = makeVaultPki();
  signing = makeSignedDataPki();
});
after(() => {
  keys.dispose();
  signing.cleanup();
});

describe('vault stores', () => {
  it('seal → outbox → export → inbox → open, with policy, registers and audit', async () => {
    const a = tempProfile('stores-a');
    const b = tempProfile('stores-b');
    const out = join(b.dir, 'opened');
    try {
      const sender = await initVault(a.profile, {
        holder: keys.clerk.holder,
        actor: 'Văn thư A #01',
      });
      const receiver = await initVault(b.profile, {
        holder: keys.newClerk.holder,
        actor: 'Văn thư B #02',
      });
      const directory = (extra: object[] = []): string =>
        JSON.stringify({
          format: 'niem-directory',
          version: 1,
          agencies: [
            {
              organId: '000.00.00.G99',
              name: 'Bộ Tư pháp',
              clearance: 'tuyet-mat',
              keyTransport: 'ecdh',
              certificates: [pem(keys.newClerk.certPath)],
            },
            {
              organId: '000.00.00.G22',
              name: 'Văn phòng Chính phủ',
              clearance: 'mat',
              keyTransport: 'oaep-sha256',
              certificates: [pem(keys.stranger.certPath)],
            },
            ...extra,
          ],
        });

      // A directory with one bad agency changes nothing.
      const bad = directory([
        {
          organId: '000.00.00.G01',
          name: 'Sai',
          clearance: 'mat',
          keyTransport: 'ecdh',
          certificates: [pem(keys.stranger.certPath)], // RSA, not ECDH
        },
      ]);
      await rejectsWithKind(() => importDirectory(sender, bad), 'invalid-input');
      await rejectsWithKind(() => importDirectory(sender, '{"format":"x"}'), 'invalid-input');
      assert.deepEqual(listAgencies(sender), []);
      assert.deepEqual(importDirectory(sender, directory()), {
        added: ['000.00.00.G99', '000.00.00.G22'],
        replaced: [],
      });
      assert.deepEqual(importDirectory(sender, directory()).replaced.length, 2);
      assert.equal(listAgencies(sender).length, 2);

      const identity: SealIdentity = {
        signer: softwareSigner(signing.p256.key, signing.p256.der),
        sender: { certificate: readFileSync(keys.clerk.certPath) },
        certificates: signing.intermediates,
      };
      const doc = (i: number) => ({
        name: `${i}-${markers.fileName}`,
        content: Buffer.from(markers.content.repeat(2000)),
      });

      // Policy: refused before anything is written.
      const tooHigh = await createDraft(sender, {
        subject: `${markers.subject} tối mật`,
        level: 'toi-mat',
        recipients: ['000.00.00.G22'],
        documents: [doc(0)],
      });
      const unknown = await createDraft(sender, {
        subject: `${markers.subject} lạ`,
        level: 'thuong',
        recipients: ['000.00.00.G77'],
        documents: [doc(1)],
      });
      const blobsBefore = sender.database.prepare('SELECT count(*) FROM blobs').pluck().get();
      const auditBefore = actions(sender).length;
      await rejectsWithKind(sealDraft(sender, tooHigh, identity), 'not-authorised');
      await rejectsWithKind(sealDraft(sender, unknown, identity), 'recipient-unknown');
      assert.equal(
        sender.database.prepare('SELECT count(*) FROM blobs').pluck().get(),
        blobsBefore,
      );
      assert.equal(actions(sender).length, auditBefore);
      assert.deepEqual(listOutbox(sender), []);

      // Two drafts sealed: numbers 1 and 2 of the year, drafts gone, documents collected.
      const mat = await createDraft(sender, {
        subject: markers.subject,
        level: 'mat',
        urgency: 'khan',
        recipients: ['000.00.00.G99'],
        documents: [doc(2), doc(3)],
      });
      const top = await createDraft(sender, {
        subject: markers.topSecret,
        level: 'tuyet-mat',
        recipients: ['000.00.00.G99'],
        documents: [doc(4)],
      });
      const first = await sealDraft(sender, mat, identity);
      const second = await sealDraft(sender, top, identity);
      const year = new Date().getUTCFullYear();
      assert.deepEqual(
        [first.register, second.register],
        [
          { year, number: 1 },
          { year, number: 2 },
        ],
      );
      assert.deepEqual(
        listDrafts(sender).map((d) => d.id),
        [unknown, tooHigh],
      );
      const outbox = listOutbox(sender);
      assert.deepEqual(
        outbox.map((o) => [o.subject, o.level, o.transportState, o.recipients]),
        [
          [null, 'tuyet-mat', 'queued', ['000.00.00.G99']],
          [markers.subject, 'mat', 'queued', ['000.00.00.G99']],
        ],
      );
      assert.deepEqual(
        listOutgoingRegister(sender).map((r) => [r.number, r.subject]),
        [
          [1, markers.subject],
          [2, null],
        ],
      );

      // Into the other vault's inbox: inspected, not opened; a second import refused.
      const matPackage = await drain(exportOutboxPackage(sender, first.outboxId));
      const topPackage = await drain(exportOutboxPackage(sender, second.outboxId));
      const imported = await importInbox(receiver, matPackage);
      assert.equal(imported.level, 'mat');
      assert.equal(imported.packageSha256, first.packageSha256);
      const blobs = receiver.database.prepare('SELECT count(*) FROM blobs').pluck().get();
      await rejectsWithKind(importInbox(receiver, matPackage), 'already-imported');
      await rejectsWithKind(importInbox(receiver, Buffer.from('not a package')), 'malformed');
      assert.equal(receiver.database.prepare('SELECT count(*) FROM blobs').pluck().get(), blobs);
      const topImported = await importInbox(receiver, topPackage);
      assert.deepEqual(
        listInbox(receiver).map((i) => [i.subject, i.level, i.status, i.register]),
        [
          [null, 'tuyet-mat', '01', null],
          [null, 'mat', '01', null],
        ],
      );
      assert.deepEqual(searchInbox(receiver, markers.topSecret), []);

      // A tampered copy: refused at open, nothing written, no register number.
      const tampered = Buffer.from(topPackage);
      const middle = Math.floor(tampered.length / 2);
      tampered[middle] = (tampered[middle] ?? 0) ^ 0x01;
      const tamperedId = (await importInbox(receiver, tampered)).id;
      const openOptions = {
        keys: [keys.newClerk.key],
        trustAnchors: [signing.root.der],
        outDir: out,
      };
      await rejectsWithKind(openInbox(receiver, tamperedId, openOptions), 'tampered');
      assert.equal(existsSync(out), false, 'nothing written for a tampered package');
      assert.deepEqual(listIncomingRegister(receiver), []);

      // Opened by its recipient: report saved, subject listed and searchable, number 1, 03.
      const opened = await openInbox(receiver, topImported.id, openOptions);
      assert.equal(opened.subject, markers.topSecret);
      assert.deepEqual(opened.register, { year, number: 1 });
      assert.deepEqual(readdirSync(out).sort(), ['4-MARKERSTOREFILE.txt', 'manifest.json']);
      assert.equal(inboxVerification(receiver, topImported.id)?.committed, true);
      assert.equal(searchInbox(receiver, markers.topSecret).length, 1);
      const row = listInbox(receiver).find((i) => i.id === topImported.id);
      assert.equal(row?.subject, markers.topSecret);
      assert.equal(
        row?.senderOrganId,
        parseCertificate(signing.p256.der).subject.organizationIdentifier ?? null,
      );
      assert.deepEqual(
        inboxStatusHistory(receiver, topImported.id).map((s) => [s.status, s.actor]),
        [
          ['01', 'Văn thư B #02'],
          ['03', 'Văn thư B #02'],
        ],
      );
      addInboxStatus(receiver, topImported.id, '04', 'Phòng Tổng hợp');
      const second2 = await openInbox(receiver, imported.id, {
        ...openOptions,
        outDir: join(b.dir, 'opened-2'),
      });
      assert.deepEqual(second2.register, { year, number: 2 });

      // Sent once the platform took it.
      markSent(sender, first.outboxId, new Uint8Array([1, 2, 3]));
      assert.deepEqual(
        listSent(sender).map((s) => s.packageSha256),
        [first.packageSha256],
      );

      assert.deepEqual(actions(sender), [
        'directory.import',
        'directory.import',
        'draft.create',
        'draft.create',
        'draft.create',
        'draft.create',
        'draft.seal',
        'draft.seal',
        'outbox.export',
        'outbox.export',
        'outbox.sent',
      ]);
      assert.deepEqual(actions(receiver), [
        'inbox.import',
        'inbox.import',
        'inbox.import',
        'inbox.open-refused',
        'inbox.status',
        'inbox.open',
        'inbox.status',
        'inbox.status',
        'inbox.open',
      ]);
      const seal = sender.database
        .prepare(`SELECT actor, package, level FROM audit WHERE action = 'draft.seal' ORDER BY seq`)
        .all();
      assert.deepEqual(seal, [
        { actor: 'Văn thư A #01', package: first.packageSha256, level: 'mat' },
        { actor: 'Văn thư A #01', package: second.packageSha256, level: 'tuyet-mat' },
      ]);
      assert.equal(verifyAudit(sender.database).ok, true);
      assert.equal(verifyAudit(receiver.database).ok, true);

      await sender.close();
      await receiver.close();
      assert.deepEqual(findMarkers(a.profile), []);
      assert.deepEqual(findMarkers(b.profile), []);
      const work = join(b.profile, 'work');
      assert.deepEqual(existsSync(work) ? readdirSync(work) : [], [], 'no work file left');
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
