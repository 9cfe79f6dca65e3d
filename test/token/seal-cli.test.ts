/**
 * `niem seal` / `niem open` / `niem inspect` through the real CLI (cli/niem.js), against
 * the demo's SoftHSM2 tokens: VPCP-VANTHU (RSA-3072; SoftHSM2 decrypts OAEP with SHA-1
 * only) and BTP-VANTHU (EC P-384). Interop both ways with the openssl CLI, using keys and
 * a CA made here by openssl (the demo keys cannot leave their tokens).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recipientCertificate, softwareRecipientKey } from '../../native/seal/cms-crypto/index.ts';
import { openPackage } from '../../native/seal/pipeline/index.ts';
import { repoRoot, type DemoManifest } from '../../scripts/demo-manifest.ts';
import { buildDemo, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

const cli = join(repoRoot, 'cli/niem.js');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

describe('niem seal / open / inspect (CLI, SoftHSM2 tokens, openssl interop)', () => {
  const tmp = tempDir('seal-cli');
  const dir = tmp.path;
  let demo: DemoManifest;
  const at = (name: string) => join(dir, name);
  const pins: Record<string, string> = {};

  function niem(args: string[], pin?: string): Run {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SOFTHSM2_CONF: demo.softhsm2Conf,
      NIEM_PKCS11_MODULE: softhsmPath,
      NIEM_LANG: 'en',
    };
    delete env.NIEM_PIN;
    if (pin !== undefined) env.NIEM_PIN = pin;
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, env, encoding: 'utf8' });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  before(() => {
    demo = buildDemo(join(dir, 'demo'));
    for (const t of demo.tokens) {
      pins[t.label] = t.pin;
      if (t.label === 'VPCP-VANTHU') copyFileSync(t.certificatePem, at('vpcp.pem'));
      if (t.label === 'BTP-VANTHU') copyFileSync(t.certificatePem, at('btp.pem'));
    }
    copyFileSync(demo.caChainPem, at('demo-ca.pem'));
    // An outside CA, signer and recipient, made by openssl only.
    writeFileSync(
      at('ext.cnf'),
      [
        '[ca]',
        'basicConstraints=critical,CA:true',
        'keyUsage=critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier=hash',
        '[signer]',
        'basicConstraints=CA:false',
        'keyUsage=critical,digitalSignature,nonRepudiation',
        '[recip]',
        'basicConstraints=CA:false',
        'keyUsage=critical,keyEncipherment',
        '',
      ].join('\n'),
    );
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'xca.key',
      '-out',
      'xca.pem',
      '-days',
      '30',
      '-subj',
      '/C=VN/O=Outside/CN=Outside CA',
      '-addext',
      'basicConstraints=critical,CA:true',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    for (const [name, ext, alg] of [
      ['xsigner', 'signer', ['-newkey', 'rsa:2048']],
      ['xrecip', 'recip', ['-newkey', 'rsa:2048']],
      ['xthird', 'recip', ['-newkey', 'rsa:2048']],
    ] as const) {
      openssl(
        'req',
        ...alg,
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/C=VN/O=Outside/CN=${name}`,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'xca.pem',
        '-CAkey',
        'xca.key',
        '-CAcreateserial',
        '-days',
        '30',
        '-out',
        `${name}.pem`,
        '-extfile',
        'ext.cnf',
        '-extensions',
        ext,
      );
    }
    writeFileSync(at('scan.pdf'), randomBytes(300_000));
    writeFileSync(at('công văn số 12.txt'), 'Kính gửi: Bộ Tư pháp\n');
    writeFileSync(
      at('meta.json'),
      JSON.stringify({
        subject: 'V/v thử niêm phong',
        code: { codeNumber: '12', codeNotation: 'VPCP-TTĐT' },
      }),
    );
  });
  after(() => tmp.dispose());

  const docs = ['scan.pdf', 'công văn số 12.txt'];

  it('seals from VPCP to BTP and an outside recipient; the sender is a recipient too', () => {
    const r = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--to',
        'btp.pem',
        '--to',
        'xrecip.pem',
        '--level',
        'mat',
        '--meta',
        'meta.json',
        '--out',
        'pkg.p7m',
        ...docs,
        '--json',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(r.status, 0, r.stderr);
    const sealed = JSON.parse(r.stdout) as { recipients: { keyType: string }[] };
    assert.equal(sealed.recipients.length, 3);
    assert.ok(existsSync(at('pkg.p7m')));
    assert.ok(!existsSync(at('pkg.p7m.partial')));
  });

  it('inspect shows level and recipients without a PIN', () => {
    const r = niem(['inspect', 'pkg.p7m', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      level: string;
      formatVersion: number;
      recipients: { type: string; description: string }[];
    };
    assert.equal(info.level, 'mat');
    assert.equal(info.formatVersion, 1);
    assert.deepEqual(info.recipients.map((x) => x.description).sort(), [
      'ecdh-x963-sha384',
      'rsa-oaep-sha1',
      'rsa-oaep-sha256',
    ]);
    const human = niem(['inspect', 'pkg.p7m', '--lang', 'vi']);
    assert.equal(human.status, 0);
    assert.match(human.stdout, /Mật \(mat\)/);
  });

  function checkOpened(
    out: string,
    report: {
      signedData: { verdict: string; signers: { chain: { status: string }; revocation: string }[] };
      levels: { outside: string; inside: string; manifest: string; agree: boolean };
      tag: string;
    },
  ) {
    for (const name of docs)
      assert.deepEqual(readFileSync(join(out, name)), readFileSync(at(name)));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      securityLevel: string;
      subject: string;
      documents: { name: string }[];
    };
    assert.equal(manifest.securityLevel, 'mat');
    assert.equal(manifest.subject, 'V/v thử niêm phong');
    assert.deepEqual(
      manifest.documents.map((d) => d.name),
      docs,
    );
    assert.deepEqual(readdirSync(out).sort(), [...docs, 'manifest.json'].sort());
    assert.equal(report.tag, 'valid');
    assert.equal(report.signedData.verdict, 'valid');
    assert.equal(report.signedData.signers[0]?.chain.status, 'valid');
    assert.equal(report.signedData.signers[0]?.revocation, 'not-checked');
    assert.deepEqual(
      [report.levels.outside, report.levels.inside, report.levels.manifest, report.levels.agree],
      ['mat', 'mat', 'mat', true],
    );
  }

  it('opens as the recipient BTP (EC P-384): documents byte-identical, report valid', () => {
    const r = niem(
      [
        'open',
        'pkg.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        'out-btp',
        '--trust',
        'demo-ca.pem',
        '--json',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(r.status, 0, r.stderr);
    checkOpened(
      at('out-btp'),
      (JSON.parse(r.stdout) as { report: Parameters<typeof checkOpened>[1] }).report,
    );
    const human = niem(
      ['open', 'pkg.p7m', '--token', 'BTP-VANTHU', '--out', 'out-btp-2', '--trust', 'demo-ca.pem'],
      pins['BTP-VANTHU'],
    );
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /Levels agree\s+yes/);
    assert.match(human.stdout, /Revocation\s+not checked/);
  });

  it('opens as the sender VPCP (RSA, OAEP-SHA1 on SoftHSM2)', () => {
    const r = niem(
      [
        'open',
        'pkg.p7m',
        '--token',
        'VPCP-VANTHU',
        '--out',
        'out-vpcp',
        '--trust',
        'demo-ca.pem',
        '--json',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(r.status, 0, r.stderr);
    checkOpened(
      at('out-vpcp'),
      (JSON.parse(r.stdout) as { report: Parameters<typeof checkOpened>[1] }).report,
    );
  });

  it('refuses to open without trust anchors (exit 2, no silent trust)', () => {
    const r = niem(
      ['open', 'pkg.p7m', '--token', 'BTP-VANTHU', '--out', 'out-notrust'],
      pins['BTP-VANTHU'],
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /trust anchor/);
    assert.ok(!existsSync(at('out-notrust')));
  });

  it('a signer outside the trust anchors is untrusted: exit 1, nothing written', () => {
    const r = niem(
      [
        'open',
        'pkg.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        'out-untrusted',
        '--trust',
        'xca.pem',
        '--json',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(r.status, 1);
    const json = JSON.parse(r.stdout) as {
      error: { kind: string };
      report: { committed: boolean };
    };
    assert.equal(json.error.kind, 'untrusted-signer');
    assert.equal(json.report.committed, false);
    assert.ok(!existsSync(at('out-untrusted')));
  });

  it('a token that is not a recipient: not-a-recipient, nothing written', () => {
    const sealed = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--to',
        'xrecip.pem',
        '--level',
        'thuong',
        '--out',
        'only-x.p7m',
        'scan.pdf',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(sealed.status, 0, sealed.stderr);
    const r = niem(
      [
        'open',
        'only-x.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        'out-nr',
        '--trust',
        'demo-ca.pem',
        '--json',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(r.status, 1);
    assert.equal(
      (JSON.parse(r.stdout) as { error: { kind: string } }).error.kind,
      'not-a-recipient',
    );
    assert.ok(!existsSync(at('out-nr')));
  });

  it('a third party key (openssl-made, not addressed) is not-a-recipient; nothing written', async () => {
    const key = softwareRecipientKey(
      createPrivateKey(readFileSync(at('xthird.key'))),
      recipientCertificate(readFileSync(at('xthird.pem'))),
    );
    await assert.rejects(
      openPackage({
        path: at('pkg.p7m'),
        keys: [key],
        trustAnchors: [readFileSync(at('demo-ca.pem'))],
        outDir: at('out-third'),
      }),
      (err: Error & { kind?: string }) => err.kind === 'not-a-recipient',
    );
    assert.ok(!existsSync(at('out-third')));
  });

  it('a byte flipped in the middle is refused (exit 1), nothing in the folder', () => {
    const bytes = readFileSync(at('pkg.p7m'));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
    writeFileSync(at('flipped.p7m'), bytes);
    const out = at('out-flipped');
    const r = niem(
      [
        'open',
        'flipped.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        out,
        '--trust',
        'demo-ca.pem',
        '--json',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(r.status, 1);
    const error = (JSON.parse(r.stdout) as { error?: { kind: string } }).error;
    assert.equal(error?.kind, 'tampered');
    assert.ok(!existsSync(out) || readdirSync(out).length === 0);
  });

  it('openssl opens ours: cms -decrypt with the outside recipient key, cms -verify against the demo CA', () => {
    openssl(
      'cms',
      '-decrypt',
      '-inform',
      'DER',
      '-binary',
      '-in',
      'pkg.p7m',
      '-inkey',
      'xrecip.key',
      '-recip',
      'xrecip.pem',
      '-out',
      'inner.p7s',
    );
    openssl(
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-binary',
      '-in',
      'inner.p7s',
      '-CAfile',
      'demo-ca.pem',
      '-out',
      'body.tar',
    );
    const list = execFileSync('tar', ['-tf', 'body.tar'], { cwd: dir, encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.deepEqual(list, ['manifest.json', ...docs]);
  });

  it("ours opens openssl's: cms -sign -stream | cms -encrypt -stream -aes-256-gcm to both tokens", () => {
    const content = randomBytes(200_000);
    writeFileSync(at('foreign.bin'), content);
    const signed = openssl(
      'cms',
      '-sign',
      '-stream',
      '-binary',
      '-md',
      'sha256',
      '-outform',
      'DER',
      '-nodetach',
      '-in',
      'foreign.bin',
      '-signer',
      'xsigner.pem',
      '-inkey',
      'xsigner.key',
    );
    writeFileSync(at('foreign.p7s'), signed);
    // SoftHSM2 decrypts RSA-OAEP with SHA-1 only: the RSA token gets OAEP-SHA1.
    openssl(
      'cms',
      '-encrypt',
      '-stream',
      '-binary',
      '-outform',
      'DER',
      '-aes-256-gcm',
      '-in',
      'foreign.p7s',
      '-inform',
      'DER',
      '-out',
      'foreign.p7m',
      '-recip',
      'vpcp.pem',
      '-keyopt',
      'rsa_padding_mode:oaep',
      '-keyopt',
      'rsa_oaep_md:sha1',
      '-recip',
      'btp.pem',
      '-keyopt',
      'ecdh_kdf_md:sha384',
    );
    for (const label of ['VPCP-VANTHU', 'BTP-VANTHU']) {
      const out = `out-foreign-${label}`;
      const r = niem(
        ['open', 'foreign.p7m', '--token', label, '--out', out, '--trust', 'xca.pem', '--json'],
        pins[label],
      );
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const { report } = JSON.parse(r.stdout) as {
        report: { notice: string; content: string; levels: { outside?: string } };
      };
      assert.equal(report.content, 'foreign');
      assert.equal(report.notice, 'foreign-content');
      assert.equal(report.levels.outside, undefined);
      assert.deepEqual(readdirSync(at(out)), ['content.bin']);
      assert.deepEqual(readFileSync(join(at(out), 'content.bin')), content);
    }
    const human = niem(
      [
        'open',
        'foreign.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        'out-foreign-h',
        '--trust',
        'xca.pem',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /carries no metadata/);
  });

  it('usage errors exit 2: missing level, bad level', () => {
    assert.equal(
      niem(
        ['seal', '--token', 'VPCP-VANTHU', '--to', 'btp.pem', '--out', 'x.p7m', 'scan.pdf'],
        pins['VPCP-VANTHU'],
      ).status,
      2,
    );
    assert.equal(
      niem(
        [
          'seal',
          '--token',
          'VPCP-VANTHU',
          '--to',
          'btp.pem',
          '--level',
          'secret',
          '--out',
          'x.p7m',
          'scan.pdf',
        ],
        pins['VPCP-VANTHU'],
      ).status,
      2,
    );
    assert.ok(!existsSync(at('x.p7m')));
  });

  it('a body signed on one token (niem sign) is co-signed and sealed on another; the recipient sees both', () => {
    const sign = niem(
      ['sign', '--token', 'BTP-VANTHU', '--level', 'mat', '--out', 'body.p7s', 'scan.pdf'],
      pins['BTP-VANTHU'],
    );
    assert.equal(sign.status, 0, sign.stderr);
    assert.match(sign.stdout, /not encrypted: seal it with niem seal --signed/);
    const wrongLevel = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--signed',
        'body.p7s',
        '--trust',
        'demo-ca.pem',
        '--to',
        'btp.pem',
        '--level',
        'toi-mat',
        '--out',
        'cosigned-bad.p7m',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(wrongLevel.status, 1);
    assert.ok(!existsSync(at('cosigned-bad.p7m')));
    const seal = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--signed',
        'body.p7s',
        '--trust',
        'demo-ca.pem',
        '--to',
        'btp.pem',
        '--level',
        'mat',
        '--out',
        'cosigned.p7m',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(seal.status, 0, seal.stderr);
    assert.match(
      seal.stdout,
      /Signature added to the body signed by: Văn thư Bộ Tư pháp \(DEMO\) #/,
    );
    const open = niem(
      [
        'open',
        'cosigned.p7m',
        '--token',
        'BTP-VANTHU',
        '--out',
        'out-cosigned',
        '--trust',
        'demo-ca.pem',
        '--json',
      ],
      pins['BTP-VANTHU'],
    );
    assert.equal(open.status, 0, open.stderr);
    const report = (
      JSON.parse(open.stdout) as {
        report: {
          signedData: { signers: { verdict: string; level: string; commonName: string }[] };
        };
      }
    ).report;
    const signers = report.signedData.signers;
    assert.equal(signers.length, 2);
    assert.deepEqual(
      signers.map((x) => x.verdict),
      ['valid', 'valid'],
    );
    assert.deepEqual(
      signers.map((x) => x.level),
      ['mat', 'mat'],
    );
    assert.deepEqual(readFileSync(at('out-cosigned/scan.pdf')), readFileSync(at('scan.pdf')));
    const withFiles = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--signed',
        'body.p7s',
        '--trust',
        'demo-ca.pem',
        '--to',
        'btp.pem',
        '--level',
        'mat',
        '--out',
        'x2.p7m',
        'scan.pdf',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(withFiles.status, 2);
  });

  it('a missing or unreadable file is named in both languages, before any token work', () => {
    const both = (r: Run) => `${r.stdout}${r.stderr}`;
    const inspect = niem(['inspect', 'nowhere.p7m']);
    assert.equal(inspect.status, 1);
    assert.match(both(inspect), /Cannot read the file nowhere\.p7m: ENOENT/);
    assert.doesNotMatch(both(inspect), /unexpected/i);
    const folder = niem(['inspect', '.']);
    assert.match(both(folder), /Cannot read the file \.: not a regular file/);
    const open = niem(
      ['open', 'nowhere.p7m', '--token', 'BTP-VANTHU', '--trust', 'demo-ca.pem', '--out', 'o'],
      pins['BTP-VANTHU'],
    );
    assert.equal(open.status, 1);
    assert.match(both(open), /Cannot read the file nowhere\.p7m/);
    assert.ok(!existsSync(at('o')), 'no output folder');
    const seal = niem(
      [
        'seal',
        '--token',
        'VPCP-VANTHU',
        '--to',
        'btp.pem',
        '--level',
        'mat',
        '--out',
        'y.p7m',
        'missing.pdf',
      ],
      pins['VPCP-VANTHU'],
    );
    assert.equal(seal.status, 1);
    assert.match(both(seal), /Cannot read the file missing\.pdf/);
    assert.ok(!existsSync(at('y.p7m')));
  });
});
