/**
 * A package arriving from the platform (receivePackage, software keys, a real vault, an
 * in-memory platform): the download resumes from the offset the vault kept after a stop
 * and after the client died; a dropped connection keeps what came; bytes that do not
 * match the announced SHA-256 or size are refused and nothing of them is kept; a crash
 * between download and import, or a package imported before, is finished once; the
 * package is verified into vault blobs (no plaintext file in the profile or tmp),
 * registered, its documents listed, read and exported.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadArrival } from '../../native/sync/inbox-arrival-download.ts';
import { receivePackage, type ReceiveOptions } from '../../native/sync/inbox-arrival.ts';
import {
  beginArrival,
  exportInboxDocuments,
  getArrival,
  getInbox,
  importInbox,
  inboxDocuments,
  inboxStatusHistory,
  initVault,
  listInbox,
  listIncomingRegister,
  openVault,
  readInboxDocument,
  type Vault,
} from '../../native/vault/index.ts';
import {
  MemoryPlatform,
  SENDER_ORG,
  entryFor,
  filesWithMarker,
  makeArrivalPki,
  receiveOptions,
  sealTestPackage,
  type ArrivalPki,
} from './inbox-fixture.ts';
import { drain, rejectsWithKind, tempProfile } from './vault-fixture.ts';

let pki: ArrivalPki;
before(() => {
  pki = makeArrivalPki();
});
after(() => pki.dispose());

const MARKER = 'MARKERARRIVALq3Vz';

const options = (extra: Partial<ReceiveOptions> = {}): ReceiveOptions => receiveOptions(pki, extra);

const count = (vault: Vault, table: string): number =>
  vault.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

const arrivalFiles = (profile: string): string[] => {
  const dir = join(profile, 'arrivals');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
};

async function bigPackage(): Promise<Buffer> {
  return sealTestPackage(pki, {
    level: 'mat',
    subject: `${MARKER} Công văn về kế hoạch`,
    documents: [
      { name: 'cong-van.txt', content: Buffer.from(`${MARKER} nội dung `.repeat(20_000)) },
      { name: 'phu-luc.bin', content: Buffer.alloc(150_000, 7) },
    ],
  });
}

describe('receivePackage: download and store', () => {
  it('resumes from the kept offset after a stop and after the client died', async () => {
    const t = tempProfile('arrival-resume');
    let vault: Vault | undefined;
    try {
      vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
      const bytes = await bigPackage();
      assert.ok(bytes.length > 400_000, `package of ${bytes.length} bytes`);
      const entry = entryFor(bytes, 'mat');
      const platform = new MemoryPlatform();
      platform.packages.set(entry.sha256, bytes);

      // Stopped after ~100 KiB: what came is kept (the partial segment too).
      const stop = new AbortController();
      platform.faults.push({ type: 'abort', after: 100 * 1024, controller: stop });
      await assert.rejects(
        receivePackage(vault, entry, platform, options({ signal: stop.signal })),
      );
      const first = getArrival(vault, entry.sha256);
      assert.equal(first?.state, 'downloading');
      assert.ok(first.received >= 100 * 1024 && first.received < bytes.length, `${first.received}`);
      assert.equal(count(vault, 'inbox'), 0);

      // The connection drops: kept again; then the client dies (the vault not closed).
      platform.faults.push({ type: 'drop', after: 64 * 1024 });
      await rejectsWithKind(
        receivePackage(vault, entry, platform, options()),
        'platform-unreachable',
      );
      const second = getArrival(vault, entry.sha256);
      assert.ok(second !== undefined && second.received > first.received);
      vault.database.close(); // as a killed process leaves it: no clean close
      ({ vault } = await openVault(t.profile, [pki.keys.clerk.key]));
      assert.equal(getArrival(vault, entry.sha256)?.received, second.received, 'offset kept');

      const seen: [number, number][] = [];
      const progress = (done: number, total: number): void => {
        seen.push([done, total]);
      };
      const received = await receivePackage(vault, entry, platform, options({ progress }));
      assert.deepEqual(seen[0], [second.received, bytes.length]);
      assert.deepEqual(seen.at(-1), [bytes.length, bytes.length]);
      assert.ok(
        seen.every(([d], i) => i === 0 || d >= (seen[i - 1]?.[0] ?? 0)),
        'monotonic',
      );
      assert.deepEqual(
        platform.downloads.map((d) => d.offset),
        [0, first.received, second.received],
      );
      assert.equal(received.downloaded, bytes.length - second.received);
      assert.equal(received.outcome, 'registered');
      assert.equal(received.status, '03');
      assert.deepEqual(received.register, { year: new Date().getUTCFullYear(), number: 1 });
      assert.equal(getInbox(vault, received.inboxId as number).packageSha256, entry.sha256);
      assert.equal(getArrival(vault, entry.sha256)?.state, 'done');
      assert.deepEqual(arrivalFiles(t.profile), [], 'segments removed once stored');
      assert.equal(count(vault, 'inbox_arrival_segments'), 0);

      // The same entry again (an acknowledgement lost): nothing downloaded, nothing changed.
      const again = await receivePackage(vault, entry, platform, options());
      assert.equal(again.downloaded, 0);
      assert.equal(again.inboxId, received.inboxId);
      assert.equal(again.noticesQueued, 0);
      assert.equal(platform.downloads.length, 3);
      assert.equal(count(vault, 'inbox'), 1);
      assert.equal(count(vault, 'incoming_register'), 1);
    } finally {
      await vault?.close();
      t.dispose();
    }
  });

  it('refuses bytes that do not match the announced SHA-256 or size, keeping nothing', async () => {
    const t = tempProfile('arrival-hash');
    const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
    try {
      const bytes = await bigPackage();
      const entry = entryFor(bytes, 'mat');
      const platform = new MemoryPlatform();
      const wrong = Buffer.from(bytes);
      wrong[wrong.length - 100] = (wrong[wrong.length - 100] ?? 0) ^ 1;
      platform.packages.set(entry.sha256, wrong);
      const blobs = count(vault, 'blobs');
      await rejectsWithKind(
        receivePackage(vault, entry, platform, options()),
        'platform-bad-reply',
      );
      assert.equal(getArrival(vault, entry.sha256), undefined, 'the partial data is discarded');
      assert.deepEqual(arrivalFiles(t.profile), []);
      assert.equal(count(vault, 'blobs'), blobs);
      assert.equal(count(vault, 'inbox'), 0);

      // More bytes than announced: refused at once, nothing kept.
      platform.packages.set(entry.sha256, Buffer.concat([bytes, Buffer.from('extra')]));
      await rejectsWithKind(
        receivePackage(vault, entry, platform, options()),
        'platform-bad-reply',
      );
      assert.equal(getArrival(vault, entry.sha256), undefined);
      assert.deepEqual(arrivalFiles(t.profile), []);

      // The right bytes now: received from the start.
      platform.packages.set(entry.sha256, bytes);
      const ok = await receivePackage(vault, entry, platform, options());
      assert.equal(ok.outcome, 'registered');
      assert.equal(ok.downloaded, bytes.length);
    } finally {
      await vault.close();
      t.dispose();
    }
  });

  it('finishes once after a crash between download and import, or an earlier import', async () => {
    const t = tempProfile('arrival-crash');
    let vault: Vault | undefined;
    try {
      vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
      const bytes = await bigPackage();
      const entry = entryFor(bytes, 'mat');
      const platform = new MemoryPlatform();
      platform.packages.set(entry.sha256, bytes);

      // Downloaded whole, then the process died before importing it.
      const arrival = await beginArrival(vault, { ...entry });
      await downloadArrival(vault, arrival, platform, { segmentBytes: 64 * 1024 });
      assert.equal(getArrival(vault, entry.sha256)?.received, bytes.length);
      vault.database.close();
      ({ vault } = await openVault(t.profile, [pki.keys.clerk.key]));
      const received = await receivePackage(vault, entry, platform, options());
      assert.equal(received.downloaded, 0, 'nothing downloaded again');
      assert.equal(platform.downloads.length, 1);
      assert.equal(received.outcome, 'registered');
      assert.equal(count(vault, 'inbox'), 1);

      // Another package imported from a file before the platform delivered it.
      const other = await sealTestPackage(pki, {
        level: 'thuong',
        subject: 'Thông báo',
        documents: [{ name: 'tb.txt', content: Buffer.from('thông báo') }],
      });
      const otherEntry = entryFor(other, 'thuong', SENDER_ORG, '2');
      platform.packages.set(otherEntry.sha256, other);
      const imported = await importInbox(vault, other);
      const taken = await receivePackage(vault, otherEntry, platform, options());
      assert.equal(taken.inboxId, imported.id, 'the inbox item it already held');
      assert.equal(taken.outcome, 'registered');
      assert.equal(count(vault, 'inbox'), 2);
      assert.deepEqual(
        inboxStatusHistory(vault, imported.id).map((h) => h.status),
        ['01', '03'],
      );
      assert.equal(taken.noticesQueued, 2, '01 and 03 for the sender');
    } finally {
      await vault?.close();
      t.dispose();
    }
  });

  it('verifies into vault blobs: no plaintext file in the profile or tmp', async () => {
    const since = Date.now() - 1000;
    const t = tempProfile('arrival-blobs');
    const vault = await initVault(t.profile, { holder: pki.keys.clerk.holder });
    try {
      const bytes = await bigPackage();
      const entry = entryFor(bytes, 'mat');
      const platform = new MemoryPlatform();
      platform.packages.set(entry.sha256, bytes);
      const received = await receivePackage(vault, entry, platform, options());
      const id = received.inboxId as number;

      const docs = inboxDocuments(vault, id);
      assert.deepEqual(
        docs.map((d) => [d.position, d.name, d.size, d.mediaType]),
        [
          [0, 'cong-van.txt', Buffer.byteLength(`${MARKER} nội dung `) * 20_000, 'text/plain'],
          [1, 'phu-luc.bin', 150_000, 'application/octet-stream'],
        ],
      );
      const content = await drain(readInboxDocument(vault, id, docs[1]?.id as number));
      assert.deepEqual(content, Buffer.alloc(150_000, 7));
      const row = listInbox(vault)[0];
      assert.equal(row?.subject, `${MARKER} Công văn về kế hoạch`, 'a Mật subject is listed');
      assert.equal(row?.senderOrganId, SENDER_ORG);
      assert.equal(row?.openedAt, null, 'verified, not yet opened by a clerk');
      assert.deepEqual(
        listIncomingRegister(vault).map((r) => r.number),
        [1],
      );

      assert.deepEqual(filesWithMarker(t.dir, MARKER), [], 'no plaintext in the profile');
      assert.deepEqual(filesWithMarker(tmpdir(), MARKER, since), [], 'no plaintext in tmp');

      // The clerk exports: the files appear whole, with their content.
      const out = join(t.dir, 'export');
      await exportInboxDocuments(vault, id, out);
      assert.deepEqual(readdirSync(out).sort(), ['cong-van.txt', 'phu-luc.bin']);
      assert.deepEqual(readFileSync(join(out, 'phu-luc.bin')), Buffer.alloc(150_000, 7));
      assert.equal(filesWithMarker(out, MARKER).length, 1, 'the scan finds what is there');
      assert.notEqual(getInbox(vault, id).openedAt, null, 'exporting opens it');
      await rejectsWithKind(exportInboxDocuments(vault, id, out), 'output-exists');
      assert.deepEqual(readdirSync(out).sort(), ['cong-van.txt', 'phu-luc.bin'], 'unchanged');
    } finally {
      await vault.close();
      t.dispose();
    }
  });
});
