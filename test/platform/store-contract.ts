/**
 * The PlatformStore contract: the same tests run against every implementation
 * (store-sqlite.test.ts, store-postgres.test.ts). Each test gets an empty database.
 * Mailbox, acknowledgement and notice cases are in ./store-contract-mailbox.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MAX_CHUNK_BYTES } from '../../native/exchange/platform-wire.ts';
import type { PlatformStore } from '../../platform/store/platform-store.ts';
import { mailboxContract } from './store-contract-mailbox.ts';
import {
  A,
  agency,
  B,
  C,
  CHUNK,
  collect,
  deliver,
  EARLIER,
  hex,
  LATER,
  newUpload,
  NOW,
  rejectsWith,
  samplePackage,
  withStore,
  type StoreFactory,
} from './store-fixture.ts';

export function storeContract(name: string, fresh: StoreFactory): void {
  const test = (title: string, body: (store: PlatformStore) => Promise<void>) =>
    it(title, withStore(fresh, body));

  describe(`${name}: config and directory`, () => {
    test('migrate is idempotent and the config starts at its defaults', async (store) => {
      await store.migrate();
      await store.migrate();
      assert.deepEqual(await store.getConfig(), {
        approvedLevel: 'toi-mat',
        platformName: 'niem-platform',
        chunkBytes: 8 * 1024 * 1024,
      });
    });

    test('setConfig changes only what it names and refuses bad values whole', async (store) => {
      const changed = await store.setConfig({ platformName: 'truc.demo', chunkBytes: 65536 });
      assert.deepEqual(changed, {
        approvedLevel: 'toi-mat',
        platformName: 'truc.demo',
        chunkBytes: 65536,
      });
      await rejectsWith(store.setConfig({ approvedLevel: 'mat', chunkBytes: 12 }), 'invalid-input');
      await rejectsWith(store.setConfig({ approvedLevel: 'x' as 'mat' }), 'invalid-input');
      await rejectsWith(store.setConfig({ platformName: '' }), 'invalid-input');
      assert.deepEqual(await store.getConfig(), changed);
      await store.setConfig({ approvedLevel: 'tuyet-mat' });
      assert.equal((await store.getConfig()).approvedLevel, 'tuyet-mat');
    });

    test('agencies: added, replaced keeping certificates, removed with them', async (store) => {
      assert.equal(await store.putAgency(agency(A)), 'added');
      assert.equal(await store.addCertificate(A, Buffer.from('cert-1')), true);
      assert.equal(
        await store.putAgency({ ...agency(A, 'Renamed'), clearance: 'mat' }),
        'replaced',
      );
      assert.deepEqual(await store.getAgency(A), {
        organId: A,
        name: 'Renamed',
        clearance: 'mat',
        keyTransport: 'oaep-sha256',
      });
      const sha = hex(Buffer.from('cert-1'));
      assert.deepEqual(await store.findCertificate(sha), {
        organId: A,
        der: Buffer.from('cert-1'),
        sha256: sha,
      });
      assert.equal(await store.removeAgency(A), true);
      assert.equal(await store.removeAgency(A), false);
      assert.equal(await store.getAgency(A), undefined);
      assert.equal(await store.findCertificate(sha), undefined);
      assert.equal(await store.putAgency(agency(A)), 'added');
      assert.deepEqual((await store.directory()).agencies[0]?.certificates, []);
      assert.equal(await store.getAgency(C), undefined);
    });

    test('certificates: added once, refused for an unknown agency, removed', async (store) => {
      await store.putAgency(agency(A));
      await store.putAgency(agency(B));
      const der = Buffer.from('cert-a');
      assert.equal(await store.addCertificate(A, der), true);
      assert.equal(await store.addCertificate(A, der), false);
      await rejectsWith(store.addCertificate(B, der), 'invalid-input');
      await rejectsWith(store.addCertificate(C, Buffer.from('other')), 'not-found');
      assert.equal(await store.removeCertificate(hex(der)), true);
      assert.equal(await store.removeCertificate(hex(der)), false);
      assert.equal(await store.findCertificate(hex(der)), undefined);
    });

    test('directory: sorted agencies with their certificates, revision bumped by each change', async (store) => {
      const empty = await store.directory();
      assert.deepEqual(empty, { revision: 0, agencies: [] });
      await store.putAgency(agency(B));
      await store.putAgency(agency(A));
      await store.addCertificate(B, Buffer.from('b-1'));
      await store.addCertificate(B, Buffer.from('b-2'));
      const dir = await store.directory();
      assert.equal(dir.revision, 4);
      assert.deepEqual(
        dir.agencies.map((a) => [a.organId, a.certificates.map((c) => c.toString())]),
        [
          [A, []],
          [B, ['b-1', 'b-2']],
        ],
      );
      assert.equal(dir.agencies[1]?.name, `Agency ${B}`);
      // No change, no new revision.
      await store.addCertificate(B, Buffer.from('b-1'));
      await store.removeAgency(C);
      await store.removeCertificate('0'.repeat(64));
      assert.equal((await store.directory()).revision, 4);
      await store.removeCertificate(hex(Buffer.from('b-1')));
      await store.removeAgency(A);
      const after = await store.directory();
      assert.equal(after.revision, 6);
      assert.deepEqual(
        after.agencies.map((a) => [a.organId, a.certificates.length]),
        [[B, 1]],
      );
    });
  });

  describe(`${name}: nonces and sessions`, () => {
    test('a nonce is taken once, and only before it expires', async (store) => {
      await store.putNonce('bm9uY2Ux', NOW);
      await store.putNonce('bm9uY2Uy', NOW);
      assert.equal(await store.takeNonce('bm9uY2Ux', EARLIER), true);
      assert.equal(await store.takeNonce('bm9uY2Ux', EARLIER), false);
      assert.equal(await store.takeNonce('bm9uY2Uy', NOW), false, 'expired at its expiry');
      assert.equal(await store.takeNonce('bm9uY2Uy', EARLIER), false, 'deleted when expired');
      assert.equal(await store.takeNonce('unknown', EARLIER), false);
    });

    test('a session lives until it expires; sweep deletes expired nonces and sessions', async (store) => {
      const session = { organId: A, certificateSha256: 'c'.repeat(64), expiresAt: NOW };
      await store.putSession('1'.repeat(64), session);
      await store.putSession('2'.repeat(64), { ...session, expiresAt: LATER });
      await store.putNonce('old', EARLIER);
      await store.putNonce('new', LATER);
      assert.deepEqual(await store.getSession('1'.repeat(64), EARLIER), session);
      assert.equal(await store.getSession('1'.repeat(64), NOW), undefined);
      assert.equal(await store.getSession('3'.repeat(64), EARLIER), undefined);
      assert.equal(await store.sweep(NOW), 2);
      assert.equal(await store.sweep(NOW), 0);
      assert.equal(await store.getSession('1'.repeat(64), EARLIER), undefined, 'swept');
      assert.equal((await store.getSession('2'.repeat(64), NOW))?.expiresAt, LATER);
      assert.equal(await store.takeNonce('new', NOW), true);
    });

    test('sweep removes uploads left open over 7 days, with their chunks, and nothing else', async (store) => {
      const daysBefore = (days: number) =>
        new Date(Date.parse(NOW) - days * 24 * 60 * 60 * 1000).toISOString();
      const abandoned = samplePackage();
      const recent = samplePackage();
      await store.createUpload(newUpload(abandoned.sha256, 2500), daysBefore(7.01));
      await store.createUpload(newUpload(recent.sha256, 2500), daysBefore(6.9));
      for (const pkg of [abandoned, recent]) {
        const [c0] = pkg.chunks as [Buffer];
        assert.equal(await store.putChunk(pkg.sha256, 0, hex(c0), c0), 'stored');
      }
      const complete = await deliver(store); // created at NOW: completed uploads never go
      assert.equal(await store.sweep(NOW), 1);
      assert.equal(await store.getUpload(abandoned.sha256), undefined);
      assert.equal((await store.getUpload(recent.sha256))?.state, 'open');
      assert.deepEqual(await store.chunkIndices(recent.sha256), [0]);
      // Declared again, the abandoned package starts from nothing: its chunk went with it.
      await store.createUpload(newUpload(abandoned.sha256, 2500), NOW);
      assert.deepEqual(await store.chunkIndices(abandoned.sha256), []);
      // A month on the others are stale too, but a complete upload is never removed.
      assert.equal(await store.sweep(daysBefore(-30)), 2);
      assert.equal(await store.getUpload(recent.sha256), undefined);
      assert.equal((await store.getUpload(complete.sha256))?.state, 'complete');
      assert.deepEqual(await collect(store.readPackage(complete.sha256, 0)), complete.bytes);
    });

    test('removing a certificate or an agency ends the sessions it opened', async (store) => {
      await store.putAgency(agency(A));
      await store.putAgency(agency(B));
      const [certA1, certA2, certB] = ['a-1', 'a-2', 'b-1'].map((s) => Buffer.from(s)) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      await store.addCertificate(A, certA1);
      await store.addCertificate(A, certA2);
      await store.addCertificate(B, certB);
      const open = (token: string, organId: string, cert: Buffer) =>
        store.putSession(token.repeat(64), {
          organId,
          certificateSha256: hex(cert),
          expiresAt: LATER,
        });
      await open('1', A, certA1);
      await open('2', A, certA2);
      await open('3', B, certB);
      await store.removeCertificate(hex(certA1));
      assert.equal(await store.getSession('1'.repeat(64), NOW), undefined);
      assert.equal((await store.getSession('2'.repeat(64), NOW))?.organId, A);
      await store.removeAgency(A);
      assert.equal(await store.getSession('2'.repeat(64), NOW), undefined);
      assert.equal((await store.getSession('3'.repeat(64), NOW))?.organId, B);
    });

    test('times are compared as instants whatever their ISO form', async (store) => {
      await store.putNonce('n', '2026-03-01T08:00:00Z');
      assert.equal(await store.takeNonce('n', '2026-03-01T07:59:59.999Z'), true);
      await rejectsWith(store.putNonce('m', 'yesterday'), 'invalid-input');
    });
  });

  describe(`${name}: uploads and chunks`, () => {
    test('createUpload is idempotent: the same sha256 returns the first record', async (store) => {
      const pkg = samplePackage();
      const first = await store.createUpload(newUpload(pkg.sha256, 2500), NOW);
      assert.deepEqual(first, {
        ...newUpload(pkg.sha256, 2500),
        state: 'open',
        receipt: null,
        createdAt: NOW,
        completedAt: null,
      });
      const again = await store.createUpload(
        { ...newUpload(pkg.sha256, 9), level: 'thuong' },
        LATER,
      );
      assert.deepEqual(again, first);
      assert.deepEqual(await store.getUpload(pkg.sha256), first);
      assert.equal(await store.getUpload('f'.repeat(64)), undefined);
    });

    test('putChunk: stored, same, conflict; refuses what does not fit the upload', async (store) => {
      const pkg = samplePackage();
      await store.createUpload(newUpload(pkg.sha256, 2500), NOW);
      const [c0, c1, c2] = pkg.chunks as [Buffer, Buffer, Buffer];
      assert.equal(await store.putChunk(pkg.sha256, 2, hex(c2), c2), 'stored');
      assert.equal(await store.putChunk(pkg.sha256, 0, hex(c0), c0), 'stored');
      assert.equal(await store.putChunk(pkg.sha256, 0, hex(c0), c0), 'same');
      assert.equal(await store.putChunk(pkg.sha256, 0, hex(c1), c1), 'conflict');
      assert.deepEqual(await store.chunkIndices(pkg.sha256), [0, 2]);
      await rejectsWith(store.putChunk(pkg.sha256, 3, hex(c2), c2), 'invalid-input');
      await rejectsWith(store.putChunk(pkg.sha256, 1, hex(c2), c2), 'invalid-input');
      await rejectsWith(store.putChunk('e'.repeat(64), 0, hex(c0), c0), 'not-found');
      assert.equal(await collect(store.readPackage(pkg.sha256, 0)).then((b) => b.length), CHUNK);
      assert.equal(await store.putChunk(pkg.sha256, 1, hex(c1), c1), 'stored');
      assert.deepEqual(await store.chunkIndices(pkg.sha256), [0, 1, 2]);
      assert.deepEqual(await store.chunkIndices('e'.repeat(64)), []);
    });

    test('readPackage yields the bytes from any offset, chunk by chunk', async (store) => {
      const pkg = await deliver(store, [B], 2500);
      for (const offset of [0, 1, 999, 1000, 1001, 2000, 2499, 2500, 4000]) {
        const parts: Buffer[] = [];
        for await (const part of store.readPackage(pkg.sha256, offset)) parts.push(part);
        assert.deepEqual(Buffer.concat(parts), pkg.bytes.subarray(offset), `offset ${offset}`);
        assert.ok(parts.every((p) => p.length > 0 && p.length <= CHUNK));
      }
      const parts = [];
      for await (const part of store.readPackage(pkg.sha256, 1500)) parts.push(part.length);
      assert.deepEqual(parts, [500, 500]);
      await rejectsWith(collect(store.readPackage('e'.repeat(64), 0)), 'not-found');
      await rejectsWith(collect(store.readPackage(pkg.sha256, -1)), 'invalid-input');
    });

    test('completeUpload needs every chunk, then files one entry per recipient', async (store) => {
      const pkg = samplePackage(2001);
      await store.createUpload(newUpload(pkg.sha256, 2001, [C, B]), NOW);
      const [c0, c1, c2] = pkg.chunks as [Buffer, Buffer, Buffer];
      await store.putChunk(pkg.sha256, 0, hex(c0), c0);
      await rejectsWith(store.completeUpload(pkg.sha256, Buffer.from('r'), LATER), 'invalid-input');
      assert.equal((await store.getUpload(pkg.sha256))?.state, 'open');
      assert.deepEqual(await store.mailbox(B, '0', 10), []);
      await store.putChunk(pkg.sha256, 1, hex(c1), c1);
      await store.putChunk(pkg.sha256, 2, hex(c2), c2);
      const done = await store.completeUpload(pkg.sha256, Buffer.from('receipt-1'), LATER);
      assert.equal(done.state, 'complete');
      assert.deepEqual(done.receipt, Buffer.from('receipt-1'));
      assert.equal(done.completedAt, LATER);
      assert.deepEqual(done.recipients, [C, B], 'recipients keep their order');
      for (const organId of [B, C]) {
        assert.deepEqual(await store.mailbox(organId, '0', 10), [
          {
            cursor: '1',
            kind: 'package',
            sha256: pkg.sha256,
            size: 2001,
            level: 'mat',
            sender: A,
            at: LATER,
          },
        ]);
      }
      assert.deepEqual(await store.mailbox(A, '0', 10), []);
      const again = await store.completeUpload(pkg.sha256, Buffer.from('receipt-2'), NOW);
      assert.deepEqual(again, done, 'the stored receipt, nothing added');
      assert.equal((await store.mailbox(B, '0', 10)).length, 1);
      assert.deepEqual(await collect(store.readPackage(pkg.sha256, 0)), pkg.bytes);
      await rejectsWith(store.completeUpload('e'.repeat(64), Buffer.from('r'), NOW), 'not-found');
    });

    test('chunks of the largest size (64 MiB) round-trip, also from mid-chunk', async (store) => {
      const size = MAX_CHUNK_BYTES + 3 * 1024 * 1024 + 7;
      const bytes = randomBytes(size);
      const sha256 = hex(bytes);
      await store.createUpload({ ...newUpload(sha256, size), chunkBytes: MAX_CHUNK_BYTES }, NOW);
      for (const [i, at] of [0, MAX_CHUNK_BYTES].entries()) {
        const chunk = bytes.subarray(at, at + MAX_CHUNK_BYTES);
        assert.equal(await store.putChunk(sha256, i, hex(chunk), chunk), 'stored');
      }
      for (const offset of [0, MAX_CHUNK_BYTES - 5, MAX_CHUNK_BYTES + 1]) {
        const hash = createHash('sha256');
        let length = 0;
        for await (const part of store.readPackage(sha256, offset)) {
          assert.ok(part.length <= MAX_CHUNK_BYTES);
          hash.update(part);
          length += part.length;
        }
        assert.equal(length, size - offset);
        assert.equal(hash.digest('hex'), hex(bytes.subarray(offset)), `offset ${offset}`);
      }
    });

    test('concurrent chunk writes of one upload all land', async (store) => {
      const pkg = samplePackage(20_000);
      await store.createUpload(newUpload(pkg.sha256, 20_000), NOW);
      const results = await Promise.all(
        pkg.chunks.flatMap((chunk, i) => [
          store.putChunk(pkg.sha256, i, hex(chunk), chunk),
          store.putChunk(pkg.sha256, i, hex(chunk), chunk),
        ]),
      );
      assert.equal(results.filter((r) => r === 'stored').length, 20);
      assert.equal(results.filter((r) => r === 'same').length, 20);
      assert.deepEqual(await collect(store.readPackage(pkg.sha256, 0)), pkg.bytes);
    });
  });

  mailboxContract(name, fresh);
}
