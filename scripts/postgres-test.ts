/**
 * The private PostgreSQL server the platform's PostgreSQL store is tested on.
 *
 *   node scripts/postgres-test.ts --ensure   start it (creating it the first time); print its URL
 *   node scripts/postgres-test.ts --stop     stop it (the data stays for the next --ensure)
 *   node scripts/postgres-test.ts --url      print the URL if it is running, else fail
 *
 * Everything lives in `.tools/pg-test/` at the repository root (NIEM_PG_TEST_DIR overrides):
 *   cluster/data/   the cluster (initdb), owned by the user the server runs as
 *   cluster/sock/   its unix socket; cluster/log  its log
 *   url             `postgres://niem:PASSWORD@127.0.0.1:55432/postgres` (0600): a superuser
 * The server listens only on 127.0.0.1, port 55432 (NIEM_PG_TEST_PORT overrides); TCP needs
 * the generated password (scram-sha-256). It is a disposable test cluster: fsync is off.
 * Binaries: PostgreSQL 15 from Debian's `postgresql` package (/usr/lib/postgresql/15/bin),
 * or NIEM_PG_BIN. Root cannot run a PostgreSQL server, so as root it runs as the `postgres`
 * system user (runuser); as anyone else, as that user. --ensure is idempotent and answers
 * in well under a second when the server is already up.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder of the test server. */
export const pgTestDir = resolve(process.env.NIEM_PG_TEST_DIR ?? join(repoRoot, '.tools/pg-test'));
/** The file holding the server's base URL while it is set up. */
export const pgTestUrlFile = join(pgTestDir, 'url');

const port = Number(process.env.NIEM_PG_TEST_PORT ?? 55432);
const cluster = join(pgTestDir, 'cluster');
const dataDir = join(cluster, 'data');
const sockDir = join(cluster, 'sock');
const logFile = join(cluster, 'log');
const lockFile = join(pgTestDir, 'lock');
const isRoot = process.getuid?.() === 0;

function fail(message: string): never {
  throw new Error(`postgres-test: ${message}`);
}

/** The bin folder of PostgreSQL 15 (or NIEM_PG_BIN, or the newest installed). */
function pgBin(): string {
  const chosen = process.env.NIEM_PG_BIN;
  if (chosen !== undefined) return chosen;
  const base = '/usr/lib/postgresql';
  if (existsSync(join(base, '15/bin/initdb'))) return join(base, '15/bin');
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    fail('PostgreSQL is not installed: apt-get install postgresql (or set NIEM_PG_BIN)');
  }
  return join(base, versions[0], 'bin');
}

/** Runs a PostgreSQL program as the user the server runs as; returns its stdout. */
function runPg(program: string, args: string[]): string {
  const file = join(pgBin(), program);
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: cluster,
  });
}

/** Gives a path to the server's user (root only; otherwise it is ours already). */
function ownByServer(path: string): void {
  if (!isRoot) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(path, uid, gid);
}

/** Whether the server at `url` answers a query. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function readUrl(): string | undefined {
  return existsSync(pgTestUrlFile) ? readFileSync(pgTestUrlFile, 'utf8').trim() : undefined;
}

function running(): boolean {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) return false;
  try {
    runPg('pg_ctl', ['-D', dataDir, 'status']);
    return true;
  } catch {
    return false;
  }
}

/** A fresh cluster with superuser `niem` and a random password; returns the URL. */
function createCluster(): string {
  rmSync(cluster, { recursive: true, force: true });
  rmSync(pgTestUrlFile, { force: true });
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  mkdirSync(sockDir, { mode: 0o700 });
  ownByServer(cluster);
  ownByServer(sockDir);
  const password = randomBytes(24).toString('base64url');
  const pwfile = join(cluster, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  ownByServer(pwfile);
  try {
    runPg('initdb', [
      '-D',
      dataDir,
      '-U',
      'niem',
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
  } finally {
    rmSync(pwfile, { force: true });
  }
  const settings = [
    '# niem test cluster (scripts/postgres-test.ts)',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${sockDir}'`,
    'max_connections = 200',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    '',
  ].join('\n');
  writeFileSync(join(dataDir, 'postgresql.conf'), settings, { flag: 'a' });
  return `postgres://niem:${password}@127.0.0.1:${port}/postgres`;
}

function start(): void {
  try {
    runPg('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
  } catch (err) {
    let log: string[] = [];
    try {
      log = readFileSync(logFile, 'utf8').split('\n').slice(-15);
    } catch {
      // no log, or not ours to read
    }
    fail(`the server did not start (port ${port} taken?):\n${log.join('\n')}\n${String(err)}`);
  }
}

/** Holds `lockFile` while `fn` runs, so two --ensure at once do not both initdb. */
async function locked<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(pgTestDir, { recursive: true, mode: 0o755 });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockFile, 'utf8') || 0);
      if (holder > 0 && !alive(holder)) unlinkSync(lockFile);
      else if (Date.now() > deadline) fail(`${lockFile} is held by process ${holder}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drops test databases (`niem_test_<pid>_…`) left by test processes that are gone. */
async function dropStale(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const dbs = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^niem_test_[0-9]+_[0-9a-f]+$'",
    );
    for (const { datname } of dbs.rows) {
      if (!alive(Number(datname.split('_')[2]))) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
  } finally {
    await client.end();
  }
}

/** Makes sure the server runs; returns its base URL. */
export async function ensure(): Promise<string> {
  const known = readUrl();
  if (known !== undefined && (await answers(known))) {
    await dropStale(known);
    return known;
  }
  return locked(async () => {
    let url = readUrl();
    if (url === undefined || !existsSync(join(dataDir, 'PG_VERSION'))) {
      if (running()) runPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      url = createCluster();
    }
    if (!running()) start();
    if (!(await answers(url)))
      fail(`the server runs but ${url.replace(/:[^:@]*@/, ':***@')} does not answer`);
    writeFileSync(pgTestUrlFile, `${url}\n`, { mode: 0o600 });
    chmodSync(pgTestUrlFile, 0o600);
    return url;
  });
}

/** Stops the server if it runs. */
export async function stop(): Promise<void> {
  await locked(async () => {
    if (running()) runPg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ensure: { type: 'boolean', default: false },
      stop: { type: 'boolean', default: false },
      url: { type: 'boolean', default: false },
    },
  });
  if (values.ensure) {
    console.log(await ensure());
  } else if (values.stop) {
    await stop();
  } else if (values.url) {
    const url = readUrl();
    if (url === undefined || !(await answers(url))) {
      fail('the test server is not running: node scripts/postgres-test.ts --ensure');
    }
    console.log(url);
  } else {
    fail('usage: node scripts/postgres-test.ts --ensure | --stop | --url');
  }
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
