/**
 * `niem inspect` on a file that is not a package: a clear error kind, and the file is
 * closed by the time the call settles (a clerk's next step may be to delete or move it,
 * which Windows refuses while a handle is open).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { inspectPackage } from '../../native/seal/pipeline/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'niem-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openHandlesTo(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('inspectPackage on bad input', () => {
  const cases: Record<string, Buffer> = {
    // SEQUENCE whose length field claims 2^56 bytes: refused before any read of that size
    'over-long length': Buffer.concat([
      Buffer.from([0x30, 0x88, 0x01, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.alloc(64),
    ]),
    'not BER at all': Buffer.from('%PDF-1.7 not a package\n'),
    empty: Buffer.alloc(0),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    it(`${name}: malformed, and the file is closed when the call settles`, async () => {
      const file = path.join(dir, `${name}.p7m`);
      writeFileSync(file, bytes);
      await assert.rejects(
        inspectPackage(file),
        (err) => err instanceof NiemError && err.kind === 'malformed',
      );
      assert.equal(openHandlesTo(file), 0);
    });
  }
});
