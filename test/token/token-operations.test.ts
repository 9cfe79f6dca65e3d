/**
 * The token operations on real SoftHSM2 2.6.1, every result checked with Node's crypto
 * against the certificate: signatures in all six algorithms (over data and over a
 * precomputed digest), RSA-OAEP decryption (SHA-1 works; SHA-256 is refused as
 * mechanism-unsupported, which is the truth about SoftHSM2 2.6.1, found by a real
 * probe), ECDH on P-256 and P-384 against Node's ECDH, and what capabilities report.
 * Tokens: the demo's RSA-3072 (VPCP) and EC P-384 (BTP) clerks, plus an EC P-256 token
 * with a derive key made here.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { COMBINED_DATA_LIMIT } from '../../native/token/token-capabilities.ts';
import {
  MAX_SIGN_DATA,
  TokenService,
  type SignAlgorithm,
  type SignRequest,
} from '../../native/token/token-service.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import {
  buildDemo,
  listedToken,
  loadIssuingCa,
  randomId,
  softhsmPath,
  tempDir,
} from './helpers/softhsm-fixture.ts';
import { makeOpsToken, pointOf } from './helpers/token-ops-fixture.ts';

const P256_PIN = '135790';
let dir: { path: string; dispose: () => void };
let demo: DemoManifest;
let service: TokenService;

before(async () => {
  dir = tempDir('token-operations');
  demo = buildDemo(dir.path);
  const ca = await loadIssuingCa(demo);
  await makeOpsToken(
    demo.softhsm2Conf,
    'EC256-OPS',
    P256_PIN,
    ca,
    {
      commonName: 'Văn thư Sở Nội vụ (TEST)',
      organisation: 'Sở Nội vụ',
      organisationalUnit: 'Văn thư',
      organId: '000.00.00.T02',
    },
    [{ spec: { algorithm: 'EC P-256', id: randomId() } }],
  );
  process.env.SOFTHSM2_CONF = demo.softhsm2Conf;
  service = await TokenService.open({ modules: [softhsmPath] });
});
after(async () => {
  await service.close();
  dir.dispose();
});

function pinOf(label: string): string {
  if (label === 'EC256-OPS') return P256_PIN;
  const token = demo.tokens.find((t) => t.label === label);
  assert.ok(token);
  return token.pin;
}

/** Signs in on `label`; returns the public key of the signing certificate. */
async function signIn(label: string): Promise<KeyObject> {
  await service.login((await listedToken(service, label)).id, pinOf(label));
  return new X509Certificate(await service.signingCertificate()).publicKey;
}

