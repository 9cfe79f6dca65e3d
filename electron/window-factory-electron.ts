/**
 * The one window factory: the only place in the repository that constructs a
 * BrowserWindow. Every window gets the hardened options of window-factory.ts and the
 * guards of web-contents-guard.ts, and loads the app from app://niem/.
 */
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './app-origin.ts';
import { guardWebContents } from './web-contents-guard.ts';
import { hardenedWindowOptions, type WindowOptionsInput } from './window-factory.ts';

/** The window factory's input: the hardened-options input plus a log for load failures. */
export interface CreateWindowOptions extends WindowOptionsInput {
  log?: (line: string) => void;
}

export function createAppWindow(options: CreateWindowOptions): BrowserWindow {
  const window = new BrowserWindow(hardenedWindowOptions(options));
  guardWebContents(window.webContents, options.log ? { log: options.log } : {});
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((err: unknown) => {
    options.log?.(`loading ${APP_ENTRY_URL} failed: ${String(err)}`);
  });
  return window;
}
