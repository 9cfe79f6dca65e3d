// The packaging configuration (electron-builder.config.cjs): valid against
// electron-builder's own JSON schema, fuses set, and nothing but the built app shipped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  extraMetadata?: { main?: string };
  [key: string]: unknown;
}

const config = require(path.join(repoRoot, 'electron-builder.config.cjs')) as BuilderConfig;
const schemaPath = require.resolve('app-builder-lib/scheme.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;

/** electron-builder's own validator settings, minus type coercion (stricter). */
function validator() {
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** Applies the `files` patterns in order, last match wins, as electron-builder does. */
function shipped(relativePath: string): boolean {
  let included = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (path.posix.matchesGlob(relativePath, glob)) included = !negated;
  }
  return included;
}

describe('electron-builder configuration', () => {
  it("is valid against electron-builder's schema", () => {
    const validate = validator();
    const valid = validate(JSON.parse(JSON.stringify(config)));
    assert.equal(valid, true, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema check bites (an unknown key and a wrong fuse type are refused)', () => {
    const validate = validator();
    assert.equal(validate({ ...config, filez: ['x'] }), false);
    assert.equal(
      validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } }),
      false,
    );
  });

  it('sets the security fuses', () => {
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into an asar, unpacking only native modules', () => {
    assert.equal(config.asar, true);
    assert.deepEqual(config.asarUnpack, ['**/*.node']);
    assert.equal(config.extraMetadata?.main, 'dist/electron/main.cjs');
  });

  it('targets AppImage and deb on Linux, NSIS on Windows', () => {
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.equal(config.publish, null);
  });

  it('ships the built app', () => {
    for (const file of [
      'package.json',
      'dist/electron/main.cjs',
      'dist/electron/preload.cjs',
      'dist/native/main.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-4f2a.js',
    ]) {
      assert.equal(shipped(file), true, file);
    }
  });

  it('never ships tests, the test bridge, scripts, the demo PKI, the bundled Node or sources', () => {
    for (const file of [
      'test/bridge/server.ts',
      'test/bridge/client/bridge-client.js',
      'test/e2e/sign-in.test.ts',
      'test/security/ipc-gate.test.ts',
      'scripts/build-electron.ts',
      'scripts/demo-pki.ts',
      '.demo/tokens/agency-a/token.db',
      '.demo/pki/clerk-a.key',
      '.tools/node24/bin/node',
      '.ci/run',
      'dist/types/electron/main.d.ts',
      'dist/bridge/server.cjs',
      'dist/renderer/test/bridge/client.js',
      'dist/renderer/.env.local',
      'electron/main.ts',
      'native/main.ts',
      'renderer/src/main.tsx',
      'cli/niem.js',
      'platform/server.ts',
      'eslint.config.js',
      'tsconfig.json',
      'electron-builder.config.cjs',
    ]) {
      assert.equal(shipped(file), false, file);
    }
  });

  it('states every exclusion explicitly (not only by omission)', () => {
    for (const pattern of [
      '!test{,/**}',
      '!**/test/bridge{,/**}',
      '!scripts{,/**}',
      '!.demo{,/**}',
      '!.tools{,/**}',
    ]) {
      assert.ok(config.files.includes(pattern), pattern);
    }
  });
});
