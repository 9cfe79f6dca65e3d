/**
 * The outbox and inbox as the contract lists them (`outbox.list`, `inbox.list` handlers
 * over the stores, software keys): pages newest first with `hasMore`, the answers valid
 * by the contract's schemas, urgency and register numbers, recipients named from the
 * directory, a Tuyệt mật subject never in the outbox, inbox subjects, urgency and sender
 * unknown until opened; and the params schema's limits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { methods } from '../../native/api/contract.ts';
import { softwareSigner } from '../../native/seal/signed-data/index.ts';
import { boxHandlers } from '../../native/service/box-handlers.ts';
import {
  createDraft,
  exportOutboxPackage,
  importDirectory,
  importInbox,
  initVault,
  openInbox,
  sealDraft,
  type SealIdentity,
  type Vault,
} from '../../native/vault/index.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';
import { drain, makeVaultPki, tempProfile, type VaultPki } from './vault-fixture.ts';

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

const G99 = '000.00.00.G99';
const SENDER_ORG = 'MST:0100000001'; // the signing PKI's organizationIdentifier

describe('outbox.list and inbox.list', () => {
  it('page both boxes newest first, with the fields lists show and nothing hidden leaking', async () => {
    const a = tempProfile('boxes-a');
    const b = tempProfile('boxes-b');
    let sender: Vault | undefined;
    let receiver: Vault | undefined;
    try {
      sender = await initVault(a.profile, { holder: keys.clerk.holder });
      receiver = await initVault(b.profile, { holder: keys.newClerk.holder });
      const s = sender;
      const r = receiver;
      importDirectory(
        s,
        JSON.stringify({
          format: 'niem-directory',
          version: 1,
          agencies: [
            {
              organId: G99,
              name: 'Bộ Tư pháp',
              clearance: 'tuyet-mat',
              keyTransport: 'ecdh',
              certificates: [readFileSync(keys.newClerk.certPath, 'utf8')],
            },
          ],
        }),
      );
      const identity: SealIdentity = {
        signer: softwareSigner(signing.p256.key, signing.p256.der),
        sender: { certificate: readFileSync(keys.clerk.certPath) },
        certificates: signing.intermediates,
      };
      const drafts = [
        { subject: 'Công văn mật', level: 'mat', urgency: 'khan' },
        { subject: 'Kế hoạch tuyệt mật', level: 'tuyet-mat', urgency: 'hoa-toc' },
        { subject: 'Thông báo thường', level: 'thuong', urgency: 'thuong' },
      ] as const;
      const sealed = [];
      for (const d of drafts) {
        const id = await createDraft(s, {
          ...d,
          recipients: [G99],
          documents: [{ name: 'a.txt', content: Buffer.from(d.subject) }],
        });
        sealed.push(await sealDraft(s, id, identity));
      }
      const year = new Date().getUTCFullYear();

      const out = boxHandlers(() => s);
      const outboxParams = methods['outbox.list'].params;
      const first = methods['outbox.list'].result.parse(
        await out['outbox.list'](outboxParams.parse({ limit: 2 })),
      );
      assert.equal(first.hasMore, true);
      assert.deepEqual(
        first.items.map((o) => [o.subject, o.level, o.urgency, o.register?.number]),
        [
          ['Thông báo thường', 'thuong', 'thuong', 3],
          [null, 'tuyet-mat', 'hoa-toc', 2],
        ],
      );
      assert.deepEqual(first.items[0]?.recipients, [{ organId: G99, name: 'Bộ Tư pháp' }]);
      assert.equal(first.items[0]?.transportState, 'queued');
      assert.equal(first.items[0]?.register?.year, year);
      const second = await out['outbox.list'](outboxParams.parse({ offset: 2, limit: 2 }));
      assert.equal(second.hasMore, false);
      assert.deepEqual(
        second.items.map((o) => [o.subject, o.urgency]),
        [['Công văn mật', 'khan']],
      );
      assert.ok(!JSON.stringify(first).includes('Kế hoạch tuyệt mật'), 'the Tuyệt mật subject');

      // Into the receiver's inbox: nothing known but the outer level until opened.
      const imported = [];
      for (const p of sealed) {
        imported.push(await importInbox(r, await drain(exportOutboxPackage(s, p.outboxId))));
      }
      const inbox = boxHandlers(() => r);
      const inboxParams = methods['inbox.list'].params;
      const unopened = methods['inbox.list'].result.parse(
        await inbox['inbox.list'](inboxParams.parse({})),
      );
      assert.equal(unopened.hasMore, false);
      assert.deepEqual(
        unopened.items.map((i) => [i.subject, i.opened, i.level, i.urgency, i.sender, i.status]),
        [
          [null, false, 'thuong', null, null, '01'],
          [null, false, 'tuyet-mat', null, null, '01'],
          [null, false, 'mat', null, null, '01'],
        ],
      );
      const top = imported[1];
      assert.ok(top);
      await openInbox(r, top.id, {
        keys: [keys.newClerk.key],
        trustAnchors: [signing.root.der],
        outDir: join(b.dir, 'opened'),
      });
      const after = methods['inbox.list'].result.parse(
        await inbox['inbox.list'](inboxParams.parse({ limit: 1, offset: 1 })),
      );
      assert.equal(after.hasMore, true);
      assert.deepEqual(after.items, [
        {
          id: top.id,
          subject: 'Kế hoạch tuyệt mật',
          opened: true,
          level: 'tuyet-mat',
          urgency: 'hoa-toc',
          sender: { organId: SENDER_ORG, name: null },
          status: '03',
          register: { year, number: 1 },
          receivedAt: after.items[0]?.receivedAt,
          openedAt: after.items[0]?.openedAt,
        },
      ]);
    } finally {
      await sender?.close();
      await receiver?.close();
      a.dispose();
      b.dispose();
    }
  });

  it('the params schema refuses pages past its limits', () => {
    const params = methods['inbox.list'].params;
    assert.deepEqual(params.parse({}), { offset: 0, limit: 20 });
    assert.equal(params.safeParse({ limit: 201 }).success, false);
    assert.equal(params.safeParse({ offset: -1 }).success, false);
    assert.equal(params.safeParse({ limit: 5, extra: 1 }).success, false);
  });
});
