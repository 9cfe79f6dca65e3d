/**
 * The identity a clerk sees, built from a certificate and what the token says about
 * the key: Vietnamese names intact, OrganId from organizationIdentifier, readable
 * subject and issuer, and the warnings a reviewer must not miss.
 */
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { IdentitySchema } from '../../native/api/contract.ts';
import {
  certificateUse,
  identityFromCertificate,
  readableName,
} from '../../native/token/certificate-identity.ts';
import type { JsonName } from '@peculiar/x509';
import { x509 } from '../../native/token/x509-lib.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
const rsa = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

interface Made {
  der: Buffer;
  keys: CryptoKeyPair;
}

async function selfSigned(
  name: JsonName | string,
  options: {
    algorithm?: typeof ecdsa | typeof rsa;
    notBefore?: Date;
    notAfter?: Date;
    usages?: number | null;
  } = {},
): Promise<Made> {
  const algorithm = options.algorithm ?? ecdsa;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const usages =
    options.usages === undefined ? x509.KeyUsageFlags.digitalSignature : options.usages;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '00a1b2c3d4',
    name: typeof name === 'string' ? name : new x509.Name(name),
    keys,
    signingAlgorithm: algorithm,
    notBefore: options.notBefore ?? new Date(Date.now() - 86_400_000),
    notAfter: options.notAfter ?? new Date(Date.now() + 86_400_000 * 365),
    extensions: usages === null ? [] : [new x509.KeyUsagesExtension(usages, true)],
  });
  return { der: Buffer.from(cert.rawData), keys };
}

const goodKey = { keyId: Buffer.from('0a0b0c', 'hex'), extractable: false, sensitive: true };
const clerkName: JsonName = [
  { C: ['VN'] },
  { O: ['Văn phòng Chính phủ'] },
  { OU: ['Văn thư'] },
  { '2.5.4.97': ['000.00.00.G22'] },
  { CN: ['Nguyễn Văn Bình'] },
];

let clerk: Made;
before(async () => {
  clerk = await selfSigned(clerkName);
});

