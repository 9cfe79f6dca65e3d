/**
 * The vault commands of `niem` end to end on SoftHSM2 tokens and two profiles:
 * VPCP-VANTHU (RSA-3072) sends to BTP-VANTHU (EC P-384). init, directory import, draft
 * create with marker strings in subjects, file names and contents, the directory's
 * policy refusing a Tuyệt mật draft to an agency cleared only to Tối mật, seal, outbox
 * export, inbox import (twice: refused), a tampered copy refused at open, open, the
 * registers' numbers, audit verify (ok, then exit 1 naming the entry edited with raw SQL
 * through the vault key), backup and restore, and no marker in any file of either profile.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tokenRecipientKeys } from '../../native/seal/pipeline/index.ts';
import { TokenService } from '../../native/token/token-service.ts';
import { openVault } from '../../native/vault/index.ts';
import { repoRoot, type DemoManifest } from '../../scripts/demo-manifest.ts';
import { buildDemo, listedToken, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

const cli = join(repoRoot, 'cli/niem.js');
const VPCP = '000.00.00.G22';
const BTP = '000.00.00.G99';
const markers = {
  subject: 'MARKERCLISUBJECT Về việc phối hợp',
  topSecret: 'MARKERCLITOPSECRET',
  fileName: 'MARKERCLIFILE',
  content: 'MARKERCLICONTENT nội dung mật',
};

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function findMarkers(dir: string): string[] {
  const needles = Object.values(markers).flatMap((m) => {
    const word = m.split(' ')[0] ?? m;
    return [Buffer.from(word, 'utf8'), Buffer.from(word, 'utf16le')];
  });
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = readFileSync(path);
    for (const n of needles) if (bytes.includes(n)) hits.push(relative(dir, path));
  }
  return hits;
}

describe('niem vault commands (CLI, two profiles, SoftHSM2 tokens)', () => {
  const tmp = tempDir('profile-cli');
  const at = (name: string) => join(tmp.path, name);
  let demo: DemoManifest;
  const pins: Record<string, string> = {};
  const vp = at('vpcp-profile');
  const btp = at('btp-profile');

  function niem(label: string, profile: string, args: string[], lang = 'en'): Run {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SOFTHSM2_CONF: demo.softhsm2Conf,
      NIEM_PKCS11_MODULE: softhsmPath,
      NIEM_LANG: lang,
      NIEM_PIN: pins[label],
    };
    const r = spawnSync(process.execPath, [cli, ...args, '--profile', profile, '--token', label], {
      cwd: tmp.path,
      env,
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  const ok = (r: Run): Run => {
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    return r;
  };
  const vpcp = (...args: string[]) => niem('VPCP-VANTHU', vp, args);
  const bt = (...args: string[]) => niem('BTP-VANTHU', btp, args);

  before(() => {
    demo = buildDemo(at('demo'));
    const certs: Record<string, string> = {};
    for (const t of demo.tokens) {
      pins[t.label] = t.pin;
      certs[t.label] = readFileSync(t.certificatePem, 'utf8');
    }
    writeFileSync(
      at('directory.json'),
      JSON.stringify({
        format: 'niem-directory',
        version: 1,
        agencies: [
          {
            organId: VPCP,
            name: 'Văn phòng Chính phủ',
            clearance: 'tuyet-mat',
            keyTransport: 'oaep-sha1',
            certificates: [certs['VPCP-VANTHU']],
          },
          {
            organId: BTP,
            name: 'Bộ Tư pháp',
            clearance: 'toi-mat',
            keyTransport: 'ecdh',
            certificates: [certs['BTP-VANTHU']],
          },
        ],
      }),
    );
    writeFileSync(at(`${markers.fileName} công văn.txt`), markers.content.repeat(1000));
    writeFileSync(at(`${markers.fileName}-phụ lục.pdf`), Buffer.from(markers.content.repeat(300)));
  });
  after(() => tmp.dispose());

  it('sends a package from one profile to the other and keeps an honest audit trail', async () => {
    assert.match(ok(vpcp('init')).stdout, /Created the vault/);
    assert.match(ok(bt('init')).stdout, /Created the vault/);
    assert.match(ok(vpcp('directory', 'import', 'directory.json')).stdout, /2 new agencies/);
    assert.match(ok(bt('directory', 'import', 'directory.json')).stdout, /2 new agencies/);
    const broken = at('broken.json');
    writeFileSync(broken, '{"format":"niem-directory","version":1,"agencies":[{"organId":"x"}]}');
    const refusedDir = vpcp('directory', 'import', broken);
    assert.equal(refusedDir.status, 1);
    assert.match(refusedDir.stderr, /directory file .* is invalid/);

    const files = [`${markers.fileName} công văn.txt`, `${markers.fileName}-phụ lục.pdf`];
    const created = ok(
      vpcp(
        'draft',
        'create',
        '--subject',
        markers.subject,
        '--level',
        'mat',
        '--to',
        BTP,
        '--urgency',
        'khan',
        ...files,
      ),
    );
    assert.match(created.stdout, /^Created draft 1\.$/m);
    ok(
      vpcp(
        'draft',
        'create',
        '--subject',
        markers.topSecret,
        '--level',
        'tuyet-mat',
        '--to',
        BTP,
        files[0] as string,
      ),
    );
    const drafts = ok(vpcp('draft', 'list', '--json'));
    const listed = (
      JSON.parse(drafts.stdout) as { drafts: { id: number; subject: string | null }[] }
    ).drafts;
    assert.deepEqual(
      listed.map((d) => [d.id, d.subject]),
      [
        [2, null],
        [1, markers.subject],
      ],
    );
    const table = ok(niem('VPCP-VANTHU', vp, ['draft', 'list'], 'vi')).stdout;
    assert.match(table, /\[Tuyệt mật — mở gói để xem trích yếu\]/);
    assert.ok(!table.includes(markers.topSecret));

    // Policy: BTP is cleared to Tối mật only; nothing is written.
    const refused = vpcp('seal', '2');
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /Bộ Tư pháp \(000\.00\.00\.G99\) may receive up to Secret.*Top secret/,
    );
    assert.equal(JSON.parse(ok(vpcp('outbox', 'list', '--json')).stdout).outbox.length, 0);

    const sealed = ok(vpcp('seal', '1'));
    assert.match(sealed.stdout, /outgoing register no\. 1\/\d{4}, level Confidential/);
    const outbox = JSON.parse(ok(vpcp('outbox', 'list', '--json')).stdout).outbox as {
      id: number;
      register: { number: number };
      transportState: string;
      packageSha256: string;
    }[];
    assert.deepEqual(
      outbox.map((o) => [o.id, o.register.number, o.transportState]),
      [[1, 1, 'queued']],
    );
    assert.match(ok(vpcp('outbox', 'export', '1', '--out', 'pkg.p7m')).stdout, /Exported/);
    const again = vpcp('outbox', 'export', '1', '--out', 'pkg.p7m');
    assert.equal(again.status, 1, 'never overwrites');

    // The receiver: import (twice refused), a tampered copy refused at open, then open.
    const imported = ok(bt('inbox', 'import', 'pkg.p7m'));
    assert.match(
      imported.stdout,
      new RegExp(`item 1, outer level Confidential .*${outbox[0]?.packageSha256}`),
    );
    assert.match(bt('inbox', 'import', 'pkg.p7m').stderr, /already in the vault/);
    const pkg = readFileSync(at('pkg.p7m'));
    const middle = Math.floor(pkg.length / 2);
    pkg[middle] = (pkg[middle] ?? 0) ^ 0x40;
    writeFileSync(at('tampered.p7m'), pkg);
    ok(bt('inbox', 'import', 'tampered.p7m'));
    const listBefore = ok(bt('inbox', 'list')).stdout;
    assert.match(listBefore, /\[not opened — open the package to see the subject\]/);
    assert.ok(!listBefore.includes(markers.subject));
    const trust = ['--trust', demo.caChainPem];
    const bad = bt('open', '2', '--out', 'bad-out', ...trust);
    assert.equal(bad.status, 1);
    assert.equal(existsSync(at('bad-out')), false);

    const opened = ok(bt('open', '1', '--out', 'received', ...trust));
    assert.match(opened.stdout, /Opened item 1: incoming register no\. 1\/\d{4}/);
    assert.deepEqual(readdirSync(at('received')).sort(), ['manifest.json', ...files].sort());
    assert.equal(
      readFileSync(at(join('received', files[0] as string)), 'utf8'),
      markers.content.repeat(1000),
    );
    const inbox = JSON.parse(ok(bt('inbox', 'list', '--json')).stdout).inbox as {
      id: number;
      subject: string | null;
      status: string;
      register: { number: number } | null;
      senderOrganId: string | null;
    }[];
    assert.deepEqual(
      inbox.map((i) => [i.id, i.subject, i.status, i.register?.number ?? null, i.senderOrganId]),
      [
        [2, null, '01', null, null],
        [1, markers.subject, '03', 1, VPCP],
      ],
    );

    // Audit: intact on both sides; then an entry edited with raw SQL is named.
    assert.match(ok(vpcp('audit', 'verify')).stdout, /intact/);
    const report = JSON.parse(ok(bt('audit', 'verify', '--json')).stdout).report;
    assert.equal(report.ok, true);
    assert.equal(report.signerTrust, 'checked');

    let target: number | undefined;
    const service = await TokenService.open({ modules: [softhsmPath] });
    try {
      await service.login(
        (await listedToken(service, 'BTP-VANTHU')).id,
        pins['BTP-VANTHU'] as string,
      );
      const { vault } = await openVault(btp, await tokenRecipientKeys(service));
      const actions = vault.database
        .prepare('SELECT seq, action, actor FROM audit ORDER BY seq')
        .all() as { seq: number; action: string; actor: string }[];
      assert.deepEqual(
        actions.map((a) => a.action),
        [
          'identity.add',
          'directory.import',
          'inbox.import',
          'inbox.import',
          'inbox.open-refused',
          'inbox.status',
          'inbox.open',
        ],
      );
      assert.match(actions[2]?.actor ?? '', /^Văn thư Bộ Tư pháp \(DEMO\) #[0-9A-F]+$/);
      target = actions.find((a) => a.action === 'inbox.open-refused')?.seq;
      vault.database.exec('DROP TRIGGER audit_no_update');
      vault.database.prepare(`UPDATE audit SET action = 'inbox.import' WHERE seq = ?`).run(target);
      await vault.close({ snapshot: false });
    } finally {
      await service.close();
    }
    const verify = bt('audit', 'verify');
    assert.equal(verify.status, 1);
    assert.match(verify.stderr, new RegExp(`Audit entry ${target} was edited`));
    assert.match(
      niem('BTP-VANTHU', btp, ['audit', 'verify'], 'vi').stderr,
      new RegExp(`Mục nhật ký số ${target} đã bị sửa`),
    );

    // Backup and restore (into an empty profile only).
    ok(vpcp('backup', '--out', 'vp.tar'));
    const restored = at('restored-profile');
    assert.match(ok(niem('VPCP-VANTHU', restored, ['restore', 'vp.tar'])).stdout, /Restored/);
    const restoredOutbox = JSON.parse(
      ok(niem('VPCP-VANTHU', restored, ['outbox', 'list', '--json'])).stdout,
    );
    assert.equal(restoredOutbox.outbox[0].packageSha256, outbox[0]?.packageSha256);
    assert.equal(niem('VPCP-VANTHU', restored, ['restore', 'vp.tar']).status, 1);
    assert.equal(
      niem('BTP-VANTHU', at('other'), ['restore', 'vp.tar']).status,
      1,
      'BTP cannot open VPCP’s vault',
    );
    assert.equal(existsSync(at('other')), false);

    for (const profile of [vp, btp, restored]) {
      assert.deepEqual(findMarkers(profile), [], profile);
      const work = join(profile, 'work');
      assert.ok(!existsSync(work) || readdirSync(work).length === 0, 'no work file left');
    }
    const backup = readFileSync(at('vp.tar'));
    for (const m of Object.values(markers)) {
      assert.ok(
        !backup.includes(Buffer.from(m.split(' ')[0] ?? m)),
        'the backup holds ciphertext only',
      );
    }
  });
});
