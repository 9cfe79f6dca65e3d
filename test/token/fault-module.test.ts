/**
 * The fault-injecting PKCS#11 module (native/pkcs11-fault) over SoftHSM2: what SoftHSM2
 * cannot do (a PIN retry counter that locks, removal and re-insertion, slowness, device
 * errors, crashes, a PIN pad), driven by its control file and seen through pkcs11js
 * directly and through the TokenService. Crashes, persistence across processes and a
 * blocking C_WaitForSlotEvent are exercised in child processes.
 *
 * One module instance serves the whole file: the service and `direct` (pkcs11js on the
 * same registry entry) share it, as two users of one vendor module in a process would.
 */
import assert from 'node:assert/strict';
import { constants, createVerify, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import { NiemError } from '../../native/api/errors.ts';
import { ckrOf, kindForCkr } from '../../native/token/ckr-errors.ts';
import {
  acquireModule,
  releaseModule,
  type LoadedModule,
} from '../../native/token/pkcs11-module.ts';
import { tokenFlags, trimPadded } from '../../native/token/token-info.ts';
import { TokenService } from '../../native/token/token-service.ts';
import type { DemoManifest, DemoToken } from '../../scripts/demo-manifest.ts';
import {
  FaultControl,
  faultModule,
  runFaultChild,
  startFaultChild,
} from './helpers/fault-fixture.ts';
import { buildDemo, listedToken, tempDir } from './helpers/softhsm-fixture.ts';

const VPCP = 'VPCP-VANTHU';
const BTP = 'BTP-VANTHU';
const WRONG_PIN = '999999';
/** Not exported by pkcs11js. */
const CKF_TOKEN_PRESENT = 0x1;
const CKS_RO_PUBLIC_SESSION = 0;
const CKS_RO_USER_FUNCTIONS = 1;
const CKZ_DATA_SPECIFIED = 1;

let dir: { path: string; dispose: () => void };
let demo: DemoManifest;
let control: FaultControl;
let service: TokenService;
let direct: LoadedModule;

before(async () => {
  dir = tempDir('fault-module');
  demo = buildDemo(dir.path);
  control = new FaultControl(dir.path);
  control.apply();
  service = await TokenService.open({ modules: [faultModule()] });
  assert.deepEqual(service.moduleProblems, []);
  direct = acquireModule(faultModule());
});
after(async () => {
  releaseModule(direct);
  await service.close();
  dir.dispose();
});
beforeEach(async () => {
  await service.logout();
  control.clear();
  control.resetState();
});

const p = (): PKCS11 => direct.pkcs11;

function demoToken(label: string): DemoToken {
  const found = demo.tokens.find((t) => t.label === label);
  assert.ok(found, `demo token ${label}`);
  return found;
}

/** The CKR name `work` failed with; fails the test if it did not throw a PKCS#11 error. */
function ckrThrown(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    const ckr = ckrOf(err);
    assert.ok(ckr, `a PKCS#11 error, got ${String(err)}`);
    return ckr.name;
  }
  assert.fail('the call succeeded');
}

async function rejection(work: Promise<unknown>): Promise<NiemError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err;
  }
  assert.fail('the call succeeded');
}

const loginError = async (label: string, pin: string | null): Promise<NiemError> =>
  rejection(service.login((await listedToken(service, label)).id, pin));

const pinState = async (label: string): Promise<string> =>
  (await listedToken(service, label)).pinState;

const labels = async (): Promise<string[]> =>
  (await service.listTokens()).map((t) => t.label).sort();

function slotOf(label: string): Handle {
  const slot = p()
    .C_GetSlotList(true)
    .find((s) => trimPadded(p().C_GetTokenInfo(s).label) === label);
  assert.ok(slot, `slot of ${label}`);
  return slot;
}

function userSession(label: string, pin: string): Handle {
  const session = p().C_OpenSession(slotOf(label), pkcs11js.CKF_SERIAL_SESSION);
  p().C_Login(session, pkcs11js.CKU_USER, pin);
  return session;
}

function closeQuietly(session: Handle): void {
  try {
    p().C_CloseSession(session);
  } catch {
    // Already closed or invalidated by a removal.
  }
}

