/**
 * The run command behind scripts/start.sh: demo tokens, a local exchange platform, the
 * renderer build, the native process and the app. Where the Electron binary is present it
 * opens the Electron window; where it is not (as on machines that cannot download it) it
 * says so and serves the same UI through the test bridge on printed loopback addresses,
 * one per demo clerk (each with its own profile), so two clerks can trade packages
 * through the platform on one machine.
 *
 * The platform (`niem platform serve`, SQLite in DEMO/platform, TLS with the demo PKI's
 * server certificate) listens on 127.0.0.1:--platform-port (default 8443). The app finds
 * it through a demo settings file (DEMO/settings.json, used unless NIEM_SETTINGS_FILE is
 * set): a profile without a platform adopts it, and its CA, when the vault opens.
 *
 *   node scripts/run-demo.ts [--port N] [--platform-port N] [--dev]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoManifestSchema } from './demo-manifest.ts';
import { startDemoPlatform } from './demo-platform.ts';
import type { Bridge } from '../test/bridge/bridge-server.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4780' },
    'platform-port': { type: 'string', default: '8443' },
    dev: { type: 'boolean', default: false },
  },
});

const demoDir = process.env.NIEM_DEMO_DIR ?? join(root, '.demo');
execFileSync(process.execPath, [join(root, 'scripts', 'demo-pki.ts'), '--dir', demoDir], {
  stdio: 'inherit',
});
const manifest = DemoManifestSchema.parse(
  JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8')),
);
const platform = await startDemoPlatform(demoDir, Number(values['platform-port']));
const settingsFile = join(demoDir, 'settings.json');
writeFileSync(
  settingsFile,
  `${JSON.stringify({ platform: { url: platform.url, trustAnchors: [platform.caChain] } }, null, 2)}\n`,
);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SOFTHSM2_CONF: manifest.softhsm2Conf,
  NIEM_PKCS11_MODULE: process.env.NIEM_PKCS11_MODULE ?? manifest.module,
  NIEM_SETTINGS_FILE: process.env.NIEM_SETTINGS_FILE ?? settingsFile,
  NIEM_SYNC_INTERVAL_MS: process.env.NIEM_SYNC_INTERVAL_MS ?? '10000',
};

const npmRun = (script: string) =>
  execFileSync(
    process.execPath,
    [join(root, '.tools', 'node24', 'bin', 'npm'), 'run', '--silent', script],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );

npmRun('build:renderer');

/**
 * Path of the Electron binary when the npm package holds one, else null. Read from the
 * package's files rather than `require('electron')`, which would try to download it.
 */
function electronBinary(): string | null {
  try {
    const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const binary = override
      ? join(override, relative ?? 'electron')
      : relative && join(pkgDir, 'dist', relative);
    return binary && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
if (electron) {
  npmRun('build:electron');
  const child = spawn(electron, [join(root, 'dist', 'electron', 'main.cjs')], {
    stdio: 'inherit',
    env: { ...env, ...(values.dev ? { NIEM_DEV: '1' } : {}) },
  });
  child.on('exit', (code) => {
    void platform.stop().finally(() => process.exit(code ?? 0));
  });
} else {
  const { startBridge } = await import('../test/bridge/bridge-server.ts');
  console.log(
    'Không có tệp chạy Electron trên máy này (không tải được); giao diện được phục vụ qua cầu nối thử nghiệm.\n' +
      'The Electron binary is not present on this machine (it cannot be downloaded here);\n' +
      'serving the same UI through the test bridge instead.',
  );
  const bridgeOptions = {
    rendererDir: join(root, 'dist', 'renderer'),
    ...(values.dev ? { log: (line: string) => console.error(line) } : {}),
  };
  /** One bridge (and native process) per demo clerk, each on its own profile. */
  const bridges: Bridge[] = [];
  for (const [index, token] of manifest.tokens.entries()) {
    const port = Number(values.port) + index;
    const clerkEnv = {
      ...env,
      NIEM_PROFILE_DIR: join(demoDir, 'profiles', token.label.toLowerCase()),
    };
    const bridge = await startBridge({ ...bridgeOptions, env: clerkEnv, port }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        console.log(
          `Cổng ${port} đang bận; dùng cổng khác. / Port ${port} is busy; using another.`,
        );
        return startBridge({ ...bridgeOptions, env: clerkEnv, port: 0 });
      },
    );
    bridges.push(bridge);
    console.log(
      `\nMở / Open (${token.label}, PIN ${token.pin}, ${token.organisation} ${token.organId}):\n  ${bridge.url}`,
    );
  }
  console.log(`\nTrục liên thông / Exchange platform: ${platform.url}`);
  console.log('\nCtrl+C để dừng / to stop.');
  const stop = () => {
    void Promise.allSettled([...bridges.map((b) => b.close()), platform.stop()]).finally(() =>
      process.exit(0),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
