// A configured PKCS#11 library that cannot be loaded is shown to the clerk with its path
// and reason, while the tokens of the libraries that did load still sign in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { delimiter } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Bridge } from '../bridge/bridge-server.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';

const missing = '/usr/lib/libbit4xpki.so.niem-e2e-missing';
let demo: ReturnType<typeof makeDemo>;
let bridge: Bridge;
let browser: Browser;

before(async () => {
  demo = makeDemo();
  bridge = await startApp(demo.manifest, {
    NIEM_PKCS11_MODULE: [demo.manifest.module, missing].join(delimiter),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await bridge?.close();
  demo?.cleanup();
});

test('a library that fails to load is reported with its path; the other tokens still work', async () => {
  const { page, problems } = await openApp(browser, bridge);
  const notice = page.getByTestId('module-problems');
  await notice.waitFor();
  const text = (await notice.textContent()) ?? '';
  assert.ok(text.includes(missing), 'the path is named');
  assert.match(text, /Không nạp được thư viện PKCS#11/);
  assert.equal(await page.getByTestId('token-option').count(), demo.manifest.tokens.length);
  await screenshot(page, '20-module-failed-vi');
  const token = demo.manifest.tokens[0];
  assert.ok(token);
  await page.getByTestId('token-option').filter({ hasText: token.label }).click();
  await page.getByTestId('pin-input').fill(token.pin);
  await page.getByTestId('login-button').click();
  await page.getByTestId('identity-card').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});
