/**
 * Delivery on a real platform (TLS, SQLite store): each recipient's mailbox read with a
 * cursor and acknowledged, downloads whole or resumed with Range, readable by the sender
 * and the recipients only; and business notices signed by a recipient's clerk relayed to
 * the sender, refused when signed by someone else, addressed wrongly, or about a package
 * the signer never received.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MailboxReplySchema,
  type MailboxReply,
  type NoticeStatement,
} from '../../native/exchange/platform-wire.ts';
import { signStatement, verifyStatement } from '../../native/exchange/signed-statement.ts';
import { assertRefused } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  H01,
  sealTestPackage,
  signIn,
  startTestPlatform,
  uploadWhole,
  type TestPackage,
  type TestPlatform,
} from './helpers/platform-fixture.ts';
import type { TestClerk } from './helpers/platform-pki.ts';

let platform: TestPlatform;
const tokens = new Map<string, string>();
/** G22 → G99 and H01 (mat). */
let shared: TestPackage;
/** G22 → G99 only. */
let private99: TestPackage;

function clerk(organId: string): TestClerk {
  const found = platform.clerks.get(organId);
  assert.ok(found);
  return found;
}
function token(organId: string): string {
  const found = tokens.get(organId);
  assert.ok(found);
  return found;
}

before(async () => {
  platform = await startTestPlatform();
  for (const organId of [G22, G99, H01])
    tokens.set(organId, await signIn(platform, clerk(organId)));
  shared = await sealTestPackage(clerk(G22), [clerk(G99), clerk(H01)], 'mat', 150 * 1024);
  private99 = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 10 * 1024);
  assert.equal((await uploadWhole(platform, token(G22), shared, [G99, H01])).status, 200);
  assert.equal((await uploadWhole(platform, token(G22), private99, [G99])).status, 200);
});
after(async () => platform.dispose());

async function mailbox(organId: string, query = ''): Promise<MailboxReply> {
  const reply = await platform.request('GET', `/v1/mailbox${query}`, { token: token(organId) });
  assert.equal(reply.status, 200, reply.body.toString());
  return MailboxReplySchema.parse(reply.json());
}

function download(organId: string, sha256: string, headers: Record<string, string> = {}) {
  return platform.request('GET', `/v1/packages/${sha256}`, { token: token(organId), headers });
}

describe('the mailbox', () => {
  it("lists each package once in each recipient's mailbox, in cursor order", async () => {
    const box = await mailbox(G99);
    assert.equal(box.acked, '0');
    assert.equal(box.more, false);
    assert.deepEqual(
      box.entries.map((e) => (e.kind === 'package' ? [e.sha256, e.size, e.level, e.sender] : [])),
      [
        [shared.sha256, shared.bytes.length, 'mat', G22],
        [private99.sha256, private99.bytes.length, 'mat', G22],
      ],
    );
    assert.deepEqual(
      (await mailbox(H01)).entries.map((e) => (e.kind === 'package' ? e.sha256 : '')),
      [shared.sha256],
    );
    assert.deepEqual((await mailbox(G22)).entries, []);
  });

  it('pages with limit and after, saying when more follow', async () => {
    const first = await mailbox(G99, '?limit=1');
    assert.equal(first.entries.length, 1);
    assert.equal(first.more, true);
    const cursor = first.entries[0]?.cursor ?? '';
    const second = await mailbox(G99, `?after=${cursor}&limit=1`);
    assert.equal(second.entries.length, 1);
    assert.equal(second.more, false);
    assert.ok(BigInt(second.entries[0]?.cursor ?? '0') > BigInt(cursor));
    for (const bad of ['?limit=0', '?limit=501', '?after=abc', '?other=1']) {
      assertRefused(
        await platform.request('GET', `/v1/mailbox${bad}`, { token: token(G99) }),
        400,
        'bad-request',
      );
    }
  });

  it('after an acknowledgement starts after the acknowledged cursor', async () => {
    const box = await mailbox(H01);
    const cursor = box.entries[0]?.cursor ?? '';
    const ack = await platform.request('POST', '/v1/mailbox/ack', {
      token: token(H01),
      json: { cursor },
    });
    assert.equal(ack.status, 204);
    const after = await mailbox(H01);
    assert.equal(after.acked, cursor);
    assert.deepEqual(after.entries, []);
    assert.equal((await mailbox(H01, '?after=0')).entries.length, 1);
    assertRefused(
      await platform.request('POST', '/v1/mailbox/ack', {
        token: token(H01),
        json: { cursor: '99999' },
      }),
      409,
      'conflict',
    );
  });
});

