/**
 * Which PKCS#11 modules Niêm loads: flag, then NIEM_PKCS11_MODULE, then the settings
 * file, then the known vendor paths that exist.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { knownModulePaths, resolveModules } from '../../native/token/module-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'niem-module-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function settings(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const nothingExists = () => false;
const everythingExists = () => true;

describe('resolveModules precedence', () => {
  const settingsFile = settings('full.json', {
    pkcs11Modules: ['/opt/settings/a.so', '/opt/settings/b.so'],
    theme: 'dark',
  });
  const env = { NIEM_PKCS11_MODULE: '/opt/env/one.so:/opt/env/two.so' };

  it('takes the --module flag over everything else', () => {
    assert.deepEqual(
      resolveModules({
        flag: '/opt/flag.so',
        env,
        settingsFile,
        platform: 'linux',
        exists: everythingExists,
      }),
      {
        modules: ['/opt/flag.so'],
        source: 'flag',
      },
    );
  });

  it('takes NIEM_PKCS11_MODULE next, split on the platform delimiter', () => {
    assert.deepEqual(
      resolveModules({ env, settingsFile, platform: 'linux', exists: everythingExists }),
      {
        modules: ['/opt/env/one.so', '/opt/env/two.so'],
        source: 'env',
      },
    );
    const windows = resolveModules({
      env: { NIEM_PKCS11_MODULE: 'C:\\Tokens\\bit4xpki.dll; D:\\x\\eTPKCS11.dll' },
      platform: 'win32',
      exists: nothingExists,
    });
    assert.deepEqual(windows.modules, ['C:\\Tokens\\bit4xpki.dll', 'D:\\x\\eTPKCS11.dll']);
  });

  it('ignores a blank flag or variable and reads the settings file', () => {
    assert.deepEqual(
      resolveModules({
        flag: '  ',
        env: { NIEM_PKCS11_MODULE: ' : ' },
        settingsFile,
        platform: 'linux',
        exists: everythingExists,
      }),
      { modules: ['/opt/settings/a.so', '/opt/settings/b.so'], source: 'settings' },
    );
  });

  it('probes the known paths that exist when nothing is configured', () => {
    const present = new Set(['/usr/lib/softhsm/libsofthsm2.so', '/usr/local/lib/libbit4xpki.so']);
    const result = resolveModules({
      env: {},
      settingsFile: join(dir, 'absent.json'),
      platform: 'linux',
      exists: (p) => present.has(p),
    });
    assert.deepEqual(result, {
      modules: ['/usr/lib/softhsm/libsofthsm2.so', '/usr/local/lib/libbit4xpki.so'],
      source: 'probe',
    });
  });

  it('probes the Windows locations on win32', () => {
    const result = resolveModules({
      env: {},
      platform: 'win32',
      exists: (p) => p.endsWith('bit4xpki.dll'),
    });
    assert.deepEqual(result, { modules: ['C:\\Windows\\System32\\bit4xpki.dll'], source: 'probe' });
  });

  it('falls through to probing when the settings file names no module', () => {
    const empty = settings('empty.json', { pkcs11Modules: [] });
    assert.deepEqual(
      resolveModules({ env: {}, settingsFile: empty, platform: 'linux', exists: nothingExists }),
      {
        modules: [],
        source: 'probe',
      },
    );
  });

  it('refuses a malformed settings file instead of silently ignoring it', () => {
    for (const [name, content] of [
      ['broken.json', '{"pkcs11Modules": ['],
      ['wrong-type.json', { pkcs11Modules: '/usr/lib/x.so' }],
    ] as const) {
      const file = settings(name, content);
      assert.throws(
        () =>
          resolveModules({ env: {}, settingsFile: file, platform: 'linux', exists: nothingExists }),
        (err: unknown) =>
          err instanceof NiemError &&
          err.kind === 'module-unavailable' &&
          err.message.includes(file),
      );
    }
  });
});

describe('knownModulePaths', () => {
  it('lists the vendors seen with government certificates on both platforms', () => {
    for (const name of ['libsofthsm2.so', 'opensc-pkcs11.so', 'libbit4xpki.so', 'libeTPKCS11.so']) {
      assert.ok(
        knownModulePaths.linux.some((p) => p.endsWith(`/${name}`)),
        name,
      );
    }
    for (const name of ['bit4xpki.dll', 'eTPKCS11.dll', 'opensc-pkcs11.dll', 'softhsm2-x64.dll']) {
      assert.ok(
        knownModulePaths.win32.some((p) => p.endsWith(`\\${name}`)),
        name,
      );
    }
  });
});
