// The layer rule of eslint.config.js, run through ESLint itself: each cross-layer import
// is an error (severity 2), and the allowed ones (type imports from native/api in the
// renderer, Electron values in wiring files) pass.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;

/** Lints `code` as if it were the file at `relativePath` (the file need not exist). */
async function layerErrors(relativePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, relativePath) });
  assert.ok(result, 'ESLint returned no result');
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `parse error in the probe for ${relativePath}`);
  return result.messages.filter((m) => m.ruleId === RULE);
}

async function assertRefused(relativePath: string, code: string): Promise<void> {
  const errors = await layerErrors(relativePath, code);
  assert.ok(errors.length > 0, `${relativePath} should refuse: ${code}`);
  for (const error of errors)
    assert.equal(error.severity, 2, `${relativePath}: not at error level`);
}

async function assertAccepted(relativePath: string, code: string): Promise<void> {
  const errors = await layerErrors(relativePath, code);
  assert.deepEqual(
    errors.map((e) => e.message),
    [],
    `${relativePath} should accept: ${code}`,
  );
}

describe('lint layer rules', { timeout: 120_000 }, () => {
  before(() => {
    eslint = new ESLint({ cwd: repoRoot });
  });

  describe('renderer', () => {
    const file = 'renderer/src/layer-probe.ts';
    const refused = [
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;",
      "import { readFileSync } from 'fs';\nexport const x = readFileSync;",
      "import { spawn } from 'node:child_process';\nexport const x = spawn;",
      "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;",
      "import type { IpcRenderer } from 'electron';\nexport type X = IpcRenderer;",
      "import * as pkcs11 from 'pkcs11js';\nexport const x = pkcs11;",
      "import { methods } from '../../native/api/contract.ts';\nexport const x = methods;",
      "import { NativeSupervisor } from '../../native/host/supervisor.ts';\nexport const x = NativeSupervisor;",
      "import { createIpcGate } from '../../electron/ipc-gate.ts';\nexport const x = createIpcGate;",
      "export { methods } from '../../native/api/contract.ts';",
    ];
    for (const code of refused) {
      it(`refuses ${code.split('\n')[0]}`, () => assertRefused(file, code));
    }

    it('accepts type imports from native/api', () =>
      assertAccepted(
        file,
        "import type { TokenInfo } from '../../native/api/contract.ts';\n" +
          "import type { NiemBridge } from '../../native/api/bridge-api.ts';\n" +
          'export type X = TokenInfo | NiemBridge;',
      ));

    it('refuses in .tsx components too', () =>
      assertRefused(
        'renderer/src/components/layer-probe.tsx',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;",
      ));
  });

  describe('native', () => {
    const file = 'native/service/layer-probe.ts';
    const refused = [
      "import { app } from 'electron';\nexport const x = app;",
      "import type { App } from 'electron';\nexport type X = App;",
      "import { createIpcGate } from '../../electron/ipc-gate.ts';\nexport const x = createIpcGate;",
      "import type { IpcGate } from '../../electron/ipc-gate.ts';\nexport type X = IpcGate;",
      "import { x } from '../../renderer/src/store.ts';\nexport const y = x;",
    ];
    for (const code of refused) {
      it(`refuses ${code.split('\n')[0]}`, () => assertRefused(file, code));
    }

    it('accepts Node built-ins', () =>
      assertAccepted(
        file,
        "import { readFile } from 'node:fs/promises';\nexport const x = readFile;",
      ));

    // PKCS#11 modules are loaded only by the token host, never by the native process.
    for (const code of [
      "import pkcs11js from 'pkcs11js';\nexport const x = pkcs11js;",
      "import { TokenService } from '../token/token-service.ts';\nexport const x = TokenService;",
      "import { isSessionLost } from '../token/ckr-errors.ts';\nexport const x = isSessionLost;",
    ]) {
      it(`refuses in the native process: ${code.split('\n')[0]}`, () => assertRefused(file, code));
    }

    it('lets the native process use token types and the algorithm list', () =>
      assertAccepted(
        file,
        "import type { TokenService } from '../token/token-service.ts';\n" +
          "import { signAlgorithms } from '../token/token-algorithms.ts';\n" +
          'export type X = TokenService;\nexport const y = signAlgorithms;',
      ));

    it('lets the token host load PKCS#11', () =>
      assertAccepted(
        'native/token-host/layer-probe.ts',
        "import { TokenService } from '../token/token-service.ts';\nexport const x = TokenService;",
      ));
  });

  describe('electron', () => {
    it('refuses Electron values outside the wiring files', () =>
      assertRefused(
        'electron/layer-probe.ts',
        "import { app } from 'electron';\nexport const x = app;",
      ));

    it('refuses Electron values in a preload helper', () =>
      assertRefused(
        'electron/preload/layer-probe.ts',
        "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;",
      ));

    it('refuses renderer imports', () =>
      assertRefused(
        'electron/layer-probe.ts',
        "import { x } from '../renderer/src/store.ts';\nexport const y = x;",
      ));

    it('accepts Electron types outside the wiring files', () =>
      assertAccepted(
        'electron/layer-probe.ts',
        "import type { App } from 'electron';\nexport type X = App;",
      ));

    it('accepts Electron values in *-electron.ts, main.ts and preload.ts', async () => {
      const code = "import { app } from 'electron';\nexport const x = app;";
      await assertAccepted('electron/layer-probe-electron.ts', code);
      await assertAccepted('electron/main.ts', code);
      await assertAccepted('electron/preload/preload.ts', code);
    });
  });

  describe('tools and tests', () => {
    it('refuse Electron values (they run under plain Node)', () =>
      assertRefused(
        'test/unit/layer-probe.test.ts',
        "import { app } from 'electron';\nexport const x = app;",
      ));
  });
});
