/**
 * Changing the user PIN (C_SetPIN) and the PIN-pad sign-in request, on real SoftHSM2
 * watched through OpenSC's PKCS11SPY so every C_Login and C_SetPIN is counted: what can
 * only fail is refused before the token sees it (no try burned), a wrong old PIN is
 * presented once, and after a change the new PIN signs in and the old one does not,
 * whether the clerk was signed in or not. SoftHSM2 has no PIN pad: the pad login itself
 * is proven on the fault-injecting module; here, asking for it on a token without a pad.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TokenInfo } from '../../native/api/contract.ts';
import { NiemError } from '../../native/api/errors.ts';
import { TokenService, type ChangePinRequest } from '../../native/token/token-service.ts';
import {
  buildDemo,
  emptySoftHsm,
  listedToken,
  loadIssuingCa,
  randomId,
  softhsmPath,
  spyCalls,
  spyPath,
  tempDir,
} from './helpers/softhsm-fixture.ts';
import { makeOpsToken } from './helpers/token-ops-fixture.ts';

const FIRST_PIN = '4455667788';
let dir: { path: string; dispose: () => void };
let spyLog: string;
let service: TokenService;
/** The PIN the token has now (tests change it in turn). */
let currentPin = FIRST_PIN;

before(async () => {
  dir = tempDir('token-pin-ops');
  const ca = await loadIssuingCa(buildDemo(`${dir.path}/demo`));
  const conf = emptySoftHsm(`${dir.path}/store`);
  await makeOpsToken(
    conf,
    'PIN-OPS',
    FIRST_PIN,
    ca,
    {
      commonName: 'Văn thư Sở Xây dựng (TEST)',
      organisation: 'Sở Xây dựng',
      organisationalUnit: 'Văn thư',
      organId: '000.00.00.T04',
    },
    [{ spec: { algorithm: 'EC P-256', id: randomId() } }],
  );
  assert.ok(spyPath, 'OpenSC pkcs11-spy.so is installed (apt-get install opensc)');
  spyLog = join(dir.path, 'spy.log');
  process.env.SOFTHSM2_CONF = conf;
  process.env.PKCS11SPY = softhsmPath;
  process.env.PKCS11SPY_OUTPUT = spyLog;
  service = await TokenService.open({ modules: [spyPath] });
  assert.deepEqual(service.moduleProblems, []);
});
after(async () => {
  await service.close();
  dir.dispose();
});

const token = (): Promise<TokenInfo> => listedToken(service, 'PIN-OPS');
const calls = (): { login: number; setPin: number } => ({
  login: spyCalls(spyLog, 'C_Login'),
  setPin: spyCalls(spyLog, 'C_SetPIN'),
});

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err.kind;
  }
  return 'succeeded';
}

async function change(oldPin: string | null, newPin: string | null): Promise<string> {
  return kindOf(service.changePin({ tokenId: (await token()).id, oldPin, newPin }));
}

describe('a PIN-pad sign-in on a token without a pad', () => {
  it('is pin-invalid and never reaches C_Login', async () => {
    const info = await token();
    assert.equal(info.protectedAuthPath, false);
    const before = calls();
    assert.equal(await kindOf(service.login(info.id, null)), 'pin-invalid');
    assert.deepEqual(calls(), before);
    assert.equal(service.isSignedIn(), false);
    assert.equal((await token()).pinState, 'normal');
  });
});

describe('changing the PIN: refusals that cost no try', () => {
  it('refuses PINs outside the token range (4..255), pad nulls and half-given PINs without a token call', async () => {
    const before = calls();
    assert.equal(await change(currentPin, '123'), 'new-pin-invalid');
    assert.equal(await change(currentPin, '7'.repeat(256)), 'new-pin-invalid');
    assert.equal(await change('12', '123456'), 'pin-invalid');
    assert.equal(await change(null, null), 'pin-invalid');
    assert.equal(await change(null, '123456'), 'invalid-input');
    assert.equal(await change(currentPin, null), 'invalid-input');
    const odd = { tokenId: (await token()).id, oldPin: 1234, newPin: '5678' };
    assert.equal(
      await kindOf(service.changePin(odd as unknown as ChangePinRequest)),
      'invalid-input',
    );
    assert.equal(
      await kindOf(
        service.changePin({ tokenId: '0123456789abcdef', oldPin: currentPin, newPin: '99999' }),
      ),
      'token-absent',
    );
    assert.deepEqual(calls(), before, 'neither C_SetPIN nor C_Login was called');
    assert.equal((await token()).pinState, 'normal');
  });
});

describe('changing the PIN', () => {
  it('with a wrong old PIN is pin-incorrect after exactly one C_SetPIN, and changes nothing', async () => {
    const before = calls();
    assert.equal(await change('000000', '24682468'), 'pin-incorrect');
    assert.equal(calls().setPin, before.setPin + 1);
    assert.equal((await token()).pinState, 'count-low', 'the token counted the wrong PIN');
    const { identity } = await service.login((await token()).id, currentPin);
    assert.equal(identity.organId, '000.00.00.T04');
    assert.equal((await token()).pinState, 'normal');
    await service.logout();
  });

  it('while signed out: the new PIN signs in, the old one is pin-incorrect', async () => {
    const next = '24682468';
    const before = calls();
    assert.equal(await change(currentPin, next), 'succeeded');
    assert.equal(calls().setPin, before.setPin + 1);
    const old = currentPin;
    currentPin = next;
    const id = (await token()).id;
    assert.equal(await kindOf(service.login(id, old)), 'pin-incorrect');
    await service.login(id, currentPin);
    assert.equal(service.isSignedIn(), true);
    await service.logout();
  });

  it('while signed in on that token: the session goes on, and the new PIN is the one that works after', async () => {
    const id = (await token()).id;
    await service.login(id, currentPin);
    const next = '1357913579';
    assert.equal(await change(currentPin, next), 'succeeded');
    const old = currentPin;
    currentPin = next;
    assert.equal(service.isSignedIn(), true);
    const signature = await service.sign({
      algorithm: 'ecdsa-sha256',
      data: Buffer.from('vẫn ký được'),
    });
    assert.equal(signature[0], 0x30, 'the session still signs');
    await service.logout();
    assert.equal(await kindOf(service.login(id, old)), 'pin-incorrect');
    await service.login(id, currentPin);
    await service.logout();
    assert.equal((await token()).pinState, 'normal');
  });
});
