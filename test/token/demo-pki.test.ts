/**
 * scripts/demo-pki.ts as a user runs it: what it builds (a CA chain openssl accepts,
 * keys generated on the tokens and never extractable, certificates beside them under
 * the same CKA_ID), that a second run changes nothing, and that a half-built directory
 * is rebuilt cleanly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { TokenService } from '../../native/token/token-service.ts';
import { findObjects } from '../../native/token/token-objects.ts';
import { readDemoManifest, type DemoManifest } from '../../scripts/demo-manifest.ts';
import {
  buildDemo,
  runDemoScript,
  softhsmPath,
  tempDir,
  withUserSession,
} from './helpers/softhsm-fixture.ts';

let dir: { path: string; dispose: () => void };
let demo: DemoManifest;

before(() => {
  dir = tempDir('demo-pki');
  demo = buildDemo(dir.path);
});
after(() => dir.dispose());

function initializedTokenDirs(): string[] {
  return readdirSync(join(dir.path, 'tokens'));
}

async function signInEveryToken(manifest: DemoManifest): Promise<string[]> {
  process.env.SOFTHSM2_CONF = manifest.softhsm2Conf;
  const service = await TokenService.open({ modules: [manifest.module] });
  try {
    const tokens = await service.listTokens();
    const names: string[] = [];
    for (const planned of manifest.tokens) {
      const token = tokens.find((t) => t.label === planned.label);
      assert.ok(token, `token ${planned.label} is listed`);
      const { identity } = await service.login(token.id, planned.pin);
      assert.equal(identity.keyId, planned.keyId);
      names.push(identity.commonName);
    }
    return names;
  } finally {
    await service.close();
  }
}

describe('what the demo script builds', () => {
  it('describes two agencies with OrganIds, one RSA-3072 and one EC P-384 token', () => {
    assert.equal(demo.module, softhsmPath);
    assert.deepEqual(
      demo.tokens.map((t) => [t.label, t.keyAlgorithm, t.organId, t.organisation]),
      [
        ['VPCP-VANTHU', 'RSA 3072', '000.00.00.G22', 'Văn phòng Chính phủ'],
        ['BTP-VANTHU', 'EC P-384', '000.00.00.G99', 'Bộ Tư pháp'],
      ],
    );
    assert.notEqual(demo.tokens[0]?.pin, demo.tokens[0]?.soPin);
  });

  it('issues certificates that openssl verifies up to the demo root', () => {
    const output = execFileSync(
      'openssl',
      [
        'verify',
        '-CAfile',
        demo.rootCa.certificatePem,
        '-untrusted',
        demo.issuingCa.certificatePem,
        ...demo.tokens.map((t) => t.certificatePem),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(
      output
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(': OK')).length,
      2,
    );
  });

  it('keeps the CA keys readable by the owner only', () => {
    for (const key of [demo.rootCa.keyPem, demo.issuingCa.keyPem]) {
      assert.equal(statSync(key).mode & 0o777, 0o600, key);
    }
  });

  it('generates each key on its token, sensitive and never extractable, with the certificate under the same CKA_ID', () => {
    for (const token of demo.tokens) {
      withUserSession(demo.softhsm2Conf, token.label, token.pin, (pkcs11, session) => {
        const id = Buffer.from(token.keyId, 'hex');
        const [key, ...moreKeys] = findObjects(pkcs11, session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        ]);
        assert.ok(key);
        assert.equal(moreKeys.length, 0);
        const attrs = pkcs11.C_GetAttributeValue(session, key, [
          { type: pkcs11js.CKA_ID },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
          { type: pkcs11js.CKA_LOCAL },
          { type: pkcs11js.CKA_SIGN },
          { type: pkcs11js.CKA_DERIVE },
        ]);
        const [ckaId, sensitive, extractable, neverExtractable, local, sign, derive] = attrs.map(
          (a) => a.value,
        );
        assert.deepEqual(ckaId, id);
        assert.equal(sensitive?.[0], 1, 'CKA_SENSITIVE');
        assert.equal(extractable?.[0], 0, 'CKA_EXTRACTABLE');
        assert.equal(neverExtractable?.[0], 1, 'CKA_NEVER_EXTRACTABLE');
        assert.equal(local?.[0], 1, 'CKA_LOCAL: generated on the token');
        assert.equal(sign?.[0], 1, 'CKA_SIGN');
        assert.equal(
          derive?.[0],
          token.keyAlgorithm === 'EC P-384' ? 1 : 0,
          'CKA_DERIVE only for EC',
        );
        const certs = findObjects(pkcs11, session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
          { type: pkcs11js.CKA_ID, value: id },
        ]);
        assert.equal(certs.length, 1);
      });
    }
  });
});

describe('running the demo script again', () => {
  it('changes nothing when everything is in place, and --quiet prints nothing', () => {
    const before = readDemoManifest(dir.path);
    const tokenDirs = initializedTokenDirs();
    assert.equal(runDemoScript(dir.path, '--quiet'), '');
    assert.match(runDemoScript(dir.path), /already in place/);
    assert.deepEqual(readDemoManifest(dir.path), before);
    assert.deepEqual(initializedTokenDirs(), tokenDirs);
  });

  it('rebuilds cleanly after being killed before the manifest was written', async () => {
    rmSync(join(dir.path, 'demo.json'));
    assert.match(runDemoScript(dir.path), /built/);
    const rebuilt = readDemoManifest(dir.path);
    assert.notEqual(rebuilt.tokens[0]?.serial, demo.tokens[0]?.serial, 'the tokens were made anew');
    assert.equal(initializedTokenDirs().length, 2, 'no token of the broken build is left');
    assert.deepEqual(await signInEveryToken(rebuilt), [
      'Văn thư Văn phòng Chính phủ (DEMO)',
      'Văn thư Bộ Tư pháp (DEMO)',
    ]);
    demo = rebuilt;
  });

  it('rebuilds when a token is missing from the store', async () => {
    const [first] = initializedTokenDirs();
    assert.ok(first);
    rmSync(join(dir.path, 'tokens', first), { recursive: true });
    runDemoScript(dir.path, '--quiet');
    const rebuilt = readDemoManifest(dir.path);
    assert.notEqual(rebuilt.createdAt, demo.createdAt);
    assert.equal(initializedTokenDirs().length, 2);
    assert.equal((await signInEveryToken(rebuilt)).length, 2);
  });
});
