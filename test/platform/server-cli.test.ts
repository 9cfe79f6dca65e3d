/**
 * The platform as an administrator runs it: `niem platform init` from the demo PKI,
 * `admin` commands for the directory and policy, and `serve` as a real process that is
 * killed (SIGKILL) in the middle of an upload and started again on the same data folder,
 * where the upload resumes and completes; SIGTERM stops it cleanly. Plain HTTP only with
 * the development flag, on loopback.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteReplySchema,
  MailboxReplySchema,
  SessionReplySchema,
  UploadStatusSchema,
} from '../../native/exchange/platform-wire.ts';
import { verifyStatement } from '../../native/exchange/signed-statement.ts';
import { parseCertificate } from '../../native/seal/signed-data/index.ts';
import { platformCli, startServe, type ServeProcess } from './helpers/platform-cli.ts';
import { call } from './helpers/platform-http.ts';
import {
  G22,
  G99,
  H01,
  chunkOf,
  contentDigest,
  makeProof,
  sealTestPackage,
} from './helpers/platform-fixture.ts';
import { testPki, type TestClerk, type TestPki } from './helpers/platform-pki.ts';

let pki: TestPki;
let work: string;
let data: string;
let sender: TestClerk;
let recipient: TestClerk;

function initArgs(dir: string, overrides: Record<string, string> = {}): string[] {
  const p = pki.manifest.platform;
  const options: Record<string, string> = {
    '--data': dir,
    '--trust': pki.manifest.caChainPem,
    '--tls-cert': p.tlsCertificatePem,
    '--tls-key': p.tlsKeyPem,
    '--receipt-cert': p.receiptCertificatePem,
    '--receipt-key': p.receiptKeyPem,
    '--name': 'truc-cli.test',
    '--approved-level': 'toi-mat',
    ...overrides,
  };
  return Object.entries(options).flat();
}

function ok(...args: string[]): string {
  const result = platformCli(...args);
  assert.equal(result.status, 0, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(async () => {
  pki = await testPki();
  work = mkdtempSync(join(tmpdir(), 'niem-platform-cli-'));
  data = join(work, 'data');
  sender = await pki.clerk(G99);
  recipient = await pki.clerk(H01);
  writeFileSync(join(work, 'sender.pem'), sender.pem);
  writeFileSync(join(work, 'recipient.pem'), recipient.pem);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("the demo PKI's platform keys", () => {
  it('a TLS server certificate for localhost and 127.0.0.1 and a receipt-signing one, keys 0600', () => {
    const p = pki.manifest.platform;
    const tls = new X509Certificate(readFileSync(p.tlsCertificatePem));
    assert.equal(tls.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
    assert.deepEqual(tls.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(tls.checkHost('localhost'), 'localhost');
    const receipt = new X509Certificate(readFileSync(p.receiptCertificatePem));
    const usage = parseCertificate(receipt.raw).keyUsage;
    assert.deepEqual([usage?.digitalSignature, usage?.nonRepudiation], [true, true]);
    const issuing = new X509Certificate(readFileSync(pki.manifest.issuingCa.certificatePem));
    for (const cert of [tls, receipt]) assert.ok(cert.verify(issuing.publicKey));
    for (const key of [p.tlsKeyPem, p.receiptKeyPem]) {
      assert.equal(statSync(key).mode & 0o777, 0o600, key);
    }
  });
});

describe('init and admin', () => {
  it('init copies the key material (keys 0600) and names the platform', () => {
    assert.match(ok('init', ...initArgs(data)), /Đã khởi tạo trục "truc-cli\.test"/);
    for (const [file, mode] of [
      ['platform.json', 0o600],
      ['tls.key.pem', 0o600],
      ['receipt.key.pem', 0o600],
      ['tls.crt.pem', 0o644],
      ['trust.pem', 0o644],
    ] as const) {
      assert.equal(statSync(join(data, file)).mode & 0o777, mode, file);
    }
  });

  it('init refuses a key that does not belong to its certificate, in Vietnamese or English', () => {
    const other = join(work, 'other');
    const wrongKey = { '--tls-key': pki.manifest.platform.receiptKeyPem };
    const vi = platformCli('init', ...initArgs(other, wrongKey));
    assert.equal(vi.status, 1);
    assert.match(vi.stderr, /không khớp/);
    const en = platformCli('init', ...initArgs(other, wrongKey), '--lang', 'en');
    assert.match(en.stderr, /does not match/);
  });

  it('imports the demo directory and manages agencies and certificates', () => {
    assert.match(
      ok(
        'admin',
        '--data',
        data,
        'directory',
        'import',
        join(pki.manifest.dir, 'pki/directory.json'),
      ),
      /2 cơ quan mới/,
    );
    ok('admin', '--data', data, 'certificate', 'add', '--organ-id', G99, join(work, 'sender.pem'));
    const misfit = platformCli(
      'admin',
      '--data',
      data,
      'certificate',
      'add',
      '--organ-id',
      G22,
      join(work, 'sender.pem'),
    );
    assert.equal(misfit.status, 1, 'an EC certificate for an RSA (oaep-sha1) agency');
    ok(
      'admin',
      '--data',
      data,
      'agency',
      'add',
      '--organ-id',
      H01,
      '--name',
      'Sở Tư pháp',
      '--clearance',
      'mat',
      '--key-transport',
      'ecdh',
    );
    ok(
      'admin',
      '--data',
      data,
      'certificate',
      'add',
      '--organ-id',
      H01,
      join(work, 'recipient.pem'),
    );
    const listed = JSON.parse(ok('admin', '--data', data, 'agency', 'list', '--json')) as {
      organId: string;
      clearance: string;
      certificates: string[];
    }[];
    assert.deepEqual(
      listed.map((a) => [a.organId, a.clearance, a.certificates.length]),
      [
        [G22, 'tuyet-mat', 1],
        [G99, 'toi-mat', 2],
        [H01, 'mat', 1],
      ],
    );
    assert.ok(listed[1]?.certificates.includes(sender.sha256));
  });

  it('sets and shows the policy, and refuses what it does not know', () => {
    ok('admin', '--data', data, 'policy', 'set', '--chunk-bytes', '65536');
    const policy = JSON.parse(ok('admin', '--data', data, 'policy', 'show', '--json')) as object;
    assert.deepEqual(policy, {
      approvedLevel: 'toi-mat',
      platformName: 'truc-cli.test',
      chunkBytes: 65536,
    });
    assert.equal(
      platformCli('admin', '--data', data, 'policy', 'set', '--approved-level', 'x').status,
      2,
    );
    assert.equal(platformCli('admin', '--data', data, 'agency', 'rename').status, 2);
    const missing = platformCli('admin', '--data', join(work, 'nowhere'), 'agency', 'list');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /platform init/);
  });
});

describe('serve', () => {
  let server: ServeProcess | undefined;
  after(async () => {
    await server?.stop('SIGKILL');
  });

  async function signIn(url: string, clerk: TestClerk): Promise<string> {
    const challenge = await call(url, 'POST', '/v1/auth/challenge', { ca: pki.caChainPem });
    const { nonce } = challenge.json<{ nonce: string }>();
    const proof = await makeProof({ url, pki }, clerk, nonce);
    const reply = await call(url, 'POST', '/v1/auth/session', {
      ca: pki.caChainPem,
      json: { proof },
    });
    return SessionReplySchema.parse(reply.json()).token;
  }

  it('resumes an upload after the platform process is killed, then delivers it', async () => {
    const pkg = await sealTestPackage(sender, [recipient], 'mat', 300 * 1024, pki.issuingDer);
    server = await startServe(data);
    assert.match(server.output(), /Trục liên thông đang chạy tại https:\/\/127\.0\.0\.1:\d+/);
    let url = server.url;
    let token = await signIn(url, sender);
    const declare = () =>
      call(url, 'POST', '/v1/uploads', {
        ca: pki.caChainPem,
        token,
        json: { sha256: pkg.sha256, size: pkg.bytes.length, level: 'mat', recipients: [H01] },
      });
    const status = UploadStatusSchema.parse((await declare()).json());
    const put = (index: number) => {
      const bytes = chunkOf(pkg, status.chunkBytes, index);
      return call(url, 'PUT', `/v1/uploads/${pkg.sha256}/chunks/${index}`, {
        ca: pki.caChainPem,
        token,
        body: bytes,
        headers: { 'content-digest': contentDigest(bytes) },
      });
    };
    assert.equal((await put(0)).status, 204);
    assert.equal((await put(1)).status, 204);
    assert.equal(await server.stop('SIGKILL'), 'SIGKILL');

    server = await startServe(data);
    url = server.url;
    token = await signIn(url, sender);
    const resumed = UploadStatusSchema.parse((await declare()).json());
    assert.deepEqual(resumed.received, [0, 1]);
    for (let i = 2; i < resumed.chunkCount; i += 1) assert.equal((await put(i)).status, 204);
    const done = await call(url, 'POST', `/v1/uploads/${pkg.sha256}/complete`, {
      ca: pki.caChainPem,
      token,
    });
    const { receipt } = CompleteReplySchema.parse(done.json());
    const verified = await verifyStatement(Buffer.from(receipt, 'base64'), {
      type: 'niem-receipt',
      trustAnchors: [pki.rootDer],
    });
    assert.equal(verified.statement.platform, 'truc-cli.test');
    assert.equal(verified.statement.sha256, pkg.sha256);

    const theirs = await signIn(url, recipient);
    const box = MailboxReplySchema.parse(
      (await call(url, 'GET', '/v1/mailbox', { ca: pki.caChainPem, token: theirs })).json(),
    );
    assert.deepEqual(
      box.entries.map((e) => (e.kind === 'package' ? e.sha256 : '')),
      [pkg.sha256],
    );
    const got = await call(url, 'GET', `/v1/packages/${pkg.sha256}`, {
      ca: pki.caChainPem,
      token: theirs,
    });
    assert.ok(got.body.equals(pkg.bytes));
  });

  it('stops cleanly on SIGTERM', async () => {
    assert.ok(server);
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.match(server.output(), /Đã dừng trục\./);
    server = undefined;
  });

  it('will not serve plain HTTP without the development flag, nor beyond loopback', async () => {
    const bare = join(work, 'bare');
    ok('init', ...initArgs(bare));
    rmSync(join(bare, 'tls.crt.pem'));
    const refused = platformCli('serve', '--data', bare, '--port', '0', '--lang', 'en');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--insecure-http-dev/);
    const wide = platformCli(
      'serve',
      '--data',
      bare,
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--insecure-http-dev',
      '--lang',
      'en',
    );
    assert.equal(wide.status, 1);
    assert.match(wide.stderr, /loopback/);
    server = await startServe(bare, '--insecure-http-dev');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal((await call(server.url, 'GET', '/v1/health')).status, 200);
    assert.equal(await server.stop('SIGTERM'), 0);
    server = undefined;
  });
});
