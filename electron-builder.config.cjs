// electron-builder configuration (`npm run package`). Validated against electron-builder's
// own JSON schema by test/security/packaging.test.ts, which also checks what is left out.
//
// What ships: the bundles of scripts/build-electron.ts (dist/electron, dist/native), the
// renderer build (dist/renderer), package.json and the production node_modules (the N-API
// modules the bundles keep external). What never ships: tests and the test bridge,
// scripts, the demo PKI (.demo/), the bundled Node (.tools/), type output, sources.

/** Paths that must never be in a package, whatever else the file list says. */
const neverPackaged = [
  '!test{,/**}',
  '!**/test/bridge{,/**}',
  '!scripts{,/**}',
  '!.demo{,/**}',
  '!.tools{,/**}',
  '!.ci{,/**}',
  '!dist/types{,/**}',
  '!dist/bridge{,/**}',
  '!dist/test{,/**}',
  '!electron{,/**}',
  '!native{,/**}',
  '!renderer{,/**}',
  '!cli{,/**}',
  '!platform{,/**}',
  '!bench{,/**}',
  '!docs{,/**}',
  '!release{,/**}',
  '!test-results{,/**}',
  '!**/*.ts',
  '!**/.env*',
];

/** @type {import('app-builder-lib').Configuration} */
module.exports = {
  appId: 'vn.niem.client',
  productName: 'Niêm',
  // ASCII name for the binary, the deb package and install folders.
  executableName: 'niem',
  copyright: 'Niêm',
  directories: { output: 'release', buildResources: 'build' },
  files: [
    'package.json',
    'dist/electron/**/*',
    'dist/native/**/*',
    'dist/renderer/**/*',
    ...neverPackaged,
  ],
  extraMetadata: { main: 'dist/electron/main.cjs' },
  asar: true,
  // N-API modules (pkcs11js, better-sqlite3-multiple-ciphers) are loaded from disk.
  asarUnpack: ['**/*.node'],
  // Prebuilt N-API binaries need no rebuild, and @electron/rebuild needs the network.
  npmRebuild: false,
  buildDependenciesFromSource: false,
  // Nothing is ever uploaded by the build.
  publish: null,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    // The app is served from app://, never from file: URLs.
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    synopsis: 'Secure exchange of classified documents',
    description: 'Niêm: sealed exchange of classified documents between agencies.',
    maintainer: 'Niêm <niem@localhost>',
  },
  deb: {
    // Lets clerks reach the usual PKCS#11 middleware without extra setup.
    recommends: ['opensc-pkcs11', 'pcscd'],
  },
  win: {
    target: ['nsis'],
  },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: true,
  },
};
