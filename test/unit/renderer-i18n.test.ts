/**
 * The renderer's message catalogs: Vietnamese and English say the same things, every
 * error kind and every reason a session can end has a message a clerk can read, and
 * dates read dd/MM/yyyy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { vi } from '../../renderer/src/i18n/vi.ts';
import { en } from '../../renderer/src/i18n/en.ts';
import {
  algorithmName,
  createTranslator,
  errorText,
  formatDate,
  formatDateTime,
  lockReasonKey,
  pinStateKey,
} from '../../renderer/src/i18n/translate.ts';
import { errorKinds } from '../../native/api/errors.ts';
import { LockReasonSchema, PinStateSchema } from '../../native/api/contract.ts';
import { errorMessages, triesLeftMessages } from '../../native/api/i18n/error-messages.ts';

const catalogs = { vi, en } as const;

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

describe('renderer message catalogs', () => {
  it('have the same keys in Vietnamese and English', () => {
    assert.deepEqual(Object.keys(en).sort(), Object.keys(vi).sort());
  });

  it('have no empty message', () => {
    for (const [locale, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) {
        assert.ok(text.trim().length > 0, `${locale}: ${key} is empty`);
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(vi) as (keyof typeof vi)[]) {
      assert.deepEqual(placeholders(en[key]), placeholders(vi[key]), `placeholders of ${key}`);
    }
    assert.deepEqual(placeholders(triesLeftMessages.en), placeholders(triesLeftMessages.vi));
  });

  it('really translate: English differs from Vietnamese outside names', () => {
    const same = (Object.keys(vi) as (keyof typeof vi)[]).filter(
      (key) => key !== 'app.name' && vi[key] === en[key],
    );
    assert.deepEqual(same, []);
  });
});

describe('error and session messages', () => {
  it('exist in both languages for every error kind', () => {
    for (const kind of errorKinds) {
      for (const locale of ['vi', 'en'] as const) {
        const text = errorText({ kind }, locale);
        assert.ok(text.length > 10, `${locale}: ${kind}`);
        assert.equal(text, errorMessages[kind][locale]);
      }
    }
  });

  it('add the tries left when the token reports them', () => {
    assert.match(errorText({ kind: 'pin-incorrect', triesLeft: 2 }, 'vi'), /Còn 2 lần nhập\.$/);
    assert.match(errorText({ kind: 'pin-incorrect', triesLeft: 1 }, 'en'), /1 tries left\.$/);
  });

  it('say nothing of tries for a locked PIN: its message says so already', () => {
    assert.equal(
      errorText({ kind: 'pin-locked', triesLeft: 0 }, 'vi'),
      errorMessages['pin-locked'].vi,
    );
  });

  it('explain every reason a session can end, in both languages', () => {
    for (const reason of LockReasonSchema.options) {
      const key = lockReasonKey(reason);
      assert.ok(Object.hasOwn(vi, key), `vi: ${key}`);
      assert.ok(Object.hasOwn(en, key), `en: ${key}`);
      assert.notEqual(createTranslator('vi')(key), createTranslator('en')(key));
    }
  });

  it('describe every PIN state in both languages', () => {
    for (const state of PinStateSchema.options) {
      assert.ok(Object.hasOwn(vi, pinStateKey(state)), `vi: ${state}`);
      assert.ok(Object.hasOwn(en, pinStateKey(state)), `en: ${state}`);
    }
  });

  it('is Vietnamese by language choice, with placeholders filled', () => {
    assert.equal(
      createTranslator('vi')('pin.forToken', { label: 'CQ A' }),
      'Đăng nhập với thiết bị “CQ A”',
    );
    assert.equal(
      createTranslator('en')('pin.forToken', { label: 'CQ A' }),
      'Sign in with token “CQ A”',
    );
  });
});

describe('token-layer messages', () => {
  it('tell the clerk to use the reader’s keypad on a PIN-pad token', () => {
    assert.match(createTranslator('vi')('pin.pad'), /^Nhập mã PIN trên bàn phím của thiết bị đọc/);
    assert.match(createTranslator('en')('pin.pad'), /keypad/);
  });

  it('warn on the final try in words that say the token will lock', () => {
    assert.match(createTranslator('vi')('pin.finalTryWarning'), /MỘT lần.*khoá/);
    assert.match(createTranslator('en')('pin.finalTryWarning'), /ONE PIN try.*locks/);
  });

  it('explain a crash of the token module as a lock reason', () => {
    assert.match(createTranslator('vi')(lockReasonKey('token-module-crashed')), /thư viện/);
    assert.match(createTranslator('en')(lockReasonKey('token-module-crashed')), /library/);
  });

  it('report a checked test signature with the algorithm and the time', () => {
    const params = { algorithm: algorithmName('rsa-pss-sha256'), ms: 41 };
    assert.equal(
      createTranslator('vi')('checkKey.ok', params),
      'Chữ ký thử đã được kiểm tra (thuật toán RSA-PSS / SHA-256, 41 ms).',
    );
    assert.equal(
      createTranslator('en')('checkKey.ok', params),
      'The test signature was verified (algorithm RSA-PSS / SHA-256, 41 ms).',
    );
  });

  it('name signature algorithms as readers know them', () => {
    assert.equal(algorithmName('rsa-pkcs1-sha256'), 'RSA PKCS#1 v1.5 / SHA-256');
    assert.equal(algorithmName('ecdsa-sha384'), 'ECDSA / SHA-384');
    assert.equal(algorithmName('eddsa'), 'eddsa', 'unknown ids stay as given');
    assert.equal(algorithmName('foo-sha256'), 'foo-sha256');
  });
});

describe('dates', () => {
  it('read dd/MM/yyyy', () => {
    assert.equal(formatDate('2025-03-07T00:00:00Z', 'UTC'), '07/03/2025');
    assert.equal(formatDate('2027-12-31T23:59:59Z', 'UTC'), '31/12/2027');
  });

  it('use the workstation time zone (Viet Nam is UTC+7)', () => {
    assert.equal(formatDate('2027-12-31T20:00:00Z', 'Asia/Ho_Chi_Minh'), '01/01/2028');
    assert.equal(formatDateTime('2026-05-04T02:05:00Z', 'Asia/Ho_Chi_Minh'), '04/05/2026 09:05');
  });

  it('leave text that is not a date as it is', () => {
    assert.equal(formatDate('not a date'), 'not a date');
  });
});
