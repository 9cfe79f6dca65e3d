/**
 * Shared set-up of the end-to-end suite: a fresh demo PKI with its SoftHSM2 tokens in a
 * temporary folder, the test bridge over the real native process, and Debian's Chromium
 * driven by playwright-core. Screenshots land in test-results/e2e/ as CI artifacts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../bridge/bridge-server.ts';
import { DemoManifestSchema, type DemoManifest } from '../../scripts/demo-manifest.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const rendererDir = join(repoRoot, 'dist', 'renderer');
export const screenshotDir = join(repoRoot, 'test-results', 'e2e');

/** Makes a demo PKI and tokens of our own, so the suite never shares token state. */
export function makeDemo(): { dir: string; manifest: DemoManifest; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'niem-e2e-'));
  execFileSync(
    process.execPath,
    [join(repoRoot, 'scripts', 'demo-pki.ts'), '--quiet', '--dir', dir],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const manifest = DemoManifestSchema.parse(
    JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')),
  );
  return { dir, manifest, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function demoEnv(manifest: DemoManifest): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SOFTHSM2_CONF: manifest.softhsm2Conf,
    NIEM_PKCS11_MODULE: manifest.module,
  };
}

/**
 * Starts the bridge on the demo's tokens; `env` adds to (or overrides) the demo's
 * environment. The profile folder (the vault) is a fresh temporary one unless `env`
 * names one (NIEM_PROFILE_DIR): a test never touches the user's own profile.
 */
export async function startApp(
  manifest: DemoManifest,
  env: NodeJS.ProcessEnv = {},
): Promise<Bridge> {
  const profileRoot = mkdtempSync(join(tmpdir(), 'niem-e2e-profile-'));
  const bridge = await startBridge({
    rendererDir,
    env: { ...demoEnv(manifest), NIEM_PROFILE_DIR: join(profileRoot, 'profile'), ...env },
  });
  return {
    ...bridge,
    async close() {
      await bridge.close();
      rmSync(profileRoot, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.NIEM_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens the app in a new page and collects CSP violations and page errors.
 * `beforeGoto` runs on the page before it loads (e.g. to install Playwright's fake clock).
 */
export async function openApp(
  browser: Browser,
  bridge: Bridge,
  options: { beforeGoto?: (page: Page) => Promise<void> } = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({
    locale: 'vi-VN',
    viewport: { width: 1100, height: 800 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await options.beforeGoto?.(page);
  await page.goto(bridge.url);
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
