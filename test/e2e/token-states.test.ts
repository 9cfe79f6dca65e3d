// What a clerk meets at the token, through the real UI in Chromium, on the fault-injecting
// PKCS#11 module (native/pkcs11-fault) wrapped around the demo's SoftHSM2 tokens: the PIN
// tries state before each entry and the lockout, removal of the token, a PIN pad, a PIN
// change, a crash of the vendor module, and the idle lock. Each test has its own demo
// (its own tokens, PIN counters and control file) and its own bridge.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { errorMessages } from '../../native/api/i18n/error-messages.ts';
import type { Bridge } from '../bridge/bridge-server.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { faultModule, FaultControl, type ControlValue } from '../token/helpers/fault-fixture.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';

let browser: Browser;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  faultModule(); // build (or find) the module once, before any bridge needs it
  browser = await launchChromium();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

after(async () => {
  await browser?.close();
});

type DemoToken = DemoManifest['tokens'][number];

interface FaultApp {
  bridge: Bridge;
  control: FaultControl;
  /** The RSA token of the first agency (the one the faults are aimed at). */
  rsa: DemoToken;
  /** The EC token of the second agency. */
  ec: DemoToken;
}

type ControlValues = Record<string, ControlValue>;

/**
 * A fresh demo, its fault control file holding `pin_tries=3` plus `values` (given the
 * RSA token, e.g. to aim a fault at its label), and a bridge whose native process loads
 * the fault module. `env` adds to the native process's environment.
 */
async function faultApp(
  values: (rsa: DemoToken) => ControlValues = () => ({}),
  env: NodeJS.ProcessEnv = {},
): Promise<FaultApp> {
  const demo = makeDemo();
  cleanups.push(async () => demo.cleanup());
  const [rsa, ec] = demo.manifest.tokens;
  assert.ok(rsa && ec, 'the demo has two tokens');
  const control = new FaultControl(demo.dir, demo.manifest.softhsm2Conf);
  control.set({ pin_tries: 3, ...values(rsa) });
  const bridge = await startApp(demo.manifest, {
    NIEM_PKCS11_MODULE: faultModule(),
    ...control.env(),
    ...env,
  });
  cleanups.push(() => bridge.close());
  return { bridge, control, rsa, ec };
}

async function open(
  app: FaultApp,
  options: Parameters<typeof openApp>[2] = {},
): Promise<{ page: Page; problems: string[] }> {
  const opened = await openApp(browser, app.bridge, options);
  cleanups.push(() => opened.page.context().close());
  return opened;
}

function tokenOption(page: Page, label: string): Locator {
  return page.getByTestId('token-option').filter({ hasText: label });
}

async function tokenId(bridge: Bridge, label: string): Promise<string> {
  const listed = await bridge.supervisor.call('tokens.list', {});
  assert.ok(listed.ok, 'tokens.list answers');
  const found = listed.value.find((t) => t.label === label);
  assert.ok(found, `token ${label} is listed`);
  return found.id;
}

/** Counts the page's calls of one contract method (what reached the native side). */
function countCalls(page: Page, method: string): () => number {
  let count = 0;
  page.on('request', (req) => {
    if (req.url().endsWith(`/__bridge/call/${method}`)) count += 1;
  });
  return () => count;
}

async function typePin(page: Page, pin: string): Promise<void> {
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('login-button').click();
}

async function signIn(page: Page, token: DemoToken, pin = token.pin): Promise<void> {
  await tokenOption(page, token.label).click();
  await typePin(page, pin);
  await page.getByTestId('identity-card').waitFor();
}

/** Waits until the login call in flight (if any) is over: the button says "sign in" again. */
async function loginSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('[data-testid="pin-form"]')?.getAttribute('aria-busy') === 'false',
  );
}

function pinWarning(page: Page, state: string): Locator {
  return page.locator(`[data-testid="pin-warning"][data-pin-state="${state}"]`);
}

function lockMessage(page: Page, reason: string): Locator {
  return page.locator(`[data-testid="lock-message"][data-lock-reason="${reason}"]`);
}

