/**
 * `niem rewrap` end to end on SoftHSM2 tokens: a vault made on VPCP-VANTHU (RSA-3072) with
 * an agency recovery certificate (EC P-256, made with openssl here) moves to BTP-VANTHU
 * (EC P-384) with the recovery key (an encrypted PEM, its passphrase from
 * NIEM_RECOVERY_PASSPHRASE): VPCP is refused after it, BTP lists the draft, the audit trail
 * holds `vault.rewrap` by BTP's clerk and verifies. Refusals change no byte of the
 * profile: a recovery key that is not the certificate's, a stranger's key with its own
 * certificate, a missing or wrong passphrase, a new token without a decryption or
 * key-agreement key, and a bad command line. A second vault moves from BTP to VPCP with
 * `--old-token` (both tokens present, the old PIN from NIEM_OLD_PIN).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { x509 } from '../../native/token/x509-lib.ts';
import { actorOf, openVault } from '../../native/vault/index.ts';
import { repoRoot, type DemoManifest } from '../../scripts/demo-manifest.ts';
import { partyKey } from '../unit/vault-fixture.ts';
import {
  buildDemo,
  loadIssuingCa,
  randomId,
  softhsmPath,
  tempDir,
} from './helpers/softhsm-fixture.ts';
import { makeOpsToken } from './helpers/token-ops-fixture.ts';

const cli = join(repoRoot, 'cli/niem.js');
const BTP = '000.00.00.G99';
const MARKER = 'MARKERREWRAP Công văn về việc chuyển token';
const PASSPHRASE = 'mật khẩu khôi phục 2025';
const SIGN_ONLY = 'KYSO-ONLY';
const SIGN_ONLY_PIN = '975310';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
};

/** SHA-256 of every file of `dir` by relative path: "nothing changed" is an equal map. */
function fingerprint(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

describe('niem rewrap (CLI, SoftHSM2 tokens)', () => {
  const tmp = tempDir('profile-rewrap');
  const at = (name: string) => join(tmp.path, name);
  let demo: DemoManifest;
  const pins: Record<string, string> = { [SIGN_ONLY]: SIGN_ONLY_PIN };

  function niem(args: string[], env: Record<string, string | undefined> = {}): Run {
    const r = spawnSync(process.execPath, [cli, ...args], {
      cwd: tmp.path,
      env: {
        ...process.env,
        SOFTHSM2_CONF: demo.softhsm2Conf,
        NIEM_PKCS11_MODULE: softhsmPath,
        NIEM_LANG: 'en',
        NIEM_PIN: undefined,
        NIEM_OLD_PIN: undefined,
        NIEM_RECOVERY_PASSPHRASE: undefined,
        ...env,
      },
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  /** A vault command on `profile` signed in on `label` (PIN from NIEM_PIN). */
  const as = (label: string, profile: string, ...args: string[]): Run =>
    niem([...args, '--profile', profile, '--token', label], { NIEM_PIN: pins[label] });
  const ok = (r: Run): Run => {
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    return r;
  };
  const refusedKind = (r: Run, kind: string): void => {
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { error: { kind: string } }).error.kind, kind);
  };

  /** `NAME.key` (EC P-256) and its self-signed `NAME.crt.pem`, made with openssl. */
  function keyAndCertificate(name: string, subject: string): void {
    const key = at(`${name}.key`);
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
    openssl(
      'req',
      '-new',
      '-x509',
      '-utf8',
      '-key',
      key,
      '-subj',
      subject,
      '-days',
      '30',
      '-out',
      at(`${name}.crt.pem`),
    );
  }

  before(async () => {
    demo = buildDemo(at('demo'));
    for (const t of demo.tokens) pins[t.label] = t.pin;
    // The agency's recovery key and certificate; an encrypted copy of the key bundled with
    // the certificate; a stranger's key with its own certificate.
    keyAndCertificate('recovery', '/O=Văn phòng Chính phủ/CN=Khôi phục kho (TEST)');
    openssl(
      'pkcs8',
      '-topk8',
      '-in',
      at('recovery.key'),
      '-passout',
      `pass:${PASSPHRASE}`,
      '-out',
      at('recovery-enc.key'),
    );
    writeFileSync(
      at('recovery-bundle.pem'),
      readFileSync(at('recovery.crt.pem'), 'utf8') + readFileSync(at('recovery-enc.key'), 'utf8'),
    );
    keyAndCertificate('wrong', '/CN=Stranger');
    writeFileSync(
      at('stranger-bundle.pem'),
      readFileSync(at('wrong.key'), 'utf8') + readFileSync(at('wrong.crt.pem'), 'utf8'),
    );
    // A token that can sign only: it cannot hold a vault key.
    await makeOpsToken(
      demo.softhsm2Conf,
      SIGN_ONLY,
      SIGN_ONLY_PIN,
      await loadIssuingCa(demo),
      {
        commonName: 'Văn thư ký số (TEST)',
        organisation: 'Văn phòng Chính phủ',
        organisationalUnit: 'Văn thư',
        organId: '000.00.00.G22',
      },
      [
        {
          spec: { algorithm: 'EC P-256', id: randomId(), derive: false },
          usages: x509.KeyUsageFlags.digitalSignature,
        },
      ],
    );
    writeFileSync(at('công văn.txt'), `${MARKER}\n`.repeat(50));
  });
  after(() => tmp.dispose());

  it('moves a vault to a new token with the recovery key; refusals change nothing', async () => {
    const vp = at('profile-recovery');
    assert.match(
      ok(as('VPCP-VANTHU', vp, 'init', '--recovery', 'recovery.crt.pem')).stdout,
      /Created the vault .* and the recovery certificate/,
    );
    const created = ok(
      as(
        'VPCP-VANTHU',
        vp,
        'draft',
        'create',
        '--subject',
        MARKER,
        '--level',
        'mat',
        '--to',
        BTP,
        'công văn.txt',
      ),
    );
    const draftId = (/Created draft (\d+)/.exec(created.stdout) ?? [])[1];
    assert.ok(draftId);
    const keyFile = join(vp, 'vault.key');
    const keyBefore = readFileSync(keyFile);
    const before = fingerprint(vp);
    const unchanged = (what: string): void => {
      assert.ok(readFileSync(keyFile).equals(keyBefore), `${what}: vault.key changed`);
      assert.deepEqual(fingerprint(vp), before, `${what}: the profile changed`);
    };
    const rewrap = (args: string[], env: Record<string, string> = {}): Run =>
      niem(['rewrap', '--profile', vp, '--token', 'BTP-VANTHU', ...args], {
        NIEM_PIN: pins['BTP-VANTHU'] as string,
        ...env,
      });

    // The wrong recovery key: not the certificate's, or a stranger's with its own certificate.
    const notTheCertificates = rewrap([
      '--recovery-key',
      'wrong.key',
      '--recovery',
      'recovery.crt.pem',
      '--json',
    ]);
    refusedKind(notTheCertificates, 'vault-key-mismatch');
    assert.match(
      notTheCertificates.stderr,
      /cannot open this profile.s vault\. Nothing was changed/,
    );
    unchanged('a key that is not the certificate’s');
    refusedKind(rewrap(['--recovery-key', 'stranger-bundle.pem', '--json']), 'vault-key-mismatch');
    unchanged('a stranger’s key');

    // The passphrase: never from argv, missing without a terminal, wrong.
    const noPassphrase = rewrap(['--recovery-key', 'recovery-bundle.pem']);
    assert.equal(noPassphrase.status, 2, noPassphrase.stderr);
    assert.match(noPassphrase.stderr, /NIEM_RECOVERY_PASSPHRASE/);
    const wrongPassphrase = rewrap(['--recovery-key', 'recovery-bundle.pem'], {
      NIEM_RECOVERY_PASSPHRASE: 'not it',
    });
    assert.equal(wrongPassphrase.status, 1, wrongPassphrase.stderr);
    assert.match(wrongPassphrase.stderr, /Cannot read the recovery key .*wrong passphrase/);
    const noCertificate = rewrap(['--recovery-key', 'recovery.key']);
    assert.equal(noCertificate.status, 2, noCertificate.stderr);
    assert.match(noCertificate.stderr, /holds no recovery certificate: give it with --recovery/);
    unchanged('passphrase and certificate refusals');

    // A new token without a decryption or key-agreement key.
    const signOnly = niem(
      ['rewrap', '--profile', vp, '--token', SIGN_ONLY, '--recovery-key', 'recovery-bundle.pem'],
      { NIEM_PIN: SIGN_ONLY_PIN, NIEM_RECOVERY_PASSPHRASE: PASSPHRASE },
    );
    assert.equal(signOnly.status, 1, signOnly.stderr);
    assert.match(
      signOnly.stderr,
      /Token "KYSO-ONLY" holds no decryption or key-agreement key.*Nothing was changed/,
    );
    unchanged('a sign-only token');

    // A bad command line.
    for (const args of [
      [],
      ['--recovery-key', 'recovery-bundle.pem', '--old-token', 'VPCP-VANTHU'],
      ['--old-token', 'BTP-VANTHU'],
    ]) {
      const bad = rewrap(args);
      assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    }
    unchanged('bad command lines');
    assert.match(ok(as('VPCP-VANTHU', vp, 'draft', 'list')).stdout, /MARKERREWRAP/);
    const afterList = fingerprint(vp);

    // The move.
    const moved = ok(
      rewrap(['--recovery-key', 'recovery-bundle.pem'], { NIEM_RECOVERY_PASSPHRASE: PASSPHRASE }),
    );
    assert.match(
      moved.stdout,
      /Moved the vault in .* to token "BTP-VANTHU" \(opened with the recovery key\); the recovery certificate still opens it\. The old token no longer opens it\./,
    );
    assert.ok(!readFileSync(keyFile).equals(keyBefore), 'vault.key was re-wrapped');
    assert.notDeepEqual(fingerprint(vp), afterList);

    const vpcpRefused = as('VPCP-VANTHU', vp, 'draft', 'list', '--json');
    refusedKind(vpcpRefused, 'vault-key-mismatch');
    const listed = ok(as('BTP-VANTHU', vp, 'draft', 'list', '--json'));
    const { drafts } = JSON.parse(listed.stdout) as { drafts: { id: number; subject: string }[] };
    assert.deepEqual(
      drafts.map((d) => [String(d.id), d.subject]),
      [[draftId, MARKER]],
    );
    assert.match(ok(as('BTP-VANTHU', vp, 'audit', 'verify')).stdout, /./);

    // The recovery key still opens it; the trail names the new clerk.
    const { vault } = await openVault(vp, [partyKey(at('recovery.key'), at('recovery.crt.pem'))]);
    try {
      const rows = vault.database
        .prepare(`SELECT actor, at, detail FROM audit WHERE action = 'vault.rewrap'`)
        .all() as { actor: string; at: string; detail: string }[];
      assert.equal(rows.length, 1);
      const [row] = rows;
      assert.ok(row);
      assert.ok(Date.now() - Date.parse(row.at) < 10 * 60_000);
      const detail = JSON.parse(row.detail) as Record<string, unknown>;
      assert.deepEqual(
        { ...detail, serial: typeof detail.serial },
        { via: 'recovery-key', token: 'BTP-VANTHU', serial: 'string', recovery: true },
      );
      const identities = vault.database
        .prepare('SELECT token_label FROM identities ORDER BY id')
        .pluck()
        .all();
      assert.deepEqual(identities, ['VPCP-VANTHU', 'BTP-VANTHU']);
      const checkpointCert = vault.database
        .prepare('SELECT certificate FROM audit_checkpoint ORDER BY seq DESC LIMIT 1')
        .pluck()
        .get() as Buffer;
      const btpSigning = vault.database
        .prepare(`SELECT signing_certificate FROM identities WHERE token_label = 'BTP-VANTHU'`)
        .pluck()
        .get() as Buffer;
      assert.ok(
        checkpointCert.equals(btpSigning),
        'the last checkpoint is signed by the new token',
      );
      assert.equal(row.actor, actorOf(btpSigning), 'the re-wrap is recorded as the new clerk’s');
    } finally {
      await vault.close();
    }
  });

  it('moves a vault from the old token to a new one when both are present', () => {
    const bp = at('profile-old-token');
    ok(as('BTP-VANTHU', bp, 'init'));
    ok(
      as(
        'BTP-VANTHU',
        bp,
        'draft',
        'create',
        '--subject',
        MARKER,
        '--level',
        'thuong',
        '--to',
        BTP,
        'công văn.txt',
      ),
    );
    const before = fingerprint(bp);
    const same = niem(
      ['rewrap', '--profile', bp, '--token', 'BTP-VANTHU', '--old-token', 'BTP-VANTHU'],
      {
        NIEM_PIN: pins['BTP-VANTHU'] as string,
        NIEM_OLD_PIN: pins['BTP-VANTHU'] as string,
      },
    );
    assert.equal(same.status, 2, same.stderr);
    assert.match(same.stderr, /the same/);
    const noOldPin = niem(
      ['rewrap', '--profile', bp, '--token', 'VPCP-VANTHU', '--old-token', 'BTP-VANTHU'],
      {
        NIEM_PIN: pins['VPCP-VANTHU'] as string,
      },
    );
    assert.equal(noOldPin.status, 2, noOldPin.stderr);
    assert.match(noOldPin.stderr, /NIEM_OLD_PIN/);
    assert.deepEqual(fingerprint(bp), before);

    const moved = ok(
      niem(
        [
          'rewrap',
          '--profile',
          bp,
          '--token',
          'VPCP-VANTHU',
          '--old-token',
          'BTP-VANTHU',
          '--lang',
          'vi',
        ],
        {
          NIEM_PIN: pins['VPCP-VANTHU'] as string,
          NIEM_OLD_PIN: pins['BTP-VANTHU'] as string,
        },
      ),
    );
    assert.match(
      moved.stdout,
      /Đã chuyển kho .* sang token "VPCP-VANTHU" \(mở bằng token "BTP-VANTHU"\)\./,
    );
    refusedKind(as('BTP-VANTHU', bp, 'draft', 'list', '--json'), 'vault-key-mismatch');
    assert.match(ok(as('VPCP-VANTHU', bp, 'draft', 'list')).stdout, /MARKERREWRAP/);
    ok(as('VPCP-VANTHU', bp, 'audit', 'verify'));
  });

  it('is in the usage text, in both languages', () => {
    const help = ok(niem(['--help'], { NIEM_LANG: '' }));
    assert.match(help.stdout, /niem rewrap --token NHÃN_MỚI --recovery-key KHOÁ_KHÔI_PHỤC\.pem/);
    assert.match(help.stdout, /niem rewrap --token NEW_LABEL --recovery-key RECOVERY_KEY\.pem/);
    assert.match(help.stdout, /niem rewrap --token NEW_LABEL --old-token OLD_LABEL/);
  });
});
