/**
 * The hardened settings of every Niêm window (DESIGN.md rule 6), as a pure function so
 * tests check them under plain Node. window-factory-electron.ts is the only place that
 * constructs a window, always with these options.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** The only two things that vary between windows. */
export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  preloadPath: string;
  /** Development mode: only then are the devtools available. */
  development: boolean;
}

/** The webPreferences every window gets. No option here may be weakened elsewhere. */
export function hardenedWebPreferences(input: WindowOptionsInput): WebPreferences {
  return {
    preload: input.preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // No Blink feature flags are switched on (enableBlinkFeatures is left out).
    plugins: false,
    webgl: false, // not needed by the UI; less GPU attack surface
    spellcheck: false, // the spell checker downloads dictionaries from the network
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools: input.development,
  };
}

/** The full options of the main window. */
export function hardenedWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Niêm',
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false, // shown on ready-to-show, so no blank frame flashes
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: hardenedWebPreferences(input),
  };
}