test('tries state before each PIN entry: count low, final try, then locked (pin_tries=3)', async () => {
  const app = await faultApp();
  const { page, problems } = await open(app);
  const logins = countCalls(page, 'session.login');
  const option = tokenOption(page, app.rsa.label);
  await option.click();
  await option.locator('[data-pin-state="normal"]').waitFor();
  assert.equal(await page.getByTestId('pin-warning').count(), 0, 'no warning on a fresh token');

  // 1st wrong PIN: the token shows "a wrong PIN was entered" before the next entry.
  await typePin(page, '000000');
  await page.locator('[data-testid="error-message"][data-error-kind="pin-incorrect"]').waitFor();
  await option.locator('[data-pin-state="count-low"]').waitFor();
  await pinWarning(page, 'count-low').waitFor();
  assert.equal(await page.getByTestId('pin-input').inputValue(), '', 'the field is emptied');
  await screenshot(page, '10-tries-count-low');

  // 2nd wrong PIN: the final-try warning stands right above the PIN field.
  await typePin(page, '000001');
  await loginSettled(page);
  const finalTry = pinWarning(page, 'final-try');
  await finalTry.waitFor();
  assert.equal(await finalTry.getAttribute('role'), 'alert');
  assert.match((await finalTry.textContent()) ?? '', /MỘT lần/);
  await option.locator('[data-pin-state="final-try"]').waitFor();
  const input = page.getByTestId('pin-input');
  assert.equal(await input.isEnabled(), true, 'the final try may still be used');
  const warningBox = await finalTry.boundingBox();
  const inputBox = await input.boundingBox();
  assert.ok(warningBox && inputBox);
  assert.ok(warningBox.y + warningBox.height <= inputBox.y, 'the warning is above the field');
  assert.ok(inputBox.y - (warningBox.y + warningBox.height) < 60, 'and right above it');
  await screenshot(page, '11-final-try');

  // 3rd wrong PIN: locked. The UI offers no way to send a PIN to this token.
  await typePin(page, '000002');
  await loginSettled(page);
  await pinWarning(page, 'locked').waitFor();
  await option.locator('[data-pin-state="locked"]').waitFor();
  assert.equal(await page.getByTestId('login-button').isDisabled(), true);
  assert.equal(await input.isDisabled(), true);
  assert.equal(await page.getByTestId('change-pin-toggle').isDisabled(), true);
  await screenshot(page, '12-locked');
  await page.getByTestId('pin-form').evaluate((form: HTMLFormElement) => form.requestSubmit());
  await page.waitForTimeout(300);
  assert.equal(logins(), 3, 'three attempts reached the token, none by the app on its own');

  // The right PIN is refused too: the token itself is locked.
  const id = await tokenId(app.bridge, app.rsa.label);
  const direct = await app.bridge.supervisor.call('session.login', { token: id, pin: app.rsa.pin });
  assert.equal(direct.ok, false);
  assert.equal(!direct.ok && direct.error.kind, 'pin-locked');
  assert.equal(await page.getByTestId('identity-card').count(), 0);
  assert.deepEqual(problems, []);
});

test('removing the token locks the session at once; putting it back lets the clerk in', async () => {
  const app = await faultApp((rsa) => ({ label: rsa.label }));
  const { page, problems } = await open(app);
  await signIn(page, app.rsa);

  const pulledAt = Date.now();
  app.control.patch({ present: 0 });
  await lockMessage(page, 'token-removed').waitFor({ timeout: 5_000 });
  const lockedAfter = Date.now() - pulledAt;
  assert.equal(await page.getByTestId('identity-card').count(), 0, 'the identity is gone');
  await tokenOption(page, app.rsa.label).waitFor({ state: 'detached', timeout: 5_000 });
  await tokenOption(page, app.ec.label).waitFor();
  await screenshot(page, '13-removed-lock');
  assert.ok(lockedAfter < 4_000, `locked ${lockedAfter} ms after the removal`);

  app.control.patch({ present: 1 });
  await tokenOption(page, app.rsa.label).waitFor({ timeout: 5_000 });
  await signIn(page, app.rsa);
  assert.deepEqual(problems, []);
});

test('"check the token" signs a test challenge on the token and verifies it', async () => {
  const app = await faultApp();
  const { page, problems } = await open(app);
  const expected = [
    [app.ec, 'ECDSA / SHA-384', '18-check-key'],
    [app.rsa, 'RSA', '18-check-key-rsa'],
  ] as const;
  for (const [token, algorithm, shot] of expected) {
    await signIn(page, token);
    await page.getByTestId('check-key-button').click();
    const outcome = page.getByTestId('check-key-result');
    await outcome.waitFor();
    await screenshot(page, shot);
    const text = (await outcome.textContent()) ?? '';
    assert.equal(
      await outcome.getAttribute('data-verified'),
      'true',
      `${token.keyAlgorithm}: the check answered "${text}" (error kind ${await outcome.getAttribute('data-error-kind')})`,
    );
    assert.match(
      text,
      new RegExp(`^Chữ ký thử đã được kiểm tra \\(thuật toán ${algorithm}.*, \\d+ ms\\)\\.$`),
    );
    await page.getByTestId('logout-button').click();
    await page.getByTestId('pin-input').waitFor();
  }
  assert.deepEqual(problems, []);
});

test('a token with a PIN pad: no PIN field, the clerk is sent to the reader, login works', async () => {
  const app = await faultApp((rsa) => ({
    label: rsa.label,
    protected_auth_path: 1,
    pad_pin: rsa.pin,
  }));
  const { page, problems } = await open(app);
  // The other token has no pad: it gets the usual field.
  await tokenOption(page, app.ec.label).click();
  await page.getByTestId('pin-input').waitFor();

  await tokenOption(page, app.rsa.label).getByTestId('token-pin-pad').waitFor();
  assert.equal(await tokenOption(page, app.ec.label).getByTestId('token-pin-pad').count(), 0);
  await tokenOption(page, app.rsa.label).click();
  const note = page.getByTestId('pin-pad-note');
  await note.waitFor();
  assert.match((await note.textContent()) ?? '', /Nhập mã PIN trên bàn phím của thiết bị đọc/);
  assert.equal(await page.getByTestId('pin-input').count(), 0, 'no PIN field for a pad token');
  await screenshot(page, '14-pin-pad');

  const sent = page.waitForRequest((req) => req.url().endsWith('/__bridge/call/session.login'));
  await page.getByTestId('login-button').click();
  const body = (await sent).postDataJSON() as { token: string; pin: unknown };
  assert.equal(body.pin, null, 'the login carries no PIN');
  await page.getByTestId('identity-card').waitFor();
  assert.match((await page.getByTestId('identity-card').textContent()) ?? '', /RSA 3072/);
  assert.deepEqual(problems, []);
});

