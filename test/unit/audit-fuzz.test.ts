/**
 * Property: one random tampering of a random audit trail, closed by a checkpoint at
 * logout as the vault leaves it, never verifies as ok. The mutations are what someone
 * with write access to the database can do with SQL, including recomputing hashes (the
 * algorithm is public); the ones verifyAudit documents as undetectable (anything after
 * the last checkpoint, deleting an older checkpoint, which loses nothing) are left out by
 * construction: the log always ends with a checkpoint, and the known newest checkpoint
 * is passed as it would be remembered outside the database.
 *
 * The seed is fixed so CI is repeatable; NIEM_FUZZ_SEED=<seed> explores (or replays) others.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkpointAudit, verifyAudit, type AuditEntryInput } from '../../native/audit/index.ts';
import { levelCodes } from '../../native/seal/levels.ts';
import { softwareSigner, type SignerSpec } from '../../native/seal/signed-data/index.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';
import {
  append,
  hashOf,
  insertForeign,
  openAuditDb,
  renumber,
  rewriteCascade,
  rewriteOne,
  row,
  type Db,
} from './audit-fixture.ts';

const SEED =
  process.env.NIEM_FUZZ_SEED !== undefined ? Number(process.env.NIEM_FUZZ_SEED) : 20261122;

const entryArb: fc.Arbitrary<AuditEntryInput> = fc.record({
  actor: fc.string({ minLength: 1, maxLength: 12 }),
  action: fc.constantFrom('draft.create', 'package.seal', 'inbox.import', 'session.logout'),
  package: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/)),
  level: fc.option(fc.constantFrom(...levelCodes)),
  detail: fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string())),
});

/** A log: entries, and after which of them a logout checkpoint was signed (always after the last). */
const logArb = fc.array(entryArb, { minLength: 1, maxLength: 12 }).chain((entries) =>
  fc.record({
    entries: fc.constant(entries),
    checkpoints: fc.uniqueArray(fc.integer({ min: 1, max: entries.length }), { maxLength: 3 }),
  }),
);

type Mutation =
  | { kind: 'edit'; at: number; column: 'at' | 'actor' | 'action' | 'package' | 'level' | 'detail' }
  | { kind: 'flip'; at: number; column: 'prev_hash' | 'hash'; byte: number }
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; sloppy: boolean }
  | { kind: 'fill'; at: number }
  | { kind: 'move'; at: number; by: number }
  | { kind: 'swap'; at: number }
  | { kind: 'rewrite-one'; at: number }
  | { kind: 'rewrite-cascade'; at: number }
  | {
      kind: 'checkpoint';
      which: number;
      attack: 'signature' | 'hash' | 'seq' | 'at' | 'certificate' | 'algorithm' | 'drop-last';
    };

