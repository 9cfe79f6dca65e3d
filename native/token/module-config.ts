/**
 * Which PKCS#11 modules Niêm loads. Order of precedence: the `--module` flag, then the
 * `NIEM_PKCS11_MODULE` environment variable (several paths separated by the platform's
 * path delimiter), then the settings file (`{"pkcs11Modules": [...]}`), then the known
 * vendor locations that exist on this machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { NiemError } from '../api/errors.ts';

/**
 * Where the vendors seen with government certificates install their PKCS#11 modules,
 * plus SoftHSM2 (tests, demo) and OpenSC (generic smart cards). Probed in this order.
 */
export const knownModulePaths: { linux: string[]; win32: string[] } = {
  linux: [
    '/usr/lib/softhsm/libsofthsm2.so',
    '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
    '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
    '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so',
    '/usr/lib/libbit4xpki.so',
    '/usr/local/lib/libbit4xpki.so',
    '/usr/lib/libeTPKCS11.so',
  ],
  win32: [
    'C:\\Windows\\System32\\bit4xpki.dll',
    'C:\\Windows\\System32\\eTPKCS11.dll',
    'C:\\Windows\\System32\\opensc-pkcs11.dll',
    'C:\\Windows\\System32\\softhsm2-x64.dll',
  ],
};

/** Where the module list came from, for logs and `niem token list`. */
export type ModuleSource = 'flag' | 'env' | 'settings' | 'probe';

/** Inputs of {@link resolveModules}; every field is optional and injectable for tests. */
export interface ResolveModulesOptions {
  /** Value of the `--module PATH` command-line flag, when given. */
  flag?: string;
  /** Environment to read `NIEM_PKCS11_MODULE` from (usually `process.env`). */
  env?: Record<string, string | undefined>;
  /** Path of the JSON settings file; a missing file is skipped. */
  settingsFile?: string;
  /** Platform whose known paths and path delimiter apply; default `process.platform`. */
  platform?: NodeJS.Platform;
  /** File existence test used when probing known paths; default `fs.existsSync`. */
  exists?: (p: string) => boolean;
}

/** The modules to load, in order, and which source named them. */
export interface ResolvedModules {
  modules: string[];
  source: ModuleSource;
}

const SettingsSchema = z.looseObject({
  pkcs11Modules: z.array(z.string().min(1)).optional(),
});

/** Splits a list of paths on the platform's delimiter, dropping blanks and duplicates. */
export function splitModuleList(value: string, platform: NodeJS.Platform): string[] {
  const delimiter = platform === 'win32' ? ';' : ':';
  return unique(value.split(delimiter).map((p) => p.trim()));
}

function unique(paths: string[]): string[] {
  return [...new Set(paths.filter((p) => p.length > 0))];
}

function readSettings(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new NiemError(
      'module-unavailable',
      `settings file ${file} cannot be read: ${(err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new NiemError('module-unavailable', `settings file ${file} is not valid JSON`);
  }
  const parsed = SettingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new NiemError(
      'module-unavailable',
      `settings file ${file}: "pkcs11Modules" must be a list of module paths`,
    );
  }
  return unique((parsed.data.pkcs11Modules ?? []).map((p) => p.trim()));
}

/**
 * Decides which PKCS#11 modules to load. The first source that names at least one module
 * wins; probing returns the known paths that exist (possibly none). A settings file that
 * exists but is malformed throws `module-unavailable` rather than being silently ignored.
 */
export function resolveModules(opts: ResolveModulesOptions = {}): ResolvedModules {
  const platform = opts.platform ?? process.platform;
  const flag = opts.flag?.trim();
  if (flag) return { modules: [flag], source: 'flag' };

  const fromEnv = splitModuleList(opts.env?.NIEM_PKCS11_MODULE ?? '', platform);
  if (fromEnv.length > 0) return { modules: fromEnv, source: 'env' };

  if (opts.settingsFile) {
    const fromSettings = readSettings(opts.settingsFile);
    if (fromSettings.length > 0) return { modules: fromSettings, source: 'settings' };
  }

  const exists = opts.exists ?? existsSync;
  const known = platform === 'win32' ? knownModulePaths.win32 : knownModulePaths.linux;
  return { modules: known.filter((p) => exists(p)), source: 'probe' };
}
