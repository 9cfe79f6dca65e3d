/**
 * Two clerks exchange a sealed package through a real platform process on loopback, by the
 * CLI only: VPCP (RSA token) seals a Mật letter for BTP (EC token) offline, `niem sync`
 * sends it and keeps the platform's signed receipt; BTP's `niem sync` downloads it,
 * verifies it into the vault, registers it and sends the signed 01 and 03 notices; VPCP's
 * next sync shows it delivered with both notices. BTP's exported document is the sender's
 * byte for byte. Then the same package is not received twice, and the platform's policy
 * refuses a Tối mật package to an agency it is not approved for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BTP, VPCP, clerk, inbox, outbox, repoDemo, type Clerk } from './helpers/clerks.ts';
import {
  demoPlatformPki,
  initPlatform,
  servePlatform,
  type PlatformProcess,
} from './helpers/platform-process.ts';

describe('two clerks exchange a package through the platform (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'niem-cli-exchange-'));
  const at = (name: string) => join(tmp, name);
  const demo = repoDemo();
  const pki = demoPlatformPki(join(demo.dir, 'pki'));
  let platform: PlatformProcess;
  let vpcp: Clerk;
  let btp: Clerk;
  const letter = 'Công văn số 12/VPCP về việc phối hợp triển khai. '.repeat(2000);

  before(async () => {
    initPlatform(at('platform'), pki, { approvedLevel: 'toi-mat' });
    platform = await servePlatform(at('platform'));
    vpcp = clerk(demo, 'VPCP-VANTHU', at('vpcp'), tmp);
    btp = clerk(demo, 'BTP-VANTHU', at('btp'), tmp);
    vpcp.ok('init');
    btp.ok('init');
    writeFileSync(at('cong-van.txt'), letter);
  });
  after(async () => {
    await platform?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('sends, receives, registers and notifies, with a verified receipt', () => {
    // First contact: the directory comes from the platform, the CA becomes a trust anchor.
    vpcp.ok('sync', '--platform', platform.url, '--trust', pki.caChain);
    btp.ok('sync', '--platform', platform.url, '--trust', pki.caChain);

    // Offline work: draft and seal need no platform.
    vpcp.ok(
      'draft',
      'create',
      '--subject',
      'Về việc phối hợp',
      '--level',
      'mat',
      '--to',
      BTP,
      'cong-van.txt',
    );
    vpcp.ok('seal', '1');
    const [queued] = outbox(vpcp);
    assert.equal(queued?.transportState, 'queued');
    assert.equal(queued?.receipt, false);

    vpcp.ok('sync');
    const [sent] = outbox(vpcp);
    assert.equal(sent?.transportState, 'sent');
    assert.equal(sent?.receipt, true);
    assert.equal(sent?.bytesDone, sent?.size);

    btp.ok('sync');
    const [received] = inbox(btp);
    assert.ok(received, 'the package arrived in BTP’s inbox');
    assert.equal(received.packageSha256, sent?.packageSha256);
    assert.equal(received.status, '03');
    assert.ok(received.register !== null && received.register.number >= 1);
    assert.equal(received.senderOrganId, VPCP);

    const exported = btp.ok('inbox', 'export', String(received.id), '--out', 'nhan');
    assert.match(exported.stdout, /cong-van\.txt|1/);
    assert.equal(readFileSync(at('nhan/cong-van.txt'), 'utf8'), letter);
    // Exported again into the same folder: refused with what happened, the file untouched.
    const again = btp.run('inbox', 'export', String(received.id), '--out', 'nhan');
    assert.equal(again.status, 1, again.stderr);
    assert.match(again.stderr, /already holds a file .* never overwrites/);
    assert.equal(readFileSync(at('nhan/cong-van.txt'), 'utf8'), letter);

    vpcp.ok('sync');
    const [delivered] = outbox(vpcp);
    assert.equal(delivered?.transportState, 'delivered');
    const statuses = delivered?.notices.map((n) => `${n.status}:${n.from}`).sort();
    assert.deepEqual(statuses, [`01:${BTP}`, `03:${BTP}`]);
  });

  it('does not receive the same package twice, and reports nothing new', () => {
    btp.ok('sync');
    btp.ok('sync');
    assert.equal(inbox(btp).length, 1);
    vpcp.ok('sync');
    assert.equal(outbox(vpcp).length, 1);
  });

  it('the platform refuses a level above its approval: failed with a reason, never sent', () => {
    const { id } = vpcp.json<{ id: number }>(
      'draft',
      'create',
      '--subject',
      'Tài liệu tuyệt mật',
      '--level',
      'tuyet-mat',
      '--to',
      VPCP,
      'cong-van.txt',
    );
    vpcp.ok('seal', String(id));
    const r = vpcp.run('sync');
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /approved|level/i);
    const row = outbox(vpcp).find((o) => o.transportState !== 'delivered');
    assert.equal(row?.transportState, 'failed');
    assert.equal(row?.receipt, false);
    assert.equal(row?.error?.detail?.code, 'level-not-approved');
    // The delivered package stays delivered.
    assert.equal(outbox(vpcp).filter((o) => o.transportState === 'delivered').length, 1);
  });
});
