/**
 * What the service makes of tokens whose contents are not the happy path: a key with
 * no certificate, a certificate under another CKA_ID, a key that can leave the token,
 * and a token holding both an encryption-only and a signing certificate. Each token is
 * made here, in its own SoftHSM2 store, with keys generated through pkcs11js and
 * certificates from the demo CA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenInfo } from '../../native/api/contract.ts';
import { NiemError } from '../../native/api/errors.ts';
import { x509 } from '../../native/token/x509-lib.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoCa } from '../../scripts/demo-pki-ca.ts';
import {
  buildDemo,
  certifyOnToken,
  emptySoftHsm,
  generateTestKey,
  initTokenWithUtil,
  loadIssuingCa,
  randomId,
  softhsmPath,
  tempDir,
  withUserSession,
  listedToken,
} from './helpers/softhsm-fixture.ts';

const PIN = '246810';
const subject = {
  commonName: 'Văn thư Sở Tư pháp (TEST)',
  organisation: 'Sở Tư pháp',
  organisationalUnit: 'Văn thư',
  organId: '000.00.00.T01',
};

let dir: { path: string; dispose: () => void };
let conf: string;
let ca: DemoCa;
const ids = { extractable: randomId(), encryption: randomId(), signing: randomId() };
let service: TokenService;

before(async () => {
  dir = tempDir('token-contents');
  ca = await loadIssuingCa(buildDemo(`${dir.path}/demo`));
  conf = emptySoftHsm(`${dir.path}/store`);

  initTokenWithUtil(conf, 'KEY-ONLY', '87654321', PIN);
  withUserSession(conf, 'KEY-ONLY', PIN, (pkcs11, session) => {
    generateTestKey(pkcs11, session, { algorithm: 'EC P-256', id: randomId() });
  });

  initTokenWithUtil(conf, 'OTHER-ID', '87654321', PIN);
  const keyOfOther = withUserSession(conf, 'OTHER-ID', PIN, (pkcs11, session) =>
    generateTestKey(pkcs11, session, { algorithm: 'EC P-256', id: randomId() }),
  );
  await certifyOnToken(conf, 'OTHER-ID', PIN, ca, keyOfOther, randomId(), subject);

  initTokenWithUtil(conf, 'EXTRACTABLE', '87654321', PIN);
  const extractable = withUserSession(conf, 'EXTRACTABLE', PIN, (pkcs11, session) =>
    generateTestKey(pkcs11, session, {
      algorithm: 'RSA 2048',
      id: ids.extractable,
      extractable: true,
      sensitive: false,
    }),
  );
  await certifyOnToken(conf, 'EXTRACTABLE', PIN, ca, extractable, ids.extractable, subject);

  initTokenWithUtil(conf, 'TWO-KEYS', '87654321', PIN);
  const [encryptionKey, signingKey] = withUserSession(conf, 'TWO-KEYS', PIN, (pkcs11, session) => [
    generateTestKey(pkcs11, session, { algorithm: 'RSA 2048', id: ids.encryption, sign: false }),
    generateTestKey(pkcs11, session, { algorithm: 'RSA 2048', id: ids.signing }),
  ]);
  assert.ok(encryptionKey && signingKey);
  await certifyOnToken(
    conf,
    'TWO-KEYS',
    PIN,
    ca,
    encryptionKey,
    ids.encryption,
    subject,
    x509.KeyUsageFlags.keyEncipherment,
  );
  await certifyOnToken(conf, 'TWO-KEYS', PIN, ca, signingKey, ids.signing, subject);

  process.env.SOFTHSM2_CONF = conf;
  service = await TokenService.open({ modules: [softhsmPath] });
});
after(async () => {
  await service.close();
  dir.dispose();
});

const token = (label: string): Promise<TokenInfo> => listedToken(service, label);

async function loginKind(label: string): Promise<string> {
  try {
    await service.login((await token(label)).id, PIN);
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err.kind;
  }
  return 'signed-in';
}

describe('tokens without a usable certificate', () => {
  it('a key with no certificate at all is no-certificate, and nothing stays signed in', async () => {
    assert.equal(await loginKind('KEY-ONLY'), 'no-certificate');
    assert.equal(service.isSignedIn(), false);
  });

  it('a certificate stored under another CKA_ID than the key is no-certificate', async () => {
    assert.equal(await loginKind('OTHER-ID'), 'no-certificate');
  });
});

describe('warnings in the identity', () => {
  it('flags a private key that is extractable and not sensitive', async () => {
    const { identity } = await service.login((await token('EXTRACTABLE')).id, PIN);
    assert.equal(identity.keyId, ids.extractable.toString('hex'));
    const prefixes = identity.warnings.map((w) => w.split(':')[0]).sort();
    assert.deepEqual(prefixes, ['private-key-extractable', 'private-key-not-sensitive']);
    assert.equal(identity.keyAlgorithm, 'RSA 2048');
    await service.logout();
  });
});

describe('choosing among several keys', () => {
  it('picks the key whose certificate allows signing', async () => {
    const { identity } = await service.login((await token('TWO-KEYS')).id, PIN);
    assert.equal(identity.keyId, ids.signing.toString('hex'));
    assert.deepEqual(identity.warnings, []);
    await service.logout();
  });
});
