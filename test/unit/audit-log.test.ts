/**
 * Appending to the audit trail: the chain it builds, the transaction it must run in,
 * the input it refuses, the unambiguous encoding it hashes, and the vi/en catalog.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { NiemError } from '../../native/api/errors.ts';
import {
  appendAudit,
  auditProblemCodes,
  auditProblemMessages,
  describeAuditProblem,
  verifyAudit,
  type AuditEntryInput,
} from '../../native/audit/index.ts';
import {
  encodeEntry,
  entryHash,
  type AuditEntryFields,
} from '../../native/audit/audit-encoding.ts';
import { append, openAuditDb, row, sampleEntry, seedLog, type Db } from './audit-fixture.ts';

const count = (db: Db): number => db.prepare('SELECT count(*) FROM audit').pluck().get() as number;

describe('appendAudit', () => {
  let db: Db;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = openAuditDb('file'));
  });
  afterEach(() => cleanup());

  it('builds a chain: seq 1, 2, 3…, the first prev_hash 32 zero bytes, each next one the hash before it', () => {
    const when = new Date('2026-11-22T08:30:00.123Z');
    const first = append(db, sampleEntry(1), when);
    assert.deepEqual(first.seq, 1);
    assert.equal(first.at, '2026-11-22T08:30:00.123Z');
    seedLog(db, 4);
    const rows = [1, 2, 3, 4, 5].map((s) => row(db, s));
    assert.deepEqual(rows[0]?.prev_hash, Buffer.alloc(32));
    for (let i = 1; i < rows.length; i++) assert.deepEqual(rows[i]?.prev_hash, rows[i - 1]?.hash);
    const r = rows[0] as NonNullable<(typeof rows)[0]>;
    assert.equal(r.actor, 'Nguyễn Văn An');
    assert.equal(r.detail, '{"draft":"d-1","files":1}');
    assert.deepEqual(Buffer.from(first.hash), r.hash);
    const recomputed = entryHash(1n, { ...r, prevHash: r.prev_hash });
    assert.deepEqual(Buffer.from(recomputed), r.hash);
    assert.equal(verifyAudit(db).ok, true);
  });

  it('refuses to run outside a transaction, and writes nothing', () => {
    assert.throws(
      () => appendAudit(db, sampleEntry(1)),
      (e: unknown) => e instanceof NiemError && e.kind === 'internal',
    );
    assert.equal(count(db), 0);
  });

  it('goes with the caller’s transaction: a rollback takes the entry with it and its seq is reused', () => {
    seedLog(db, 2);
    assert.throws(() =>
      db.transaction(() => {
        appendAudit(db, sampleEntry(3));
        throw new Error('the change failed');
      })(),
    );
    assert.equal(count(db), 2);
    assert.equal(append(db, sampleEntry(3)).seq, 3);
    assert.equal(verifyAudit(db).ok, true);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const bad: [string, Partial<AuditEntryInput> | Record<string, unknown>][] = [
    ['an empty actor', { actor: '' }],
    ['an actor of 513 characters', { actor: 'a'.repeat(513) }],
    ['an actor with a lone surrogate', { actor: 'Nguy\uD800n' }],
    ['an action with spaces', { action: 'draft create' }],
    ['an action in capitals', { action: 'DROP' }],
    ['a package that is not SHA-256 hex', { package: 'ABCD' }],
    ['a package of 63 digits', { package: 'a'.repeat(63) }],
    ['an unknown level', { level: 'secret' }],
    ['a detail that is an array', { detail: [1, 2] }],
    ['a detail that is a string', { detail: 'text' }],
    ['a cyclic detail', { detail: cyclic }],
    ['a detail with a BigInt', { detail: { n: 1n } }],
    ['a detail over 64 KiB', { detail: { text: 'x'.repeat(65 * 1024) } }],
  ];
  for (const [what, change] of bad) {
    it(`refuses ${what} with invalid-input, and writes nothing`, () => {
      seedLog(db, 1);
      const entry = { ...sampleEntry(2), ...change } as AuditEntryInput;
      assert.throws(
        () => append(db, entry),
        (e: unknown) => e instanceof NiemError && e.kind === 'invalid-input',
      );
      assert.equal(count(db), 1);
    });
  }

  it('refuses an invalid time', () => {
    assert.throws(
      () => append(db, sampleEntry(1), new Date(Number.NaN)),
      (e: unknown) => e instanceof NiemError && e.kind === 'invalid-input',
    );
  });
});

describe('the canonical entry encoding', () => {
  const base: AuditEntryFields = {
    at: '2026-11-22T08:00:00.000Z',
    actor: 'ab',
    action: 'c',
    package: null,
    level: null,
    detail: '{}',
    prevHash: new Uint8Array(32),
  };
  const hex = (f: AuditEntryFields, seq = 1n) => Buffer.from(entryHash(seq, f)).toString('hex');

  it('moving characters between fields, or NULL versus empty, changes the hash', () => {
    const variants = [
      base,
      { ...base, actor: 'a', action: 'bc' },
      { ...base, package: '' },
      { ...base, level: '' },
      { ...base, package: 'mat', level: null },
      { ...base, package: null, level: 'mat' },
      { ...base, detail: '{} ' },
    ];
    const hashes = new Set(variants.map((v) => hex(v)));
    assert.equal(hashes.size, variants.length);
    assert.notEqual(hex(base, 1n), hex(base, 2n));
  });

  it('is injective over random field tuples (property)', () => {
    const text = fc.string({ maxLength: 6, unit: 'binary' });
    const tuple = fc.record({
      seq: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      at: text,
      actor: text,
      action: text,
      package: fc.option(text),
      level: fc.option(text),
      detail: text,
      prevHash: fc.uint8Array({ minLength: 0, maxLength: 3 }),
    });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        const ea = Buffer.from(encodeEntry(a.seq, a)).toString('hex');
        const eb = Buffer.from(encodeEntry(b.seq, b)).toString('hex');
        const same =
          a.seq === b.seq &&
          a.at === b.at &&
          a.actor === b.actor &&
          a.action === b.action &&
          a.package === b.package &&
          a.level === b.level &&
          a.detail === b.detail &&
          Buffer.from(a.prevHash).equals(b.prevHash);
        return same === (ea === eb);
      }),
      { numRuns: 2000, seed: 20261122 },
    );
  });
});

describe('the audit problem catalog', () => {
  it('has a Vietnamese and an English sentence for every problem code, and nothing else', () => {
    assert.deepEqual(Object.keys(auditProblemMessages).sort(), [...auditProblemCodes].sort());
  });

  it('fills every placeholder, for one entry and for a range', () => {
    for (const problem of auditProblemCodes) {
      for (const lang of ['vi', 'en'] as const) {
        const single = describeAuditProblem({ problem, seq: 7, lastSeq: 7, originalSeq: 9 }, lang);
        const range = describeAuditProblem({ problem, seq: 7, lastSeq: 12, originalSeq: 9 }, lang);
        for (const text of [single, range]) {
          assert.doesNotMatch(text, /[{}]/, `${problem} ${lang}: ${text}`);
          assert.match(text, /\b7\b/);
        }
        if (!problem.startsWith('checkpoint-') || problem === 'checkpoint-mismatch') {
          assert.match(range, /\b12\b/, `${problem} ${lang}: ${range}`);
        }
      }
    }
    assert.equal(
      describeAuditProblem(
        { problem: 'entry-renumbered', seq: 6, lastSeq: 9, originalSeq: 7 },
        'vi',
      ),
      'Các mục nhật ký từ số 6 đến số 9 đã bị đánh số lại: khi ghi, các mục này mang số từ 7 đến 10.',
    );
  });
});