test('the clerk changes the PIN: the new PIN signs in, the old one no longer does', async () => {
  const app = await faultApp();
  const { page, problems } = await open(app);
  const changes = countCalls(page, 'token.changePin');
  const newPin = '468024';
  await tokenOption(page, app.rsa.label).click();
  await page.getByTestId('change-pin-toggle').click();
  const form = page.getByTestId('change-pin-form');
  await form.waitFor();
  const fields = ['change-pin-old', 'change-pin-new', 'change-pin-again'] as const;
  const fill = async (values: readonly [string, string, string]) => {
    for (const [index, testId] of fields.entries()) {
      await page.getByTestId(testId).fill(values[index] ?? '');
    }
    await page.getByTestId('change-pin-submit').click();
  };
  const emptied = async () => {
    for (const testId of fields) assert.equal(await page.getByTestId(testId).inputValue(), '');
  };

  // The two new PINs differ: refused in the page, nothing sent, every field emptied.
  await fill([app.rsa.pin, newPin, `${newPin}9`]);
  await page.locator('[data-testid="change-pin-error"][data-problem="mismatch"]').waitFor();
  await emptied();
  assert.equal(changes(), 0);

  await fill([app.rsa.pin, newPin, newPin]);
  await page.getByTestId('change-pin-done').waitFor();
  await emptied();
  assert.equal(changes(), 1, 'one change reached the token');
  assert.ok(!(await page.content()).includes(newPin), 'no PIN is left in the page');
  await screenshot(page, '15-change-pin');

  await typePin(page, app.rsa.pin);
  await page.locator('[data-testid="error-message"][data-error-kind="pin-incorrect"]').waitFor();
  await typePin(page, newPin);
  await page.getByTestId('identity-card').waitFor();
  assert.deepEqual(problems, []);
});

test('a crash of the vendor module: the clerk is told, the token host restarts, nothing lost', async () => {
  const app = await faultApp(() => ({ crash: 'C_Login' }));
  const { page, problems } = await open(app);
  await tokenOption(page, app.rsa.label).click();
  await typePin(page, app.rsa.pin);
  const crashed = page.locator(
    '[data-testid="error-message"][data-error-kind="token-module-crashed"]',
  );
  await crashed.waitFor();
  assert.match(
    (await crashed.textContent()) ?? '',
    new RegExp(escape(errorMessages['token-module-crashed'].vi)),
  );
  await screenshot(page, '17-module-crashed');

  app.control.set({ pin_tries: 3 });
  await signIn(page, app.rsa);

  // A crash while signed in ends the session with the same reason.
  app.control.patch({ crash: 'C_SignInit' });
  await page.getByTestId('check-key-button').click();
  await lockMessage(page, 'token-module-crashed').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('identity-card').count(), 0);
  await screenshot(page, '19-module-crashed-lock');
  app.control.set({ pin_tries: 3 });
  await signIn(page, app.rsa);
  assert.deepEqual(problems, []);
});

test('the idle lock ends a session without activity and says why', async () => {
  const app = await faultApp(() => ({}), { NIEM_IDLE_LOCK_MINUTES: '0.02' });
  const { page, problems } = await open(app);
  await signIn(page, app.rsa);
  await lockMessage(page, 'idle').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('identity-card').count(), 0);
  await page.getByTestId('pin-input').waitFor();
  await screenshot(page, '16-idle-lock');
  assert.deepEqual(problems, []);
});

test('activity while signed in is reported to the native side, at most once per 30 s', async () => {
  const app = await faultApp();
  // The page's clock is Playwright's: 30 s pass without waiting for them.
  const { page, problems } = await open(app, { beforeGoto: (p) => p.clock.install() });
  const touches = countCalls(page, 'session.touch');
  await tokenOption(page, app.rsa.label).click();
  await page.keyboard.press('Shift');
  assert.equal(touches(), 0, 'nothing is reported while signed out');
  await typePin(page, app.rsa.pin);
  await page.getByTestId('identity-card').waitFor();
  await page.mouse.click(5, 300);
  await page.keyboard.press('Shift');
  await page.waitForTimeout(200);
  assert.equal(touches(), 0, 'the sign-in itself counted as activity');
  await page.clock.fastForward(31_000);
  await page.mouse.click(5, 300);
  await page.keyboard.press('Shift');
  await page.mouse.click(5, 300);
  await page.waitForTimeout(200);
  assert.equal(touches(), 1, 'three inputs after 31 s: one report');
  assert.deepEqual(problems, []);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
