/**
 * The run command behind scripts/start.sh: demo tokens, the renderer build, the native
 * process and the app. Where the Electron binary is present it opens the Electron
 * window; where it is not (as on machines that cannot download it) it says so and serves
 * the same UI through the test bridge on a printed loopback address.
 *
 *   node scripts/run-demo.ts [--port N] [--dev]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoManifestSchema } from './demo-manifest.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { port: { type: 'string', default: '4780' }, dev: { type: 'boolean', default: false } },
});

const demoDir = process.env.NIEM_DEMO_DIR ?? join(root, '.demo');
execFileSync(process.execPath, [join(root, 'scripts', 'demo-pki.ts'), '--dir', demoDir], {
  stdio: 'inherit',
});
const manifest = DemoManifestSchema.parse(
  JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8')),
);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SOFTHSM2_CONF: manifest.softhsm2Conf,
  NIEM_PKCS11_MODULE: process.env.NIEM_PKCS11_MODULE ?? manifest.module,
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
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const { startBridge } = await import('../test/bridge/bridge-server.ts');
  console.log(
    'Không có tệp chạy Electron trên máy này (không tải được); giao diện được phục vụ qua cầu nối thử nghiệm.\n' +
      'The Electron binary is not present on this machine (it cannot be downloaded here);\n' +
      'serving the same UI through the test bridge instead.',
  );
  const bridgeOptions = {
    rendererDir: join(root, 'dist', 'renderer'),
    env,
    ...(values.dev ? { log: (line: string) => console.error(line) } : {}),
  };
  const bridge = await startBridge({ ...bridgeOptions, port: Number(values.port) }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      console.log(
        `Cổng ${values.port} đang bận; dùng cổng khác. / Port ${values.port} is busy; using another.`,
      );
      return startBridge({ ...bridgeOptions, port: 0 });
    },
  );
  console.log(`\nMở / Open:  ${bridge.url}\n`);
  for (const token of manifest.tokens) {
    console.log(
      `  token ${token.label.padEnd(14)} PIN ${token.pin}   ${token.organisation} (${token.organId})`,
    );
  }
  console.log('\nCtrl+C để dừng / to stop.');
  const stop = () => {
    void bridge.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