function privateKey(session: Handle, token: DemoToken): Handle {
  p().C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(token.keyId, 'hex') },
  ]);
  const [key] = p().C_FindObjects(session, 1);
  p().C_FindObjectsFinal(session);
  assert.ok(key, `private key of ${token.label}`);
  return key;
}

function certificateOf(token: DemoToken): X509Certificate {
  return new X509Certificate(readFileSync(token.certificatePem));
}

function verifies(token: DemoToken, data: Buffer, signature: Uint8Array): boolean {
  const publicKey = certificateOf(token).publicKey;
  return createVerify('sha256').update(data).verify(publicKey, signature);
}

/** Reads C_WaitForSlotEvent(DONT_BLOCK) until it reports nothing. */
function drainSlotEvents(): void {
  for (let i = 0; i < 16 && p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK) !== null; i++);
}

describe('without a control file', () => {
  it('forwards everything unchanged', async () => {
    const tokens = await service.listTokens();
    assert.deepEqual(tokens.map((t) => t.label).sort(), [BTP, VPCP]);
    for (const token of tokens) {
      assert.equal(token.pinState, 'normal');
      assert.equal(token.protectedAuthPath, false);
    }
    const vpcp = demoToken(VPCP);
    const { identity } = await service.login((await listedToken(service, VPCP)).id, vpcp.pin);
    assert.equal(identity.commonName, vpcp.commonName);
    drainSlotEvents();
    assert.equal(p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK), null);
  });
});

describe('the PIN retry counter (pin_tries)', () => {
  it('counts wrong PINs down to locked, then refuses the right PIN here and in a new process', async () => {
    const { pin } = demoToken(VPCP);
    control.set({ pin_tries: 3 });
    assert.equal(await pinState(VPCP), 'normal');

    const first = await loginError(VPCP, WRONG_PIN);
    assert.equal(first.kind, 'pin-incorrect');
    assert.equal(first.triesLeft, undefined, 'COUNT_LOW does not say how many');
    assert.equal(await pinState(VPCP), 'count-low');

    const second = await loginError(VPCP, WRONG_PIN);
    assert.equal(second.kind, 'pin-incorrect');
    assert.equal(second.triesLeft, 1);
    assert.equal(await pinState(VPCP), 'final-try');

    const third = await loginError(VPCP, WRONG_PIN);
    assert.equal(third.kind, 'pin-locked');
    assert.equal(third.triesLeft, 0);
    assert.equal(await pinState(VPCP), 'locked');

    assert.equal((await loginError(VPCP, pin)).kind, 'pin-locked');
    const session = p().C_OpenSession(slotOf(VPCP), pkcs11js.CKF_SERIAL_SESSION);
    try {
      assert.equal(
        ckrThrown(() => p().C_Login(session, pkcs11js.CKU_USER, pin)),
        'CKR_PIN_LOCKED',
        'the module itself refuses the right PIN',
      );
    } finally {
      closeQuietly(session);
    }
    assert.equal(await pinState(BTP), 'normal', 'each token has its own counter');

    const flags = await runFaultChild(control, 'token-flags', { label: VPCP });
    assert.equal(flags.code, 0, flags.stderr);
    const [info] = flags.lines;
    assert.ok(info && typeof info.flags === 'number');
    assert.notEqual(info.flags & tokenFlags.CKF_USER_PIN_LOCKED, 0, 'locked in a new process');
    const login = await runFaultChild(control, 'login', { label: VPCP, pin });
    assert.deepEqual(login.lines, [{ error: 'CKR_PIN_LOCKED' }]);
  });

  it('is reset once by unlock=1, and by a successful login', async () => {
    const { pin } = demoToken(VPCP);
    control.set({ pin_tries: 3 });
    await loginError(VPCP, WRONG_PIN);
    await loginError(VPCP, WRONG_PIN);
    assert.equal(await pinState(VPCP), 'final-try');
    control.patch({ unlock: 1 });
    assert.equal(await pinState(VPCP), 'normal');
    await service.login((await listedToken(service, VPCP)).id, pin);
    await service.logout();

    assert.equal((await loginError(VPCP, WRONG_PIN)).kind, 'pin-incorrect');
    assert.equal(await pinState(VPCP), 'count-low', 'unlock applies once per control file');
    await service.login((await listedToken(service, VPCP)).id, pin);
    assert.equal(await pinState(VPCP), 'normal', 'a right PIN restores the count');
  });

  it('is reset by deleting the state file, as a new token would be', async () => {
    control.set({ pin_tries: 1 });
    assert.equal(await pinState(VPCP), 'final-try', 'one try allowed is the final try');
    assert.equal((await loginError(VPCP, WRONG_PIN)).kind, 'pin-locked');
    control.resetState();
    assert.equal(await pinState(VPCP), 'final-try');
    await service.login((await listedToken(service, VPCP)).id, demoToken(VPCP).pin);
  });

  it('is reset by C_InitPIN from the security officer and by C_SetPIN; a wrong old PIN counts', async () => {
    const { pin, soPin } = demoToken(VPCP);
    control.set({ pin_tries: 3 });
    for (let i = 0; i < 3; i++) await loginError(VPCP, WRONG_PIN);
    assert.equal(await pinState(VPCP), 'locked');

    const rw = pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION;
    const so = p().C_OpenSession(slotOf(VPCP), rw);
    try {
      p().C_Login(so, pkcs11js.CKU_SO, soPin);
      p().C_InitPIN(so, pin);
      p().C_Logout(so);
    } finally {
      closeQuietly(so);
    }
    assert.equal(await pinState(VPCP), 'normal');

    const session = p().C_OpenSession(slotOf(VPCP), rw);
    try {
      assert.equal(
        ckrThrown(() => p().C_SetPIN(session, WRONG_PIN, pin)),
        'CKR_PIN_INCORRECT',
      );
      assert.equal(await pinState(VPCP), 'count-low');
      p().C_SetPIN(session, pin, pin);
      assert.equal(await pinState(VPCP), 'normal');
    } finally {
      closeQuietly(session);
    }
  });
});

