/**
 * Which key does what on tokens holding several pairs, and what the service never does.
 * Tokens made here in their own SoftHSM2 store, certified by the demo CA:
 *   MULTI-OPS     an RSA signing pair, an RSA encryption pair and an EC agreement pair
 *   SIGNONLY-OPS  one EC key that may only sign (no CKA_DERIVE, keyUsage digitalSignature)
 *   NOKU-OPS      an RSA key that is extractable and not sensitive, certificate without keyUsage
 * Every PKCS#11 call of the service is watched (the module object is shared in-process):
 * no private key's value (CKA_VALUE, RSA private parts) is ever asked for, no key is
 * wrapped or copied, and the ECDH secret object is destroyed. Lost sessions (handles
 * closed, login gone) end the sign-in with a kind that isSessionLost recognises.
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
} from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import { NiemError } from '../../native/api/errors.ts';
import { isSessionLost } from '../../native/token/ckr-errors.ts';
import {
  acquireModule,
  releaseModule,
  type LoadedModule,
} from '../../native/token/pkcs11-module.ts';
import { findObjects } from '../../native/token/token-objects.ts';
import { TokenService } from '../../native/token/token-service.ts';
import { x509 } from '../../native/token/x509-lib.ts';
import {
  buildDemo,
  emptySoftHsm,
  listedToken,
  loadIssuingCa,
  randomId,
  softhsmPath,
  tempDir,
} from './helpers/softhsm-fixture.ts';
import { makeOpsToken, pointOf, type MadePair } from './helpers/token-ops-fixture.ts';

const PIN = '864200';
const subject = {
  commonName: 'Văn thư Sở Tài chính (TEST)',
  organisation: 'Sở Tài chính',
  organisationalUnit: 'Văn thư',
  organId: '000.00.00.T03',
};
const usage = x509.KeyUsageFlags;

let dir: { path: string; dispose: () => void };
let multi: MadePair[];
let signOnly: MadePair[];
let noKeyUsage: MadePair[];
let module: LoadedModule;
let service: TokenService;

/** Attributes that hold a key's secret: CKA_VALUE (EC, secret keys) and the RSA private parts. */
const secretParts = new Set([
  pkcs11js.CKA_VALUE,
  pkcs11js.CKA_PRIVATE_EXPONENT,
  pkcs11js.CKA_PRIME_1,
  pkcs11js.CKA_PRIME_2,
  pkcs11js.CKA_EXPONENT_1,
  pkcs11js.CKA_EXPONENT_2,
  pkcs11js.CKA_COEFFICIENT,
]);

/** What the watch saw: secret-part reads by object class, and calls that must never happen. */
const watched = {
  valueReadsByClass: new Map<number, number>(),
  forbidden: [] as string[],
  derives: 0,
};

function watch(pkcs11: PKCS11): void {
  const getAttributes = pkcs11.C_GetAttributeValue.bind(pkcs11);
  pkcs11.C_GetAttributeValue = ((session: Handle, object: Handle, template: pkcs11js.Template) => {
    if (template.some((a) => secretParts.has(a.type))) {
      const [cls] = getAttributes(session, object, [{ type: pkcs11js.CKA_CLASS }]);
      const value = cls?.value.readUInt32LE(0) ?? -1;
      watched.valueReadsByClass.set(value, (watched.valueReadsByClass.get(value) ?? 0) + 1);
    }
    return getAttributes(session, object, template);
  }) as PKCS11['C_GetAttributeValue'];
  const deriveAsync = pkcs11.C_DeriveKeyAsync.bind(pkcs11);
  pkcs11.C_DeriveKeyAsync = ((...args: Parameters<PKCS11['C_DeriveKeyAsync']>) => {
    watched.derives += 1;
    return deriveAsync(...args);
  }) as PKCS11['C_DeriveKeyAsync'];
  for (const name of [
    'C_WrapKey',
    'C_WrapKeyAsync',
    'C_CopyObject',
    'C_SetAttributeValue',
  ] as const) {
    (pkcs11 as unknown as Record<string, unknown>)[name] = () => {
      watched.forbidden.push(name);
      throw new Error(`${name} must never be called`);
    };
  }
}