async function rejects(promise: Promise<unknown>, kind: string, pattern?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof NiemError, `expected a NiemError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (pattern) assert.match(err.message, pattern);
    return;
  }
  assert.fail(`expected ${kind}, but the call succeeded`);
}

const hashOf = (a: SignAlgorithm): 'sha256' | 'sha384' => (a.endsWith('384') ? 'sha384' : 'sha256');

/** Node's verification of `signature` over `data` for `algorithm` (ECDSA as DER). */
function verifies(
  algorithm: SignAlgorithm,
  key: KeyObject,
  data: Buffer,
  signature: Uint8Array,
): boolean {
  const hash = hashOf(algorithm);
  const options = algorithm.startsWith('rsa-pss')
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash === 'sha256' ? 32 : 48 }
    : { key, dsaEncoding: 'der' as const };
  return verify(hash, data, options, signature);
}

describe('signing with the RSA-3072 clerk key', () => {
  const algorithms = [
    'rsa-pkcs1-sha256',
    'rsa-pkcs1-sha384',
    'rsa-pss-sha256',
    'rsa-pss-sha384',
  ] as const;

  it('signs data and precomputed digests in every RSA algorithm; Node verifies each', async () => {
    const key = await signIn('VPCP-VANTHU');
    const vpcp = demo.tokens.find((t) => t.label === 'VPCP-VANTHU');
    assert.ok(vpcp);
    const demoCert = new X509Certificate(readFileSync(vpcp.certificatePem));
    assert.ok(
      key.equals(demoCert.publicKey),
      'the signing certificate is the demo clerk certificate',
    );
    const data = Buffer.from('Quyết định số 12/QĐ-VPCP — bản ký số');
    for (const algorithm of algorithms) {
      const fromData = await service.sign({ algorithm, data });
      assert.equal(fromData.length, 384, algorithm);
      assert.ok(verifies(algorithm, key, data, fromData), `${algorithm} over data`);
      const digest = createHash(hashOf(algorithm)).update(data).digest();
      const fromDigest = await service.sign({ algorithm, digest });
      assert.ok(verifies(algorithm, key, data, fromDigest), `${algorithm} over a digest`);
      assert.ok(
        !verifies(algorithm, key, Buffer.from('other'), fromData),
        `${algorithm} binds the data`,
      );
    }
    // PKCS#1 v1.5 is deterministic: the combined mechanism and DigestInfo agree byte for byte.
    const digest = createHash('sha256').update(data).digest();
    assert.deepEqual(
      await service.sign({ algorithm: 'rsa-pkcs1-sha256', data }),
      await service.sign({ algorithm: 'rsa-pkcs1-sha256', digest }),
    );
  });

  it('hashes data past the combined-mechanism limit in Node; the signature is the same', async () => {
    const key = await signIn('VPCP-VANTHU');
    const data = randomBytes(COMBINED_DATA_LIMIT + 1);
    for (const algorithm of ['rsa-pkcs1-sha384', 'rsa-pss-sha256'] as const) {
      assert.ok(verifies(algorithm, key, data, await service.sign({ algorithm, data })), algorithm);
    }
  });

  it('refuses what cannot be signed, and the session goes on', async () => {
    await signIn('VPCP-VANTHU');
    const data = Buffer.from('x');
    await rejects(
      service.sign({ algorithm: 'ecdsa-sha256', data }),
      'mechanism-unsupported',
      /RSA 3072/,
    );
    await rejects(
      service.sign({ algorithm: 'rsa-pss-sha256', digest: Buffer.alloc(48) }),
      'invalid-input',
      /32 bytes/,
    );
    const both = {
      algorithm: 'rsa-pss-sha256',
      data,
      digest: Buffer.alloc(32),
    } as unknown as SignRequest;
    await rejects(service.sign(both), 'invalid-input', /exactly one/);
    const neither = { algorithm: 'rsa-pss-sha256' } as unknown as SignRequest;
    await rejects(service.sign(neither), 'invalid-input');
    const unknown = { algorithm: 'rsa-md5', data } as unknown as SignRequest;
    await rejects(service.sign(unknown), 'invalid-input', /unknown sign algorithm/);
    await rejects(
      service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.alloc(MAX_SIGN_DATA + 1) }),
      'invalid-input',
      /digest/,
    );
    assert.equal(service.isSignedIn(), true);
    assert.equal((await service.sign({ algorithm: 'rsa-pss-sha256', data })).length, 384);
  });

  it('needs a signed-in clerk', async () => {
    await service.logout();
    await rejects(
      service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.from('x') }),
      'not-signed-in',
    );
    await rejects(service.capabilities(), 'not-signed-in');
  });
});

describe('signing with EC keys (hash in Node, CKM_ECDSA, DER out)', () => {
  for (const label of ['BTP-VANTHU', 'EC256-OPS']) {
    it(`${label}: ecdsa-sha256 and ecdsa-sha384 over data and digests verify in Node as DER`, async () => {
      const key = await signIn(label);
      const data = Buffer.from(`Công văn đi — ${label}`);
      for (const algorithm of ['ecdsa-sha256', 'ecdsa-sha384'] as const) {
        for (let i = 0; i < 5; i++) {
          const signature = await service.sign({ algorithm, data });
          assert.equal(signature[0], 0x30, 'a DER SEQUENCE');
          assert.ok(verifies(algorithm, key, data, signature), `${algorithm} #${i}`);
        }
        const digest = createHash(hashOf(algorithm)).update(data).digest();
        assert.ok(verifies(algorithm, key, data, await service.sign({ algorithm, digest })));
      }
      await rejects(service.sign({ algorithm: 'rsa-pkcs1-sha256', data }), 'mechanism-unsupported');
    });
  }
});

describe('RSA-OAEP decryption on SoftHSM2 2.6.1', () => {
  it('decrypts what Node encrypted to the certificate with OAEP-SHA1', async () => {
    const key = await signIn('VPCP-VANTHU');
    for (let i = 0; i < 3; i++) {
      const contentKey = randomBytes(32);
      const data = publicEncrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        contentKey,
      );
      const plain = await service.decrypt({ algorithm: 'rsa-oaep-sha1', data });
      assert.ok(plain instanceof Uint8Array);
      assert.deepEqual(Buffer.from(plain), contentKey);
    }
  });

  it('refuses rsa-oaep-sha256 as mechanism-unsupported: SoftHSM2 lists OAEP but refuses SHA-256', async () => {
    const key = await signIn('VPCP-VANTHU');
    const data = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    await rejects(
      service.decrypt({ algorithm: 'rsa-oaep-sha256', data }),
      'mechanism-unsupported',
      /SHA-256/,
    );
    const caps = await service.capabilities();
    assert.deepEqual(caps.decrypt, ['rsa-oaep-sha1']);
    assert.ok(
      caps.mechanisms.includes('CKM_RSA_PKCS_OAEP'),
      'the mechanism is listed all the same',
    );
    assert.equal(service.isSignedIn(), true);
  });

  it('says decrypt-failed for a ciphertext made for another key or of the wrong length', async () => {
    await signIn('VPCP-VANTHU');
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey;
    const foreign = publicEncrypt(
      { key: other, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(32),
    );
    await rejects(service.decrypt({ algorithm: 'rsa-oaep-sha1', data: foreign }), 'decrypt-failed');
    await rejects(
      service.decrypt({ algorithm: 'rsa-oaep-sha1', data: Buffer.alloc(100) }),
      'decrypt-failed',
      /384 bytes/,
    );
    assert.equal(service.isSignedIn(), true);
  });

  it('is key-usage-mismatch on an EC token', async () => {
    await signIn('BTP-VANTHU');
    await rejects(
      service.decrypt({ algorithm: 'rsa-oaep-sha1', data: Buffer.alloc(384) }),
      'key-usage-mismatch',
    );
  });
});

