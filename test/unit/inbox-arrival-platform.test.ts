/**
 * The arrival path over the real platform (startPlatform on 127.0.0.1 over TLS, the
 * embedded SQLite store, createPlatformClient for both agencies' clerks with software
 * keys): G01 uploads a sealed package for G02; G02 reads its mailbox and receives it,
 * stopped once mid-download and resumed where it stopped (a Range request), verifies and
 * registers it, and sends its 01 and 03 notices, which reach G01's mailbox signed by G02.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MIN_CHUNK_BYTES } from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import { recipientCertificate, softwareRecipientKey } from '../../native/seal/cms-crypto/index.ts';
import { receivePackage } from '../../native/sync/inbox-arrival.ts';
import { sendPendingNotices } from '../../native/sync/notices-out.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';
import type { PlatformApi } from '../../native/sync/platform-api.ts';
import { getArrival, inboxNotices, initVault, noticeDer } from '../../native/vault/index.ts';
import { startPlatform, type RunningPlatform } from '../../platform/server/platform-server.ts';
import { openStore } from '../../platform/store/open-store.ts';
import type { PlatformStore } from '../../platform/store/platform-store.ts';
import {
  RECEIVER_ORG,
  SENDER_ORG,
  makeArrivalPki,
  sealTestPackage,
  sha256Hex,
  type ArrivalPki,
} from './inbox-fixture.ts';
import { tempProfile } from './vault-fixture.ts';

let pki: ArrivalPki;
let store: PlatformStore;
let running: RunningPlatform;
let dataDir: string;
before(async () => {
  pki = makeArrivalPki();
  dataDir = mkdtempSync(join(tmpdir(), 'niem-arrival-platform-'));
  store = await openStore({ dataDir });
  await store.setConfig({
    chunkBytes: MIN_CHUNK_BYTES,
    approvedLevel: 'toi-mat',
    platformName: 'truc-thu.test',
  });
  for (const [organId, name] of [
    [SENDER_ORG, 'Văn phòng Chính phủ'],
    [RECEIVER_ORG, 'Bộ Tư pháp'],
  ] as const) {
    await store.putAgency({ organId, name, clearance: 'toi-mat', keyTransport: 'ecdh' });
  }
  await store.addCertificate(SENDER_ORG, Buffer.from(pki.sender.der));
  await store.addCertificate(RECEIVER_ORG, Buffer.from(pki.receiver.der));
  // The receiving clerk's encryption certificate, which the packages are sealed for.
  const encryption = new X509Certificate(readFileSync(pki.keys.clerk.certPath)).raw;
  await store.addCertificate(RECEIVER_ORG, encryption);
  running = await startPlatform({
    store,
    tls: pki.platform.tls,
    host: '127.0.0.1',
    port: 0,
    trustAnchors: [pki.root],
    receiptSigner: { signer: pki.platform.receipt.signer, certificates: [pki.issuing] },
  });
});
after(async () => {
  await running.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  pki.dispose();
});

function client(organId: string, signer = pki.sender.signer): PlatformApi {
  return createPlatformClient({
    url: running.url,
    trustAnchors: [pki.root],
    signer: async () => signer,
    certificates: [pki.issuing],
    organId,
  });
}

describe('arrival over the real platform', () => {
  it('receives, resumes, registers and sends 01 and 03 back to the sender', async () => {
    const bytes = await sealTestPackage(pki, {
      level: 'mat',
      subject: 'Công văn qua trục',
      documents: [{ name: 'cv.bin', content: Buffer.alloc(500_000, 3) }],
    });
    const sha256 = sha256Hex(bytes);
    const sender = client(SENDER_ORG);
    const receiver = client(RECEIVER_ORG, pki.receiver.signer);
    const t = tempProfile('arrival-platform');
    const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
    try {
      await sender.upload(
        {
          sha256,
          size: bytes.length,
          level: 'mat',
          recipients: [RECEIVER_ORG],
          read: async function* (offset) {
            yield bytes.subarray(offset);
          },
        },
        () => undefined,
      );
      const mailbox = await receiver.mailbox(undefined);
      const entry = mailbox.entries.find((e) => e.kind === 'package');
      assert.ok(entry !== undefined && entry.kind === 'package');
      assert.equal(entry.sha256, sha256);
      const options = {
        keys: [
          softwareRecipientKey(
            createPrivateKey(readFileSync(pki.keys.clerk.keyPath)),
            recipientCertificate(readFileSync(pki.keys.clerk.certPath)),
          ),
        ],
        trustAnchors: [pki.root],
        signer: pki.receiver.signer,
        organId: RECEIVER_ORG,
        certificates: [pki.issuing],
        segmentBytes: 64 * 1024,
      };

      // Stopped once the first segment is kept.
      const stop = new AbortController();
      await assert.rejects(
        receivePackage(vault, entry, receiver, {
          ...options,
          signal: stop.signal,
          progress: (done) => {
            if (done > 100_000) stop.abort();
          },
        }),
      );
      const kept = getArrival(vault, sha256)?.received ?? 0;
      assert.ok(kept > 0 && kept < bytes.length, `kept ${kept}`);

      const received = await receivePackage(vault, entry, receiver, options);
      assert.equal(received.downloaded, bytes.length - kept, 'resumed where it stopped');
      assert.equal(received.outcome, 'registered');
      await receiver.ack(entry.cursor);
      assert.deepEqual(await sendPendingNotices(vault, receiver), {
        sent: 2,
        refused: 0,
        pending: 0,
      });
      assert.deepEqual(
        inboxNotices(vault, received.inboxId as number).map((n) => [n.status, n.state]),
        [
          ['01', 'sent'],
          ['03', 'sent'],
        ],
      );

      const back = await sender.mailbox(undefined);
      const statuses = [];
      for (const e of back.entries) {
        if (e.kind !== 'notice') continue;
        const v = await verifyStatement(Buffer.from(e.notice, 'base64'), {
          type: 'niem-notice',
          trustAnchors: [pki.root],
        });
        assert.equal(v.organId, RECEIVER_ORG);
        assert.equal(v.statement.sha256, sha256);
        statuses.push(v.statement.status);
      }
      assert.deepEqual(statuses, ['01', '03']);

      // The same bytes posted again (a reply lost before it was recorded): kept once.
      const [, registered] = inboxNotices(vault, received.inboxId as number);
      await receiver.postNotice(noticeDer(vault, registered?.id as number));
      const again = await sender.mailbox(undefined);
      assert.equal(again.entries.filter((e) => e.kind === 'notice').length, 2);
    } finally {
      await vault.close();
      await sender.close();
      await receiver.close();
      t.dispose();
    }
  });
});
