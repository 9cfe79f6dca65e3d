/**
 * Vite build of the renderer: renderer/ → dist/renderer. The page runs under a strict
 * CSP (no inline script or style), so nothing may be inlined: no module-preload
 * polyfill, no assets turned into data: URLs, no source maps in the output. The same
 * policy as electron/csp.ts (without frame-ancestors, which a <meta> cannot carry) is
 * written into the built index.html as a second line of defence behind the host's header.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from '../electron/csp.ts';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The host's policy (electron/csp.ts, one source), less what a <meta> cannot carry. */
export const metaContentSecurityPolicy = CONTENT_SECURITY_POLICY.split(';')
  .map((directive) => directive.trim())
  .filter((directive) => directive !== '' && !directive.startsWith('frame-ancestors'))
  .join('; ');

/** Adds the CSP <meta> to the production index.html only (the dev server injects inline code). */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'niem-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

export default defineConfig({
  root: rendererRoot,
  base: '/',
  publicDir: false,
  plugins: [react(), contentSecurityPolicyMeta()],
  build: {
    outDir: `${repoRoot}dist/renderer`,
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [repoRoot] },
  },
  preview: {
    host: '127.0.0.1',
  },
});
