// A clerk signs in through the real UI in Chromium, over the test bridge, to the real
// native process and SoftHSM2 tokens made by the demo script.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { errorMessages } from '../../native/api/i18n/error-messages.ts';
import type { Bridge } from '../bridge/bridge-server.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';

let demo: ReturnType<typeof makeDemo>;
let bridge: Bridge;
let browser: Browser;

before(async () => {
  demo = makeDemo();
  bridge = await startApp(demo.manifest);
  browser = await launchChromium();
});

// The session lives in the native process, not the page: each test starts signed out.
beforeEach(async () => {
  const result = await bridge.supervisor.call('session.logout', {});
  assert.equal(result.ok, true);
});

after(async () => {
  await browser?.close();
  await bridge?.close();
  demo?.cleanup();
});

function demoToken(manifest: DemoManifest, index: number) {
  const token = manifest.tokens[index];
  assert.ok(token, `demo token ${index}`);
  return token;
}

async function signIn(page: Page, label: string, pin: string): Promise<void> {
  await page.getByTestId('token-option').filter({ hasText: label }).click();
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('login-button').click();
}

test('a clerk picks a token, types the PIN and sees who they are (Vietnamese)', async () => {
  const { page, problems } = await openApp(browser, bridge);
  const rsa = demoToken(demo.manifest, 0);
  await page.getByTestId('token-option').first().waitFor();
  assert.equal(await page.getByTestId('token-option').count(), demo.manifest.tokens.length);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  await screenshot(page, '01-sign-in-vi');

  await signIn(page, rsa.label, rsa.pin);
  const card = page.getByTestId('identity-card');
  await card.waitFor();
  assert.equal(
    (await page.getByTestId('identity-common-name').textContent())?.trim(),
    rsa.commonName,
  );
  assert.equal(
    (await page.getByTestId('identity-organization').textContent())?.trim(),
    rsa.organisation,
  );
  assert.equal((await page.getByTestId('identity-organ-id').textContent())?.trim(), rsa.organId);
  assert.match((await card.textContent()) ?? '', /RSA 3072/);
  // the PIN is nowhere in the page once the call is done
  assert.ok(!(await page.content()).includes(rsa.pin), 'the PIN is not left in the DOM');
  await screenshot(page, '02-identity-vi');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the EC P-384 token of the second agency signs in too', async () => {
  const { page } = await openApp(browser, bridge);
  const ec = demoToken(demo.manifest, 1);
  await signIn(page, ec.label, ec.pin);
  await page.getByTestId('identity-card').waitFor();
  assert.equal((await page.getByTestId('identity-organ-id').textContent())?.trim(), ec.organId);
  assert.match((await page.getByTestId('identity-card').textContent()) ?? '', /P-384/);
  await page.getByTestId('logout-button').click();
  await page.getByTestId('pin-input').waitFor();
  await page.context().close();
});

test('a wrong PIN shows the Vietnamese message, clears the field, and is not retried', async () => {
  const { page } = await openApp(browser, bridge);
  const rsa = demoToken(demo.manifest, 0);
  let loginCalls = 0;
  page.on('request', (req) => {
    if (req.url().endsWith('/__bridge/call/session.login')) loginCalls += 1;
  });
  await signIn(page, rsa.label, `${rsa.pin}9`);
  const error = page.getByTestId('error-message');
  await error.waitFor();
  assert.match(
    (await error.textContent()) ?? '',
    new RegExp(escape(errorMessages['pin-incorrect'].vi)),
  );
  assert.equal(await page.getByTestId('pin-input').inputValue(), '', 'the PIN field is emptied');
  await screenshot(page, '03-wrong-pin-vi');
  await page.waitForTimeout(1_500);
  assert.equal(loginCalls, 1, 'exactly one login attempt reached the token');
  assert.equal(await page.getByTestId('identity-card').count(), 0);
  await page.context().close();
});

test('the English switch translates the interface and the error', async () => {
  const { page } = await openApp(browser, bridge);
  const rsa = demoToken(demo.manifest, 0);
  await page.getByTestId('token-option').first().waitFor();
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await signIn(page, rsa.label, '000000');
  const error = page.getByTestId('error-message');
  await error.waitFor();
  assert.match(
    (await error.textContent()) ?? '',
    new RegExp(escape(errorMessages['pin-incorrect'].en)),
  );
  await screenshot(page, '04-wrong-pin-en');
  await page.context().close();
});

// (eval is not tried here: code evaluated through the DevTools protocol is exempt from
// CSP by design; the header's lack of 'unsafe-eval' is asserted by the security suite.)
test('the page runs under the strict CSP: inline and data: scripts are refused', async () => {
  const { page } = await openApp(browser, bridge);
  await page.getByTestId('token-option').first().waitFor();
  const outcome = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      violations.push(e.violatedDirective),
    );
    const inline = document.createElement('script');
    inline.textContent = 'window.__inlineRan = true;';
    document.head.append(inline);
    const fromData = document.createElement('script');
    fromData.src = 'data:text/javascript,window.__dataRan=true';
    document.head.append(fromData);
    await new Promise((r) => setTimeout(r, 200));
    const w = window as { __inlineRan?: boolean; __dataRan?: boolean };
    return { inlineRan: w.__inlineRan === true, dataRan: w.__dataRan === true, violations };
  });
  assert.equal(outcome.inlineRan, false);
  assert.equal(outcome.dataRan, false);
  assert.ok(
    outcome.violations.filter((d) => d.startsWith('script-src')).length >= 2,
    `the browser reported both violations: ${outcome.violations.join(', ')}`,
  );
  await page.context().close();
});

test('a crash of the native process locks the session; signing in again works', async () => {
  const { page } = await openApp(browser, bridge);
  const rsa = demoToken(demo.manifest, 0);
  await signIn(page, rsa.label, rsa.pin);
  await page.getByTestId('identity-card').waitFor();
  const pid = bridge.supervisor.pid;
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  await page.getByTestId('lock-message').waitFor();
  assert.equal(await page.getByTestId('identity-card').count(), 0);
  await screenshot(page, '05-native-restarted-vi');
  await signIn(page, rsa.label, rsa.pin);
  await page.getByTestId('identity-card').waitFor();
  assert.notEqual(bridge.supervisor.pid, pid, 'a new native process serves the UI');
  await page.context().close();
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