/** `at` is a fraction of the log length, so a mutation fits whatever log it meets. */
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    at: fc.nat(),
    column: fc.constantFrom('at', 'actor', 'action', 'package', 'level', 'detail' as const),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    column: fc.constantFrom('prev_hash', 'hash' as const),
    byte: fc.integer({ min: 0, max: 31 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), sloppy: fc.boolean() }),
  fc.record({ kind: fc.constant('fill' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('move' as const),
    at: fc.nat(),
    by: fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('rewrite-one' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('rewrite-cascade' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('checkpoint' as const),
    which: fc.nat(),
    attack: fc.constantFrom(
      'signature',
      'hash',
      'seq',
      'at',
      'certificate',
      'algorithm',
      'drop-last' as const,
    ),
  }),
);

function edited(r: ReturnType<typeof row>, column: string): unknown {
  switch (column) {
    case 'at':
      return `${r.at.slice(0, -1)}1Z`;
    case 'actor':
      return `${r.actor}.`;
    case 'action':
      return r.action === 'draft.create' ? 'package.seal' : 'draft.create';
    case 'package':
      return r.package === null ? 'f'.repeat(64) : null;
    case 'level':
      return r.level === 'tuyet-mat' ? 'thuong' : 'tuyet-mat';
    default:
      return `${r.detail} `;
  }
}

function mutate(db: Db, m: Mutation, n: number, other: Uint8Array): void {
  if (m.kind === 'checkpoint') {
    const seqs = db
      .prepare('SELECT seq FROM audit_checkpoint ORDER BY seq')
      .pluck()
      .all() as number[];
    const seq =
      m.attack === 'drop-last' ? (seqs.at(-1) as number) : (seqs[m.which % seqs.length] as number);
    const set = (sql: string, v: unknown) =>
      db.prepare(`UPDATE audit_checkpoint SET ${sql} WHERE seq = ?`).run(v, seq);
    if (m.attack === 'drop-last') db.prepare('DELETE FROM audit_checkpoint WHERE seq = ?').run(seq);
    else if (m.attack === 'signature') {
      const sig = db
        .prepare('SELECT signature FROM audit_checkpoint WHERE seq = ?')
        .pluck()
        .get(seq) as Buffer;
      sig.writeUInt8(sig.readUInt8(8) ^ 0x40, 8);
      set('signature = ?', sig);
    } else if (m.attack === 'hash') set('hash = ?', Buffer.alloc(32, 1));
    else if (m.attack === 'seq') set('seq = ?', seq + 1000);
    else if (m.attack === 'at') set('at = ?', '2027-01-01T00:00:00.000Z');
    else if (m.attack === 'certificate') set('certificate = ?', other);
    else set('algorithm = ?', 'ecdsa-sha384');
    return;
  }
  const k = (m.at % n) + 1;
  switch (m.kind) {
    case 'edit':
      db.prepare(`UPDATE audit SET ${m.column} = ? WHERE seq = ?`).run(
        edited(row(db, k), m.column),
        k,
      );
      return;
    case 'flip': {
      const v = row(db, k)[m.column];
      v[m.byte] = (v[m.byte] ?? 0) ^ 0x01;
      db.prepare(`UPDATE audit SET ${m.column} = ? WHERE seq = ?`).run(v, k);
      return;
    }
    case 'delete':
      db.prepare('DELETE FROM audit WHERE seq = ?').run(k);
      return;
    case 'insert':
      renumber(db, k, 1);
      if (m.sloppy) insertForeign(db, k, Buffer.alloc(32, 9));
      else insertForeign(db, k);
      return;
    case 'fill':
      db.prepare('DELETE FROM audit WHERE seq = ?').run(k);
      insertForeign(db, k);
      return;
    case 'move':
      if (db.prepare('SELECT 1 FROM audit WHERE seq = ?').get(k + m.by) === undefined)
        renumber(db, k, m.by, k);
      else db.prepare('UPDATE audit SET seq = ? WHERE seq = ?').run(-k - 1_000_000, k);
      return;
    case 'swap': {
      const j = k === n ? k - 1 : k + 1;
      if (j < 1) {
        db.prepare('UPDATE audit SET prev_hash = ? WHERE seq = 1').run(hashOf(db, 1));
        return;
      }
      renumber(db, k, 1000, k);
      renumber(db, j, k - j, j);
      renumber(db, k + 1000, j - k - 1000);
      return;
    }
    case 'rewrite-one':
      rewriteOne(db, k, { actor: `${row(db, k).actor}!` });
      return;
    case 'rewrite-cascade':
      rewriteCascade(db, k, { actor: `${row(db, k).actor}!` });
      return;
  }
}

describe('audit trail fuzz: one random tampering never verifies', () => {
  let pki: SignedDataPki;
  let signer: SignerSpec;
  before(() => {
    pki = makeSignedDataPki();
    signer = softwareSigner(pki.p256.key, pki.p256.der);
  });
  after(() => pki.cleanup());

  it(`is never ok after a single mutation (seed ${SEED})`, async (t) => {
    t.diagnostic(`seed ${SEED} (replay with NIEM_FUZZ_SEED=${SEED})`);
    const trustedCertificates = [pki.root.der, ...pki.intermediates];
    try {
      await fc.assert(
        fc.asyncProperty(logArb, mutationArb, async (log, mutation) => {
          const { db, cleanup } = openAuditDb('memory');
          try {
            const n = log.entries.length;
            const points = new Set([...log.checkpoints, n]);
            for (const [i, entry] of log.entries.entries()) {
              append(db, entry);
              if (points.has(i + 1)) await checkpointAudit(db, signer);
            }
            const options = { trustedCertificates, knownCheckpointSeq: n };
            assert.equal(verifyAudit(db, options).ok, true, 'the untouched log verifies');
            mutate(db, mutation, n, pki.p256Twin.der);
            const report = verifyAudit(db, options);
            assert.equal(report.ok, false, `undetected: ${JSON.stringify(mutation)}`);
            assert.ok(report.problems.length > 0);
          } finally {
            cleanup();
          }
        }),
        { numRuns: 400, seed: SEED },
      );
    } catch (e) {
      console.error(`audit fuzz failed with seed ${SEED}: replay with NIEM_FUZZ_SEED=${SEED}`);
      throw e;
    }
  });
});
