/**
 * Attacks on the audit chain with raw SQL, as someone with write access to the vault
 * would make them, and what `verifyAudit` says: which entry (seq) and what happened.
 * Checkpoint attacks are in audit-checkpoint.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { describeAuditReport, verifyAudit, type AuditProblem } from '../../native/audit/index.ts';
import {
  hashOf,
  insertForeign,
  openAuditDb,
  renumber,
  rewriteOne,
  row,
  seedLog,
  type Db,
} from './audit-fixture.ts';

const N = 10;

function problems(db: Db): AuditProblem[] {
  return [...verifyAudit(db).problems];
}

const p = (problem: AuditProblem['problem'], seq: number, lastSeq = seq): AuditProblem => ({
  problem,
  seq,
  lastSeq,
});

describe('audit chain: tampering with raw SQL is found and located', () => {
  let db: Db;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = openAuditDb('file'));
    seedLog(db, N);
  });
  afterEach(() => cleanup());

  it('an intact log verifies, and every entry is counted as not yet checkpointed', () => {
    const report = verifyAudit(db);
    assert.equal(report.ok, true);
    assert.equal(report.entries, N);
    assert.equal(report.lastSeq, N);
    assert.equal(report.coveredSeq, 0);
    assert.equal(report.uncovered, N);
    assert.deepEqual(report.problems, []);
  });

  const edits: [string, string, unknown][] = [
    ['at', 'UPDATE audit SET at = ? WHERE seq = 4', '2020-01-01T00:00:00.000Z'],
    ['actor', 'UPDATE audit SET actor = ? WHERE seq = 4', 'Lê Văn Cường'],
    ['action', 'UPDATE audit SET action = ? WHERE seq = 4', 'inbox.import'],
    ['package', 'UPDATE audit SET package = ? WHERE seq = 4', 'cd'.repeat(32)],
    ['package to NULL', 'UPDATE audit SET package = ? WHERE seq = 4', null],
    ['level', 'UPDATE audit SET level = ? WHERE seq = 4', 'thuong'],
    ['detail', 'UPDATE audit SET detail = ? WHERE seq = 4', '{"draft":"d-4","files":0}'],
    ['prev_hash', 'UPDATE audit SET prev_hash = ? WHERE seq = 4', randomBytes(32)],
    ['hash', 'UPDATE audit SET hash = ? WHERE seq = 4', randomBytes(32)],
    ['hash as TEXT', 'UPDATE audit SET hash = ? WHERE seq = 4', 'not a blob'],
    ['actor as a number', 'UPDATE audit SET actor = ? WHERE seq = 4', 42],
  ];
  for (const [field, sql, value] of edits) {
    it(`an edited ${field} is entry-edited at that seq, and nothing else`, () => {
      db.prepare(sql).run(value);
      assert.deepEqual(problems(db), [p('entry-edited', 4)]);
    });
  }

  it('edits of several neighbouring entries are one range', () => {
    db.prepare("UPDATE audit SET actor = 'X' WHERE seq BETWEEN 3 AND 5").run();
    assert.deepEqual(problems(db), [p('entry-edited', 3, 5)]);
  });

  it('a foreign row put in the middle by renumbering is entry-inserted; the moved rows are named', () => {
    renumber(db, 5, 1);
    insertForeign(db, 5); // its own hash right, linked to entry 4
    assert.deepEqual(problems(db), [
      p('entry-inserted', 5),
      { problem: 'entry-renumbered', seq: 6, lastSeq: 11, originalSeq: 5 },
    ]);
  });

  it('a sloppy inserted row (hash not even right) is still named as inserted', () => {
    renumber(db, 5, 1);
    db.prepare('INSERT INTO audit VALUES (5, ?, ?, ?, NULL, NULL, ?, ?, ?)').run(
      '2026-11-22T09:00:00.000Z',
      'x',
      'y',
      '{}',
      hashOf(db, 4),
      randomBytes(32),
    );
    assert.deepEqual(problems(db)[0], p('entry-inserted', 5));
  });

  it('a foreign row inserted first, by renumbering, is entry-inserted at 1', () => {
    renumber(db, 1, 1);
    insertForeign(db, 1);
    assert.deepEqual(problems(db), [
      p('entry-inserted', 1),
      { problem: 'entry-renumbered', seq: 2, lastSeq: 11, originalSeq: 1 },
    ]);
  });

  it('a deleted middle entry is entry-deleted at its seq, and nothing else', () => {
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    assert.deepEqual(problems(db), [p('entry-deleted', 6)]);
  });

  it('several deleted entries are one range; the first entry deleted is named too', () => {
    db.prepare('DELETE FROM audit WHERE seq IN (1, 4, 5, 6)').run();
    assert.deepEqual(problems(db), [p('entry-deleted', 1), p('entry-deleted', 4, 6)]);
  });

  it('a deleted entry whose gap was closed by renumbering is still entry-deleted, in the written numbering', () => {
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    renumber(db, 7, -1);
    assert.deepEqual(problems(db), [
      p('entry-deleted', 6),
      { problem: 'entry-renumbered', seq: 6, lastSeq: 9, originalSeq: 7 },
    ]);
  });

  it('a gap filled by a foreign row is entry-replaced at that seq', () => {
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    insertForeign(db, 6); // linked to entry 5, its own hash right
    assert.deepEqual(problems(db), [p('entry-replaced', 6)]);
  });

  it('a foreign row with a made-up prev_hash in place of an entry is entry-replaced at that seq', () => {
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    insertForeign(db, 6, randomBytes(32));
    assert.deepEqual(problems(db), [p('entry-replaced', 6)]);
  });

  it('an entry edited with its own hash recomputed breaks the link after it: entry-replaced', () => {
    rewriteOne(db, 3, { actor: 'Lê Văn Cường' });
    assert.deepEqual(problems(db), [p('entry-replaced', 3)]);
  });

  it('the first entry replaced by a row with its hash recomputed is named', () => {
    rewriteOne(db, 1, { detail: '{}' });
    assert.deepEqual(problems(db), [p('entry-replaced', 1)]);
  });

  it('two entries swapped by their seq are both entry-renumbered, no entry lost', () => {
    renumber(db, 4, 100, 4); // 4 → 104
    renumber(db, 5, -1, 5); // 5 → 4
    renumber(db, 104, -99); // 104 → 5
    assert.deepEqual(problems(db), [
      { problem: 'entry-renumbered', seq: 4, lastSeq: 4, originalSeq: 5 },
      { problem: 'entry-renumbered', seq: 5, lastSeq: 5, originalSeq: 4 },
    ]);
  });

  it('an entry moved far away is found by the entry it links to', () => {
    renumber(db, 5, 1000, 5);
    assert.deepEqual(problems(db), [
      { problem: 'entry-renumbered', seq: 1005, lastSeq: 1005, originalSeq: 5 },
    ]);
  });

  it('an entry moved far away with its neighbour deleted is named (edited) and both places deleted', () => {
    db.prepare('DELETE FROM audit WHERE seq = 4').run();
    renumber(db, 5, 1000, 5);
    assert.deepEqual(problems(db), [p('entry-deleted', 4, 5), p('entry-edited', 1005)]);
  });

  it('a row moved below seq 1 is named with the seq it was written at', () => {
    db.prepare('UPDATE audit SET seq = -3 WHERE seq = 3').run();
    assert.deepEqual(problems(db), [
      { problem: 'entry-renumbered', seq: -3, lastSeq: -3, originalSeq: 3 },
    ]);
  });

  it('a log edited throughout is one range, found without an exhaustive search', () => {
    seedLog(db, 1490);
    db.prepare("UPDATE audit SET detail = '{}'").run();
    const report = verifyAudit(db);
    assert.equal(report.entries, 1500);
    assert.deepEqual(report.problems, [p('entry-edited', 1, 1500)]);
  });

  it('the report prints which entry and what happened, in Vietnamese and in English', () => {
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    db.prepare("UPDATE audit SET actor = 'X' WHERE seq = 2").run();
    const report = verifyAudit(db);
    const vi = describeAuditReport(report, 'vi');
    const en = describeAuditReport(report, 'en');
    assert.match(vi[0] ?? '', /can thiệp: phát hiện 2 vấn đề trong 9 mục/);
    assert.ok(
      vi.includes('Mục nhật ký số 2 đã bị sửa: nội dung không còn khớp với mã băm đã ghi.'),
    );
    assert.ok(vi.includes('Mục nhật ký số 6 đã bị xoá.'));
    assert.ok(en.includes('Audit entry 6 was deleted.'));
    assert.ok(
      en.includes('Audit entry 2 was edited: its contents no longer match its recorded hash.'),
    );
    assert.equal(row(db, 5).seq, 5);
  });
});
