/**
 * The exchange survives its faults, by the CLI against a real platform process: the
 * platform killed (SIGKILL) during an upload and during a download, the client killed
 * during an upload, and the network cut (a proxy that drops every connection) both ways.
 * Each ends with the package delivered exactly once: one outbox row delivered with the
 * receipt and the 01 and 03 notices, one inbox row, the document byte for byte, and a
 * resumed transfer that did not start again from zero.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BTP, clerk, finished, inbox, outbox, repoDemo, type Clerk } from './helpers/clerks.ts';
import { freePort, startCutProxy, type CutProxy } from './helpers/cut-proxy.ts';
import {
  demoPlatformPki,
  initPlatform,
  servePlatform,
  type PlatformProcess,
} from './helpers/platform-process.ts';

const MiB = 1024 * 1024;

/** Processes whose command line names `text` (their pids and command lines). */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
    let cmdline: string;
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // ended meanwhile
    }
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}
/** Six 8 MiB chunks and a bit: big enough to be cut in the middle. */
const DOCUMENT_BYTES = 44 * MiB;

describe('faults during the exchange resume to exactly one delivered package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'niem-faults-'));
  const at = (name: string) => join(tmp, name);
  const demo = repoDemo();
  const pki = demoPlatformPki(join(demo.dir, 'pki'));
  let port: number;
  let proxy: CutProxy;
  let platform: PlatformProcess;
  let vpcp: Clerk;
  let btp: Clerk;
  let round = 0;

  const serve = async () => {
    platform = await servePlatform(at('platform'), { port, origins: [proxy.url] });
  };
  /** A sealed package of a fresh document; returns the document's bytes. */
  const sealNew = (): Buffer => {
    round += 1;
    const bytes = randomBytes(DOCUMENT_BYTES);
    writeFileSync(at(`tai-lieu-${round}.bin`), bytes);
    const { id } = vpcp.json<{ id: number }>(
      'draft',
      'create',
      '--subject',
      `Lần thử ${round}`,
      '--level',
      'mat',
      '--to',
      BTP,
      `tai-lieu-${round}.bin`,
    );
    vpcp.ok('seal', String(id));
    return bytes;
  };
  /** Everything ends delivered once, the document intact on the other side. */
  const assertExactlyOnce = (document: Buffer) => {
    const rows = outbox(vpcp).filter((r) => r.transportState !== 'failed');
    assert.equal(rows.length, round, 'one outbox row per package');
    const last = rows.find((r) => r.packageSha256 === inbox(btp)[0]?.packageSha256);
    assert.ok(last);
    assert.equal(last.transportState, 'delivered');
    assert.deepEqual(last.notices.map((n) => n.status).sort(), ['01', '03']);
    const received = inbox(btp);
    assert.equal(received.length, round, 'one inbox row per package');
    assert.equal(new Set(received.map((r) => r.packageSha256)).size, round);
    const newest = received[0];
    assert.ok(newest);
    assert.equal(newest.status, '03');
    btp.ok('inbox', 'export', String(newest.id), '--out', `nhan-${round}`);
    assert.ok(readFileSync(at(`nhan-${round}/tai-lieu-${round}.bin`)).equals(document));
  };
  /**
   * A resumed transfer moved at least one 8 MiB chunk less than the whole package (TLS and
   * HTTP add well under 4 MiB): what the platform held (or the client had stored) was kept.
   */
  const assertResumed = (moved: number) => {
    const size = outbox(vpcp)[0]?.size ?? 0;
    assert.ok(size > DOCUMENT_BYTES);
    assert.ok(moved < size - 4 * MiB, `resumed, not restarted (${moved} of ${size} bytes)`);
  };
  const deliver = async () => {
    await vpcp.okAsync('sync', '--retry-failed');
    await btp.okAsync('sync');
    await vpcp.okAsync('sync');
  };

  before(async () => {
    port = await freePort();
    proxy = await startCutProxy(port);
    initPlatform(at('platform'), pki);
    await serve();
    vpcp = clerk(demo, 'VPCP-VANTHU', at('vpcp'), tmp);
    btp = clerk(demo, 'BTP-VANTHU', at('btp'), tmp);
    vpcp.ok('init');
    btp.ok('init');
    await vpcp.okAsync('sync', '--platform', proxy.url, '--trust', pki.caChain);
    await btp.okAsync('sync', '--platform', proxy.url, '--trust', pki.caChain);
  });
  after(async () => {
    await platform?.stop();
    await proxy?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the platform killed during an upload: the next sync resumes and delivers once', async () => {
    const document = sealNew();
    const sync = finished(vpcp.start('sync'));
    await proxy.waitFor({ up: 28 * MiB });
    await platform.kill();
    const failed = await sync;
    assert.equal(failed.status, 1, `${failed.stdout}\n${failed.stderr}`);
    const [row] = outbox(vpcp);
    assert.equal(row?.receipt, false);
    assert.match(row?.transportState ?? '', /failed-retrying|uploading/);
    assert.equal(row?.error?.kind, 'platform-unreachable');

    await serve();
    const before = proxy.totals.up;
    await vpcp.okAsync('sync', '--retry-failed');
    const resent = proxy.totals.up - before;
    assertResumed(resent);
    await deliver();
    assertExactlyOnce(document);
  });

  it('the client killed during an upload: the next sync resumes and delivers once', async () => {
    const document = sealNew();
    const child = vpcp.start('sync');
    const sync = finished(child);
    await proxy.waitFor({ up: 20 * MiB });
    child.kill('SIGKILL');
    await sync;
    // Killing `niem` kills all of it: no process of this profile is left, and nothing more
    // goes out (the launcher's Node 24 child ends with it).
    assert.deepEqual(processesNaming(vpcp.profile), []);
    // Its connections end with it; what it had written before the kill (kernel buffers)
    // still drains through the proxy first, then nothing more comes.
    assert.equal(await proxy.idle(5_000), true, "the killed client's connections closed");
    const stoppedAt = proxy.totals.up;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(proxy.totals.up, stoppedAt, 'no byte sent after the kill');
    const before = proxy.totals.up;
    await vpcp.okAsync('sync');
    const resent = proxy.totals.up - before;
    assertResumed(resent);
    await deliver();
    assertExactlyOnce(document);
    vpcp.ok('audit', 'verify');
  });

  it('the platform killed during a download: the next sync resumes and stores once', async () => {
    const document = sealNew();
    await vpcp.okAsync('sync');
    const sync = finished(btp.start('sync'));
    await proxy.waitFor({ down: 20 * MiB });
    await platform.kill();
    const failed = await sync;
    assert.equal(failed.status, 1, `${failed.stdout}\n${failed.stderr}`);
    assert.equal(inbox(btp).length, round - 1, 'nothing half-received is listed');
    await serve();
    const before = proxy.totals.down;
    await btp.okAsync('sync');
    const refetched = proxy.totals.down - before;
    assertResumed(refetched);
    await vpcp.okAsync('sync');
    assertExactlyOnce(document);
  });

  it('the network cut during an upload and during a download: each resumes', async () => {
    const document = sealNew();
    const cutUp = proxy.cut({ afterUpBytes: 12 * MiB });
    const up = await vpcp.runAsync('sync');
    await cutUp;
    assert.equal(up.status, 1, `${up.stdout}\n${up.stderr}`);
    assert.equal(outbox(vpcp).find((r) => !r.receipt)?.error?.kind, 'platform-unreachable');
    await vpcp.okAsync('sync', '--retry-failed');

    const cutDown = proxy.cut({ afterDownBytes: 12 * MiB });
    const down = await btp.runAsync('sync');
    await cutDown;
    assert.equal(down.status, 1, `${down.stdout}\n${down.stderr}`);
    await btp.okAsync('sync');
    await vpcp.okAsync('sync');
    assertExactlyOnce(document);
    assert.equal(proxy.cuts, 2);
  });
});
