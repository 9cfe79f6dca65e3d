/**
 * What the two-clerk e2e tests share: the demo's tokens by label, the `niem` CLI run as a
 * clerk would (PIN in the environment, never argv), a directory file for the demo's
 * agencies (and made-up ones on the same certificates), and signing in through the UI.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { DemoManifest } from '../../scripts/demo-manifest.ts';
import { repoRoot } from './harness.ts';

export const VPCP = '000.00.00.G22';
export const BTP = '000.00.00.G99';

export type DemoToken = DemoManifest['tokens'][number];

export function demoToken(manifest: DemoManifest, label: string): DemoToken {
  const found = manifest.tokens.find((t) => t.label === label);
  assert.ok(found, `${label} in the demo`);
  return found;
}

/** The environment of a CLI run for `label` (English output, the demo's module and PIN). */
export function cliEnv(manifest: DemoManifest, label: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SOFTHSM2_CONF: manifest.softhsm2Conf,
    NIEM_PKCS11_MODULE: manifest.module,
    NIEM_LANG: 'en',
    NIEM_PIN: demoToken(manifest, label).pin,
  };
}

/** Runs `niem ARGS --profile PROFILE --token LABEL` in `cwd`; fails the test on an error. */
export function niem(
  manifest: DemoManifest,
  cwd: string,
  label: string,
  profile: string,
  ...args: string[]
): string {
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'cli', 'niem.js'), ...args, '--profile', profile, '--token', label],
    { cwd, env: cliEnv(manifest, label), encoding: 'utf8' },
  );
  assert.equal(run.status, 0, `niem ${args.join(' ')}: ${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Like niem(), without waiting: for commands that run until stopped. */
export function niemSpawn(manifest: DemoManifest, cwd: string, args: string[]) {
  return spawn(process.execPath, [join(repoRoot, 'cli', 'niem.js'), ...args], {
    cwd,
    env: { ...process.env, NIEM_LANG: 'en' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One agency of a directory file. */
export interface DirectoryEntry {
  organId: string;
  name: string;
  clearance: 'thuong' | 'mat' | 'toi-mat' | 'tuyet-mat';
  /** The demo token whose certificate it is sealed for. */
  token: string;
}

/** Writes a `niem-directory` file at `path` for `entries`. */
export function writeDirectory(
  manifest: DemoManifest,
  path: string,
  entries: readonly DirectoryEntry[],
): void {
  writeFileSync(
    path,
    JSON.stringify({
      format: 'niem-directory',
      version: 1,
      agencies: entries.map((e) => {
        const token = demoToken(manifest, e.token);
        return {
          organId: e.organId,
          name: e.name,
          clearance: e.clearance,
          keyTransport: token.keyAlgorithm.startsWith('RSA') ? 'oaep-sha1' : 'ecdh',
          certificates: [readFileSync(token.certificatePem, 'utf8')],
        };
      }),
    }),
  );
}

/** Signs `label` in through the UI and waits for the open vault. */
export async function signIn(page: Page, manifest: DemoManifest, label: string): Promise<void> {
  await page.getByTestId('token-option').filter({ hasText: label }).click();
  await page.getByTestId('pin-input').fill(demoToken(manifest, label).pin);
  await page.getByTestId('login-button').click();
  await page.getByTestId('identity-card').waitFor();
  await page.getByTestId('vault-open').waitFor();
}

export const text = async (locator: Locator): Promise<string> =>
  ((await locator.textContent()) ?? '').trim();

/** Today as dd/MM/yyyy in the workstation's zone. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}
