/**
 * The platform client (native/sync/platform-client.ts) against the real platform
 * (startPlatform over TLS on loopback, SQLite store) with software clerk keys: sign-in,
 * the directory and its ETag, an upload interrupted by the signal and resumed (only the
 * missing chunks are read and sent; the upload status shows what is held), a second upload of the same package (the stored
 * receipt, nothing sent), a download resumed from an offset, the mailbox and its
 * acknowledgement, and a notice relayed to the sender.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { signStatement, verifyStatement } from '../../native/exchange/signed-statement.ts';
import type { PackageSource, PlatformApi } from '../../native/sync/platform-api.ts';
import { createPlatformClient } from '../../native/sync/platform-client.ts';
import {
  G22,
  G99,
  H01,
  sealTestPackage,
  startTestPlatform,
  type TestPackage,
  type TestPlatform,
} from './helpers/platform-fixture.ts';

/** The platform's chunk size in these tests (startTestPlatform's default, the minimum). */
const CHUNK = 64 * 1024;

let platform: TestPlatform;
const clients: PlatformApi[] = [];
before(async () => {
  platform = await startTestPlatform();
});
after(async () => {
  for (const c of clients) await c.close();
  await platform.dispose();
});

function clientOf(organId: string): PlatformApi {
  const clerk = platform.clerks.get(organId);
  assert.ok(clerk);
  const client = createPlatformClient({
    url: platform.url,
    // The platform's TLS certificate comes without its issuing CA: the profile trusts both.
    trustAnchors: [platform.pki.rootDer, platform.pki.issuingDer],
    signer: () => Promise.resolve(clerk.signer),
    certificates: [platform.pki.issuingDer],
    organId,
    senderCertificateSha256: clerk.sha256,
  });
  clients.push(client);
  return client;
}

/** A package source over sealed bytes that records where each read started. */
function sourceOf(pkg: TestPackage, recipients: string[], reads: number[] = []): PackageSource {
  return {
    sha256: pkg.sha256,
    size: pkg.bytes.length,
    level: pkg.level,
    recipients,
    async *read(offset: number) {
      reads.push(offset);
      for (let at = offset; at < pkg.bytes.length; at += 20_000) {
        yield pkg.bytes.subarray(at, Math.min(at + 20_000, pkg.bytes.length));
      }
    },
  };
}

async function collect(chunks: AsyncIterable<Uint8Array>, stopAfter?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of chunks) {
    parts.push(Buffer.from(c));
    n += c.length;
    if (stopAfter !== undefined && n >= stopAfter) break;
  }
  return Buffer.concat(parts);
}