before(async () => {
  dir = tempDir('token-keys-ops');
  const ca = await loadIssuingCa(buildDemo(`${dir.path}/demo`));
  const conf = emptySoftHsm(`${dir.path}/store`);
  multi = await makeOpsToken(conf, 'MULTI-OPS', PIN, ca, subject, [
    {
      spec: { algorithm: 'RSA 2048', id: randomId(), decrypt: false },
      usages: usage.digitalSignature | usage.nonRepudiation,
    },
    { spec: { algorithm: 'RSA 2048', id: randomId(), sign: false }, usages: usage.keyEncipherment },
    { spec: { algorithm: 'EC P-256', id: randomId(), sign: false }, usages: usage.keyAgreement },
  ]);
  signOnly = await makeOpsToken(conf, 'SIGNONLY-OPS', PIN, ca, subject, [
    {
      spec: { algorithm: 'EC P-256', id: randomId(), derive: false },
      usages: usage.digitalSignature,
    },
  ]);
  noKeyUsage = await makeOpsToken(conf, 'NOKU-OPS', PIN, ca, subject, [
    {
      spec: { algorithm: 'RSA 2048', id: randomId(), extractable: true, sensitive: false },
      usages: null,
    },
  ]);
  process.env.SOFTHSM2_CONF = conf;
  module = acquireModule(softhsmPath);
  watch(module.pkcs11);
  service = await TokenService.open({ modules: [softhsmPath] });
});
after(async () => {
  await service.close();
  releaseModule(module);
  dir.dispose();
});

async function signIn(label: string): Promise<ReturnType<TokenService['login']>> {
  return service.login((await listedToken(service, label)).id, PIN);
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err.kind;
  }
  return 'succeeded';
}

const hex = (pair: MadePair | undefined): string | undefined => pair?.id.toString('hex');
const oaep = (key: MadePair['publicKey'], data: Buffer): Buffer =>
  publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, data);

describe('a token with a signing, an encryption and an agreement pair', () => {
  it('reports the signing certificate as the identity and each pair for its use', async () => {
    const [sign, encrypt, agree] = multi;
    const { identity } = await signIn('MULTI-OPS');
    assert.equal(identity.keyId, hex(sign));
    assert.deepEqual(identity.warnings, []);
    const caps = await service.capabilities();
    assert.equal(caps.keys.sign?.keyId, hex(sign));
    assert.equal(caps.keys.decrypt?.keyId, hex(encrypt));
    assert.equal(caps.keys.derive?.keyId, hex(agree));
    assert.deepEqual(Buffer.from(caps.keys.decrypt?.certificate ?? []), encrypt?.certificate);
    assert.equal(caps.sign.length, 4);
    assert.deepEqual(caps.decrypt, ['rsa-oaep-sha1']);
    assert.equal(caps.deriveEcdh, true);
  });

  it('signs with the signing key only', async () => {
    const [sign, encrypt] = multi;
    assert.ok(sign && encrypt);
    await signIn('MULTI-OPS');
    const data = Buffer.from('Tờ trình');
    const signature = await service.sign({ algorithm: 'rsa-pkcs1-sha256', data });
    assert.equal(verify('sha256', data, sign.publicKey, signature), true);
    assert.equal(verify('sha256', data, encrypt.publicKey, signature), false);
  });

  it('decrypts with the encryption key only', async () => {
    const [sign, encrypt] = multi;
    assert.ok(sign && encrypt);
    await signIn('MULTI-OPS');
    const contentKey = randomBytes(32);
    const plain = await service.decrypt({
      algorithm: 'rsa-oaep-sha1',
      data: oaep(encrypt.publicKey, contentKey),
    });
    assert.deepEqual(Buffer.from(plain), contentKey);
    const toSigningKey = oaep(sign.publicKey, contentKey);
    assert.equal(
      await kindOf(service.decrypt({ algorithm: 'rsa-oaep-sha1', data: toSigningKey })),
      'decrypt-failed',
    );
  });

  it('agrees with the EC key, and destroys the derived secret object', async () => {
    const agree = multi[2];
    assert.ok(agree);
    await signIn('MULTI-OPS');
    const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const z = await service.deriveEcdh({ publicPoint: pointOf(ephemeral.publicKey) });
    assert.deepEqual(
      Buffer.from(z),
      diffieHellman({ privateKey: ephemeral.privateKey, publicKey: agree.publicKey }),
    );
    // Session objects are visible to every session of the application: none is left.
    const token = await listedToken(service, 'MULTI-OPS');
    const slot = module.pkcs11
      .C_GetSlotList(true)
      .find((s) => module.pkcs11.C_GetTokenInfo(s).serialNumber.trim() === token.serial);
    assert.ok(slot);
    const session = module.pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    const secrets = findObjects(module.pkcs11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    ]);
    module.pkcs11.C_CloseSession(session);
    assert.deepEqual(secrets, []);
  });
});

describe('a token whose only key may only sign', () => {
  it('signs, but decrypt and derive are key-usage-mismatch', async () => {
    const [only] = signOnly;
    assert.ok(only);
    await signIn('SIGNONLY-OPS');
    const data = Buffer.from('x');
    assert.ok(
      verify(
        'sha256',
        data,
        only.publicKey,
        await service.sign({ algorithm: 'ecdsa-sha256', data }),
      ),
    );
    const derivesBefore = watched.derives;
    assert.equal(
      await kindOf(service.deriveEcdh({ publicPoint: pointOf(only.publicKey) })),
      'key-usage-mismatch',
    );
    assert.equal(watched.derives, derivesBefore, 'the token was not asked');
    assert.equal(
      await kindOf(service.decrypt({ algorithm: 'rsa-oaep-sha1', data: Buffer.alloc(256) })),
      'key-usage-mismatch',
    );
    const caps = await service.capabilities();
    assert.deepEqual([caps.decrypt, caps.deriveEcdh, caps.keys.derive], [[], false, null]);
    assert.equal(service.isSignedIn(), true);
  });
});

