/**
 * Settings of the native side, from a JSON file: NIEM_SETTINGS_FILE, else
 * $XDG_CONFIG_HOME/niem/settings.json (~/.config/niem/settings.json). Electron main
 * passes its user-data settings path in NIEM_SETTINGS_FILE. A missing file means the
 * defaults; a malformed one is reported and ignored, never half-applied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const SettingsSchema = z
  .object({
    /** PKCS#11 module paths, tried in order (read by token/module-config.ts). */
    pkcs11Modules: z.array(z.string().min(1)).optional(),
    /** Lock the session after this many minutes without activity. Default 15. */
    idleLockMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    /** The profile folder (vault, blobs, snapshots). Default: the app's data folder. */
    profileDir: z.string().min(1).optional(),
    /** The agency recovery certificate (PEM or DER file) a new vault's key is also wrapped for. */
    vaultRecoveryCertificate: z.string().min(1).optional(),
    /**
     * The agency's exchange platform, as the administrator provisions it: its address and
     * the CA certificate files (PEM) its TLS certificate, receipts, notices and directory
     * chain to. A profile without a platform of its own adopts these when its vault opens
     * (the CLI's `niem sync --platform URL --trust CA.pem` does the same by hand).
     */
    platform: z
      .object({
        url: z.url({ protocol: /^https$/ }),
        trustAnchors: z.array(z.string().min(1)).min(1).max(16),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_IDLE_LOCK_MINUTES = 15;

export function settingsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NIEM_SETTINGS_FILE) return env.NIEM_SETTINGS_FILE;
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configHome, 'niem', 'settings.json');
}

export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = () => {},
): { path: string; settings: Settings } {
  const path = settingsPath(env);
  if (!existsSync(path)) return { path, settings: {} };
  try {
    return { path, settings: SettingsSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) };
  } catch (err) {
    warn(`settings file ${path} ignored: ${err instanceof Error ? err.message : String(err)}`);
    return { path, settings: {} };
  }
}

/** Idle lock delay in ms: NIEM_IDLE_LOCK_MINUTES, else the settings, else 15 minutes. */
export function idleLockMs(settings: Settings, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.NIEM_IDLE_LOCK_MINUTES);
  const minutes =
    Number.isFinite(fromEnv) && fromEnv > 0
      ? fromEnv
      : (settings.idleLockMinutes ?? DEFAULT_IDLE_LOCK_MINUTES);
  return Math.round(minutes * 60_000);
}

/**
 * The app's data folder: NIEM_DATA_DIR (Electron main passes its `userData` folder), else
 * where a packaged app keeps it ("Niêm" under the platform's config folder).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NIEM_DATA_DIR) return env.NIEM_DATA_DIR;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'Niêm');
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support', 'Niêm');
  }
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Niêm');
}

/**
 * The profile folder: NIEM_PROFILE_DIR (tests, several profiles on one machine), else the
 * settings' `profileDir`, else `profile/` in the app's data folder. Absolute.
 */
export function profileDir(settings: Settings, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.NIEM_PROFILE_DIR || settings.profileDir;
  return resolve(chosen ?? join(defaultDataDir(env), 'profile'));
}
