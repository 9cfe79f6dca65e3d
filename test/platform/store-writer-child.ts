/**
 * A second platform instance for store-postgres.test.ts: opens its own store on the URL it
 * is given and files `count` notices (and a delivery every tenth) into agency A's mailbox,
 * then prints "done". Run as `node store-writer-child.ts URL NAME COUNT`.
 */
import { openPostgresStore } from '../../platform/store/postgres-store.ts';
import { A, B, deliver, notice, NOW } from './store-fixture.ts';

const [url, name, count] = process.argv.slice(2);
if (url === undefined || name === undefined || count === undefined) {
  throw new Error('usage: store-writer-child.ts URL NAME COUNT');
}
const store = await openPostgresStore(url);
try {
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < Number(count); i += 1) {
    const sha = Buffer.from(`${name}:${i}`).toString('hex').padEnd(64, '0').slice(0, 64);
    jobs.push(store.addNotice(notice(A, B, '01', sha), NOW));
    if (i % 10 === 0) jobs.push(deliver(store, [A]));
  }
  await Promise.all(jobs);
  console.log('done');
} finally {
  await store.close();
}
