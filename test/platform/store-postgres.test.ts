/**
 * The platform store on PostgreSQL: the shared contract, then what only a shared database
 * has: several instances (two pools, and two processes) migrating and writing at once.
 * Needs the test server (`node scripts/postgres-test.ts --ensure`); fails without it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { PlatformStore } from '../../platform/store/platform-store.ts';
import { openStore } from '../../platform/store/open-store.ts';
import { openPostgresStore } from '../../platform/store/postgres-store.ts';
import { freshDatabase, type FreshDatabase } from './helpers/postgres.ts';
import { storeContract } from './store-contract.ts';
import {
  A,
  agency,
  allCursors,
  B,
  C,
  collect,
  deliver,
  hex,
  newUpload,
  notice,
  NOW,
  samplePackage,
} from './store-fixture.ts';

storeContract('postgres', async () => {
  const db = await freshDatabase();
  try {
    const store = await openPostgresStore(db.url);
    return {
      store,
      dispose: async () => {
        await store.close();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
});

/** Reads A's whole mailbox again and again until `stop`, checking every view is 1..n. */
function watchMailbox(store: PlatformStore): { stop(): Promise<number[]> } {
  let running = true;
  const views: number[] = [];
  const loop = (async () => {
    let seen = 0;
    while (running) {
      const cursors = (await allCursors(store, A)).map(Number);
      const n = cursors.length;
      assert.deepEqual(
        cursors,
        Array.from({ length: n }, (_, i) => i + 1),
        'every view is gap-free',
      );
      assert.ok(n >= seen, `a view of ${n} entries after one of ${seen}`);
      seen = n;
      views.push(n);
    }
  })();
  loop.catch(() => undefined); // reported by stop()
  return {
    stop: async () => {
      running = false;
      await loop;
      return views;
    },
  };
}

describe('postgres: several instances on one database', () => {
  let db: FreshDatabase;
  let one: PlatformStore;
  let two: PlatformStore;

  before(async () => {
    db = await freshDatabase();
    // Four instances starting at once on an empty database.
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(db.url)));
    [one, two] = stores as [PlatformStore, PlatformStore];
    await Promise.all(stores.slice(2).map((s) => s.close()));
  });

  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await db?.drop();
  });

  it('migrates once when instances start together', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = await client.query('SELECT version FROM schema_migrations');
      assert.deepEqual(rows.rows, [{ version: 1 }]);
    } finally {
      await client.end();
    }
    await Promise.all([one.migrate(), two.migrate()]);
    await one.putAgency(agency(A));
    assert.deepEqual(await two.getAgency(A), agency(A));
  });

  it('a chunk written through one instance is read through the other', async () => {
    const pkg = samplePackage(2500);
    await one.createUpload(newUpload(pkg.sha256, 2500), NOW);
    const [c0, c1, c2] = pkg.chunks as [Buffer, Buffer, Buffer];
    assert.equal(await one.putChunk(pkg.sha256, 0, hex(c0), c0), 'stored');
    assert.equal(await two.putChunk(pkg.sha256, 0, hex(c0), c0), 'same');
    assert.equal(await two.putChunk(pkg.sha256, 1, hex(c1), c1), 'stored');
    assert.equal(await one.putChunk(pkg.sha256, 2, hex(c2), c2), 'stored');
    assert.deepEqual(await two.chunkIndices(pkg.sha256), [0, 1, 2]);
    assert.deepEqual(await collect(two.readPackage(pkg.sha256, 1234)), pkg.bytes.subarray(1234));
    const [x, y] = await Promise.all([
      one.completeUpload(pkg.sha256, Buffer.from('r1'), NOW),
      two.completeUpload(pkg.sha256, Buffer.from('r2'), NOW),
    ]);
    assert.deepEqual(x, y, 'completed once; both return the stored receipt');
    assert.deepEqual(await allCursors(one, B), ['1']);
  });

  it('cursors of concurrent writers are strictly increasing and visible in order', async () => {
    const base = (await allCursors(one, A)).length;
    assert.equal(base, 0);
    const cBase = (await allCursors(one, C)).length;
    const reader = watchMailbox(one);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 120; i += 1) {
      const store = i % 2 === 0 ? one : two;
      writes.push(store.addNotice(notice(A, B, '01', i.toString(16).padStart(64, '0')), NOW));
      if (i % 12 === 0) writes.push(deliver(i % 24 === 0 ? two : one, [A, C]));
    }
    // The same notice through both instances at once is stored once.
    writes.push(one.addNotice(notice(A, C, '05'), NOW), two.addNotice(notice(A, C, '05'), NOW));
    await Promise.all(writes);
    const views = await reader.stop();
    const total = 120 + 10 + 1;
    assert.deepEqual(
      (await allCursors(two, A)).map(Number),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    assert.ok(views.length > 1, 'the reader polled while the writers ran');
    assert.equal((await allCursors(one, C)).length, cBase + 10);
  });

  it('two processes writing to one mailbox: gap-free cursors in order', async () => {
    const start = (await allCursors(one, A)).length;
    const reader = watchMailbox(one);
    const child = fileURLToPath(new URL('./store-writer-child.ts', import.meta.url));
    const run = (name: string) =>
      new Promise<string>((resolve, reject) => {
        const proc = spawn(process.execPath, [child, db.url, name, '60'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        proc.stdout.on('data', (data: Buffer) => (out += data.toString()));
        proc.on('error', reject);
        proc.on('exit', (code) =>
          code === 0 ? resolve(out.trim()) : reject(new Error(`${name} exited ${code}`)),
        );
      });
    assert.deepEqual(await Promise.all([run('p1'), run('p2')]), ['done', 'done']);
    await reader.stop();
    const total = start + 2 * (60 + 6);
    assert.deepEqual(
      (await allCursors(two, A)).map(Number),
      Array.from({ length: total }, (_, i) => i + 1),
    );
  });
});

describe('postgres store: opening', () => {
  it('openStore picks PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    const db = await freshDatabase();
    try {
      for (const url of [db.url, db.url.replace(/^postgres:/, 'postgresql:')]) {
        const store = await openStore({ dataDir: '/nonexistent', databaseUrl: url });
        await store.putAgency(agency(A));
        assert.equal((await store.directory()).agencies.length, 1);
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('refuses a database with a newer schema', async () => {
    const db = await freshDatabase();
    try {
      await (await openPostgresStore(db.url)).close();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('INSERT INTO schema_migrations (version) VALUES (99)');
      await client.end();
      await assert.rejects(openPostgresStore(db.url), /schema 99/);
    } finally {
      await db.drop();
    }
  });
});