describe('identityFromCertificate', () => {
  it('reads the names with Vietnamese intact and the OrganId', () => {
    const identity = identityFromCertificate(clerk.der, goodKey);
    assert.deepEqual(IdentitySchema.parse(identity), identity);
    assert.equal(identity.commonName, 'Nguyễn Văn Bình');
    assert.equal(identity.organization, 'Văn phòng Chính phủ');
    assert.equal(identity.organizationalUnit, 'Văn thư');
    assert.equal(identity.organId, '000.00.00.G22');
    assert.equal(
      identity.subject,
      'CN=Nguyễn Văn Bình, organizationIdentifier=000.00.00.G22, OU=Văn thư, O=Văn phòng Chính phủ, C=VN',
    );
    assert.equal(identity.issuer, identity.subject);
    assert.equal(identity.issuerCommonName, 'Nguyễn Văn Bình');
  });

  it('reports serial, validity, fingerprint, key algorithm and key id in their contract formats', () => {
    const identity = identityFromCertificate(clerk.der, goodKey);
    assert.equal(identity.serialNumber, 'A1B2C3D4', 'upper hex without the sign byte');
    assert.match(identity.notBefore, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.equal(
      identity.fingerprint,
      createHash('sha256').update(clerk.der).digest('hex').toUpperCase(),
    );
    assert.equal(identity.keyAlgorithm, 'EC P-384');
    assert.equal(identity.keyId, '0a0b0c');
    assert.deepEqual(identity.warnings, []);
  });

  it('names RSA keys by size', async () => {
    const made = await selfSigned('CN=RSA', { algorithm: rsa });
    assert.equal(identityFromCertificate(made.der, goodKey).keyAlgorithm, 'RSA 2048');
  });

  it('leaves absent fields null', async () => {
    const made = await selfSigned([{ CN: ['Chỉ có tên'] }]);
    const identity = identityFromCertificate(made.der, goodKey);
    assert.equal(identity.organization, null);
    assert.equal(identity.organizationalUnit, null);
    assert.equal(identity.organId, null);
  });

  it('warns about an extractable or non-sensitive key', () => {
    const identity = identityFromCertificate(clerk.der, {
      keyId: Buffer.from('01', 'hex'),
      extractable: true,
      sensitive: false,
    });
    assert.deepEqual(
      identity.warnings.map((w) => w.split(':')[0]),
      ['private-key-extractable', 'private-key-not-sensitive'],
    );
  });

  it('says nothing when the token will not tell the key attributes', () => {
    const identity = identityFromCertificate(clerk.der, {
      keyId: Buffer.from('01', 'hex'),
      extractable: undefined,
      sensitive: undefined,
    });
    assert.deepEqual(identity.warnings, []);
  });

  it('warns about an expired or not yet valid certificate', async () => {
    const day = 86_400_000;
    const expired = await selfSigned('CN=Old', {
      notBefore: new Date(Date.now() - 10 * day),
      notAfter: new Date(Date.now() - day),
    });
    const future = await selfSigned('CN=New', {
      notBefore: new Date(Date.now() + day),
      notAfter: new Date(Date.now() + 10 * day),
    });
    assert.match(
      identityFromCertificate(expired.der, goodKey).warnings.join('\n'),
      /^certificate-expired: /m,
    );
    assert.match(
      identityFromCertificate(future.der, goodKey).warnings.join('\n'),
      /^certificate-not-yet-valid: /m,
    );
  });

  it('warns when an RSA private key is not the pair of the certificate', async () => {
    const made = await selfSigned('CN=Pair', { algorithm: rsa });
    const modulus = (await webcrypto.subtle.exportKey('jwk', made.keys.publicKey)).n ?? '';
    const other = await selfSigned('CN=Other', { algorithm: rsa });
    const matching = identityFromCertificate(made.der, {
      ...goodKey,
      modulus: Buffer.from(modulus, 'base64url'),
    });
    assert.deepEqual(matching.warnings, []);
    const wrongModulus = (await webcrypto.subtle.exportKey('jwk', other.keys.publicKey)).n ?? '';
    const mismatched = identityFromCertificate(made.der, {
      ...goodKey,
      modulus: Buffer.from(wrongModulus, 'base64url'),
    });
    assert.match(mismatched.warnings.join('\n'), /^certificate-key-mismatch: /m);
  });

  it('warns when the key usage allows no signature', async () => {
    const made = await selfSigned('CN=Enc', {
      algorithm: rsa,
      usages: x509.KeyUsageFlags.keyEncipherment,
    });
    assert.match(
      identityFromCertificate(made.der, goodKey).warnings.join('\n'),
      /^certificate-no-signing-usage: /m,
    );
    assert.equal(certificateUse(made.der).allowsSigning, false);
    const noExtension = await selfSigned('CN=Any', { usages: null });
    assert.equal(certificateUse(noExtension.der).allowsSigning, true);
  });

  it('refuses bytes that are not a certificate', () => {
    assert.throws(() => identityFromCertificate(Buffer.from('not a certificate'), goodKey));
  });
});

describe('readableName', () => {
  it('escapes the characters that would make the line ambiguous', () => {
    const name = new x509.Name([
      { O: [{ utf8String: 'Sở A, B + C' }] },
      { CN: [{ utf8String: 'Văn thư; "Phòng 1" <a=b>' }] },
    ]);
    assert.equal(readableName(name), 'CN=Văn thư\\; \\"Phòng 1\\" \\<a\\=b\\>, O=Sở A\\, B \\+ C');
  });

  it('joins multi-valued RDNs with +', () => {
    const name = new x509.Name([
      { C: ['VN'] },
      { CN: ['Lê Thị Mai'], '2.5.4.5': ['CMND:012345678'] },
    ]);
    assert.equal(readableName(name), 'CN=Lê Thị Mai + serialNumber=CMND:012345678, C=VN');
  });
});
