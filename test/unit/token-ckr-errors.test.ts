/**
 * The CKR → error kind table: every CKR of the specification has a kind, each kind has a
 * message a clerk can act on in Vietnamese and English, the failures a clerk meets map
 * to the right kind, the values agree with pkcs11js, vendor values are `internal` with
 * the CKR value, and "the session is gone" is recognised however the error arrives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { errorKinds, NiemError, toWireError, type ErrorKind } from '../../native/api/errors.ts';
import { errorMessages } from '../../native/api/i18n/error-messages.ts';
import {
  ckrAliases,
  ckrCodes,
  ckrKinds,
  ckrName,
  ckrOf,
  isSessionLost,
  kindForCkr,
  sessionLostKinds,
  toTokenError,
  type CkrName,
} from '../../native/token/ckr-errors.ts';

/** A failure exactly as pkcs11js raises it. */
function pkcs11Failure(name: CkrName): Error {
  return new pkcs11js.Pkcs11Error(`${name}:${ckrCodes[name]}`, ckrCodes[name], 'C_Login');
}

describe('CKR values', () => {
  it('agree with the constants pkcs11js exports, and add only what it lacks', () => {
    const exported = pkcs11js as unknown as Record<string, number | undefined>;
    const missing: string[] = [];
    for (const [name, code] of Object.entries(ckrCodes)) {
      if (exported[name] === undefined) missing.push(name);
      else assert.equal(exported[name], code, name);
    }
    assert.deepEqual(missing.sort(), ['CKR_ACTION_PROHIBITED', 'CKR_CURVE_NOT_SUPPORTED']);
  });

  it('cover every CKR pkcs11js knows', () => {
    const exported = Object.keys(pkcs11js).filter((k) => k.startsWith('CKR_'));
    const unknown = exported.filter((name) => !Object.hasOwn(ckrCodes, name));
    // CKR_VENDOR_DEFINED is a range start, not an answer.
    assert.deepEqual(
      unknown.filter((n) => n !== 'CKR_VENDOR_DEFINED'),
      [],
    );
  });

  it('have names, and unknown values get a readable hex name', () => {
    assert.equal(ckrName(0xa0), 'CKR_PIN_INCORRECT');
    assert.equal(ckrName(0x80000123), 'CKR_0x80000123');
  });

  it("read p11-kit 0.24's misnumbered values (0x1C0..0x1C4) as the names it meant", () => {
    assert.equal(ckrName(0x1c3), 'CKR_PIN_TOO_WEAK');
    assert.equal(ckrName(0x1b8), 'CKR_PIN_TOO_WEAK');
    assert.equal(kindForCkr(0x1c3), 'new-pin-invalid');
    assert.equal(kindForCkr(0x1c2), 'module-unavailable');
    for (const [code, name] of Object.entries(ckrAliases)) {
      assert.ok(!(Object.values(ckrCodes) as number[]).includes(Number(code)), `${code} is free`);
      assert.equal(ckrCodes[name] + 0xb, Number(code), name);
    }
  });
});

describe('the CKR table', () => {
  it('gives every CKR except CKR_OK a kind that exists', () => {
    const names = Object.keys(ckrCodes).filter((n) => n !== 'CKR_OK');
    assert.deepEqual(Object.keys(ckrKinds).sort(), names.sort());
    for (const [name, kind] of Object.entries(ckrKinds)) {
      assert.ok((errorKinds as readonly string[]).includes(kind), `${name} → ${kind}`);
    }
  });

  it('has a Vietnamese and an English message for every kind, different and non-trivial', () => {
    for (const kind of errorKinds) {
      const entry = errorMessages[kind];
      assert.ok(entry, `messages for ${kind}`);
      assert.ok(entry.vi.length > 20 && entry.en.length > 20, kind);
      assert.notEqual(entry.vi, entry.en, kind);
    }
  });

  it('tells the clerk something more useful than "internal" for every failure they can meet', () => {
    const clerkFacing: CkrName[] = [
      'CKR_PIN_INCORRECT',
      'CKR_PIN_INVALID',
      'CKR_PIN_LEN_RANGE',
      'CKR_PIN_EXPIRED',
      'CKR_PIN_LOCKED',
      'CKR_PIN_TOO_WEAK',
      'CKR_USER_PIN_NOT_INITIALIZED',
      'CKR_DEVICE_REMOVED',
      'CKR_TOKEN_NOT_PRESENT',
      'CKR_SESSION_HANDLE_INVALID',
      'CKR_SESSION_CLOSED',
      'CKR_DEVICE_ERROR',
      'CKR_DEVICE_MEMORY',
      'CKR_FUNCTION_FAILED',
      'CKR_GENERAL_ERROR',
      'CKR_MECHANISM_INVALID',
      'CKR_MECHANISM_PARAM_INVALID',
      'CKR_SESSION_COUNT',
      'CKR_OPERATION_ACTIVE',
      'CKR_TOKEN_WRITE_PROTECTED',
      'CKR_KEY_FUNCTION_NOT_PERMITTED',
      'CKR_FUNCTION_CANCELED',
      'CKR_ENCRYPTED_DATA_INVALID',
      'CKR_TOKEN_NOT_RECOGNIZED',
    ];
    for (const name of clerkFacing) assert.notEqual(kindForCkr(name), 'internal', name);
  });
});

