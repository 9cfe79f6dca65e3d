/**
 * Signed checkpoints of the audit trail, with software keys (RSA-3072, P-256, P-384)
 * under the throwaway PKI of the SignedData tests: what they add to the chain (edits with
 * recomputed hashes, cut tails), the attacks on the checkpoints themselves, and the
 * limits verifyAudit documents (nothing after the last checkpoint; trust only when
 * trusted certificates are given; rollback only with a known checkpoint).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  checkpointAudit,
  describeAuditReport,
  verifyAudit,
  type AuditProblem,
} from '../../native/audit/index.ts';
import { softwareSigner, type SignerSpec } from '../../native/seal/signed-data/index.ts';
import { NiemError } from '../../native/api/errors.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';
import {
  append,
  openAuditDb,
  rewriteCascade,
  sampleEntry,
  seedLog,
  type Db,
} from './audit-fixture.ts';

const p = (problem: AuditProblem['problem'], seq: number, lastSeq = seq): AuditProblem => ({
  problem,
  seq,
  lastSeq,
});

describe('audit checkpoints: signed at logout, checked by verifyAudit', () => {
  let pki: SignedDataPki;
  let signer: SignerSpec;
  let db: Db;
  let cleanup: () => void;
  let trust: { trustedCertificates: Uint8Array[] };

  before(() => {
    pki = makeSignedDataPki();
    signer = softwareSigner(pki.p256.key, pki.p256.der);
    trust = { trustedCertificates: [pki.root.der, ...pki.intermediates] };
  });
  after(() => pki.cleanup());
  beforeEach(() => {
    ({ db, cleanup } = openAuditDb('file'));
  });
  afterEach(() => cleanup());

  /** 4 entries, checkpoint, 4 more, checkpoint: checkpoints at 4 and 8. */
  async function twoSessions(): Promise<void> {
    seedLog(db, 4);
    await checkpointAudit(db, signer);
    seedLog(db, 4);
    await checkpointAudit(db, signer);
  }

  it('an empty trail has nothing to sign', async () => {
    assert.equal(await checkpointAudit(db, signer), null);
    assert.equal(db.prepare('SELECT count(*) FROM audit_checkpoint').pluck().get(), 0);
  });

  for (const [name, make] of [
    ['RSA-3072 PKCS#1 v1.5', () => softwareSigner(pki.rsa.key, pki.rsa.der)],
    ['RSA-3072 PSS', () => softwareSigner(pki.rsa.key, pki.rsa.der, 'rsa-pss-sha256')],
    ['EC P-256', () => softwareSigner(pki.p256.key, pki.p256.der)],
    ['EC P-384', () => softwareSigner(pki.p384.key, pki.p384.der)],
  ] as const) {
    it(`a checkpoint signed with ${name} covers every entry before it`, async () => {
      seedLog(db, 5);
      const cp = await checkpointAudit(db, make());
      assert.equal(cp?.seq, 5);
      const report = verifyAudit(db, trust);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.coveredSeq, 5);
      assert.equal(report.uncovered, 0);
      assert.equal(report.signerTrust, 'checked');
    });
  }

  it('a trusted certificate may be given as itself instead of its root', async () => {
    await twoSessions();
    const report = verifyAudit(db, { trustedCertificates: [pki.p256.der] });
    assert.equal(report.ok, true);
    assert.equal(report.coveredSeq, 8);
  });

  it('a signer whose key does not match its certificate is refused, and nothing is stored', async () => {
    seedLog(db, 2);
    const wrong = softwareSigner(pki.p256Twin.key, pki.p256.der);
    await assert.rejects(
      checkpointAudit(db, wrong),
      (e: unknown) => e instanceof NiemError && e.kind === 'key-usage-mismatch',
    );
    assert.equal(db.prepare('SELECT count(*) FROM audit_checkpoint').pluck().get(), 0);
  });

  it('a second logout with no new entry re-signs the same seq', async () => {
    seedLog(db, 3);
    await checkpointAudit(db, signer);
    await checkpointAudit(db, softwareSigner(pki.p384.key, pki.p384.der));
    assert.equal(db.prepare('SELECT count(*) FROM audit_checkpoint').pluck().get(), 1);
    assert.equal(verifyAudit(db, trust).ok, true);
  });

  it('an edit with every later hash recomputed, before the last checkpoint, is checkpoint-mismatch over the entries since the previous one', async () => {
    await twoSessions();
    rewriteCascade(db, 6, { actor: 'Lê Văn Cường' });
    // The chain itself is consistent again: only the signed checkpoint at 8 disagrees.
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-mismatch', 5, 8)]);
  });

  it('the same rewrite from entry 2 is located before the first checkpoint; the later one cannot narrow it', async () => {
    await twoSessions();
    rewriteCascade(db, 2, { level: 'thuong' });
    assert.deepEqual(verifyAudit(db, trust).problems, [
      p('checkpoint-mismatch', 1, 4),
      p('checkpoint-mismatch', 1, 8),
    ]);
  });

  it('LIMIT: an edit with recomputed hashes after the last checkpoint is not detectable, and the report says how many entries are exposed', async () => {
    await twoSessions();
    seedLog(db, 3); // entries 9–11, not yet checkpointed
    rewriteCascade(db, 10, { actor: 'Lê Văn Cường' });
    const report = verifyAudit(db, trust);
    assert.equal(report.ok, true);
    assert.equal(report.coveredSeq, 8);
    assert.equal(report.uncovered, 3);
    assert.ok(
      describeAuditReport(report, 'vi').some((l) =>
        l.startsWith('3 mục sau điểm chốt đã ký cuối cùng (mục số 8)'),
      ),
    );
  });

  it('a tail cut up to the last checkpoint is entry-deleted', async () => {
    await twoSessions();
    db.prepare('DELETE FROM audit WHERE seq > 5').run();
    assert.deepEqual(verifyAudit(db, trust).problems, [p('entry-deleted', 6, 8)]);
  });

  it('entries appended after a cut tail leave the gap visible instead of reusing its seqs', async () => {
    await twoSessions();
    db.prepare('DELETE FROM audit WHERE seq > 5').run();
    const next = append(db, sampleEntry(99));
    assert.equal(next.seq, 9);
    assert.deepEqual(verifyAudit(db, trust).problems, [p('entry-deleted', 6, 8)]);
  });

  it('LIMIT: a tail cut after the last checkpoint is not detectable', async () => {
    await twoSessions();
    seedLog(db, 2);
    db.prepare('DELETE FROM audit WHERE seq > 8').run();
    assert.equal(verifyAudit(db, trust).ok, true);
  });

  it('a forged signature is checkpoint-signature-invalid at its seq', async () => {
    await twoSessions();
    const sig = db
      .prepare('SELECT signature FROM audit_checkpoint WHERE seq = 8')
      .pluck()
      .get() as Buffer;
    sig.writeUInt8(sig.readUInt8(sig.length - 5) ^ 0x01, sig.length - 5);
    db.prepare('UPDATE audit_checkpoint SET signature = ? WHERE seq = 8').run(sig);
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-signature-invalid', 8)]);
  });

  for (const [what, sql, value] of [
    ['its hash', 'UPDATE audit_checkpoint SET hash = ? WHERE seq = 4', Buffer.alloc(32, 7)],
    ['its time', 'UPDATE audit_checkpoint SET at = ? WHERE seq = 4', '2030-01-01T00:00:00.000Z'],
    ['its algorithm', 'UPDATE audit_checkpoint SET algorithm = ? WHERE seq = 4', 'ecdsa-sha384'],
    ['an unknown algorithm', 'UPDATE audit_checkpoint SET algorithm = ? WHERE seq = 4', 'md5'],
    [
      'its certificate (garbage)',
      'UPDATE audit_checkpoint SET certificate = ? WHERE seq = 4',
      Buffer.from('x'),
    ],
    ['its signature (as TEXT)', 'UPDATE audit_checkpoint SET signature = ? WHERE seq = 4', 'sig'],
  ] as const) {
    it(`a checkpoint with ${what} changed is checkpoint-signature-invalid`, async () => {
      await twoSessions();
      db.prepare(sql).run(value);
      assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-signature-invalid', 4)]);
    });
  }

  it('a checkpoint moved to another seq is checkpoint-signature-invalid there', async () => {
    await twoSessions();
    db.prepare('UPDATE audit_checkpoint SET seq = 6 WHERE seq = 4').run();
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-signature-invalid', 6)]);
  });

  for (const other of ['p256Twin', 'stranger', 'p384'] as const) {
    it(`a checkpoint certificate swapped for another valid certificate (${other}) is checkpoint-signature-invalid`, async () => {
      await twoSessions();
      db.prepare('UPDATE audit_checkpoint SET certificate = ? WHERE seq = 8').run(pki[other].der);
      assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-signature-invalid', 8)]);
    });
  }

  it('a rewritten log re-signed with an attacker key is checkpoint-untrusted (LIMIT: unnoticed without trusted certificates)', async () => {
    await twoSessions();
    rewriteCascade(db, 3, { detail: '{"draft":"forged"}' });
    db.prepare('DELETE FROM audit_checkpoint').run();
    await checkpointAudit(db, softwareSigner(pki.stranger.key, pki.stranger.der));
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-untrusted', 8)]);
    const untrusted = verifyAudit(db);
    assert.equal(untrusted.ok, true);
    assert.equal(untrusted.signerTrust, 'not-checked');
    assert.ok(describeAuditReport(untrusted, 'en').some((l) => l.includes('were not checked')));
  });

  it('a certificate outside its validity at the checkpoint time is untrusted', async () => {
    seedLog(db, 2);
    await checkpointAudit(db, signer, { now: new Date('2040-01-01T00:00:00Z') });
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-untrusted', 2)]);
  });

  it('deleting the newest checkpoint is checkpoint-missing when the last one is known from outside (LIMIT: unnoticed otherwise)', async () => {
    await twoSessions();
    db.prepare('DELETE FROM audit_checkpoint WHERE seq = 8').run();
    assert.deepEqual(verifyAudit(db, { ...trust, knownCheckpointSeq: 8 }).problems, [
      p('checkpoint-missing', 8),
    ]);
    const report = verifyAudit(db, trust);
    assert.equal(report.ok, true);
    assert.equal(report.coveredSeq, 4);
  });

  it('a deleted older checkpoint loses nothing: the newer one still covers every entry', async () => {
    await twoSessions();
    db.prepare('DELETE FROM audit_checkpoint WHERE seq = 4').run();
    rewriteCascade(db, 2, { actor: 'Lê Văn Cường' });
    assert.deepEqual(verifyAudit(db, trust).problems, [p('checkpoint-mismatch', 1, 8)]);
  });
});
