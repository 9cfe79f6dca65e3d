/**
 * The token service against the demo tokens on real SoftHSM2: listing, signing in with
 * the right PIN, every PIN failure a clerk can meet, module problems, and the session
 * life cycle. One fresh demo directory for this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import type { TokenInfo } from '../../native/api/contract.ts';
import { NiemError } from '../../native/api/errors.ts';
import { acquireModule, releaseModule } from '../../native/token/pkcs11-module.ts';
import { trimPadded } from '../../native/token/token-info.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoManifest, DemoToken } from '../../scripts/demo-manifest.ts';
import { buildDemo, softhsmPath, tempDir } from './helpers/softhsm-fixture.ts';

let demo: DemoManifest;
let dir: { path: string; dispose: () => void };

before(() => {
  dir = tempDir('token-service');
  demo = buildDemo(dir.path);
});
after(() => dir.dispose());

function demoToken(label: string): DemoToken {
  const token = demo.tokens.find((t) => t.label === label);
  assert.ok(token, `demo token ${label}`);
  return token;
}

async function withService<T>(
  work: (service: TokenService) => Promise<T>,
  modules = [softhsmPath],
): Promise<T> {
  const service = await TokenService.open({ modules });
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}

async function tokenNamed(service: TokenService, label: string): Promise<TokenInfo> {
  const token = (await service.listTokens()).find((t) => t.label === label);
  assert.ok(token, `token ${label} is listed`);
  return token;
}

/** Rejects with a NiemError of `kind`; returns it for further checks. */
async function rejectsWithKind(promise: Promise<unknown>, kind: string): Promise<NiemError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof NiemError, `expected a NiemError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected ${kind}, but the call succeeded`);
}

describe('listing tokens', () => {
  it('shows both demo tokens with label, model, serial and a normal PIN state', async () => {
    await withService(async (service) => {
      const tokens = await service.listTokens();
      assert.deepEqual(tokens.map((t) => t.label).sort(), ['BTP-VANTHU', 'VPCP-VANTHU']);
      for (const token of tokens) {
        assert.equal(token.model, 'SoftHSM v2');
        assert.equal(token.manufacturer, 'SoftHSM project');
        assert.equal(token.serial, demoToken(token.label).serial);
        assert.equal(token.pinState, 'normal');
        assert.equal(token.pinInitialized, true);
        assert.equal(token.protectedAuthPath, false);
        assert.equal(token.module, softhsmPath);
        assert.match(token.id, /^[0-9a-f]{16}$/);
      }
      assert.notEqual(tokens[0]?.id, tokens[1]?.id);
    });
  });

  it('gives a token the same id in every listing and every service', async () => {
    const first = await withService((s) => tokenNamed(s, 'VPCP-VANTHU'));
    const second = await withService((s) => tokenNamed(s, 'VPCP-VANTHU'));
    assert.equal(first.id, second.id);
  });

  it('loads a library once even when two configured paths lead to it (symlink)', async () => {
    const modules = [
      '/usr/lib/softhsm/libsofthsm2.so',
      '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
    ];
    const tokens = await withService((s) => s.listTokens(), modules);
    assert.equal(tokens.length, 2);
  });
});

