/**
 * The platform store on embedded SQLite: the shared contract, plus what only a file store
 * has (permissions, pragmas, reopening, a second connection on the same file).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Sqlite } from '../../native/vault/sqlite-lib.ts';
import { openStore } from '../../platform/store/open-store.ts';
import { openSqliteStore } from '../../platform/store/sqlite-store.ts';
import { storeContract } from './store-contract.ts';
import {
  A,
  agency,
  allCursors,
  B,
  collect,
  deliver,
  notice,
  NOW,
  rejectsWith,
} from './store-fixture.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'niem-platform-store-'));
}

storeContract('sqlite', async () => {
  const dir = await tempDir();
  const store = await openSqliteStore(join(dir, 'data'));
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store on disk', () => {
  it('creates the folder 0700 and platform.db 0600, in WAL mode', async () => {
    const dir = await tempDir();
    try {
      const data = join(dir, 'data');
      const store = await openStore({ dataDir: data });
      await store.putAgency(agency(A));
      assert.equal((await stat(data)).mode & 0o777, 0o700);
      assert.equal((await stat(join(data, 'platform.db'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(data, 'platform.db-wal'))).mode & 0o777, 0o600);
      const db = new Sqlite(join(data, 'platform.db'), { readonly: true });
      try {
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(db.pragma('user_version', { simple: true }), 1);
      } finally {
        db.close();
      }
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps everything across close and reopen', async () => {
    const dir = await tempDir();
    try {
      const first = await openSqliteStore(dir);
      await first.putAgency(agency(A));
      await first.setConfig({ platformName: 'kept' });
      const pkg = await deliver(first, [B]);
      await first.ack(B, '1');
      await first.close();
      const again = await openSqliteStore(dir);
      assert.equal((await again.getConfig()).platformName, 'kept');
      assert.equal((await again.directory()).agencies.length, 1);
      assert.deepEqual(await collect(again.readPackage(pkg.sha256, 0)), pkg.bytes);
      assert.equal(await again.ackedCursor(B), '1');
      await again.addNotice(notice(B, A), NOW);
      assert.deepEqual(await allCursors(again, B), ['1', '2']);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two stores on one file (a server and an admin command) share cursors', async () => {
    const dir = await tempDir();
    try {
      const one = await openSqliteStore(dir);
      const two = await openSqliteStore(dir);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? one : two).addNotice(
            notice(A, B, '01', i.toString(16).padStart(64, '0')),
            NOW,
          ),
        ),
      );
      assert.deepEqual(
        await allCursors(one, A),
        Array.from({ length: 20 }, (_, i) => String(i + 1)),
      );
      await Promise.all([one.close(), two.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openStore refuses a database URL that is not PostgreSQL', async () => {
    await rejectsWith(
      openStore({ dataDir: '/nonexistent', databaseUrl: 'mysql://127.0.0.1/x' }),
      'invalid-input',
    );
  });

  it('refuses a database written by a newer schema', async () => {
    const dir = await tempDir();
    try {
      await (await openSqliteStore(dir)).close();
      const db = new Sqlite(join(dir, 'platform.db'));
      db.pragma('user_version = 99');
      db.close();
      await assert.rejects(openSqliteStore(dir), /schema 99/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
