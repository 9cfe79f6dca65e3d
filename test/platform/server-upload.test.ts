/**
 * Uploading sealed packages to a real platform (TLS, SQLite store): chunked and resumable
 * across a restart of the platform on the same data folder, each chunk checked against
 * its Content-Digest, index and length, a package sent twice stored once with one
 * receipt, and the receipt itself: signed by the platform's receipt key, naming the
 * package, its sender clerk and its recipients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompleteReplySchema,
  UploadStatusSchema,
  type UploadStatus,
} from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import { assertRefused } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  H01,
  chunkOf,
  contentDigest,
  putChunk,
  sealTestPackage,
  signIn,
  startTestPlatform,
  startUpload,
  uploadWhole,
  type TestPackage,
  type TestPlatform,
} from './helpers/platform-fixture.ts';

let platform: TestPlatform;
let token: string;

before(async () => {
  platform = await startTestPlatform();
  token = await signIn(platform, clerk(G22));
});
after(async () => platform.dispose());

function clerk(organId: string) {
  const found = platform.clerks.get(organId);
  assert.ok(found);
  return found;
}

async function newPackage(size = 200 * 1024): Promise<TestPackage> {
  return sealTestPackage(clerk(G22), [clerk(G99), clerk(H01)], 'mat', size);
}

async function started(pkg: TestPackage, recipients = [G99, H01]): Promise<UploadStatus> {
  const reply = await startUpload(platform, token, pkg, recipients);
  assert.ok(reply.status === 201 || reply.status === 200, reply.body.toString());
  return UploadStatusSchema.parse(reply.json());
}

function complete(pkg: TestPackage, as = token) {
  return platform.request('POST', `/v1/uploads/${pkg.sha256}/complete`, { token: as });
}

describe('a whole upload', () => {
  it('is declared (201), sent in 64 KiB chunks and answered with a receipt naming the package, its sender and recipients', async () => {
    const pkg = await newPackage();
    const reply = await startUpload(platform, token, pkg, [G99, H01]);
    assert.equal(reply.status, 201);
    const status = UploadStatusSchema.parse(reply.json());
    assert.deepEqual(
      [status.chunkBytes, status.chunkCount, status.received, status.state],
      [65536, Math.ceil(pkg.bytes.length / 65536), [], 'open'],
    );
    for (let i = 0; i < status.chunkCount; i += 1) {
      assert.equal((await putChunk(platform, token, pkg, status, i)).status, 204);
    }
    const done = await complete(pkg);
    assert.equal(done.status, 200);
    const { receipt } = CompleteReplySchema.parse(done.json());
    const verified = await verifyStatement(Buffer.from(receipt, 'base64'), {
      type: 'niem-receipt',
      trustAnchors: [platform.pki.rootDer],
    });
    assert.deepEqual(verified.certificate, new Uint8Array(platform.pki.receipt.der));
    assert.equal(verified.level, 'mat');
    const { receivedAt, ...named } = verified.statement;
    assert.deepEqual(named, {
      type: 'niem-receipt',
      version: 1,
      sha256: pkg.sha256,
      size: pkg.bytes.length,
      level: 'mat',
      sender: G22,
      senderCertificate: clerk(G22).sha256,
      recipients: [G99, H01],
      platform: 'truc-thu-nghiem.test',
    });
    assert.ok(Math.abs(Date.parse(receivedAt) - Date.now()) < 60_000);
  });

  it('sent twice is stored once, with the same receipt, and delivered once', async () => {
    const pkg = await newPackage(70 * 1024);
    const first = CompleteReplySchema.parse(
      (await uploadWhole(platform, token, pkg, [G99])).json(),
    );
    const again = await startUpload(platform, token, pkg, [G99]);
    assert.equal(again.status, 200);
    const status = UploadStatusSchema.parse(again.json());
    assert.equal(status.state, 'complete');
    assert.equal(status.receipt, first.receipt);
    assert.deepEqual(status.received, [0, 1]);
    assert.equal(CompleteReplySchema.parse((await complete(pkg)).json()).receipt, first.receipt);
    // A chunk sent again after completion is accepted and changes nothing.
    assert.equal((await putChunk(platform, token, pkg, status, 1)).status, 204);
    const mailbox = await platform.store.mailbox(G99, '0', 500);
    assert.equal(mailbox.filter((e) => e.kind === 'package' && e.sha256 === pkg.sha256).length, 1);
    assert.deepEqual(await platform.store.chunkIndices(pkg.sha256), [0, 1]);
  });

  it('reports its status to its sender only', async () => {
    const pkg = await newPackage(10 * 1024);
    await started(pkg);
    const mine = await platform.request('GET', `/v1/uploads/${pkg.sha256}`, { token });
    assert.equal(UploadStatusSchema.parse(mine.json()).sha256, pkg.sha256);
    const other = await signIn(platform, clerk(G99));
    assertRefused(
      await platform.request('GET', `/v1/uploads/${pkg.sha256}`, { token: other }),
      403,
      'forbidden',
    );
    assertRefused(
      await platform.request('GET', `/v1/uploads/${'f'.repeat(64)}`, { token }),
      404,
      'not-found',
    );
  });
});

describe('resuming', () => {
  it('continues after the platform restarts on the same data folder, sending only the missing chunks', async () => {
    const pkg = await newPackage(300 * 1024);
    const status = await started(pkg);
    assert.equal((await putChunk(platform, token, pkg, status, 0)).status, 204);
    assert.equal((await putChunk(platform, token, pkg, status, 2)).status, 204);
    await platform.stop();
    platform = await startTestPlatform({ restartOf: platform });
    token = await signIn(platform, clerk(G22));
    const resumed = await started(pkg);
    assert.deepEqual(resumed.received, [0, 2]);
    for (let i = 0; i < resumed.chunkCount; i += 1) {
      if (resumed.received.includes(i)) continue;
      assert.equal((await putChunk(platform, token, pkg, resumed, i)).status, 204);
    }
    assert.equal((await complete(pkg)).status, 200);
  });
});

describe('chunks', () => {
  it('refuses a chunk whose bytes do not match its Content-Digest, and keeps nothing of it', async () => {
    const pkg = await newPackage();
    const status = await started(pkg);
    const bytes = chunkOf(pkg, status.chunkBytes, 1);
    const reply = await platform.request('PUT', `/v1/uploads/${pkg.sha256}/chunks/1`, {
      token,
      body: bytes,
      headers: {
        'content-digest': contentDigest(Buffer.concat([bytes.subarray(1), Buffer.alloc(1)])),
      },
    });
    assertRefused(reply, 400, 'digest-mismatch');
    assert.deepEqual(await platform.store.chunkIndices(pkg.sha256), []);
  });

  it('refuses a chunk without a Content-Digest', async () => {
    const pkg = await newPackage();
    await started(pkg);
    const reply = await platform.request('PUT', `/v1/uploads/${pkg.sha256}/chunks/0`, {
      token,
      body: chunkOf(pkg, 65536, 0),
    });
    assertRefused(reply, 400, 'bad-request');
  });

  it('refuses a chunk shorter or longer than its place in the package', async () => {
    const pkg = await newPackage();
    const status = await started(pkg);
    const whole = chunkOf(pkg, status.chunkBytes, 0);
    const shorter = whole.subarray(0, whole.length - 1);
    assertRefused(await putChunk(platform, token, pkg, status, 0, shorter), 409, 'conflict');
    const last = status.chunkCount - 1;
    const longer = Buffer.concat([chunkOf(pkg, status.chunkBytes, last), Buffer.from([0])]);
    assertRefused(await putChunk(platform, token, pkg, status, last, longer), 409, 'conflict');
    const tooBig = Buffer.alloc(status.chunkBytes + 1);
    assertRefused(await putChunk(platform, token, pkg, status, 0, tooBig), 413, 'too-large');
    assert.deepEqual(await platform.store.chunkIndices(pkg.sha256), []);
  });

  it('refuses an index outside the upload, and one that is not a number', async () => {
    const pkg = await newPackage();
    const status = await started(pkg);
    const bytes = chunkOf(pkg, status.chunkBytes, 0);
    assertRefused(
      await putChunk(platform, token, pkg, status, status.chunkCount, bytes),
      409,
      'conflict',
    );
    const reply = await platform.request('PUT', `/v1/uploads/${pkg.sha256}/chunks/-1`, {
      token,
      body: bytes,
      headers: { 'content-digest': contentDigest(bytes) },
    });
    assertRefused(reply, 400, 'bad-request');
  });

  it('accepts the same chunk again and refuses other bytes for a chunk already held', async () => {
    const pkg = await newPackage();
    const status = await started(pkg);
    assert.equal((await putChunk(platform, token, pkg, status, 0)).status, 204);
    assert.equal((await putChunk(platform, token, pkg, status, 0)).status, 204);
    const other = Buffer.from(chunkOf(pkg, status.chunkBytes, 0));
    other[0] = (other[0] ?? 0) ^ 0xff;
    assertRefused(await putChunk(platform, token, pkg, status, 0, other), 409, 'conflict');
  });

  it('will not complete while chunks are missing', async () => {
    const pkg = await newPackage();
    const status = await started(pkg);
    assert.equal((await putChunk(platform, token, pkg, status, 0)).status, 204);
    assert.match(assertRefused(await complete(pkg), 409, 'conflict'), /1 of the 4/);
  });
});

describe('ownership', () => {
  it("another agency can neither declare, fill nor complete a sender's package", async () => {
    const pkg = await newPackage(10 * 1024);
    const status = await started(pkg, [G99]);
    const other = await signIn(platform, clerk(G99));
    assertRefused(await startUpload(platform, other, pkg, [G99]), 403, 'forbidden');
    assertRefused(await putChunk(platform, other, pkg, status, 0), 403, 'forbidden');
    assertRefused(await complete(pkg, other), 403, 'forbidden');
    assert.deepEqual(await platform.store.chunkIndices(pkg.sha256), []);
  });

  it('the sender cannot declare the same package again with other recipients or level', async () => {
    const pkg = await newPackage(10 * 1024);
    await started(pkg, [G99]);
    assertRefused(await startUpload(platform, token, pkg, [G99, H01]), 409, 'conflict');
    assertRefused(await startUpload(platform, token, pkg, [G99], 'thuong'), 409, 'conflict');
  });

  it('refuses a declaration that does not match the schema', async () => {
    const reply = await platform.request('POST', '/v1/uploads', {
      token,
      json: { sha256: 'ABC', size: 0, level: 'mat', recipients: [] },
    });
    assertRefused(reply, 400, 'bad-request');
  });
});
