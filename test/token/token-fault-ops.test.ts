/**
 * The token operations and PIN change on the fault-injecting module (native/pkcs11-fault
 * over SoftHSM2), for what SoftHSM2 cannot show: a PIN pad (and a clerk cancelling on
 * it), a retry counter that reaches its final try and locks during a PIN change, device
 * errors and removal in the middle of an operation, and a slow token that must not
 * block the event loop (the long token calls run on pkcs11js' async variants).
 */
import assert from 'node:assert/strict';
import { constants, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { isSessionLost } from '../../native/token/ckr-errors.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { FaultControl, faultModule } from './helpers/fault-fixture.ts';
import { buildDemo, listedToken, tempDir } from './helpers/softhsm-fixture.ts';

const VPCP = 'VPCP-VANTHU';
const BTP = 'BTP-VANTHU';

let dir: { path: string; dispose: () => void };
let demo: DemoManifest;
let control: FaultControl;
let service: TokenService;

before(async () => {
  dir = tempDir('token-fault-ops');
  demo = buildDemo(dir.path);
  control = new FaultControl(dir.path);
  control.apply();
  service = await TokenService.open({ modules: [faultModule()] });
  assert.deepEqual(service.moduleProblems, []);
});
after(async () => {
  await service.close();
  dir.dispose();
});
beforeEach(async () => {
  await service.logout();
  control.clear();
  control.resetState();
});

function pinOf(label: string): string {
  const token = demo.tokens.find((t) => t.label === label);
  assert.ok(token);
  return token.pin;
}

const idOf = async (label: string): Promise<string> => (await listedToken(service, label)).id;

async function rejection(work: Promise<unknown>): Promise<NiemError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err;
  }
  assert.fail('the call succeeded');
}

describe('a PIN pad', () => {
  it('signs in with pin null, and the session signs', async () => {
    control.set({ protected_auth_path: 1, pad_pin: pinOf(VPCP), label: VPCP });
    const { identity } = await service.login(await idOf(VPCP), null);
    assert.equal(identity.organId, '000.00.00.G22');
    const data = Buffer.from('ký bằng bàn phím của đầu đọc');
    assert.equal((await service.sign({ algorithm: 'rsa-pss-sha256', data })).length, 384);
  });

  it('cancelled on the pad is token-cancelled, and nothing stays signed in', async () => {
    control.set({ protected_auth_path: 1, label: VPCP });
    assert.equal((await rejection(service.login(await idOf(VPCP), null))).kind, 'token-cancelled');
    assert.equal(service.isSignedIn(), false);
  });

  it('is refused as pin-invalid on the token of the same module that has no pad', async () => {
    control.set({ protected_auth_path: 1, pad_pin: pinOf(VPCP), label: VPCP });
    assert.equal((await listedToken(service, BTP)).protectedAuthPath, false);
    assert.equal((await rejection(service.login(await idOf(BTP), null))).kind, 'pin-invalid');
  });
});

describe('changing the PIN on a token that counts tries (3)', () => {
  it('reports the final try, then the lock, and refuses to present PINs to a locked token', async () => {
    control.set({ pin_tries: 3, label: VPCP });
    const id = await idOf(VPCP);
    const right = pinOf(VPCP);
    const attempt = (oldPin: string, newPin = '7777777') =>
      rejection(service.changePin({ tokenId: id, oldPin, newPin }));

    const first = await attempt('000000');
    assert.deepEqual([first.kind, first.triesLeft], ['pin-incorrect', undefined]);
    const second = await attempt('000001');
    assert.deepEqual([second.kind, second.triesLeft], ['pin-incorrect', 1]);
    assert.equal((await listedToken(service, VPCP)).pinState, 'final-try');
    const third = await attempt('000002');
    assert.deepEqual([third.kind, third.triesLeft], ['pin-locked', 0]);

    const refused = await attempt(right);
    assert.equal(refused.kind, 'pin-locked');
    assert.match(refused.message, /not presented/);
    assert.equal((await rejection(service.login(id, right))).kind, 'pin-locked');
  });

  it('a right old PIN restores the count and changes the PIN', async () => {
    control.set({ pin_tries: 3, label: VPCP });
    const id = await idOf(VPCP);
    const right = pinOf(VPCP);
    assert.equal(
      (await rejection(service.changePin({ tokenId: id, oldPin: '000000', newPin: '5555' }))).kind,
      'pin-incorrect',
    );
    await service.changePin({ tokenId: id, oldPin: right, newPin: '55555555' });
    assert.equal((await listedToken(service, VPCP)).pinState, 'normal');
    await service.changePin({ tokenId: id, oldPin: '55555555', newPin: right });
    await service.login(id, right);
  });
});