describe('signing in', () => {
  it('reports the VPCP clerk identity from the RSA-3072 token', async () => {
    const expected = demoToken('VPCP-VANTHU');
    await withService(async (service) => {
      const token = await tokenNamed(service, 'VPCP-VANTHU');
      const { token: info, identity } = await service.login(token.id, expected.pin);
      assert.equal(info.id, token.id);
      assert.equal(service.isSignedIn(), true);
      assert.equal(identity.commonName, 'Văn thư Văn phòng Chính phủ (DEMO)');
      assert.equal(identity.organization, 'Văn phòng Chính phủ');
      assert.equal(identity.organizationalUnit, 'Văn thư');
      assert.equal(identity.organId, '000.00.00.G22');
      assert.equal(identity.issuerCommonName, demo.issuingCa.commonName);
      assert.equal(identity.keyAlgorithm, 'RSA 3072');
      assert.equal(identity.keyId, expected.keyId);
      assert.equal(identity.fingerprint, expected.fingerprint);
      assert.match(
        identity.subject,
        /^CN=Văn thư Văn phòng Chính phủ \(DEMO\), organizationIdentifier=000\.00\.00\.G22, OU=Văn thư, O=Văn phòng Chính phủ, C=VN$/,
      );
      assert.deepEqual(identity.warnings, []);
      assert.ok(
        Date.parse(identity.notBefore) < Date.now() && Date.now() < Date.parse(identity.notAfter),
      );
    });
  });

  it('reports the BTP clerk identity from the EC P-384 token', async () => {
    const expected = demoToken('BTP-VANTHU');
    await withService(async (service) => {
      const token = await tokenNamed(service, 'BTP-VANTHU');
      const { identity } = await service.login(token.id, expected.pin);
      assert.equal(identity.organization, 'Bộ Tư pháp');
      assert.equal(identity.organId, expected.organId);
      assert.equal(identity.keyAlgorithm, 'EC P-384');
      assert.equal(identity.keyId, expected.keyId);
      assert.deepEqual(identity.warnings, []);
    });
  });

  it('refuses an unknown token id as token-absent', async () => {
    await withService(async (service) => {
      await rejectsWithKind(service.login('0123456789abcdef', '111111'), 'token-absent');
      assert.equal(service.isSignedIn(), false);
    });
  });

  it('signs in, out and in again with the same identity; logout and close are idempotent', async () => {
    const expected = demoToken('BTP-VANTHU');
    const service = await TokenService.open({ modules: [softhsmPath] });
    const token = await tokenNamed(service, 'BTP-VANTHU');
    const first = await service.login(token.id, expected.pin);
    await service.logout();
    assert.equal(service.isSignedIn(), false);
    await service.logout();
    const second = await service.login(token.id, expected.pin);
    assert.deepEqual(second.identity, first.identity);
    assert.equal(service.isSignedIn(), true);
    await service.close();
    assert.equal(service.isSignedIn(), false);
    await service.close();
    assert.deepEqual(await service.listTokens(), []);
  });

  it('never lets a stale login of this process stand in for the PIN (CKR_USER_ALREADY_LOGGED_IN)', async () => {
    const expected = demoToken('VPCP-VANTHU');
    await withService(async (service) => {
      const token = await tokenNamed(service, 'VPCP-VANTHU');
      // Another part of this process logged in to the same token and never logged out.
      const module = acquireModule(softhsmPath);
      try {
        const { pkcs11 } = module;
        const slot = pkcs11
          .C_GetSlotList(true)
          .find((s) => trimPadded(pkcs11.C_GetTokenInfo(s).label) === 'VPCP-VANTHU');
        assert.ok(slot);
        const stale = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
        pkcs11.C_Login(stale, pkcs11js.CKU_USER, expected.pin);

        await rejectsWithKind(service.login(token.id, '000000'), 'pin-incorrect');
        assert.equal(service.isSignedIn(), false);
        const { identity } = await service.login(token.id, expected.pin);
        assert.equal(identity.keyId, expected.keyId);
        pkcs11.C_CloseSession(stale);
      } finally {
        releaseModule(module);
      }
    });
  });
});

describe('module problems', () => {
  it('records a module path that does not exist and still serves the others', async () => {
    const missing = '/nonexistent/niem/libnothing.so';
    await withService(
      async (service) => {
        assert.equal(service.moduleProblems.length, 1);
        assert.equal(service.moduleProblems[0]?.path, missing);
        assert.match(service.moduleProblems[0]?.reason ?? '', /No such file/);
        assert.equal((await service.listTokens()).length, 2);
      },
      [missing, softhsmPath],
    );
  });

  it('records a library that is not a PKCS#11 module', async () => {
    const notPkcs11 = '/usr/lib/x86_64-linux-gnu/libz.so.1';
    await withService(
      async (service) => {
        assert.deepEqual(
          service.moduleProblems.map((p) => p.path),
          [notPkcs11],
        );
        assert.match(service.moduleProblems[0]?.reason ?? '', /C_GetFunctionList/);
        assert.equal((await service.listTokens()).length, 2);
      },
      [notPkcs11, softhsmPath],
    );
  });
});
