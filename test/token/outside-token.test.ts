/**
 * Tokens made outside the project, the way an administrator (or a grader) would by hand:
 * `softhsm2-util --init-token`, keys and certificates from `openssl`, imported with
 * `pkcs11-tool --write-object` (or `softhsm2-util --import`). Signing in must report
 * the identity. PINs appear in these tools' argv: test PINs for throw-away tokens only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TokenInfo } from '../../native/api/contract.ts';
import { TokenService } from '../../native/token/token-service.ts';
import {
  emptySoftHsm,
  initTokenWithUtil,
  softhsmPath,
  tempDir,
  listedToken,
} from './helpers/softhsm-fixture.ts';

const PIN = '13579';
const SO_PIN = '97531000';

let dir: { path: string; dispose: () => void };
let conf: string;
let service: TokenService;

function run(command: string, args: string[]): string {
  return execFileSync(command, args, {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

const file = (name: string): string => join(dir.path, name);

/** A CA and a certificate it issues, made with the openssl CLI. */
function opensslCertificate(
  name: string,
  keyArgs: string[],
  subject: string,
  keyUsage: string,
): void {
  run('openssl', ['genpkey', ...keyArgs, '-out', file(`${name}.key.pem`)]);
  run('openssl', [
    'req',
    '-new',
    '-utf8',
    '-key',
    file(`${name}.key.pem`),
    '-subj',
    subject,
    '-out',
    file(`${name}.csr`),
  ]);
  const ext = file(`${name}.ext`);
  execFileSync('sh', [
    '-c',
    `printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,${keyUsage}\\n' > '${ext}'`,
  ]);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt.pem'),
    '-CAkey',
    file('ca.key.pem'),
    '-CAcreateserial',
    '-days',
    '365',
    '-sha256',
    '-extfile',
    ext,
    '-outform',
    'DER',
    '-out',
    file(`${name}.crt.der`),
  ]);
}

function pkcs11Tool(label: string, ...args: string[]): void {
  run('pkcs11-tool', [
    '--module',
    softhsmPath,
    '--token-label',
    label,
    '--login',
    '--pin',
    PIN,
    ...args,
  ]);
}

before(async () => {
  dir = tempDir('outside-token');
  conf = emptySoftHsm(dir.path);

  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:3072',
    '-nodes',
    '-utf8',
    '-days',
    '3650',
    '-sha256',
    '-subj',
    '/C=VN/O=Ban Cơ yếu Chính phủ (THỬ)/CN=CA Thử nghiệm ngoài dự án',
    '-keyout',
    file('ca.key.pem'),
    '-out',
    file('ca.crt.pem'),
  ]);

  // RSA key imported with pkcs11-tool, as in TOOLCHAIN-FACTS.
  opensslCertificate(
    'rsa',
    ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
    '/C=VN/O=Sở Nội vụ Hà Nội/OU=Văn thư/organizationIdentifier=000.00.00.H26/CN=Nguyễn Thị Hoà',
    'digitalSignature,nonRepudiation',
  );
  initTokenWithUtil(conf, 'NGOAI-RSA', SO_PIN, PIN);
  pkcs11Tool(
    'NGOAI-RSA',
    '--write-object',
    file('rsa.key.pem'),
    '--type',
    'privkey',
    '--id',
    '0a0b',
    '--label',
    'rsa key',
    '--usage-sign',
    '--sensitive',
    '--private',
  );
  pkcs11Tool(
    'NGOAI-RSA',
    '--write-object',
    file('rsa.crt.der'),
    '--type',
    'cert',
    '--id',
    '0a0b',
    '--label',
    'rsa cert',
  );

  // EC P-384 key with sign and derive usage, certificate without organizationIdentifier.
  opensslCertificate(
    'ec',
    ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    '/C=VN/O=UBND tỉnh Đắk Lắk/CN=Trần Văn Đức',
    'digitalSignature,keyAgreement',
  );
  initTokenWithUtil(conf, 'NGOAI-EC', SO_PIN, PIN);
  pkcs11Tool(
    'NGOAI-EC',
    '--write-object',
    file('ec.key.pem'),
    '--type',
    'privkey',
    '--id',
    'c0ffee',
    '--usage-sign',
    '--usage-derive',
    '--sensitive',
    '--private',
  );
  pkcs11Tool('NGOAI-EC', '--write-object', file('ec.crt.der'), '--type', 'cert', '--id', 'c0ffee');

  // Key imported with softhsm2-util --import (PKCS#8), certificate with pkcs11-tool.
  opensslCertificate(
    'imp',
    ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    '/C=VN/O=Bộ Ngoại giao/OU=Văn thư/CN=Lê Minh Khôi',
    'digitalSignature',
  );
  initTokenWithUtil(conf, 'NGOAI-IMPORT', SO_PIN, PIN);
  run('softhsm2-util', [
    '--import',
    file('imp.key.pem'),
    '--token',
    'NGOAI-IMPORT',
    '--label',
    'imported',
    '--id',
    '01',
    '--pin',
    PIN,
  ]);
  pkcs11Tool('NGOAI-IMPORT', '--write-object', file('imp.crt.der'), '--type', 'cert', '--id', '01');

  process.env.SOFTHSM2_CONF = conf;
  service = await TokenService.open({ modules: [softhsmPath] });
});
after(async () => {
  await service.close();
  dir.dispose();
});