describe('a certificate without keyUsage, on a key that could leave the token', () => {
  it('allows every use of the RSA key, and the identity warns about the key', async () => {
    const [pair] = noKeyUsage;
    assert.ok(pair);
    const { identity } = await signIn('NOKU-OPS');
    const prefixes = identity.warnings.map((w) => w.split(':')[0]).sort();
    assert.deepEqual(prefixes, ['private-key-extractable', 'private-key-not-sensitive']);
    const data = Buffer.from('y');
    const digest = createHash('sha384').update(data).digest();
    const signature = await service.sign({ algorithm: 'rsa-pss-sha384', digest });
    assert.ok(
      verify(
        'sha384',
        data,
        { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
        signature,
      ),
    );
    const block = randomBytes(16);
    assert.deepEqual(
      Buffer.from(
        await service.decrypt({ algorithm: 'rsa-oaep-sha1', data: oaep(pair.publicKey, block) }),
      ),
      block,
    );
  });
});

describe('private keys never leave the token', () => {
  it('no private key value or RSA private part was asked for above; nothing was wrapped or copied', async () => {
    assert.equal(watched.valueReadsByClass.get(pkcs11js.CKO_PRIVATE_KEY) ?? 0, 0);
    assert.ok(
      (watched.valueReadsByClass.get(pkcs11js.CKO_CERTIFICATE) ?? 0) > 0,
      'the watch saw certificate reads',
    );
    assert.ok(
      (watched.valueReadsByClass.get(pkcs11js.CKO_SECRET_KEY) ?? 0) > 0,
      'and the ECDH secret read',
    );
    assert.deepEqual(watched.forbidden, []);

    // The watch would have seen it: NOKU-OPS's key is readable, and reading it shows up.
    await signIn('NOKU-OPS');
    const token = await listedToken(service, 'NOKU-OPS');
    const slot = module.pkcs11
      .C_GetSlotList(true)
      .find((s) => module.pkcs11.C_GetTokenInfo(s).serialNumber.trim() === token.serial);
    assert.ok(slot);
    const session = module.pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    const [key] = findObjects(module.pkcs11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    ]);
    assert.ok(key);
    const [exponent] = module.pkcs11.C_GetAttributeValue(session, key, [
      { type: pkcs11js.CKA_PRIVATE_EXPONENT },
    ]);
    module.pkcs11.C_CloseSession(session);
    // A 2048-bit private exponent: 256 bytes, one fewer about 1 time in 256 (a zero top byte).
    const length = exponent?.value.length ?? 0;
    assert.ok(length >= 250 && length <= 256, `this key is readable (got ${length} bytes)`);
    assert.equal(watched.valueReadsByClass.get(pkcs11js.CKO_PRIVATE_KEY), 1);
  });
});

describe('a session that is gone', () => {
  async function tokenSlot(label: string): Promise<Handle> {
    const token = await listedToken(service, label);
    const slot = module.pkcs11
      .C_GetSlotList(true)
      .find((s) => module.pkcs11.C_GetTokenInfo(s).serialNumber.trim() === token.serial);
    assert.ok(slot);
    return slot;
  }

  it('handles closed under the service (as on removal): token-removed, signed out, sign in again works', async () => {
    await signIn('MULTI-OPS');
    module.pkcs11.C_CloseAllSessions(await tokenSlot('MULTI-OPS'));
    let error: unknown;
    try {
      await service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.from('z') });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof NiemError);
    assert.equal(error.kind, 'token-removed', error.message);
    assert.equal(isSessionLost(error), true);
    assert.equal(service.isSignedIn(), false);
    await signIn('MULTI-OPS');
    assert.equal(
      (await service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.from('z') })).length,
      256,
    );
  });

  it('a login ended elsewhere in the process: not-signed-in, recognised as a lost session', async () => {
    await signIn('MULTI-OPS');
    const other = module.pkcs11.C_OpenSession(
      await tokenSlot('MULTI-OPS'),
      pkcs11js.CKF_SERIAL_SESSION,
    );
    module.pkcs11.C_Logout(other); // login state is per application: this ends the service's too
    module.pkcs11.C_CloseSession(other);
    let error: unknown;
    try {
      await service.decrypt({ algorithm: 'rsa-oaep-sha1', data: Buffer.alloc(256) });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof NiemError);
    assert.equal(error.kind, 'not-signed-in', error.message);
    assert.equal(isSessionLost(error), true);
    assert.equal(service.isSignedIn(), false);
  });
});
