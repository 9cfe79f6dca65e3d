// Two clerks exchange sealed packages through a real platform on loopback, in Chromium,
// each with their own app: the test bridge over a native process of their own, their own
// profile and their own SoftHSM2 token (VPCP-VANTHU RSA, BTP-VANTHU EC).
//
// Set-up as an agency would: the platform is initialised with the demo PKI's TLS and
// receipt certificates and the directory, and served by `niem platform serve` (HTTPS on
// 127.0.0.1); each profile is made with the CLI (`niem init`, `niem trust add` the CA
// chain, one `niem sync --platform URL` that remembers the platform and caches its
// directory). Then, in the UI:
// 1. VPCP's clerk composes a Mật package (recipient chosen from the cached directory, an
//    8 MiB annex) and a Tuyệt mật one, seals both; the outbox shows the upload's progress,
//    then "Đã gửi (có biên nhận)" with the platform's receipt;
// 2. BTP's app syncs when its vault opens: both packages arrive, verified and registered;
//    the Tuyệt mật subject stays hidden until BTP's clerk opens it; opening shows the
//    verification report and the documents, saved to a folder they match byte for byte;
// 3. VPCP's "Đồng bộ ngay" brings the 01 and 03 notices: "Đã đến nơi", notices listed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Bridge } from '../bridge/bridge-server.ts';
import { BTP, signIn, text, today } from './clerks.ts';
import { launchChromium, makeDemo, openApp, screenshot, startApp } from './harness.ts';
import { PlatformFixture } from './platform-fixture.ts';

const SUBJECT = 'Công văn về việc phối hợp thẩm định dự thảo nghị định';
const SECRET_SUBJECT = 'Phương án bảo đảm an ninh hội nghị cấp cao';
const ANNEX = randomBytes(8 * 1024 * 1024);
const LETTER = Buffer.from('Nội dung công văn phối hợp thẩm định');
const year = new Date().getFullYear();

let demo: ReturnType<typeof makeDemo>;
let browser: Browser;
let platform: PlatformFixture;
let vpcp: { profile: string; bridge?: Bridge; page?: Page; problems?: string[] };
let btp: { profile: string; bridge?: Bridge; page?: Page; problems?: string[] };

