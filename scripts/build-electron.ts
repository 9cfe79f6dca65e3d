/**
 * Bundles the Electron side with esbuild (`npm run build:electron`):
 *   electron/main.ts         → dist/electron/main.cjs    (Electron main)
 *   electron/preload/preload.ts → dist/electron/preload.cjs (sandboxed preload)
 *   native/main.ts           → dist/native/main.cjs      (utilityProcess entry)
 *   native/token-host/main.ts → dist/native/token-host.cjs (utilityProcess entry: PKCS#11)
 * Each is one CommonJS file; Electron itself and the N-API modules stay external (they
 * are loaded from node_modules at run time, unpacked from the asar).
 *
 * The preload is built for the browser platform: a sandboxed preload can require only
 * 'electron', so a Node built-in creeping into its imports must fail the build, not the
 * window. The preload needs only the contract's method and event names, so in its
 * bundle native/api/contract.ts is replaced by those names, read from the real table at
 * build time (no zod in the preload; a preload import of anything else from the contract
 * fails the build). `import.meta.url`/`dirname`/`filename` are mapped to their CommonJS values so
 * TypeScript sources written as ES modules keep working once bundled.
 *
 * Usage: node scripts/build-electron.ts [--root DIR] [--out DIR] [--only main|preload|native|tokenHost]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** Loaded at run time, never bundled. */
export const EXTERNAL_MODULES = ['electron', 'pkcs11js', 'better-sqlite3-multiple-ciphers'];

/** The bundles: Electron main, the preload, the native process and token host entries. */
export type BundleName = 'main' | 'preload' | 'native' | 'tokenHost';

interface Bundle {
  readonly entry: string;
  readonly outfile: string;
  readonly browser: boolean;
}

const BUNDLES: Readonly<Record<BundleName, Bundle>> = {
  main: { entry: 'electron/main.ts', outfile: 'electron/main.cjs', browser: false },
  preload: { entry: 'electron/preload/preload.ts', outfile: 'electron/preload.cjs', browser: true },
  native: { entry: 'native/main.ts', outfile: 'native/main.cjs', browser: false },
  tokenHost: {
    entry: 'native/token-host/main.ts',
    outfile: 'native/token-host.cjs',
    browser: false,
  },
};

const IMPORT_META_BANNER =
  "const __niemImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/**
 * An esbuild plugin that replaces native/api/contract.ts with its name tables only:
 * `methodNames`, `eventNames`, `isMethodName`, `isEventName`, read from the real module.
 */
const contractNamesPlugin: Plugin = {
  name: 'niem-contract-names',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]native[\\/]api[\\/]contract\.ts$/ }, async (args) => {
      const contract = (await import(pathToFileURL(args.path).href)) as {
        methodNames: readonly string[];
        eventNames: readonly string[];
      };
      const contents = [
        `export const methodNames = ${JSON.stringify(contract.methodNames)};`,
        `export const eventNames = ${JSON.stringify(contract.eventNames)};`,
        'export function isMethodName(name) { return methodNames.includes(name); }',
        'export function isEventName(name) { return eventNames.includes(name); }',
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

/** What to build and where; the CLI maps --root, --out and --only onto it. */
export interface BuildElectronOptions {
  /** Repository root holding electron/ and native/. */
  root: string;
  /** Output folder; default `<root>/dist`. */
  outDir?: string;
  /** Which bundles; default all three. */
  only?: readonly BundleName[];
  /** esbuild log level; default 'warning'. */
  logLevel?: BuildOptions['logLevel'];
}

/** Builds the bundles; returns the files written. Rejects with esbuild's errors. */
export async function buildElectron(options: BuildElectronOptions): Promise<string[]> {
  const root = path.resolve(options.root);
  const outDir = path.resolve(options.outDir ?? path.join(root, 'dist'));
  const names = options.only ?? (Object.keys(BUNDLES) as BundleName[]);

  const written: string[] = [];
  for (const name of names) {
    const bundle = BUNDLES[name];
    const entry = path.join(root, bundle.entry);
    if (!existsSync(entry)) throw new Error(`build-electron: ${bundle.entry} does not exist`);
    const outfile = path.join(outDir, bundle.outfile);
    await build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: bundle.browser ? 'browser' : 'node',
      target: bundle.browser ? 'es2024' : 'node24',
      external: EXTERNAL_MODULES,
      sourcemap: 'linked',
      legalComments: 'none',
      charset: 'utf8',
      logLevel: options.logLevel ?? 'warning',
      ...(bundle.browser
        ? { plugins: [contractNamesPlugin] }
        : {
            banner: { js: IMPORT_META_BANNER },
            define: {
              'import.meta.url': '__niemImportMetaUrl',
              'import.meta.dirname': '__dirname',
              'import.meta.filename': '__filename',
            },
          }),
    });
    written.push(outfile);
  }
  return written;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string', multiple: true },
    },
  });
  const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const only = values.only?.map((name) => {
    if (!Object.hasOwn(BUNDLES, name)) throw new Error(`build-electron: unknown bundle ${name}`);
    return name as BundleName;
  });
  const files = await buildElectron({
    root: values.root ?? defaultRoot,
    ...(values.out ? { outDir: values.out } : {}),
    ...(only ? { only } : {}),
  });
  for (const file of files) console.log(`built ${path.relative(process.cwd(), file)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
