/**
 * Where the built pieces live, relative to the app root (`app.getAppPath()`: the folder
 * with package.json, or `resources/app.asar` when packaged), and when the app runs in
 * development mode. Pure module.
 */
import path from 'node:path';

/** Absolute paths of the built app's parts (see scripts/build-electron.ts). */
export interface AppPaths {
  /** The sandboxed preload bundle. */
  readonly preload: string;
  /** The native process entry, started as a utilityProcess. */
  readonly nativeEntry: string;
  /** The token host entry (PKCS#11), started as a utilityProcess on the native process's request. */
  readonly tokenHostEntry: string;
  /** The renderer build served on app://niem/. */
  readonly rendererRoot: string;
}

export function appPaths(appRoot: string): AppPaths {
  const root = path.resolve(appRoot);
  return {
    preload: path.join(root, 'dist', 'electron', 'preload.cjs'),
    nativeEntry: path.join(root, 'dist', 'native', 'main.cjs'),
    tokenHostEntry: path.join(root, 'dist', 'native', 'token-host.cjs'),
    rendererRoot: path.join(root, 'dist', 'renderer'),
  };
}

/**
 * Development mode (devtools allowed) only for an unpackaged app started with
 * NIEM_DEV=1. A packaged app is never in development mode, whatever its environment.
 */
export function isDevelopmentMode(input: {
  isPackaged: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): boolean {
  return !input.isPackaged && input.env.NIEM_DEV === '1';
}
