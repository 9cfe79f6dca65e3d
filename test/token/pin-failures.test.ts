/**
 * PIN failures on real SoftHSM2, watched through OpenSC's PKCS11SPY so the tests see
 * every C_Login the service makes: a wrong PIN is presented once and never retried, a
 * PIN outside the token's length range is not presented at all (no try burned).
 * SoftHSM2 2.6 only ever sets CKF_USER_PIN_COUNT_LOW (it never locks); lockout is
 * tested with a fault-injecting module in a later issue.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import type { TokenInfo } from '../../native/api/contract.ts';
import { NiemError } from '../../native/api/errors.ts';
import { acquireModule, releaseModule } from '../../native/token/pkcs11-module.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import {
  buildDemo,
  softhsmPath,
  spyCalls,
  spyPath,
  tempDir,
  listedToken,
} from './helpers/softhsm-fixture.ts';

let demo: DemoManifest;
let dir: { path: string; dispose: () => void };
let spyLog: string;
let service: TokenService;

before(async () => {
  dir = tempDir('pin-failures');
  demo = buildDemo(dir.path);
  assert.ok(spyPath, 'OpenSC pkcs11-spy.so is installed (apt-get install opensc)');
  spyLog = join(dir.path, 'spy.log');
  process.env.PKCS11SPY = softhsmPath;
  process.env.PKCS11SPY_OUTPUT = spyLog;
  service = await TokenService.open({ modules: [spyPath] });
  assert.deepEqual(service.moduleProblems, []);
});
after(async () => {
  await service.close();
  dir.dispose();
});

const token = (label: string): Promise<TokenInfo> => listedToken(service, label);

function pinOf(label: string): string {
  const found = demo.tokens.find((t) => t.label === label);
  assert.ok(found);
  return found.pin;
}

async function loginError(id: string, pin: string): Promise<NiemError> {
  try {
    await service.login(id, pin);
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err;
  }
  assert.fail('the login succeeded');
}

describe('a wrong PIN', () => {
  it('is pin-incorrect after exactly one C_Login, and the right PIN still works after it', async () => {
    const vpcp = await token('VPCP-VANTHU');
    assert.equal(vpcp.pinState, 'normal');
    const before = spyCalls(spyLog, 'C_Login');

    const err = await loginError(vpcp.id, '999999');
    assert.equal(err.kind, 'pin-incorrect');
    assert.equal(err.triesLeft, undefined, 'SoftHSM2 does not say how many tries are left');
    assert.equal(
      spyCalls(spyLog, 'C_Login'),
      before + 1,
      'the PIN was presented once, never retried',
    );
    assert.equal(service.isSignedIn(), false);
    assert.equal(
      (await token('VPCP-VANTHU')).pinState,
      'count-low',
      'the token counted the wrong PIN',
    );

    const { identity, token: after } = await service.login(vpcp.id, pinOf('VPCP-VANTHU'));
    assert.equal(identity.organId, '000.00.00.G22');
    assert.equal(spyCalls(spyLog, 'C_Login'), before + 2);
    assert.equal(after.pinState, 'normal', 'a good PIN resets the counter');
    await service.logout();
  });

  it('ends any previous sign-in and counts only against the token it was typed for', async () => {
    const btp = await token('BTP-VANTHU');
    const vpcp = await token('VPCP-VANTHU');
    await service.login(btp.id, pinOf('BTP-VANTHU'));
    // A failed login ends the previous sign-in first: the service holds one session.
    const err = await loginError(vpcp.id, '000000');
    assert.equal(err.kind, 'pin-incorrect');
    assert.equal(service.isSignedIn(), false);
    assert.equal((await token('BTP-VANTHU')).pinState, 'normal');
    await service.login(vpcp.id, pinOf('VPCP-VANTHU'));
    await service.logout();
  });
});

describe('a PIN outside the token length range (4..255 on SoftHSM2)', () => {
  it('is pin-invalid and never reaches the token', async () => {
    const btp = await token('BTP-VANTHU');
    const before = spyCalls(spyLog, 'C_Login');
    for (const pin of ['12', '', '9'.repeat(256)]) {
      const err = await loginError(btp.id, pin);
      assert.equal(err.kind, 'pin-invalid', `PIN of ${pin.length} characters`);
    }
    assert.equal(spyCalls(spyLog, 'C_Login'), before, 'no C_Login was made');
    assert.equal((await token('BTP-VANTHU')).pinState, 'normal', 'no try was used');
  });

  it('would have cost a try on SoftHSM2 had it been presented (why the service checks first)', async () => {
    // The truth about SoftHSM2: a 2-digit PIN given to C_Login directly is CKR_PIN_INCORRECT
    // and sets COUNT_LOW, the same as any wrong PIN.
    assert.ok(spyPath);
    const module = acquireModule(spyPath);
    try {
      const btp = await token('BTP-VANTHU');
      const slot = module.pkcs11
        .C_GetSlotList(true)
        .find((s) => module.pkcs11.C_GetTokenInfo(s).serialNumber.trim() === btp.serial);
      assert.ok(slot);
      const session = module.pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      assert.throws(
        () => module.pkcs11.C_Login(session, pkcs11js.CKU_USER, '12'),
        /CKR_PIN_INCORRECT/,
      );
      module.pkcs11.C_CloseSession(session);
      assert.equal((await token('BTP-VANTHU')).pinState, 'count-low');
      await service.login(btp.id, pinOf('BTP-VANTHU'));
      await service.logout();
      assert.equal((await token('BTP-VANTHU')).pinState, 'normal');
    } finally {
      releaseModule(module);
    }
  });
});
