/**
 * No plaintext at rest: marker strings written through the vault API into subjects,
 * metadata, recipients, document names and contents appear in no file of the profile
 * (database, WAL, blobs, snapshots, vault.key), neither as UTF-8 nor as UTF-16LE, while
 * the vault is open and after it is closed; and the profile does not open without the
 * clerk's (or the recovery) key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDraft, initVault, openVault, searchDrafts } from '../../native/vault/index.ts';
import { makeVaultPki, rejectsWithKind, tempProfile, type VaultPki } from './vault-fixture.ts';

let pki: VaultPki;
before(() => {
  pki = makeVaultPki();
});
after(() => pki.dispose());

const markers = {
  subject: 'MARKERSUBJECTq7Zx Kế hoạch bí mật',
  tuyetMatSubject: 'MARKERTOPSECRETk2Lp',
  metadata: 'MARKERMETADATAw9Rt',
  recipient: 'MARKERORGAN.00.G9',
  fileName: 'MARKERFILENAMEb4Nc.pdf',
  content: 'MARKERCONTENTh8Vd nội dung tài liệu',
};

/** Every file under `dir` whose bytes contain a marker (UTF-8 or UTF-16LE), as "file: marker". */
function findMarkers(dir: string): string[] {
  const hits: string[] = [];
  const needles = Object.values(markers).flatMap((m) => {
    const word = m.split(' ')[0] ?? m;
    return [Buffer.from(word, 'utf8'), Buffer.from(word, 'utf16le')];
  });
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = readFileSync(path);
    for (const needle of needles) {
      if (bytes.includes(needle)) hits.push(`${relative(dir, path)}: ${needle.toString('hex')}`);
    }
  }
  return hits;
}

const filesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));

describe('vault at rest', () => {
  it('holds no marker in any file, open or closed, and opens only with its keys', async () => {
    const t = tempProfile('vault-at-rest');
    try {
      const vault = await initVault(t.profile, {
        holder: pki.clerk.holder,
        recovery: pki.recovery.holder,
      });
      for (let i = 0; i < 20; i++) {
        await createDraft(vault, {
          subject: `${markers.subject} ${i}`,
          level: 'toi-mat',
          urgency: 'hoa-toc',
          recipients: [markers.recipient, `000.00.00.G${i}`],
          metadata: { codeNotation: markers.metadata, signer: 'Nguyễn Văn A' },
          documents: [
            { name: `${i}-${markers.fileName}`, content: Buffer.from(markers.content.repeat(500)) },
          ],
        });
      }
      await createDraft(vault, {
        subject: markers.tuyetMatSubject,
        level: 'tuyet-mat',
        recipients: [markers.recipient],
      });
      assert.equal(searchDrafts(vault, markers.metadata).length, 20, 'the index works inside');
      await vault.snapshot();
      const open = filesIn(t.profile);
      assert.ok(open.includes('vault.db-wal'), 'the WAL is scanned while open');
      assert.ok(!open.includes('vault.db-shm'), 'no shared-memory file (exclusive locking)');
      assert.ok(open.some((f) => f.startsWith('blobs/')));
      assert.ok(open.some((f) => f.startsWith('snapshots/')));
      assert.deepEqual(findMarkers(t.profile), []);
      await vault.close();
      assert.deepEqual(findMarkers(t.profile), []);
      const db = readFileSync(join(t.profile, 'vault.db'));
      assert.ok(!db.subarray(0, 16).toString('latin1').startsWith('SQLite format 3'));

      await rejectsWithKind(openVault(t.profile, [pki.stranger.key]), 'vault-key-mismatch');
      await rejectsWithKind(openVault(t.profile, [pki.newClerk.key]), 'vault-key-mismatch');
      await rejectsWithKind(openVault(t.profile, []), 'vault-key-mismatch');
      const { vault: again } = await openVault(t.profile, [pki.recovery.key]);
      assert.equal(searchDrafts(again, 'markersubjectq7zx').length, 20);
      assert.equal(searchDrafts(again, markers.tuyetMatSubject).length, 0, 'Tuyệt mật not indexed');
      await again.close();
    } finally {
      t.dispose();
    }
  });
});
