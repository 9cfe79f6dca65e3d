// Sealing from the app, in Chromium over the test bridge to the real native process and
// the demo's SoftHSM2 token. VPCP's profile is made with the CLI (vault, directory with
// BTP cleared for Tuyệt mật and a made-up agency cleared for Mật only). The clerk writes a
// Tối mật draft in the UI: the recipient picker shows each agency's clearance and refuses
// the one not cleared (with the reason); "Niêm phong và gửi" shows the confirmation with
// the red marking; sealing takes the outbox tab to the new package, queued, with its
// outgoing number. A draft for a code the directory does not know is stopped in the editor,
// and the native side refuses it too (recipient-unknown, naming the agency).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { NiemBridge } from '../../native/api/bridge-api.ts';
import type { Bridge } from '../bridge/bridge-server.ts';
import { BTP, VPCP, niem, signIn, text, today, writeDirectory } from './clerks.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';

const LOCAL = '000.00.00.H11';
const SUBJECT = 'Báo cáo tình hình bảo vệ bí mật nhà nước quý I';
const year = new Date().getFullYear();

let demo: ReturnType<typeof makeDemo>;
let browser: Browser;
let bridge: Bridge;
let profile: string;

before(async () => {
  demo = makeDemo();
  profile = join(demo.dir, 'vpcp-profile');
  writeDirectory(demo.manifest, join(demo.dir, 'directory.json'), [
    { organId: VPCP, name: 'Văn phòng Chính phủ', clearance: 'tuyet-mat', token: 'VPCP-VANTHU' },
    { organId: BTP, name: 'Bộ Tư pháp', clearance: 'tuyet-mat', token: 'BTP-VANTHU' },
    { organId: LOCAL, name: 'Sở Nội vụ tỉnh Lào Cai', clearance: 'mat', token: 'BTP-VANTHU' },
  ]);
  const vp = (...args: string[]) => niem(demo.manifest, demo.dir, 'VPCP-VANTHU', profile, ...args);
  vp('init');
  vp('directory', 'import', 'directory.json');
  bridge = await startApp(demo.manifest, { NIEM_PROFILE_DIR: profile });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await bridge?.close();
  demo?.cleanup();
});

