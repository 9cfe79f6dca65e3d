/**
 * Two platform instances on one PostgreSQL database, as an agency grows past one machine:
 * a nonce issued by one is used up at the other, an upload is filled through both and
 * completed at the other, a second completion anywhere returns the same receipt, and a
 * recipient reads its mailbox and downloads from either. Needs the PostgreSQL test server
 * (`node scripts/postgres-test.ts --ensure`); fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompleteReplySchema,
  MailboxReplySchema,
  SessionReplySchema,
  UploadStatusSchema,
} from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import { assertRefused } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  challenge,
  makeProof,
  putChunk,
  sealTestPackage,
  signIn,
  startTestPlatform,
  startUpload,
  type TestPlatform,
} from './helpers/platform-fixture.ts';
import { freshDatabase, type FreshDatabase } from './helpers/postgres.ts';

let database: FreshDatabase;
let one: TestPlatform;
let two: TestPlatform;

before(async () => {
  database = await freshDatabase();
  one = await startTestPlatform({ databaseUrl: database.url });
  two = await startTestPlatform({ sharing: one });
});
after(async () => {
  await two?.dispose();
  await one?.dispose();
  await database?.drop();
});

function clerk(organId: string) {
  const found = one.clerks.get(organId);
  assert.ok(found);
  return found;
}

describe('two instances on one PostgreSQL database', () => {
  it('share nonces: issued by one, used once at the other', async () => {
    const nonce = await challenge(one);
    const proof = await makeProof(two, clerk(G22), nonce);
    const first = await two.request('POST', '/v1/auth/session', { json: { proof } });
    assert.equal(SessionReplySchema.parse(first.json()).organId, G22);
    const replay = await makeProof(one, clerk(G22), nonce);
    assertRefused(
      await one.request('POST', '/v1/auth/session', { json: { proof: replay } }),
      401,
      'auth-refused',
    );
  });

  it('share sessions, uploads and mailboxes: one package, one receipt, wherever it is asked', async () => {
    const token = await signIn(one, clerk(G22));
    const pkg = await sealTestPackage(clerk(G22), [clerk(G99)], 'mat', 260 * 1024);
    const started = await startUpload(one, token, pkg, [G99]);
    assert.equal(started.status, 201);
    const status = UploadStatusSchema.parse(started.json());
    for (let i = 0; i < status.chunkCount; i += 1) {
      const instance = i % 2 === 0 ? one : two;
      assert.equal((await putChunk(instance, token, pkg, status, i)).status, 204);
    }
    const again = UploadStatusSchema.parse((await startUpload(two, token, pkg, [G99])).json());
    assert.deepEqual(again.received, [...Array(status.chunkCount).keys()]);
    const [a, b] = await Promise.all([
      two.request('POST', `/v1/uploads/${pkg.sha256}/complete`, { token }),
      one.request('POST', `/v1/uploads/${pkg.sha256}/complete`, { token }),
    ]);
    const receipt = CompleteReplySchema.parse(a.json()).receipt;
    assert.equal(CompleteReplySchema.parse(b.json()).receipt, receipt, 'one receipt');
    const verified = await verifyStatement(Buffer.from(receipt, 'base64'), {
      type: 'niem-receipt',
      trustAnchors: [one.pki.rootDer],
    });
    assert.equal(verified.statement.sha256, pkg.sha256);

    const theirs = await signIn(two, clerk(G99));
    for (const instance of [one, two]) {
      const box = MailboxReplySchema.parse(
        (await instance.request('GET', '/v1/mailbox', { token: theirs })).json(),
      );
      assert.deepEqual(
        box.entries.map((e) => (e.kind === 'package' ? e.sha256 : '')),
        [pkg.sha256],
      );
      const got = await instance.request('GET', `/v1/packages/${pkg.sha256}`, { token: theirs });
      assert.ok(got.body.equals(pkg.bytes));
    }
  });
});
