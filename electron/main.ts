/**
 * Electron main process entry. Wiring only: it holds no secrets and does no crypto;
 * tokens, disk and keys live in the native process it supervises.
 *   - one instance only; every renderer sandboxed;
 *   - the app:// scheme (privileged before ready, served after) for dist/renderer;
 *   - a hardened default session and guards on every web contents;
 *   - the native process as a supervised utilityProcess, stopped (then killed) on quit;
 *   - the IPC gate for every contract method, native events forwarded to our windows;
 *   - one window, made by the window factory.
 */
import { join } from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import { NativeSupervisor } from '../native/host/supervisor.ts';
import { appOrigin } from './app-origin.ts';
import { registerAppScheme, serveAppProtocol } from './app-protocol-electron.ts';
import { appPaths, isDevelopmentMode } from './app-paths.ts';
import { createIpcGate } from './ipc-gate.ts';
import { forwardNativeEvents, registerIpcHandlers } from './ipc-wiring-electron.ts';
import { utilityProcessSpawner } from './native-spawner-electron.ts';
import { createQuitGuard } from './quit-guard.ts';
import { hardenSession } from './session-guard.ts';
import { guardWebContents } from './web-contents-guard.ts';
import { createAppWindow } from './window-factory-electron.ts';

const log = (line: string): void => {
  process.stderr.write(`[niem main] ${line}\n`);
};

const development = isDevelopmentMode({ isPackaged: app.isPackaged, env: process.env });

app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run();
}

function run(): void {
  const paths = appPaths(app.getAppPath());
  // The native side reads its settings (PKCS#11 modules, idle lock) from the app's data folder.
  process.env.NIEM_SETTINGS_FILE ??= join(app.getPath('userData'), 'settings.json');
  // …and keeps the clerk's profile (the vault) there unless the settings name another folder.
  process.env.NIEM_DATA_DIR ??= app.getPath('userData');
  const spawner = utilityProcessSpawner({
    entry: paths.nativeEntry,
    tokenHostEntry: paths.tokenHostEntry,
    log,
  });
  const supervisor = new NativeSupervisor({ spawn: spawner.spawn, log });
  let mainWindow: BrowserWindow | undefined;

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, { log }));

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => app.quit());

  app.on(
    'will-quit',
    createQuitGuard({
      stop: () => supervisor.stop(),
      kill: () => spawner.killAll(),
      quit: () => app.quit(),
      log,
    }),
  );

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, { development, log });
      serveAppProtocol(paths.rendererRoot, log);

      const gate = createIpcGate({
        call: (method, params) => supervisor.call(method, params),
        appOrigin,
        log,
      });
      registerIpcHandlers(gate);
      forwardNativeEvents(
        (listener) => supervisor.onEvent(listener),
        () => BrowserWindow.getAllWindows().map((window) => window.webContents),
      );

      // Calls made before the native process is ready wait for it inside the supervisor.
      supervisor
        .start()
        .catch((err: unknown) => log(`native process did not start: ${String(err)}`));

      mainWindow = createAppWindow({ preloadPath: paths.preload, development, log });
    })
    .catch((err: unknown) => {
      log(`startup failed: ${String(err)}`);
      app.exit(1);
    });
}