describe('the client against the real platform', () => {
  let pkg: TestPackage;
  let receiptDer: Uint8Array;
  before(async () => {
    const [sender, recipient] = [platform.clerks.get(G22), platform.clerks.get(G99)];
    assert.ok(sender && recipient);
    // 400 KiB of document: a package of seven 64 KiB chunks.
    pkg = await sealTestPackage(sender, [recipient], 'mat', 400 * 1024, platform.pki.issuingDer);
  });

  it('signs in with the clerk key', async () => {
    await clientOf(G22).authenticate();
  });

  it('fetches the directory with its ETag, then 304 for that ETag', async () => {
    const client = clientOf(H01);
    const first = await client.directory(undefined);
    assert.ok(first.changed);
    assert.equal(first.etag, `"${createHash('sha256').update(first.body).digest('hex')}"`);
    const agencies = JSON.parse(Buffer.from(first.body).toString('utf8')).agencies as {
      organId: string;
    }[];
    assert.deepEqual(agencies.map((a) => a.organId).sort(), [G22, G99, H01]);
    assert.deepEqual(await client.directory(first.etag), { changed: false });
  });

  it('an upload stopped by its signal resumes with the missing chunks only', async () => {
    const client = clientOf(G22);
    const controller = new AbortController();
    const firstReads: number[] = [];
    await assert.rejects(
      client.upload(
        sourceOf(pkg, [G99], firstReads),
        (done) => {
          if (done >= 3 * CHUNK) controller.abort(new Error('stopped by the test'));
        },
        controller.signal,
      ),
      /stopped by the test/,
    );
    const held = await platform.store.chunkIndices(pkg.sha256);
    const count = Math.ceil(pkg.bytes.length / CHUNK);
    assert.ok(held.length >= 3 && held.length < count, `held ${held.join(',')} of ${count}`);
    const status = await client.uploadStatus(pkg.sha256);
    assert.equal(status?.state, 'open');
    assert.deepEqual(status.received, held);
    assert.equal(await client.uploadStatus('0'.repeat(64)), undefined);

    const reads: number[] = [];
    const progress: number[] = [];
    const receipt = await client.upload(sourceOf(pkg, [G99], reads), (done) => progress.push(done));
    // Reading starts at the first missing chunk (and again after a held one).
    const missing = [...Array(count).keys()].filter((i) => !held.includes(i));
    const starts = missing.filter((i) => !missing.includes(i - 1)).map((i) => i * CHUNK);
    assert.deepEqual(reads, starts);
    const heldBytes = held.reduce((n, i) => n + Math.min(CHUNK, pkg.bytes.length - i * CHUNK), 0);
    assert.equal(progress[0], heldBytes);
    assert.equal(progress.at(-1), pkg.bytes.length);
    assert.equal(receipt.statement.sha256, pkg.sha256);
    assert.deepEqual(receipt.statement.recipients, [G99]);
    assert.equal(receipt.statement.sender, G22);
    assert.equal(receipt.statement.platform, 'truc-thu-nghiem.test');
    // The receipt kept is a signed statement anyone can check against the root.
    const v = await verifyStatement(receipt.der, {
      type: 'niem-receipt',
      trustAnchors: [platform.pki.rootDer],
    });
    assert.equal(v.statement.size, pkg.bytes.length);
    receiptDer = receipt.der;
  });

  it('sending the same package again returns the stored receipt and reads nothing', async () => {
    const reads: number[] = [];
    const receipt = await clientOf(G22).upload(sourceOf(pkg, [G99], reads), () => undefined);
    assert.deepEqual(reads, []);
    assert.deepEqual(Buffer.from(receipt.der), Buffer.from(receiptDer));
    const status = await clientOf(G22).uploadStatus(pkg.sha256);
    assert.equal(status?.state, 'complete');
    assert.deepEqual(Buffer.from(status.receipt ?? '', 'base64'), Buffer.from(receiptDer));
  });

  it('the recipient finds it in its mailbox and downloads it, resuming from an offset', async () => {
    const client = clientOf(G99);
    const mailbox = await client.mailbox(undefined);
    const entry = mailbox.entries.find((e) => e.kind === 'package' && e.sha256 === pkg.sha256);
    assert.ok(entry && entry.kind === 'package');
    assert.equal(entry.sender, G22);
    assert.equal(entry.size, pkg.bytes.length);
    const head = await collect(client.download(pkg.sha256, 0), 100_000);
    assert.ok(head.length >= 100_000 && head.length < pkg.bytes.length);
    const rest = await collect(client.download(pkg.sha256, head.length));
    const whole = Buffer.concat([head, rest]);
    assert.equal(createHash('sha256').update(whole).digest('hex'), pkg.sha256);
  });

  it('an agency that is neither sender nor recipient is refused the download', async () => {
    await assert.rejects(
      collect(clientOf(H01).download(pkg.sha256, 0)),
      (e: unknown) =>
        e instanceof NiemError && e.kind === 'platform-refused' && e.detail?.code === 'forbidden',
    );
  });

  it('a notice from the recipient reaches the sender; acknowledged entries are not listed again', async () => {
    const recipientClerk = platform.clerks.get(G99);
    assert.ok(recipientClerk);
    const recipient = clientOf(G99);
    const notice = await signStatement(
      recipientClerk.signer,
      {
        type: 'niem-notice',
        version: 1,
        sha256: pkg.sha256,
        status: '01',
        from: G99,
        to: G22,
        at: new Date().toISOString(),
      },
      { level: 'mat', certificates: [platform.pki.issuingDer] },
    );
    await recipient.postNotice(notice);
    await recipient.postNotice(notice); // a repeat is accepted and stored once

    const sender = clientOf(G22);
    const box = await sender.mailbox(undefined);
    const notices = box.entries.filter((e) => e.kind === 'notice');
    assert.equal(notices.length, 1);
    const [entry] = notices;
    assert.ok(entry && entry.kind === 'notice');
    const v = await verifyStatement(Buffer.from(entry.notice, 'base64'), {
      type: 'niem-notice',
      trustAnchors: [platform.pki.rootDer],
    });
    assert.equal(v.statement.status, '01');

    const last = box.entries.at(-1);
    assert.ok(last);
    await sender.ack(last.cursor);
    const after = await sender.mailbox(undefined);
    assert.equal(after.acked, last.cursor);
    assert.deepEqual(after.entries, []);
  });
});
