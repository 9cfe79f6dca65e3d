// The outbox's failure states in the UI, against a real platform on loopback: a package
// the platform may not carry (its approved level is Tối mật, the package Tuyệt mật) is
// "Lỗi – chưa gửi được" with the platform's reason and what to do (tell the administrator);
// with the platform stopped, a package is "Lỗi – sẽ thử lại lúc HH:mm" with the reason;
// when the platform is back, "Đồng bộ ngay" sends it ("Đã gửi (có biên nhận)") and the
// refused one stays failed, never shown as sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Bridge } from '../bridge/bridge-server.ts';
import { BTP, signIn, text } from './clerks.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';
import { PlatformFixture } from './platform-fixture.ts';

let demo: ReturnType<typeof makeDemo>;
let browser: Browser;
let platform: PlatformFixture;
let bridge: Bridge;
let page: Page;
let problems: string[];

before(async () => {
  demo = makeDemo();
  platform = new PlatformFixture(demo.manifest, demo.dir);
  await platform.init({ approvedLevel: 'toi-mat' });
  await platform.serve();
  const profile = join(demo.dir, 'vpcp-profile');
  platform.makeProfile('VPCP-VANTHU', profile);
  bridge = await startApp(demo.manifest, {
    NIEM_PROFILE_DIR: profile,
    NIEM_SYNC_INTERVAL_MS: '60000',
  });
  browser = await launchChromium();
  ({ page, problems } = await openApp(browser, bridge));
  await signIn(page, demo.manifest, 'VPCP-VANTHU');
});

after(async () => {
  await browser?.close();
  await bridge?.close();
  await platform?.stop();
  demo?.cleanup();
});

async function seal(subject: string, level: string): Promise<void> {
  await page.getByTestId('vault-tab-drafts').click();
  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill(subject);
  await page.locator(`[data-testid="draft-level"] input[value="${level}"]`).check();
  await page.locator(`[data-testid="recipient-option"][data-organ-id="${BTP}"] input`).check();
  await page.getByTestId('document-input').setInputFiles({
    name: 'văn bản.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(`Nội dung: ${subject}`),
  });
  await page.getByTestId('draft-seal').click();
  await page.getByTestId('seal-confirm-button').click();
  await page.getByTestId('sealed-notice').waitFor({ timeout: 60_000 });
}

/** The outbox row of `level`, once its transport state is `state`. */
async function rowIn(level: string, state: string) {
  const row = page.locator(`[data-testid="outbox-row"][data-level="${level}"]`);
  try {
    await page
      .locator(`[data-testid="outbox-row"][data-level="${level}"][data-transport-state="${state}"]`)
      .waitFor({ timeout: 60_000 });
  } catch (err) {
    await screenshot(page, `5x-failure-faults-${level}-${state}`);
    throw err;
  }
  return row;
}

test('a level the platform is not approved for: failed, the reason, tell the administrator', async () => {
  await seal('Kế hoạch bảo vệ tuyệt mật', 'tuyet-mat');
  const row = await rowIn('tuyet-mat', 'failed');
  assert.equal(await text(row.getByTestId('transport-state')), 'Lỗi – chưa gửi được');
  assert.equal(
    await text(row.getByTestId('transport-reason')),
    'Trục liên thông không được phép chuyển văn bản ở độ mật này.',
  );
  assert.equal(
    await row.getByTestId('transport-action').getAttribute('data-action'),
    'tell-administrator',
  );
  assert.match(await text(row.getByTestId('transport-action')), /^Việc cần làm: báo quản trị viên/);
  await screenshot(page, '59-outbox-failed-vi');
});

test('the platform stopped: failed-retrying with the time; back, "sync now" sends it', async () => {
  await platform.stop();
  await seal('Công văn gửi khi trục đang dừng', 'mat');
  const row = await rowIn('mat', 'failed-retrying');
  assert.match(
    await text(row.getByTestId('transport-state')),
    /^Lỗi – sẽ thử lại lúc (\d{2}\/\d{2}\/\d{4} )?\d{2}:\d{2}$/,
  );
  assert.match(
    await text(row.getByTestId('transport-reason')),
    /^Không kết nối được trục liên thông/,
  );
  assert.equal(
    await page.getByTestId('sync-error').getAttribute('data-error-kind'),
    'platform-unreachable',
  );
  await screenshot(page, '59-outbox-retrying-vi');

  await platform.serve();
  await page.getByTestId('sync-now').click();
  const sent = await rowIn('mat', 'sent');
  assert.equal(await text(sent.getByTestId('transport-state')), 'Đã gửi (có biên nhận)');
  await rowIn('tuyet-mat', 'failed'); // tried again at the clerk's request: refused again
  await screenshot(page, '59-outbox-recovered-vi');
  assert.deepEqual(problems, []);
});