describe('kindForCkr', () => {
  const expected: Array<[CkrName, ErrorKind]> = [
    ['CKR_PIN_INCORRECT', 'pin-incorrect'],
    ['CKR_PIN_LOCKED', 'pin-locked'],
    ['CKR_PIN_INVALID', 'pin-invalid'],
    ['CKR_PIN_LEN_RANGE', 'pin-invalid'],
    ['CKR_PIN_EXPIRED', 'pin-expired'],
    ['CKR_PIN_TOO_WEAK', 'new-pin-invalid'],
    ['CKR_USER_PIN_NOT_INITIALIZED', 'pin-not-initialized'],
    ['CKR_TOKEN_NOT_PRESENT', 'token-absent'],
    ['CKR_SLOT_ID_INVALID', 'token-absent'],
    ['CKR_DEVICE_REMOVED', 'token-removed'],
    ['CKR_SESSION_HANDLE_INVALID', 'token-removed'],
    ['CKR_SESSION_CLOSED', 'token-removed'],
    ['CKR_USER_NOT_LOGGED_IN', 'not-signed-in'],
    ['CKR_DEVICE_ERROR', 'device-error'],
    ['CKR_DEVICE_MEMORY', 'device-error'],
    ['CKR_FUNCTION_FAILED', 'device-error'],
    ['CKR_GENERAL_ERROR', 'device-error'],
    ['CKR_MECHANISM_INVALID', 'mechanism-unsupported'],
    ['CKR_MECHANISM_PARAM_INVALID', 'mechanism-unsupported'],
    ['CKR_FUNCTION_NOT_SUPPORTED', 'mechanism-unsupported'],
    ['CKR_SESSION_COUNT', 'token-busy'],
    ['CKR_OPERATION_ACTIVE', 'token-busy'],
    ['CKR_USER_ANOTHER_ALREADY_LOGGED_IN', 'token-busy'],
    ['CKR_TOKEN_WRITE_PROTECTED', 'token-write-protected'],
    ['CKR_KEY_FUNCTION_NOT_PERMITTED', 'key-usage-mismatch'],
    ['CKR_KEY_TYPE_INCONSISTENT', 'key-usage-mismatch'],
    ['CKR_FUNCTION_CANCELED', 'token-cancelled'],
    ['CKR_CANCEL', 'token-cancelled'],
    ['CKR_FUNCTION_REJECTED', 'token-cancelled'],
    ['CKR_ENCRYPTED_DATA_INVALID', 'decrypt-failed'],
    ['CKR_ENCRYPTED_DATA_LEN_RANGE', 'decrypt-failed'],
    ['CKR_TOKEN_NOT_RECOGNIZED', 'token-unrecognized'],
    ['CKR_LIBRARY_LOAD_FAILED', 'module-unavailable'],
    ['CKR_ARGUMENTS_BAD', 'internal'],
    ['CKR_USER_ALREADY_LOGGED_IN', 'internal'],
  ];
  for (const [name, kind] of expected) {
    it(`maps ${name} to ${kind}, by name and by value`, () => {
      assert.equal(kindForCkr(name), kind);
      assert.equal(kindForCkr(ckrCodes[name]), kind);
    });
  }

  it('maps names and values it does not know to internal', () => {
    assert.equal(kindForCkr('CKR_VENDOR_SPECIFIC_THING'), 'internal');
    assert.equal(kindForCkr('toString'), 'internal');
    assert.equal(kindForCkr(0x80000123), 'internal');
  });
});

describe('isSessionLost', () => {
  it('is true for removal, a dead session handle and a lost login, however they arrive', () => {
    for (const name of [
      'CKR_DEVICE_REMOVED',
      'CKR_TOKEN_NOT_PRESENT',
      'CKR_SESSION_HANDLE_INVALID',
      'CKR_SESSION_CLOSED',
      'CKR_USER_NOT_LOGGED_IN',
    ] as const) {
      assert.equal(isSessionLost(pkcs11Failure(name)), true, `raw ${name}`);
      const niem = toTokenError(pkcs11Failure(name), 'C_Sign');
      assert.equal(isSessionLost(niem), true, `NiemError of ${name}`);
      assert.equal(isSessionLost(toWireError(niem)), true, `WireError of ${name}`);
    }
    assert.deepEqual([...sessionLostKinds].sort(), [
      'not-signed-in',
      'token-absent',
      'token-removed',
    ]);
  });

  it('is false for failures that leave the session alive, and for anything else', () => {
    for (const name of [
      'CKR_PIN_INCORRECT',
      'CKR_DEVICE_ERROR',
      'CKR_MECHANISM_INVALID',
    ] as const) {
      assert.equal(isSessionLost(pkcs11Failure(name)), false, name);
      assert.equal(isSessionLost(toWireError(toTokenError(pkcs11Failure(name), 'x'))), false, name);
    }
    for (const other of [new Error('boom'), null, undefined, 'token-removed', { kind: 42 }]) {
      assert.equal(isSessionLost(other), false, String(other));
    }
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

  it('names the CKR of an internal failure in the message', () => {
    const err = toTokenError(pkcs11Failure('CKR_ARGUMENTS_BAD'), 'C_FindObjects');
    assert.equal(err.kind, 'internal');
    assert.equal(err.message, 'C_FindObjects: CKR_ARGUMENTS_BAD');
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

  it('reads values pkcs11js calls CKR_VENDOR_DEFINED by their number', () => {
    // pkcs11js names any value it does not know CKR_VENDOR_DEFINED (src/common.cpp).
    const vendor = new pkcs11js.Pkcs11Error('CKR_VENDOR_DEFINED:2147483939', 0, 'C_Sign');
    const err = toTokenError(vendor, 'C_Sign');
    assert.equal(err.kind, 'internal');
    assert.equal(err.message, 'C_Sign: CKR_0x80000123');
    const curve = new pkcs11js.Pkcs11Error('CKR_VENDOR_DEFINED:320', 0, 'C_DeriveKey');
    assert.equal(toTokenError(curve, 'C_DeriveKey').kind, 'mechanism-unsupported');
    assert.equal(ckrOf(curve)?.name, 'CKR_CURVE_NOT_SUPPORTED');
  });
});