test('a clerk seals a Tối mật draft for a cleared agency; the uncleared one cannot be chosen', async () => {
  const { page, problems } = await openApp(browser, bridge);
  await signIn(page, demo.manifest, 'VPCP-VANTHU');
  await page.getByTestId('sync-bar').waitFor();
  assert.equal(await page.getByTestId('sync-bar').getAttribute('data-configured'), 'false');

  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill(SUBJECT);
  await page.locator('[data-testid="draft-level"] input[value="toi-mat"]').check();
  await page.getByTestId('draft-urgency').selectOption('thuong-khan');

  const picker = page.getByTestId('recipient-picker');
  await picker.getByTestId('recipient-option').nth(2).waitFor();
  // Vietnamese order of names: Bộ Tư pháp, Sở Nội vụ …, Văn phòng Chính phủ.
  const local = picker.locator(`[data-organ-id="${LOCAL}"]`);
  assert.equal(await local.getAttribute('data-disabled'), 'true');
  assert.ok(await local.locator('input').isDisabled());
  assert.equal(
    await text(local.getByTestId('recipient-reason')),
    'Không được nhận văn bản Tối mật: chỉ được nhận đến mức Mật.',
  );
  assert.match(await text(local.getByTestId('recipient-clearance')), /Được nhận đến mức:\s*Mật/);
  const btp = picker.locator(`[data-organ-id="${BTP}"]`);
  assert.equal(await btp.getAttribute('data-disabled'), 'false');
  await btp.locator('input').check();
  assert.equal(await page.getByTestId('draft-recipients').inputValue(), BTP);

  await page.getByTestId('document-input').setInputFiles({
    name: 'Báo cáo quý I.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Nội dung báo cáo tình hình bảo vệ bí mật nhà nước'),
  });
  await screenshot(page, '50-compose-vi');

  await page.getByTestId('draft-seal').click();
  const confirm = page.getByTestId('seal-confirm');
  await confirm.waitFor();
  const marking = confirm.getByTestId('level-marking');
  assert.equal(await text(marking), 'TỐI MẬT');
  assert.equal(await marking.evaluate((el) => getComputedStyle(el).color), 'rgb(192, 0, 0)');
  assert.equal(await text(confirm.getByTestId('seal-subject')), SUBJECT);
  assert.match(
    await text(confirm.getByTestId('seal-recipients')),
    /Bộ Tư pháp \(000\.00\.00\.G99\)/,
  );
  await screenshot(page, '51-seal-confirm-vi');

  await confirm.getByTestId('seal-confirm-button').click();
  await page.getByTestId('sealed-notice').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('vault-tab-outbox').getAttribute('aria-selected'), 'true');
  assert.equal(
    await text(page.getByTestId('sealed-notice')),
    `Đã niêm phong, vào sổ đi số 1/${year}. Gói nằm trong hộp thư đi và được gửi khi kết nối được trục liên thông.`,
  );
  const row = page.getByTestId('outbox-row').first();
  await row.waitFor();
  assert.equal(await text(row.getByTestId('outbox-subject')), SUBJECT);
  assert.equal(await text(row.getByTestId('transport-state')), 'Chờ gửi');
  assert.equal(await text(row.getByTestId('register-number')), `1/${year}`);
  assert.equal(await text(row.getByTestId('outbox-date')), today());
  const detail = page.getByTestId('outbox-detail');
  await detail.getByTestId('receipt-none').waitFor();
  assert.match(await text(detail.getByTestId('outbox-sha256')), /^[0-9a-f]{64}$/);
  await screenshot(page, '52-outbox-sealed-vi');

  // The draft is gone: sealed packages cannot be edited.
  await page.getByTestId('vault-tab-drafts').click();
  await page.getByTestId('drafts-empty').waitFor();
  await page.getByTestId('logout-button').click();
  await page.getByTestId('vault-lock-screen').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a recipient the directory does not know stops the seal, in the editor and in the native side', async () => {
  const { page, problems } = await openApp(browser, bridge);
  await signIn(page, demo.manifest, 'VPCP-VANTHU');
  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill('Công văn gửi cơ quan chưa có trong danh bạ');
  await page.locator('[data-testid="draft-level"] input[value="mat"]').check();
  await page.getByTestId('draft-recipients').fill('000.00.00.Z77');
  await page.getByTestId('recipients-unknown').waitFor();
  await page.getByTestId('document-input').setInputFiles({
    name: 'cv.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Nội dung'),
  });
  await page.getByTestId('draft-save').click();
  await page.getByTestId('draft-saved').waitFor();
  await page.getByTestId('draft-seal').click();
  const blocker = page.getByTestId('seal-blocker');
  await blocker.waitFor();
  assert.equal(await blocker.getAttribute('data-kind'), 'recipient');
  assert.match(await text(blocker), /000\.00\.00\.Z77 không có trong danh bạ/);
  assert.equal(await page.getByTestId('seal-confirm').count(), 0);

  // The native side applies the same policy whatever the page does.
  const id = Number(
    await page.evaluate(async () => {
      const { niem } = window as unknown as { niem: NiemBridge };
      const page = await niem.drafts.list({});
      return page.ok ? page.value.items[0]?.id : undefined;
    }),
  );
  const refused = await page.evaluate(
    async (draft) => (window as unknown as { niem: NiemBridge }).niem.drafts.seal({ id: draft }),
    id,
  );
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.error.kind, 'recipient-unknown');
  assert.equal(!refused.ok && refused.error.detail?.organId, '000.00.00.Z77');
  assert.deepEqual(problems, []);
  await page.context().close();
});
