/**
 * Bundles the bridge client (and the bridge builder it shares with the Electron
 * preload) into one classic script, at bridge start. esbuild takes ~50 ms here.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./client/bridge-client.ts', import.meta.url));

export async function buildBridgeClient(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('bridge client build produced nothing');
  return file.text;
}