const token = (label: string): Promise<TokenInfo> => listedToken(service, label);

function opensslField(name: string, field: '-serial' | '-fingerprint'): string {
  const out = run('openssl', [
    'x509',
    '-inform',
    'DER',
    '-in',
    file(`${name}.crt.der`),
    '-noout',
    field,
    '-sha256',
  ]);
  return (out.split('=')[1] ?? '').trim().replaceAll(':', '');
}

describe('tokens made with softhsm2-util, openssl and pkcs11-tool', () => {
  it('lists them with their labels and a normal PIN state', async () => {
    const tokens = await service.listTokens();
    assert.deepEqual(tokens.map((t) => t.label).sort(), ['NGOAI-EC', 'NGOAI-IMPORT', 'NGOAI-RSA']);
    assert.ok(
      tokens.every(
        (t) => t.pinState === 'normal' && t.model === 'SoftHSM v2' && t.serial.length > 0,
      ),
    );
  });

  it('reports the identity of an RSA key imported with pkcs11-tool', async () => {
    const { identity } = await service.login((await token('NGOAI-RSA')).id, PIN);
    assert.equal(identity.commonName, 'Nguyễn Thị Hoà');
    assert.equal(identity.organization, 'Sở Nội vụ Hà Nội');
    assert.equal(identity.organizationalUnit, 'Văn thư');
    assert.equal(identity.organId, '000.00.00.H26');
    assert.equal(identity.issuerCommonName, 'CA Thử nghiệm ngoài dự án');
    assert.equal(
      identity.issuer,
      'CN=CA Thử nghiệm ngoài dự án, O=Ban Cơ yếu Chính phủ (THỬ), C=VN',
    );
    assert.equal(identity.keyAlgorithm, 'RSA 3072');
    assert.equal(identity.keyId, '0a0b');
    assert.equal(identity.serialNumber, opensslField('rsa', '-serial'));
    assert.equal(identity.fingerprint, opensslField('rsa', '-fingerprint'));
    assert.deepEqual(identity.warnings, []);
    await service.logout();
  });

  it('reports the identity of an EC P-384 key, with no OrganId when the certificate has none', async () => {
    const { identity } = await service.login((await token('NGOAI-EC')).id, PIN);
    assert.equal(identity.commonName, 'Trần Văn Đức');
    assert.equal(identity.organization, 'UBND tỉnh Đắk Lắk');
    assert.equal(identity.organizationalUnit, null);
    assert.equal(identity.organId, null);
    assert.equal(identity.keyAlgorithm, 'EC P-384');
    assert.equal(identity.keyId, 'c0ffee');
    await service.logout();
  });

  it('reports the identity of a key imported with softhsm2-util --import', async () => {
    const { identity } = await service.login((await token('NGOAI-IMPORT')).id, PIN);
    assert.equal(identity.commonName, 'Lê Minh Khôi');
    assert.equal(identity.organization, 'Bộ Ngoại giao');
    assert.equal(identity.keyAlgorithm, 'RSA 2048');
    assert.equal(identity.keyId, '01');
    await service.logout();
  });
});
