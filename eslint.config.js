// ESLint flat config. The layer rules below are the runtime boundaries of DESIGN.md,
// enforced at error level: a violation fails `npm run lint` and CI.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** native/ runs under plain Node too, and never reaches into the other layers. */
const nativeNoElectron = {
  name: 'electron',
  message: 'native/ runs under plain Node too: no Electron.',
};
const nativeLayers = {
  group: [
    '**/electron/**',
    '**/renderer/**',
    '**/cli/**',
    '**/test/**',
    '**/scripts/**',
    '**/platform/**',
  ],
  message: 'native/ imports nothing from electron/, renderer/, cli/, test/, scripts/ or platform/.',
};

/** Value imports of 'electron' are allowed only in these wiring files; the rest stays testable in Node. */
const electronWiring = [
  'electron/main.ts',
  'electron/preload/preload.ts',
  'electron/**/*-electron.ts',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.tools/',
      '.demo/',
      'dist/',
      'release/',
      'test-results/',
      'native/**/*.c',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // Renderer: browser only. No Node, no Electron, no native/ runtime code (types from
  // native/api allowed; native/api/i18n is pure data shared with the CLI).
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer never imports Node.' })),
            { name: 'electron', message: 'The renderer never imports Electron; use the bridge.' },
            { name: 'pkcs11js', message: 'Tokens are reached only through the native process.' },
          ],
          patterns: [
            {
              regex: '(^|/)native/(?!api/i18n/)',
              allowTypeImports: true,
              message:
                'The renderer imports only types from native/api (and native/api/i18n data).',
            },
            {
              group: ['**/electron/**', '**/cli/**', '**/test/**', '**/scripts/**'],
              message: 'Not a renderer layer.',
            },
          ],
        },
      ],
    },
  },
  // Shared message catalogs stay pure data: no imports at all.
  {
    files: ['native/api/i18n/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportDeclaration', message: 'native/api/i18n is pure data: no imports.' },
      ],
    },
  },
  // Native side: never Electron, never the UI.
  {
    files: ['native/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [nativeNoElectron],
          patterns: [nativeLayers],
        },
      ],
    },
  },
  // The native process never loads PKCS#11 itself: vendor modules live in the token
  // host. Its code may import only types and the pure algorithm lists from native/token.
  {
    files: [
      'native/main.ts',
      'native/host/**/*.ts',
      'native/service/**/*.ts',
      'native/token-host/token-host-client.ts',
      'native/token-host/token-protocol.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            nativeNoElectron,
            { name: 'pkcs11js', message: 'PKCS#11 runs only in the token host.' },
          ],
          patterns: [
            nativeLayers,
            {
              regex: '(^|/)token/(?!token-algorithms\\.ts$)',
              allowTypeImports: true,
              message: 'The native process talks to tokens only through the token host.',
            },
          ],
        },
      ],
    },
  },
  // Electron main and preload: never the renderer; Electron values only in wiring files.
  {
    files: ['electron/**/*.ts'],
    ignores: electronWiring,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowTypeImports: true,
              message:
                'Only wiring files (main.ts, preload/preload.ts, *-electron.ts) import Electron values; the rest is tested under Node.',
            },
          ],
          patterns: [
            {
              group: ['**/renderer/**', '**/cli/**', '**/test/**'],
              message: 'electron/ never imports the renderer, cli or tests.',
            },
          ],
        },
      ],
    },
  },
  {
    files: electronWiring,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/cli/**', '**/test/**'],
              message: 'electron/ never imports the renderer, cli or tests.',
            },
          ],
        },
      ],
    },
  },
  // Tools, tests and CLI load under plain Node: no Electron values.
  {
    files: ['cli/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'platform/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowTypeImports: true,
              message: 'Runs under plain Node: no Electron values.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/bridge/client/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