describe('token removal and re-insertion (present)', () => {
  it('takes the token off the list, kills its sessions, and brings it back with them invalid', async () => {
    const { pin } = demoToken(VPCP);
    drainSlotEvents();
    const slot = slotOf(VPCP);
    const id = (await listedToken(service, VPCP)).id;
    const session = userSession(VPCP, pin);
    try {
      control.set({ present: 0, label: VPCP });
      assert.deepEqual(await labels(), [BTP]);
      assert.equal((await rejection(service.login(id, pin))).kind, 'token-absent');
      assert.equal(
        ckrThrown(() => p().C_GetSessionInfo(session)),
        'CKR_DEVICE_REMOVED',
      );
      assert.equal(
        ckrThrown(() => p().C_FindObjectsInit(session, [])),
        'CKR_DEVICE_REMOVED',
      );
      assert.equal(p().C_GetSlotInfo(slot).flags & CKF_TOKEN_PRESENT, 0);
      assert.equal(
        ckrThrown(() => p().C_GetTokenInfo(slot)),
        'CKR_TOKEN_NOT_PRESENT',
      );
      assert.equal(
        ckrThrown(() => p().C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION)),
        'CKR_TOKEN_NOT_PRESENT',
      );
      assert.ok(
        p()
          .C_GetSlotList(false)
          .some((s) => s.equals(slot)),
        'the reader stays',
      );
      assert.deepEqual(p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK), slot);
      assert.equal(p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK), null);

      control.patch({ present: 1 });
      assert.deepEqual(await labels(), [BTP, VPCP]);
      assert.equal(
        ckrThrown(() => p().C_GetSessionInfo(session)),
        'CKR_SESSION_HANDLE_INVALID',
      );
      assert.deepEqual(p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK), slot);
      assert.equal(p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK), null);

      const fresh = p().C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      try {
        assert.equal(p().C_GetSessionInfo(fresh).state, CKS_RO_PUBLIC_SESSION, 'login gone');
        p().C_Login(fresh, pkcs11js.CKU_USER, pin);
        assert.equal(p().C_GetSessionInfo(fresh).state, CKS_RO_USER_FUNCTIONS);
      } finally {
        closeQuietly(fresh);
      }
    } finally {
      closeQuietly(session);
    }
  });

  it('fails the signed-in TokenService operation, and lets the clerk sign in again after', async () => {
    const { pin } = demoToken(VPCP);
    const id = (await listedToken(service, VPCP)).id;
    await service.login(id, pin);
    control.set({ present: 0, label: VPCP });
    const err = await rejection(
      service.sign({ algorithm: 'rsa-pkcs1-sha256', data: Buffer.from('niêm') }),
    );
    assert.equal(err.kind, 'token-removed', err.message);
    assert.match(err.message, /CKR_(DEVICE_REMOVED|TOKEN_NOT_PRESENT)/);
    control.patch({ present: 1 });
    await service.login(id, pin);
    const data = Buffer.from('after re-insertion');
    const signature = await service.sign({ algorithm: 'rsa-pkcs1-sha256', data });
    assert.ok(verifies(demoToken(VPCP), data, signature));
  });

  it('wakes a blocking C_WaitForSlotEvent in another process', async () => {
    const slot = slotOf(VPCP).readBigUInt64LE(0).toString();
    const child = startFaultChild(control, 'wait-slot-event', { label: VPCP });
    await child.waitForLine((line) => line.waiting === true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    control.set({ present: 0, label: VPCP });
    const outcome = await child.done;
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.deepEqual(outcome.lines.at(-1), { slot });
  });

  it('answers CKR_FUNCTION_NOT_SUPPORTED for slot events when slot_events=0', () => {
    control.set({ slot_events: 0 });
    assert.equal(
      ckrThrown(() => p().C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK)),
      'CKR_FUNCTION_NOT_SUPPORTED',
    );
  });
});

