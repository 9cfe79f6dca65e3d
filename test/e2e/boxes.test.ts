// The outbox and the inbox through the real UI in Chromium, over the test bridge, to the
// real native process and its token host on the demo's SoftHSM2 tokens. Before any
// bridge starts, two profiles are made with the `niem` CLI as a clerk would: VPCP's
// clerk seals a Mật draft (Khẩn) and a Tuyệt mật draft (Hỏa tốc) for BTP and exports
// both; BTP's clerk imports both and opens the Mật one (incoming register no. 1, status
// 03). Then each clerk signs in to their own profile and finds the rows: markings,
// urgency, counterpart agency, date, transport state or business status, register number,
// and the Tuyệt mật subject nowhere in VPCP's outbox, nor an unopened subject in BTP's inbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Bridge } from '../bridge/bridge-server.ts';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { launchChromium, makeDemo, openApp, repoRoot, screenshot, startApp } from './harness.ts';

const VPCP = '000.00.00.G22';
const BTP = '000.00.00.G99';
const SUBJECT = 'Công văn về việc phối hợp kiểm tra hồ sơ lưu trữ';
const SECRET_SUBJECT = 'Phương án bảo vệ hội nghị cấp cao';

let demo: ReturnType<typeof makeDemo>;
let browser: Browser;
let vpcpProfile: string;
let btpProfile: string;
const year = new Date().getFullYear();

function token(label: string): DemoManifest['tokens'][number] {
  const found = demo.manifest.tokens.find((t) => t.label === label);
  assert.ok(found, `${label} in the demo`);
  return found;
}

