// The vault through the real UI in Chromium, over the test bridge, to the real native
// process and its token host on the fault-injecting module over the demo's SoftHSM2
// tokens: a clerk signs in, initialises the vault, writes drafts (the level chosen
// explicitly, documents picked and dropped), sees them in the list with their marking,
// reloads and finds them again; pulling the token or signing out locks the vault and
// takes every draft out of the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { errorMessages } from '../../native/api/i18n/error-messages.ts';
import type { Bridge } from '../bridge/bridge-server.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { faultModule, FaultControl } from '../token/helpers/fault-fixture.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';

let demo: ReturnType<typeof makeDemo>;
let control: FaultControl;
let bridge: Bridge;
let browser: Browser;
let rsa: DemoManifest['tokens'][number];

before(async () => {
  demo = makeDemo();
  const first = demo.manifest.tokens[0];
  assert.ok(first);
  rsa = first;
  control = new FaultControl(demo.dir, demo.manifest.softhsm2Conf);
  control.set({});
  bridge = await startApp(demo.manifest, {
    NIEM_PKCS11_MODULE: faultModule(),
    ...control.env(),
    NIEM_PROFILE_DIR: join(demo.dir, 'profile'),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await bridge?.close();
  demo?.cleanup();
});

const SECRET_SUBJECT = 'Kế hoạch bảo vệ mục tiêu trọng yếu';
const SUBJECT = 'Công văn về việc tổ chức hội nghị tổng kết';

async function signIn(page: Page): Promise<void> {
  await page.getByTestId('token-option').filter({ hasText: rsa.label }).click();
  await page.getByTestId('pin-input').fill(rsa.pin);
  await page.getByTestId('login-button').click();
  await page.getByTestId('identity-card').waitFor();
}

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** The drafts are gone from the page: no list, no editor, no subject anywhere in the DOM. */
async function assertNoDraftsInPage(page: Page): Promise<void> {
  assert.equal(await page.getByTestId('drafts-list').count(), 0, 'no drafts list');
  assert.equal(await page.getByTestId('draft-editor').count(), 0, 'no editor');
  const html = await page.content();
  assert.ok(!html.includes(SUBJECT), 'the subject is not in the DOM');
  assert.ok(!html.includes('000.00.00.G99'), 'nor the recipients');
}

test('a clerk initialises the vault, writes a draft with documents, finds it after a reload; removal and sign-out lock it', async () => {
  const { page, problems } = await openApp(browser, bridge);
  await page.getByTestId('vault-lock-screen').waitFor();
  await signIn(page);

  // No vault yet in this profile: the clerk is offered to set one up.
  await page.getByTestId('vault-absent').waitFor();
  await screenshot(page, '30-vault-absent-vi');
  await page.getByTestId('vault-init').click();
  await page.getByTestId('vault-open').waitFor();
  await page.getByTestId('drafts-empty').waitFor();

  // A new draft: saving without a level is refused next to the field, nothing sent.
  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill(SUBJECT);
  await page.getByTestId('draft-save').click();
  await page.getByTestId('field-problem').waitFor();
  assert.equal(await page.getByTestId('draft-level').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('drafts-range').count(), 0, 'nothing was saved');

  await page.getByRole('radio', { name: 'Mật', exact: true }).check();
  await page.getByTestId('draft-urgency').selectOption('khan');
  await page.getByTestId('draft-recipients').fill('000.00.00.G99, 000.00.00.G22');
  await page.getByTestId('draft-code-number').fill('15');
  await page.getByTestId('draft-code-notation').fill('VPCP-TH');
  await page.getByTestId('document-input').setInputFiles({
    name: 'Công văn hội nghị.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Nội dung công văn hội nghị tổng kết'),
  });
  await page.locator('[data-testid="document-item"][data-saved="false"]').waitFor();
  await screenshot(page, '31-draft-editor-vi');
  await page.getByTestId('draft-save').click();
  await page.getByTestId('draft-saved').waitFor();
  await page.locator('[data-testid="document-item"][data-saved="true"]').waitFor();

  // A second document dropped on the zone of the saved draft goes in at once.
  const dataTransfer = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['Phụ lục kèm theo'], 'Phụ lục.txt', { type: 'text/plain' }));
    return transfer;
  });
  await page.getByTestId('document-drop').dispatchEvent('drop', { dataTransfer });
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="document-item"][data-saved="true"]').length === 2,
  );
  // A file over the limit is refused with the clear message, before anything is sent.
  await page.getByTestId('document-input').setInputFiles({
    name: 'quá lớn.bin',
    mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(8 * 1024 * 1024 + 1),
  });
  const tooLarge = page.locator(
    '[data-testid="drafts-error"][data-error-kind="document-too-large"]',
  );
  await tooLarge.waitFor();
  assert.equal((await tooLarge.textContent())?.trim(), errorMessages['document-too-large'].vi);

  // A Tuyệt mật draft: its subject never shows in the list.
  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill(SECRET_SUBJECT);
  await page.getByRole('radio', { name: 'Tuyệt mật', exact: true }).check();
  await page.getByTestId('draft-save').click();
  await page.getByTestId('draft-saved').waitFor();

  const list = page.getByTestId('drafts-list');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="draft-row"]').length === 2,
  );
  const row = list.getByTestId('draft-row').filter({ hasText: SUBJECT });
  const marking = row.getByTestId('level-marking');
  assert.equal((await marking.textContent())?.trim(), 'MẬT');
  assert.equal(
    await marking.evaluate((el) => getComputedStyle(el).color),
    'rgb(192, 0, 0)',
    'the marking is red',
  );
  assert.match((await row.textContent()) ?? '', /Khẩn/);
  assert.match((await row.textContent()) ?? '', /000\.00\.00\.G22, 000\.00\.00\.G99/); // sorted by the vault
  assert.equal((await row.getByTestId('draft-date').textContent())?.trim(), today());
  const secretRow = list.locator('[data-testid="draft-row"][data-level="tuyet-mat"]');
  await secretRow.getByTestId('draft-subject-hidden').waitFor();
  assert.equal((await secretRow.getByTestId('level-marking').textContent())?.trim(), 'TUYỆT MẬT');
  assert.ok(!((await list.textContent()) ?? '').includes(SECRET_SUBJECT), 'hidden in the list');
  await page.getByTestId('editor-close').click();
  await screenshot(page, '32-drafts-list-vi');

  // Reload: the session and the vault live in the native process; the drafts are there.
  await page.reload();
  await page.getByTestId('vault-open').waitFor();
  await list.getByTestId('draft-row').filter({ hasText: SUBJECT }).waitFor();
  await list
    .getByTestId('draft-row')
    .filter({ hasText: SUBJECT })
    .getByTestId('draft-open')
    .click();
  const editor = page.getByTestId('draft-editor');
  await editor.waitFor();
  assert.equal(await page.getByTestId('draft-subject-input').inputValue(), SUBJECT);
  assert.equal(await page.getByTestId('draft-code-notation').inputValue(), 'VPCP-TH');
  assert.equal(await page.getByRole('radio', { name: 'Mật', exact: true }).isChecked(), true);
  assert.equal(await editor.locator('[data-testid="document-item"][data-saved="true"]').count(), 2);

  // Pulling the token locks the vault: the lock screen, and no draft left in the page.
  control.patch({ present: 0 });
  await page.locator('[data-testid="lock-message"][data-lock-reason="token-removed"]').waitFor();
  await page.getByTestId('vault-lock-screen').waitFor();
  await assertNoDraftsInPage(page);
  await screenshot(page, '33-vault-locked-token-removed-vi');

  // Back in, the drafts are there; signing out locks the vault the same way.
  control.patch({ present: 1 });
  await page.getByTestId('token-option').filter({ hasText: rsa.label }).waitFor();
  await signIn(page);
  await list.getByTestId('draft-row').filter({ hasText: SUBJECT }).waitFor();
  await page.getByTestId('logout-button').click();
  await page.locator('[data-testid="lock-message"][data-lock-reason="logout"]').waitFor();
  await page.getByTestId('vault-lock-screen').waitFor();
  await assertNoDraftsInPage(page);
  await screenshot(page, '34-vault-locked-logout-vi');
  assert.deepEqual(problems, []);
});