describe('ECDH key agreement (CKM_ECDH1_DERIVE, CKD_NULL)', () => {
  const curves = { 'BTP-VANTHU': 'P-384', 'EC256-OPS': 'P-256' } as const;
  for (const [label, curve] of Object.entries(curves)) {
    it(`${label}: gives the same Z as Node's ECDH on ${curve}`, async () => {
      const tokenKey = await signIn(label);
      for (let i = 0; i < 5; i++) {
        const ephemeral = generateKeyPairSync('ec', { namedCurve: curve });
        const z = await service.deriveEcdh({ publicPoint: pointOf(ephemeral.publicKey) });
        const expected = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: tokenKey });
        assert.equal(z.length, curve === 'P-384' ? 48 : 32);
        assert.deepEqual(Buffer.from(z), expected);
      }
    });
  }

  it('checks the point before the token sees it', async () => {
    await signIn('BTP-VANTHU');
    const p256 = pointOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    await rejects(
      service.deriveEcdh({ publicPoint: p256 }),
      'invalid-input',
      /P-384 point of 97 bytes/,
    );
    const off = pointOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    off[30] = (off[30] ?? 0) ^ 1;
    await rejects(service.deriveEcdh({ publicPoint: off }), 'invalid-input', /not on P-384/);
    const notBytes = { publicPoint: '04ab' } as unknown as { publicPoint: Uint8Array };
    await rejects(service.deriveEcdh(notBytes), 'invalid-input');
    assert.equal(service.isSignedIn(), true);
  });

  it('is key-usage-mismatch on the RSA token', async () => {
    await signIn('VPCP-VANTHU');
    const point = pointOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    await rejects(service.deriveEcdh({ publicPoint: point }), 'key-usage-mismatch', /keyAgreement/);
  });
});

describe('capabilities', () => {
  it('of the RSA-3072 token: four RSA sign algorithms, OAEP-SHA1, no ECDH', async () => {
    await signIn('VPCP-VANTHU');
    const caps = await service.capabilities();
    assert.deepEqual(caps.sign, [
      'rsa-pkcs1-sha256',
      'rsa-pkcs1-sha384',
      'rsa-pss-sha256',
      'rsa-pss-sha384',
    ]);
    assert.deepEqual(caps.signDigest, caps.sign);
    assert.deepEqual(caps.decrypt, ['rsa-oaep-sha1']);
    assert.equal(caps.deriveEcdh, false);
    assert.equal(caps.keys.sign?.keyAlgorithm, 'RSA 3072');
    assert.equal(caps.keys.sign?.keyId, demo.tokens.find((t) => t.label === 'VPCP-VANTHU')?.keyId);
    assert.equal(caps.keys.decrypt?.keyId, caps.keys.sign?.keyId);
    assert.equal(caps.keys.derive, null);
    assert.ok(!caps.mechanisms.includes('CKM_ECDSA_SHA256'));
    assert.deepEqual(structuredClone(caps), caps, 'plain data');
  });

  it('of the EC tokens: ECDSA both hashes, ECDH, no decryption', async () => {
    for (const [label, curve] of [
      ['BTP-VANTHU', 'P-384'],
      ['EC256-OPS', 'P-256'],
    ] as const) {
      await signIn(label);
      const caps = await service.capabilities();
      assert.deepEqual(caps.sign, ['ecdsa-sha256', 'ecdsa-sha384'], label);
      assert.deepEqual(caps.decrypt, [], label);
      assert.equal(caps.deriveEcdh, true, label);
      assert.equal(caps.keys.derive?.curve, curve);
      assert.equal(caps.keys.sign?.keyAlgorithm, `EC ${curve}`);
      assert.ok(new X509Certificate(Buffer.from(caps.keys.derive?.certificate ?? [])).publicKey);
    }
  });
});
