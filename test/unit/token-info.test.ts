/**
 * From CK_TOKEN_INFO to the contract's TokenInfo: padding trimmed, PIN state from the
 * flags, a stable id, and the PIN length check that saves a try.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { TokenInfoSchema } from '../../native/api/contract.ts';
import {
  pinLengthOutOfRange,
  pinStateOf,
  tokenFlags,
  tokenIdOf,
  toTokenInfo,
  triesLeftOf,
  type RawTokenInfo,
} from '../../native/token/token-info.ts';

const f = tokenFlags;
const raw = (over: Partial<RawTokenInfo> = {}): RawTokenInfo => ({
  label: 'VPCP-VANTHU                     ',
  manufacturerID: 'SoftHSM project                 ',
  model: 'SoftHSM v2      ',
  serialNumber: 'dda22a4df4a189a8',
  flags: f.CKF_TOKEN_INITIALIZED | f.CKF_USER_PIN_INITIALIZED | f.CKF_LOGIN_REQUIRED,
  minPinLen: 4,
  maxPinLen: 255,
  ...over,
});

describe('token flags', () => {
  it('agree with the constants pkcs11js exports', () => {
    const exported = pkcs11js as unknown as Record<string, number | undefined>;
    for (const [name, value] of Object.entries(tokenFlags))
      assert.equal(exported[name], value, name);
  });

  it('give the PIN state, the worst condition winning', () => {
    assert.equal(pinStateOf(0), 'normal');
    assert.equal(pinStateOf(f.CKF_USER_PIN_COUNT_LOW), 'count-low');
    assert.equal(pinStateOf(f.CKF_USER_PIN_COUNT_LOW | f.CKF_USER_PIN_FINAL_TRY), 'final-try');
    assert.equal(pinStateOf(f.CKF_USER_PIN_FINAL_TRY | f.CKF_USER_PIN_LOCKED), 'locked');
  });

  it('tell tries left only when the token says (final try: 1, locked: 0)', () => {
    assert.equal(triesLeftOf(f.CKF_USER_PIN_COUNT_LOW), undefined);
    assert.equal(triesLeftOf(f.CKF_USER_PIN_COUNT_LOW | f.CKF_USER_PIN_FINAL_TRY), 1);
    assert.equal(triesLeftOf(f.CKF_USER_PIN_LOCKED), 0);
    assert.equal(triesLeftOf(0), undefined);
  });
});

describe('toTokenInfo', () => {
  it('trims the blank padding and reports what the contract asks for', () => {
    const info = toTokenInfo('/usr/lib/softhsm/libsofthsm2.so', 1956874664, raw());
    assert.deepEqual(TokenInfoSchema.parse(info), info);
    assert.equal(info.label, 'VPCP-VANTHU');
    assert.equal(info.manufacturer, 'SoftHSM project');
    assert.equal(info.model, 'SoftHSM v2');
    assert.equal(info.pinState, 'normal');
    assert.equal(info.pinInitialized, true);
    assert.equal(info.protectedAuthPath, false);
  });

  it('trims NUL padding too (some modules pad with zeros)', () => {
    assert.equal(toTokenInfo('/m.so', 0, raw({ label: 'BTP-VANTHU\0\0\0\0' })).label, 'BTP-VANTHU');
  });

  it('reports a PIN pad and an unset user PIN', () => {
    const info = toTokenInfo(
      '/m.so',
      0,
      raw({ flags: f.CKF_TOKEN_INITIALIZED | f.CKF_PROTECTED_AUTHENTICATION_PATH }),
    );
    assert.equal(info.protectedAuthPath, true);
    assert.equal(info.pinInitialized, false);
  });

  it('derives an id that depends on module, manufacturer, model and serial but not the label or slot', () => {
    const a = toTokenInfo('/m.so', 1, raw());
    assert.equal(toTokenInfo('/m.so', 7, raw({ label: 'renamed' })).id, a.id);
    assert.notEqual(toTokenInfo('/other.so', 1, raw()).id, a.id);
    assert.notEqual(toTokenInfo('/m.so', 1, raw({ serialNumber: 'dda22a4df4a189a9' })).id, a.id);
    assert.equal(a.id, tokenIdOf('/m.so', 'SoftHSM project', 'SoftHSM v2', 'dda22a4df4a189a8'));
    assert.notEqual(tokenIdOf('/m.so', 'ab', 'c', 'd'), tokenIdOf('/m.so', 'a', 'bc', 'd'));
  });
});

describe('pinLengthOutOfRange', () => {
  it('refuses PINs shorter or longer than the token allows', () => {
    assert.equal(pinLengthOutOfRange(3, { minPinLen: 4, maxPinLen: 8 }), true);
    assert.equal(pinLengthOutOfRange(9, { minPinLen: 4, maxPinLen: 8 }), true);
    assert.equal(pinLengthOutOfRange(4, { minPinLen: 4, maxPinLen: 8 }), false);
    assert.equal(pinLengthOutOfRange(8, { minPinLen: 4, maxPinLen: 8 }), false);
  });

  it('does not enforce a bound the token leaves unknown or reports inconsistently', () => {
    assert.equal(pinLengthOutOfRange(1, { minPinLen: 0, maxPinLen: 0 }), false);
    assert.equal(pinLengthOutOfRange(64, { minPinLen: 0, maxPinLen: 0 }), false);
    assert.equal(
      pinLengthOutOfRange(5, { minPinLen: 6, maxPinLen: 4 }),
      true,
      'the minimum still holds',
    );
    assert.equal(
      pinLengthOutOfRange(9, { minPinLen: 6, maxPinLen: 4 }),
      false,
      'the maximum is nonsense',
    );
    assert.equal(pinLengthOutOfRange(3, { minPinLen: 4, maxPinLen: 0xffffffff }), true);
    assert.equal(pinLengthOutOfRange(300, { minPinLen: 4, maxPinLen: 0xffffffff }), false);
  });
});
