/**
 * Databases on the private PostgreSQL test server (scripts/postgres-test.ts). Tests that need
 * PostgreSQL fail, never skip, when the server is not running: `npm run test:platform`
 * starts it first (`node scripts/postgres-test.ts --ensure`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { pgTestUrlFile } from '../../../scripts/postgres-test.ts';

/** A database of its own for one test (or one test file); `drop` removes it. */
export interface FreshDatabase {
  /** Connection URL of the new database (the test server's superuser). */
  url: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

const HOW = 'start it with `node scripts/postgres-test.ts --ensure`';

/** The test server's base URL; throws with what to do when it is not set up. */
export function testServerUrl(): string {
  if (!existsSync(pgTestUrlFile)) {
    throw new Error(`The PostgreSQL test server is not set up (${pgTestUrlFile} missing): ${HOW}.`);
  }
  return readFileSync(pgTestUrlFile, 'utf8').trim();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: testServerUrl(),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(`The PostgreSQL test server does not answer: ${HOW}.`, { cause: err });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named, empty database on the test server. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `niem_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