describe('what a token may answer to C_SetPIN', () => {
  it('maps each refusal of the new PIN, and write protection, to a kind the clerk can act on', async () => {
    const id = await idOf(VPCP);
    const right = pinOf(VPCP);
    const answers = {
      CKR_PIN_INVALID: 'new-pin-invalid',
      CKR_PIN_LEN_RANGE: 'new-pin-invalid',
      CKR_PIN_TOO_WEAK: 'new-pin-invalid',
      CKR_TOKEN_WRITE_PROTECTED: 'token-write-protected',
      CKR_PIN_EXPIRED: 'pin-expired',
      CKR_SESSION_COUNT: 'token-busy',
      CKR_FUNCTION_CANCELED: 'token-cancelled',
    } as const;
    for (const [ckr, kind] of Object.entries(answers)) {
      control.set({ 'fail.C_SetPIN': ckr });
      const err = await rejection(
        service.changePin({ tokenId: id, oldPin: right, newPin: '2468' }),
      );
      assert.equal(err.kind, kind, ckr);
      assert.match(err.message, new RegExp(ckr));
    }
    control.clear();
    await service.login(id, right); // unchanged
  });
});

describe('faults in the middle of an operation', () => {
  it('a device error while signing is device-error; the session goes on', async () => {
    await service.login(await idOf(VPCP), pinOf(VPCP));
    control.set({ 'fail.C_Sign': 'CKR_DEVICE_ERROR' });
    const err = await rejection(
      service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.from('a') }),
    );
    assert.equal(err.kind, 'device-error');
    assert.equal(isSessionLost(err), false);
    assert.equal(service.isSignedIn(), true);
    control.clear();
    assert.equal(
      (await service.sign({ algorithm: 'rsa-pss-sha256', data: Buffer.from('a') })).length,
      384,
    );
  });

  it('a token that fails every decryption is device-error, not decrypt-failed', async () => {
    await service.login(await idOf(VPCP), pinOf(VPCP));
    const key = new X509Certificate(await service.signingCertificate()).publicKey;
    const data = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(32),
    );
    control.set({ 'fail.C_Decrypt': 'CKR_GENERAL_ERROR' });
    assert.equal(
      (await rejection(service.decrypt({ algorithm: 'rsa-oaep-sha1', data }))).kind,
      'device-error',
    );
    control.clear();
    assert.equal((await service.decrypt({ algorithm: 'rsa-oaep-sha1', data })).length, 32);
  });

  it('removal during a session is token-removed and ends the sign-in', async () => {
    await service.login(await idOf(BTP), pinOf(BTP));
    control.set({ present: 0, label: BTP });
    const err = await rejection(
      service.sign({ algorithm: 'ecdsa-sha384', data: Buffer.from('b') }),
    );
    assert.equal(err.kind, 'token-removed', err.message);
    assert.equal(isSessionLost(err), true);
    assert.equal(service.isSignedIn(), false);
    control.clear();
    await service.login(await idOf(BTP), pinOf(BTP));
    assert.equal(service.isSignedIn(), true);
  });
});

describe('a slow token', () => {
  it('does not block the event loop while it signs', async () => {
    await service.login(await idOf(VPCP), pinOf(VPCP));
    control.set({ 'latency.C_Sign': 600 });
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 20);
    try {
      await service.sign({ algorithm: 'rsa-pkcs1-sha256', data: Buffer.from('c') });
    } finally {
      clearInterval(timer);
    }
    // A blocked loop would tick at most once; a free one ticks about 30 times.
    assert.ok(ticks >= 5, `the event loop ran ${ticks} timer ticks during a 600 ms signature`);
  });
});
