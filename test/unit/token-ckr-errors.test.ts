/**
 * The CKR → error kind table: each PKCS#11 failure a clerk can meet has the right kind,
 * the values agree with pkcs11js, and everything else is `internal` with the CKR name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { NiemError, toWireError } from '../../native/api/errors.ts';
import {
  ckrCodes,
  ckrName,
  ckrOf,
  kindForCkr,
  toTokenError,
  type CkrName,
} from '../../native/token/ckr-errors.ts';

/** A failure exactly as pkcs11js raises it. */
function pkcs11Failure(name: CkrName): Error {
  return new pkcs11js.Pkcs11Error(`${name}:${ckrCodes[name]}`, ckrCodes[name], 'C_Login');
}

describe('CKR values', () => {
  it('agree with the constants pkcs11js exports', () => {
    const exported = pkcs11js as unknown as Record<string, number | undefined>;
    for (const [name, code] of Object.entries(ckrCodes)) {
      assert.equal(exported[name], code, name);
    }
  });

  it('have names, and unknown values get a readable hex name', () => {
    assert.equal(ckrName(0xa0), 'CKR_PIN_INCORRECT');
    assert.equal(ckrName(0x80000123), 'CKR_0x80000123');
  });
});

describe('kindForCkr', () => {
  const expected: Array<[CkrName, string]> = [
    ['CKR_PIN_INCORRECT', 'pin-incorrect'],
    ['CKR_PIN_LOCKED', 'pin-locked'],
    ['CKR_PIN_INVALID', 'pin-invalid'],
    ['CKR_PIN_LEN_RANGE', 'pin-invalid'],
    ['CKR_TOKEN_NOT_PRESENT', 'token-absent'],
    ['CKR_DEVICE_REMOVED', 'token-absent'],
    ['CKR_SLOT_ID_INVALID', 'token-absent'],
    ['CKR_USER_NOT_LOGGED_IN', 'not-signed-in'],
    ['CKR_GENERAL_ERROR', 'internal'],
    ['CKR_DEVICE_ERROR', 'internal'],
    ['CKR_USER_ALREADY_LOGGED_IN', 'internal'],
  ];
  for (const [name, kind] of expected) {
    it(`maps ${name} to ${kind}, by name and by value`, () => {
      assert.equal(kindForCkr(name), kind);
      assert.equal(kindForCkr(ckrCodes[name]), kind);
    });
  }

  it('maps names it does not know to internal', () => {
    assert.equal(kindForCkr('CKR_VENDOR_SPECIFIC_THING'), 'internal');
    assert.equal(kindForCkr('toString'), 'internal');
  });
});

describe('toTokenError', () => {
  it('turns a pkcs11js failure into a kind with the CKR name and operation in the message', () => {
    const err = toTokenError(pkcs11Failure('CKR_PIN_LOCKED'), 'C_Login');
    assert.ok(err instanceof NiemError);
    assert.equal(err.kind, 'pin-locked');
    assert.equal(err.message, 'C_Login: CKR_PIN_LOCKED');
    assert.deepEqual(toWireError(err), { kind: 'pin-locked', message: 'C_Login: CKR_PIN_LOCKED' });
  });

  it('carries tries left when given', () => {
    const err = toTokenError(pkcs11Failure('CKR_PIN_INCORRECT'), 'C_Login', { triesLeft: 1 });
    assert.deepEqual(toWireError(err), {
      kind: 'pin-incorrect',
      message: 'C_Login: CKR_PIN_INCORRECT',
      triesLeft: 1,
    });
  });

  it('names the CKR of an unmapped failure in an internal error', () => {
    const err = toTokenError(pkcs11Failure('CKR_FUNCTION_FAILED'), 'C_FindObjects');
    assert.equal(err.kind, 'internal');
    assert.equal(err.message, 'C_FindObjects: CKR_FUNCTION_FAILED');
  });

  it('keeps a NiemError as it is, and makes anything else internal', () => {
    const original = new NiemError('no-certificate', 'none');
    assert.equal(toTokenError(original, 'login'), original);
    const plain = toTokenError(new TypeError('Argument 0 has wrong type'), 'C_OpenSession');
    assert.equal(plain.kind, 'internal');
    assert.match(plain.message, /C_OpenSession: Argument 0 has wrong type/);
  });

  it('does not mistake a native error without a CKR for a PKCS#11 answer', () => {
    assert.equal(ckrOf(new pkcs11js.NativeError('dlopen failed')), undefined);
    assert.deepEqual(ckrOf(pkcs11Failure('CKR_DEVICE_REMOVED')), {
      name: 'CKR_DEVICE_REMOVED',
      code: 0x32,
    });
  });
});