before(async () => {
  demo = makeDemo();
  platform = new PlatformFixture(demo.manifest, demo.dir);
  // Small chunks: an 8 MiB annex goes up in 32 steps the outbox can show.
  await platform.init({ approvedLevel: 'tuyet-mat', chunkBytes: 256 * 1024 });
  await platform.serve();
  assert.match(platform.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  vpcp = { profile: join(demo.dir, 'vpcp-profile') };
  btp = { profile: join(demo.dir, 'btp-profile') };
  platform.makeProfile('VPCP-VANTHU', vpcp.profile);
  platform.makeProfile('BTP-VANTHU', btp.profile);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await vpcp?.bridge?.close();
  await btp?.bridge?.close();
  await platform?.stop();
  demo?.cleanup();
});

/** Starts a clerk's own app (bridge + native process on their profile) and signs them in. */
async function openClerk(clerk: typeof vpcp, label: string): Promise<Page> {
  clerk.bridge = await startApp(demo.manifest, {
    NIEM_PROFILE_DIR: clerk.profile,
    NIEM_SYNC_INTERVAL_MS: '3000',
  });
  const { page, problems } = await openApp(browser, clerk.bridge);
  clerk.page = page;
  clerk.problems = problems;
  await signIn(page, demo.manifest, label);
  return page;
}

/** Writes and seals one draft through the editor. */
async function compose(
  page: Page,
  subject: string,
  level: string,
  urgency: string,
  files: { name: string; mimeType: string; buffer: Buffer }[],
): Promise<void> {
  await page.getByTestId('vault-tab-drafts').click();
  await page.getByTestId('draft-new').click();
  await page.getByTestId('draft-subject-input').fill(subject);
  await page.locator(`[data-testid="draft-level"] input[value="${level}"]`).check();
  await page.getByTestId('draft-urgency').selectOption(urgency);
  const btpOption = page.locator(`[data-testid="recipient-option"][data-organ-id="${BTP}"]`);
  await btpOption.locator('input').check();
  await page.getByTestId('document-input').setInputFiles(files);
  await page.getByTestId('draft-seal').click();
  await page.getByTestId('seal-confirm').waitFor();
  await page.getByTestId('seal-confirm-button').click();
  await page.getByTestId('sealed-notice').waitFor({ timeout: 120_000 });
}

/** Waits for `done` in the page; on a timeout, a screenshot of what the page showed. */
async function until(page: Page, what: string, done: () => boolean): Promise<void> {
  try {
    await page.waitForFunction(done, undefined, { timeout: 120_000 });
  } catch (err) {
    await screenshot(page, `5x-failure-${what}`);
    throw err;
  }
}

/** Records every text the outbox's transport states show, from now on. */
async function watchTransport(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    const note = () => {
      for (const el of document.querySelectorAll(
        '[data-testid="outbox-row"] [data-testid="transport-state"]',
      )) {
        const t = (el.textContent ?? '').trim();
        if (seen.at(-1) !== t && !seen.includes(t)) seen.push(t);
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}

test('VPCP seals two packages in the UI; the outbox shows the upload, then sent with the receipt', async () => {
  const page = await openClerk(vpcp, 'VPCP-VANTHU');
  const bar = page.getByTestId('sync-bar');
  await bar.waitFor();
  assert.equal(await bar.getAttribute('data-configured'), 'true');
  assert.match(await text(bar), new RegExp(platform.url.replaceAll('.', '\\.')));
  await watchTransport(page);

  await compose(page, SUBJECT, 'mat', 'khan', [
    { name: 'Công văn.txt', mimeType: 'text/plain', buffer: LETTER },
    { name: 'Phụ lục.bin', mimeType: 'application/octet-stream', buffer: ANNEX },
  ]);
  const row = page.locator('[data-testid="outbox-row"]').first();
  await until(
    page,
    'sent',
    () =>
      document
        .querySelector('[data-testid="outbox-row"] [data-testid="transport-state"]')
        ?.textContent?.trim() === 'Đã gửi (có biên nhận)',
  );
  const seen = await page.evaluate(
    () => (window as unknown as { seenStates: string[] }).seenStates,
  );
  assert.ok(
    seen.some((s) => /^Đang gửi \d{1,2}%$/.test(s)),
    `the upload's progress showed (seen: ${seen.join(' → ')})`,
  );
  assert.equal(seen.at(-1), 'Đã gửi (có biên nhận)');
  assert.equal(await text(row.getByTestId('register-number')), `1/${year}`);

  const detail = page.getByTestId('outbox-detail');
  await detail.getByTestId('receipt').waitFor();
  assert.equal(await text(detail.getByTestId('receipt-platform')), demo.manifest.platform.name);
  assert.equal(await detail.getByTestId('receipt-verified').getAttribute('data-verified'), 'true');
  assert.match(
    await text(detail.getByTestId('receipt-at')),
    new RegExp(`^${today()} \\d{2}:\\d{2}$`),
  );
  await screenshot(page, '53-outbox-sent-vi');

  await compose(page, SECRET_SUBJECT, 'tuyet-mat', 'hoa-toc', [
    { name: 'Phương án.txt', mimeType: 'text/plain', buffer: Buffer.from('Nội dung phương án') },
  ]);
  await until(
    page,
    'both-sent',
    () =>
      [...document.querySelectorAll('[data-testid="outbox-row"] [data-testid="transport-state"]')]
        .map((el) => el.textContent?.trim())
        .filter((t) => t === 'Đã gửi (có biên nhận)').length === 2,
  );
  assert.ok(
    !(await page.content()).includes(SECRET_SUBJECT),
    'a Tuyệt mật subject is never listed',
  );
});

test('BTP’s app syncs: both arrive registered; opening shows the report and the documents', async () => {
  const page = await openClerk(btp, 'BTP-VANTHU');
  await page.getByTestId('vault-tab-inbox').click();
  const list = page.getByTestId('inbox-list');
  await until(
    page,
    'arrived',
    () => document.querySelectorAll('[data-testid="inbox-row"]').length === 2,
  );
  const secret = list.locator('[data-testid="inbox-row"][data-level="tuyet-mat"]');
  const mat = list.locator('[data-testid="inbox-row"][data-level="mat"]');
  await until(page, 'registered', () =>
    [...document.querySelectorAll('[data-testid="inbox-row"]')].every(
      (r) => r.getAttribute('data-status') === '03',
    ),
  );
  assert.equal(await secret.getByTestId('inbox-subject-hidden').count(), 1);
  assert.ok(!(await page.content()).includes(SECRET_SUBJECT), 'hidden until opened');
  await screenshot(page, '54-inbox-arrived-vi');

  // The Mật package: open, report, documents, save to a folder.
  await mat.getByTestId('inbox-select').click();
  const detail = page.getByTestId('inbox-detail');
  await detail.getByTestId('inbox-open-button').click();
  const report = detail.getByTestId('verification-report');
  await report.waitFor({ timeout: 60_000 });
  assert.equal(await report.getAttribute('data-verdict'), 'valid');
  assert.equal(await text(detail.getByTestId('inbox-detail-subject')), SUBJECT);
  assert.equal(await detail.getByTestId('report-tag').getAttribute('data-ok'), 'true');
  assert.equal(await text(detail.getByTestId('report-level-outside')), 'MẬT');
  assert.equal(
    await text(detail.getByTestId('report-level-inside')).then((t) => t.startsWith('MẬT')),
    true,
  );
  const signer = detail.getByTestId('report-signer');
  assert.equal(await signer.count(), 1);
  assert.match(await text(signer.getByTestId('signer-name')), /Văn phòng Chính phủ|VPCP|Văn thư/);
  assert.equal(await signer.getByTestId('signer-chain').getAttribute('data-ok'), 'true');
  assert.equal(await signer.getByTestId('signer-signature').getAttribute('data-ok'), 'true');
  const docs = detail.getByTestId('inbox-document');
  assert.equal(await docs.count(), 2);
  for (const hash of await detail.getByTestId('document-hash').all()) {
    assert.equal(await hash.getAttribute('data-hash'), 'valid');
  }
  assert.equal(await text(detail.getByTestId('inbox-detail-register')), `1/${year}`);
  await screenshot(page, '55-inbox-report-vi');

  const folder = join(demo.dir, 'btp-export');
  await detail.getByTestId('export-start').click();
  await detail.getByTestId('export-folder').fill(folder);
  await detail.getByTestId('export-save').click();
  await detail.getByTestId('export-done').waitFor();
  assert.deepEqual(readFileSync(join(folder, 'Phụ lục.bin')), ANNEX);
  assert.deepEqual(readFileSync(join(folder, 'Công văn.txt')), LETTER);
  await screenshot(page, '56-inbox-exported-vi');

  // The Tuyệt mật package: its subject shows once opened, and only then.
  await secret.getByTestId('inbox-select').click();
  await detail.getByTestId('inbox-open-button').click();
  await detail.getByTestId('verification-report').waitFor({ timeout: 60_000 });
  assert.equal(await text(detail.getByTestId('inbox-detail-subject')), SECRET_SUBJECT);
  assert.equal(await text(detail.getByTestId('inbox-marking')), 'TUYỆT MẬT');
  assert.deepEqual(btp.problems, []);
});

test('VPCP syncs again: both delivered, with the 01 and 03 notices', async () => {
  const page = vpcp.page;
  assert.ok(page);
  await page.getByTestId('vault-tab-outbox').click();
  await page.getByTestId('sync-now').click();
  await until(page, 'delivered', () =>
    [...document.querySelectorAll('[data-testid="outbox-row"]')].every(
      (r) => r.getAttribute('data-transport-state') === 'delivered',
    ),
  );
  const row = page.locator('[data-testid="outbox-row"][data-level="mat"]');
  assert.equal(await text(row.getByTestId('transport-state')), 'Đã đến nơi');
  if ((await row.getAttribute('data-selected')) !== 'true') {
    await row.getByTestId('outbox-open').click();
  }
  const detail = page.getByTestId('outbox-detail');
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="outbox-detail"] [data-testid="notice"]').length >= 2,
    undefined,
    { timeout: 60_000 },
  );
  const statuses = await detail
    .getByTestId('notice')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-status')));
  assert.deepEqual(statuses.slice(0, 2), ['01', '03']);
  const registered = detail.locator('[data-testid="notice"][data-status="03"]');
  assert.match(await text(registered), /Bộ Tư pháp \(000\.00\.00\.G99\)/);
  assert.match(await text(registered), new RegExp(`\\d+/${year}`));
  await screenshot(page, '57-outbox-delivered-vi');

  await page.getByTestId('lang-switch').click();
  assert.equal(await text(row.getByTestId('transport-state')), 'Delivered');
  await screenshot(page, '58-outbox-delivered-en');
  assert.deepEqual(vpcp.problems, []);
});