/** Runs `niem ARGS --profile PROFILE --token LABEL` (English output); fails the test on an error. */
function niem(label: string, profile: string, ...args: string[]): string {
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'cli', 'niem.js'), ...args, '--profile', profile, '--token', label],
    {
      cwd: demo.dir,
      env: {
        ...process.env,
        SOFTHSM2_CONF: demo.manifest.softhsm2Conf,
        NIEM_PKCS11_MODULE: demo.manifest.module,
        NIEM_LANG: 'en',
        NIEM_PIN: token(label).pin,
      },
      encoding: 'utf8',
    },
  );
  assert.equal(run.status, 0, `niem ${args.join(' ')}: ${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

before(async () => {
  demo = makeDemo();
  vpcpProfile = join(demo.dir, 'vpcp-profile');
  btpProfile = join(demo.dir, 'btp-profile');
  const pem = (label: string) => readFileSync(token(label).certificatePem, 'utf8');
  writeFileSync(
    join(demo.dir, 'directory.json'),
    JSON.stringify({
      format: 'niem-directory',
      version: 1,
      agencies: [
        {
          organId: VPCP,
          name: 'Văn phòng Chính phủ',
          clearance: 'tuyet-mat',
          keyTransport: 'oaep-sha1',
          certificates: [pem('VPCP-VANTHU')],
        },
        {
          organId: BTP,
          name: 'Bộ Tư pháp',
          clearance: 'tuyet-mat',
          keyTransport: 'ecdh',
          certificates: [pem('BTP-VANTHU')],
        },
      ],
    }),
  );
  writeFileSync(join(demo.dir, 'cong-van.txt'), 'Nội dung công văn phối hợp');
  writeFileSync(join(demo.dir, 'phuong-an.txt'), 'Nội dung phương án');

  const vp = (...args: string[]) => niem('VPCP-VANTHU', vpcpProfile, ...args);
  vp('init');
  vp('directory', 'import', 'directory.json');
  vp(
    'draft',
    'create',
    '--subject',
    'Tờ trình chưa niêm phong',
    '--level',
    'thuong',
    '--to',
    BTP,
    'cong-van.txt',
  );
  vp(
    'draft',
    'create',
    '--subject',
    SUBJECT,
    '--level',
    'mat',
    '--to',
    BTP,
    '--urgency',
    'khan',
    'cong-van.txt',
  );
  vp(
    'draft',
    'create',
    '--subject',
    SECRET_SUBJECT,
    '--level',
    'tuyet-mat',
    '--to',
    BTP,
    '--urgency',
    'hoa-toc',
    'phuong-an.txt',
  );
  vp('seal', '2');
  vp('seal', '3');
  vp('outbox', 'export', '1', '--out', 'mat.p7m');
  vp('outbox', 'export', '2', '--out', 'tuyet-mat.p7m');

  const bt = (...args: string[]) => niem('BTP-VANTHU', btpProfile, ...args);
  bt('init');
  bt('directory', 'import', 'directory.json');
  bt('inbox', 'import', 'mat.p7m');
  bt('inbox', 'import', 'tuyet-mat.p7m');
  bt('open', '1', '--out', 'received', '--trust', demo.manifest.caChainPem);

  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  demo?.cleanup();
});

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

async function signIn(page: Page, label: string): Promise<void> {
  await page.getByTestId('token-option').filter({ hasText: label }).click();
  await page.getByTestId('pin-input').fill(token(label).pin);
  await page.getByTestId('login-button').click();
  await page.getByTestId('identity-card').waitFor();
  await page.getByTestId('vault-open').waitFor();
}

const text = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? '').trim();

/** Opens a profile's app, signs `label` in, runs `check`, then closes it all. */
async function withApp(
  profile: string,
  label: string,
  check: (page: Page) => Promise<void>,
): Promise<void> {
  let bridge: Bridge | undefined;
  try {
    bridge = await startApp(demo.manifest, { NIEM_PROFILE_DIR: profile });
    const { page, problems } = await openApp(browser, bridge);
    await signIn(page, label);
    await check(page);
    assert.deepEqual(problems, []);
    await page.context().close();
  } finally {
    await bridge?.close();
  }
}

test('VPCP’s outbox: both sealed packages with markings, urgency, recipient, date, state and outgoing number', async () => {
  await withApp(vpcpProfile, 'VPCP-VANTHU', async (page) => {
    // The drafts tab comes first: the one draft left unsealed.
    assert.equal(await page.getByTestId('vault-tab-drafts').getAttribute('aria-selected'), 'true');
    await page.getByTestId('draft-row').first().waitFor();
    assert.equal(await page.getByTestId('draft-row').count(), 1);

    await page.getByTestId('vault-tab-outbox').click();
    const list = page.getByTestId('outbox-list');
    await list.getByTestId('outbox-row').nth(1).waitFor();
    assert.equal(await list.getByTestId('outbox-row').count(), 2);
    assert.equal(await list.getByRole('heading', { level: 2 }).textContent(), 'Hộp thư đi');

    // Newest first: the Tuyệt mật package, its subject hidden.
    const secret = list.getByTestId('outbox-row').nth(0);
    assert.equal(await secret.getAttribute('data-level'), 'tuyet-mat');
    await secret.getByTestId('outbox-subject-hidden').waitFor();
    assert.equal(await text(secret.getByTestId('level-marking')), 'TUYỆT MẬT');
    assert.match(await text(secret), /Hỏa tốc/);
    assert.equal(await text(secret.getByTestId('register-number')), `2/${year}`);

    const mat = list.getByTestId('outbox-row').nth(1);
    assert.equal(await text(mat.getByTestId('outbox-subject')), SUBJECT);
    const marking = mat.getByTestId('level-marking');
    assert.equal(await text(marking), 'MẬT');
    assert.equal(
      await marking.evaluate((el) => getComputedStyle(el).color),
      'rgb(192, 0, 0)',
      'the marking is red',
    );
    assert.match(await text(mat), /Khẩn/);
    assert.match(await text(mat), /Bộ Tư pháp \(000\.00\.00\.G99\)/);
    assert.equal(await text(mat.getByTestId('outbox-date')), today());
    assert.equal(await text(mat.getByTestId('transport-state')), 'Chờ gửi');
    assert.equal(await text(mat.getByTestId('register-number')), `1/${year}`);
    assert.ok(!(await text(list)).includes(SECRET_SUBJECT), 'the Tuyệt mật subject is not listed');
    assert.ok(!(await page.content()).includes(SECRET_SUBJECT), 'nor anywhere in the page');
    await screenshot(page, '40-outbox-vi');

    // The tabs answer the keyboard: → moves to the inbox (empty here).
    await page.getByTestId('vault-tab-outbox').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByTestId('vault-tab-inbox').getAttribute('aria-selected'), 'true');
    await page.getByTestId('inbox-empty').waitFor();

    // Signing out takes the rows out of the page.
    await page.getByTestId('logout-button').click();
    await page.getByTestId('vault-lock-screen').waitFor();
    assert.equal(await page.getByTestId('outbox-list').count(), 0);
    assert.ok(!(await page.content()).includes(SUBJECT));
  });
});

test('BTP’s inbox: the opened package with subject, sender, status 03 and incoming number; the unopened one hidden', async () => {
  await withApp(btpProfile, 'BTP-VANTHU', async (page) => {
    await page.getByTestId('vault-tab-inbox').click();
    const list = page.getByTestId('inbox-list');
    await list.getByTestId('inbox-row').nth(1).waitFor();
    assert.equal(await list.getByTestId('inbox-row').count(), 2);

    // Newest first: the Tuyệt mật package, imported but not opened.
    const unopened = list.getByTestId('inbox-row').nth(0);
    assert.equal(await unopened.getAttribute('data-opened'), 'false');
    assert.equal(
      await text(unopened.getByTestId('inbox-subject-hidden')),
      'Chưa mở gói: trích yếu nằm trong gói',
    );
    assert.equal(await text(unopened.getByTestId('level-marking')), 'TUYỆT MẬT');
    assert.equal(await text(unopened.getByTestId('business-status')), 'Đã đến');
    assert.equal(await text(unopened.getByTestId('register-number')), 'Chưa có số');

    const opened = list.getByTestId('inbox-row').nth(1);
    assert.equal(await text(opened.getByTestId('inbox-subject')), SUBJECT);
    assert.equal(await text(opened.getByTestId('level-marking')), 'MẬT');
    assert.match(await text(opened), /Khẩn/);
    assert.match(await text(opened), /Văn phòng Chính phủ \(000\.00\.00\.G22\)/);
    assert.equal(await text(opened.getByTestId('inbox-date')), today());
    assert.equal(await text(opened.getByTestId('business-status')), 'Đã vào sổ');
    assert.equal(await text(opened.getByTestId('register-number')), `1/${year}`);
    assert.ok(!(await page.content()).includes(SECRET_SUBJECT), 'an unopened subject is unknown');
    await screenshot(page, '41-inbox-vi');

    // In English the same rows read in English.
    await page.getByTestId('lang-switch').click();
    assert.equal(await list.getByRole('heading', { level: 2 }).textContent(), 'Inbox');
    assert.equal(await text(opened.getByTestId('business-status')), 'Accepted and registered');
    assert.equal(await text(opened.getByTestId('level-marking')), 'CONFIDENTIAL');
    await screenshot(page, '42-inbox-en');
  });
});