describe('latency', () => {
  it('latency.C_Login=500 makes a sign-in take at least 500 ms', async () => {
    const id = (await listedToken(service, VPCP)).id;
    control.set({ 'latency.C_Login': 500 });
    const started = performance.now();
    await service.login(id, demoToken(VPCP).pin);
    assert.ok(performance.now() - started >= 500);
  });
});

describe('device errors (fail, fail_after)', () => {
  it('fail.C_SignFinal answers CKR_DEVICE_ERROR and ends the operation', () => {
    const token = demoToken(VPCP);
    const session = userSession(VPCP, token.pin);
    try {
      const key = privateKey(session, token);
      const mechanism = { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS };
      const data = Buffer.from('mid-operation');
      control.set({ 'fail.C_SignFinal': 'CKR_DEVICE_ERROR' });
      p().C_SignInit(session, mechanism, key);
      p().C_SignUpdate(session, data);
      assert.equal(
        ckrThrown(() => p().C_SignFinal(session, Buffer.alloc(512))),
        'CKR_DEVICE_ERROR',
      );
      assert.equal(
        ckrThrown(() => p().C_SignUpdate(session, data)),
        'CKR_OPERATION_NOT_INITIALIZED',
        'the failed operation is over',
      );
      control.clear();
      p().C_SignInit(session, mechanism, key);
      assert.ok(verifies(token, data, p().C_Sign(session, data, Buffer.alloc(512))));
    } finally {
      closeQuietly(session);
    }
  });

  it('fail.C_Decrypt ends a single-part operation too', () => {
    const token = demoToken(VPCP);
    const session = userSession(VPCP, token.pin);
    try {
      const key = privateKey(session, token);
      const secret = randomBytes(32);
      const publicKey = certificateOf(token).publicKey;
      const padding = constants.RSA_PKCS1_OAEP_PADDING;
      const ciphertext = publicEncrypt({ key: publicKey, padding, oaepHash: 'sha1' }, secret);
      const mechanism = {
        mechanism: pkcs11js.CKM_RSA_PKCS_OAEP,
        parameter: {
          type: pkcs11js.CK_PARAMS_RSA_OAEP,
          hashAlg: pkcs11js.CKM_SHA_1,
          mgf: pkcs11js.CKG_MGF1_SHA1,
          source: CKZ_DATA_SPECIFIED,
        },
      };
      control.set({ 'fail.C_Decrypt': '0x30' });
      p().C_DecryptInit(session, mechanism, key);
      assert.equal(
        ckrThrown(() => p().C_Decrypt(session, ciphertext, Buffer.alloc(512))),
        'CKR_DEVICE_ERROR',
      );
      control.clear();
      p().C_DecryptInit(session, mechanism, key);
      assert.deepEqual(p().C_Decrypt(session, ciphertext, Buffer.alloc(512)), secret);
    } finally {
      closeQuietly(session);
    }
  });

  it('fail_after.C_Sign lets N signatures through, then the TokenService reports the device error', async () => {
    const token = demoToken(VPCP);
    await service.login((await listedToken(service, VPCP)).id, token.pin);
    const data = Buffer.from('signed twice');
    control.set({ 'fail.C_Sign': 'CKR_DEVICE_ERROR', 'fail_after.C_Sign': 1 });
    const first = await service.sign({ algorithm: 'rsa-pkcs1-sha256', data });
    assert.ok(verifies(token, data, first));
    for (let i = 0; i < 2; i++) {
      const err = await rejection(service.sign({ algorithm: 'rsa-pkcs1-sha256', data }));
      assert.match(err.message, /CKR_DEVICE_ERROR/, 'not OPERATION_ACTIVE: the operation ended');
      assert.equal(err.kind, kindForCkr('CKR_DEVICE_ERROR'));
    }
    control.clear();
    assert.ok(verifies(token, data, await service.sign({ algorithm: 'rsa-pkcs1-sha256', data })));
  });

  it('fail.C_Login on one label: surfaced with its kind, no try used, other tokens untouched', async () => {
    control.set({ pin_tries: 3, 'fail.C_Login': 'CKR_DEVICE_ERROR', label: VPCP });
    const err = await loginError(VPCP, demoToken(VPCP).pin);
    assert.match(err.message, /CKR_DEVICE_ERROR/);
    assert.equal(err.kind, kindForCkr('CKR_DEVICE_ERROR'));
    assert.equal(await pinState(VPCP), 'normal');
    await service.login((await listedToken(service, BTP)).id, demoToken(BTP).pin);
  });
});