describe('downloads', () => {
  it('give the whole package with its hash as ETag, to a recipient and to the sender', async () => {
    for (const organId of [G99, G22]) {
      const reply = await download(organId, shared.sha256);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.etag, `"${shared.sha256}"`);
      assert.equal(reply.headers['content-length'], String(shared.bytes.length));
      assert.ok(reply.body.equals(shared.bytes));
    }
  });

  it('resume from an offset with Range: bytes=N-', async () => {
    const offset = 100_000;
    const reply = await download(G99, shared.sha256, { range: `bytes=${offset}-` });
    assert.equal(reply.status, 206);
    assert.equal(
      reply.headers['content-range'],
      `bytes ${offset}-${shared.bytes.length - 1}/${shared.bytes.length}`,
    );
    assert.ok(reply.body.equals(shared.bytes.subarray(offset)));
    const stale = await download(G99, shared.sha256, {
      range: `bytes=${offset}-`,
      'if-range': '"0000"',
    });
    assert.equal(stale.status, 200, 'If-Range naming another version: the whole package');
    assert.equal(stale.body.length, shared.bytes.length);
    assert.equal(
      (await download(G99, shared.sha256, { range: `bytes=${shared.bytes.length}-` })).status,
      416,
    );
    assertRefused(await download(G99, shared.sha256, { range: 'bytes=0-10' }), 400, 'bad-request');
  });

  it('are forbidden to an agency that is neither sender nor recipient', async () => {
    assertRefused(await download(H01, private99.sha256), 403, 'forbidden');
    assertRefused(await download(G99, 'e'.repeat(64)), 404, 'not-found');
  });
});

async function notice(
  signer: TestClerk,
  fields: Partial<NoticeStatement> & { sha256: string },
): Promise<string> {
  const der = await signStatement(
    signer.signer,
    {
      type: 'niem-notice',
      version: 1,
      status: '01',
      from: signer.organId,
      to: G22,
      at: new Date().toISOString(),
      ...fields,
    },
    { level: 'mat', certificates: [platform.pki.issuingDer] },
  );
  return Buffer.from(der).toString('base64');
}

function post(organId: string, signed: string) {
  return platform.request('POST', '/v1/notices', {
    token: token(organId),
    json: { notice: signed },
  });
}

describe('notices', () => {
  it("relay a recipient clerk's signed notice into the sender's mailbox, once", async () => {
    const signed = await notice(clerk(G99), { sha256: shared.sha256, status: '01' });
    assert.equal((await post(G99, signed)).status, 201);
    assert.equal((await post(G99, signed)).status, 202);
    const entries = (await mailbox(G22)).entries.filter((e) => e.kind === 'notice');
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.ok(entry?.kind === 'notice');
    assert.equal(entry.notice, signed);
    const verified = await verifyStatement(Buffer.from(entry.notice, 'base64'), {
      type: 'niem-notice',
      trustAnchors: [platform.pki.rootDer],
    });
    assert.deepEqual(
      [verified.statement.from, verified.statement.to, verified.statement.status, verified.organId],
      [G99, G22, '01', G99],
    );
    const registered = await notice(clerk(G99), {
      sha256: shared.sha256,
      status: '03',
      register: { year: 2026, number: 17 },
    });
    assert.equal((await post(G99, registered)).status, 201);
  });

  it("refuse a notice signed by another agency's clerk", async () => {
    const signed = await notice(clerk(H01), { sha256: shared.sha256, from: G99 });
    assert.match(assertRefused(await post(G99, signed), 403, 'notice-refused'), /clerk/);
  });

  it('refuse a notice from another agency than the session', async () => {
    const signed = await notice(clerk(H01), { sha256: shared.sha256 });
    assert.match(assertRefused(await post(G99, signed), 403, 'notice-refused'), /000\.00\.00/);
  });

  it("refuse a notice addressed to someone other than the package's sender", async () => {
    const signed = await notice(clerk(G99), { sha256: shared.sha256, to: H01 });
    assert.match(assertRefused(await post(G99, signed), 403, 'notice-refused'), /sender/);
  });

  it('refuse a notice about a package not delivered to the signer', async () => {
    const signed = await notice(clerk(H01), { sha256: private99.sha256 });
    assert.match(assertRefused(await post(H01, signed), 403, 'notice-refused'), /not delivered/);
  });

  it('refuse a refusal (02) without a reason, and bytes that are not a notice', async () => {
    const bare = await notice(clerk(G99), { sha256: shared.sha256, status: '02' });
    assertRefused(await post(G99, bare), 403, 'notice-refused');
    assertRefused(await post(G99, Buffer.from('xyz').toString('base64')), 403, 'notice-refused');
    const withReason = await notice(clerk(G99), {
      sha256: shared.sha256,
      status: '02',
      reason: 'Thiếu phụ lục',
    });
    assert.equal((await post(G99, withReason)).status, 201);
  });
});