describe('crash', () => {
  it('crash=C_Login aborts the process that loaded the module, and only that one', async () => {
    const { pin } = demoToken(VPCP);
    control.set({ crash: 'C_Login' });
    const aborted = await runFaultChild(control, 'login', { label: VPCP, pin });
    assert.equal(aborted.signal, 'SIGABRT');
    assert.deepEqual(aborted.lines, []);

    control.set({ crash: 'C_Login', crash_signal: 'SEGV' });
    const segv = await runFaultChild(control, 'login', { label: VPCP, pin });
    assert.equal(segv.signal, 'SIGSEGV');

    control.clear();
    assert.deepEqual(await labels(), [BTP, VPCP], 'this process is fine');
  });
});

describe('PIN pad (protected_auth_path)', () => {
  it('sets the flag and logs in without a typed PIN using the pad PIN', async () => {
    const { pin } = demoToken(VPCP);
    control.set({ protected_auth_path: 1, pad_pin: pin, label: VPCP });
    assert.equal((await listedToken(service, VPCP)).protectedAuthPath, true);
    assert.equal((await listedToken(service, BTP)).protectedAuthPath, false);

    const session = p().C_OpenSession(slotOf(VPCP), pkcs11js.CKF_SERIAL_SESSION);
    try {
      p().C_Login(session, pkcs11js.CKU_USER, '');
      assert.equal(p().C_GetSessionInfo(session).state, CKS_RO_USER_FUNCTIONS);
      p().C_Logout(session);
    } finally {
      closeQuietly(session);
    }
    const { identity } = await service.login((await listedToken(service, VPCP)).id, null);
    assert.equal(identity.commonName, demoToken(VPCP).commonName);
    await service.logout();
    assert.equal((await loginError(VPCP, WRONG_PIN)).kind, 'pin-incorrect', 'typed PINs pass');
  });

  it('answers CKR_FUNCTION_CANCELED when the pad gives no PIN', () => {
    control.set({ protected_auth_path: 1 });
    const session = p().C_OpenSession(slotOf(VPCP), pkcs11js.CKF_SERIAL_SESSION);
    try {
      assert.equal(
        ckrThrown(() => p().C_Login(session, pkcs11js.CKU_USER, '')),
        'CKR_FUNCTION_CANCELED',
      );
    } finally {
      closeQuietly(session);
    }
  });
});

describe('module lifecycle', () => {
  it('survives repeated C_Initialize / C_Finalize / unload rounds', async () => {
    control.set({ pin_tries: 3, latency_ms: 1 });
    const outcome = await runFaultChild(control, 'init-cycles', { label: VPCP });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(outcome.lines.length, 3);
    assert.ok(outcome.lines.every((line) => line.slots === outcome.lines[0]?.slots));
  });
});
