/**
 * SoftHSM2 fixtures for the token tests: a fresh demo (via scripts/demo-pki.ts, run as
 * a child like a user would), empty token stores, tokens made with the vendor tools,
 * and keys made with chosen attributes. Every fixture lives in its own temp directory.
 *
 * Tokens must be created before a TokenService is opened in this process: SoftHSM2 reads
 * its token store at C_Initialize (tokens made by another process appear after the
 * module is finalized and initialized again).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import { acquireModule, releaseModule } from '../../../native/token/pkcs11-module.ts';
import { trimPadded } from '../../../native/token/token-info.ts';
import {
  ecParamsByCurve,
  ecPublicKey,
  rsaPublicKey,
} from '../../../native/token/token-public-key.ts';
import { x509 } from '../../../native/token/x509-lib.ts';
import type { TokenService } from '../../../native/token/token-service.ts';
import type { TokenInfo } from '../../../native/api/contract.ts';
import {
  issueClerkCertificate,
  serialNumberDer,
  type ClerkSubject,
  type DemoCa,
} from '../../../scripts/demo-pki-ca.ts';
import { repoRoot, readDemoManifest, type DemoManifest } from '../../../scripts/demo-manifest.ts';
import { softhsmModule } from '../../../scripts/demo-pki.ts';
import { storeCertificate } from '../../../scripts/demo-pki-token.ts';

/** The SoftHSM2 module on this machine. */
export const softhsmPath = softhsmModule();

/** OpenSC's PKCS11SPY module: logs every call of the module named by PKCS11SPY. */
export const spyPath = [
  '/usr/lib/x86_64-linux-gnu/pkcs11-spy.so',
  '/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so',
].find((p) => existsSync(p));

/** A temp directory removed by `dispose`. */
export function tempDir(prefix: string): { path: string; dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), `niem-${prefix}-`));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs scripts/demo-pki.ts for `dir` and returns its stdout. */
export function runDemoScript(dir: string, ...args: string[]): string {
  return execFileSync(
    process.execPath,
    [join(repoRoot, 'scripts/demo-pki.ts'), '--dir', dir, ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, SOFTHSM2_CONF: undefined, NIEM_DEMO_DIR: undefined },
    },
  );
}

/** Builds a fresh demo in `dir`, points this process's SOFTHSM2_CONF at it, returns the manifest. */
export function buildDemo(dir: string): DemoManifest {
  runDemoScript(dir, '--quiet');
  const manifest = readDemoManifest(dir);
  process.env.SOFTHSM2_CONF = manifest.softhsm2Conf;
  return manifest;
}

/** An empty SoftHSM2 store in `dir`; returns the conf path (not yet made current). */
export function emptySoftHsm(dir: string): string {
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  return conf;
}

/** Test-only: `softhsm2-util --init-token --free` as an administrator would type it (PINs in argv). */
export function initTokenWithUtil(conf: string, label: string, soPin: string, pin: string): void {
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin],
    {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'pipe',
    },
  );
}

/** Runs `work` in a user session on the token `label` of the store `conf`, with the module loaded for it. */
export function withUserSession<T>(
  conf: string,
  label: string,
  pin: string,
  work: (pkcs11: PKCS11, session: Handle, slot: Handle) => T,
): T {
  return withTokenSlot(conf, label, (pkcs11, slot) => {
    const session = pkcs11.C_OpenSession(
      slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
    try {
      pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
      const result = work(pkcs11, session, slot);
      pkcs11.C_Logout(session);
      return result;
    } finally {
      pkcs11.C_CloseSession(session);
    }
  });
}

/** Runs `work` with the slot of token `label` in the store `conf`, the module loaded for it. */
export function withTokenSlot<T>(
  conf: string,
  label: string,
  work: (pkcs11: PKCS11, slot: Handle) => T,
): T {
  process.env.SOFTHSM2_CONF = conf;
  const module = acquireModule(softhsmPath);
  try {
    const { pkcs11 } = module;
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => trimPadded(pkcs11.C_GetTokenInfo(s).label) === label);
    if (!slot) throw new Error(`no token ${label}`);
    return work(pkcs11, slot);
  } finally {
    releaseModule(module);
  }
}

/** The token labelled `label` as the service lists it; fails the test when absent. */
export async function listedToken(service: TokenService, label: string): Promise<TokenInfo> {
  const found = (await service.listTokens()).find((t) => t.label === label);
  assert.ok(found, `token ${label} is listed`);
  return found;
}

/** Attributes of a test key pair; defaults are those of a proper token key. */
export interface TestKeySpec {
  algorithm: 'RSA 2048' | 'EC P-256';
  id: Buffer;
  extractable?: boolean;
  sensitive?: boolean;
  sign?: boolean;
}

/** Generates a key pair on the token in `session`; returns its public key. */
export function generateTestKey(pkcs11: PKCS11, session: Handle, spec: TestKeySpec): KeyObject {
  const rsa = spec.algorithm === 'RSA 2048';
  const publicTemplate: Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: spec.id },
    { type: pkcs11js.CKA_VERIFY, value: true },
    ...(rsa
      ? [
          { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ]
      : [{ type: pkcs11js.CKA_EC_PARAMS, value: ecParamsByCurve['P-256'] }]),
  ];
  const privateTemplate: Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_ID, value: spec.id },
    { type: pkcs11js.CKA_SIGN, value: spec.sign ?? true },
    { type: pkcs11js.CKA_DECRYPT, value: rsa },
    { type: pkcs11js.CKA_SENSITIVE, value: spec.sensitive ?? true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: spec.extractable ?? false },
  ];
  const mechanism = rsa ? pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN : pkcs11js.CKM_EC_KEY_PAIR_GEN;
  const pair = pkcs11.C_GenerateKeyPair(session, { mechanism }, publicTemplate, privateTemplate);
  const read = (type: number): Buffer => {
    const [attribute] = pkcs11.C_GetAttributeValue(session, pair.publicKey, [{ type }]);
    if (!attribute) throw new Error('attribute missing');
    return attribute.value;
  };
  return rsa
    ? rsaPublicKey(read(pkcs11js.CKA_MODULUS), read(pkcs11js.CKA_PUBLIC_EXPONENT))
    : ecPublicKey(read(pkcs11js.CKA_EC_PARAMS), read(pkcs11js.CKA_EC_POINT));
}

/** The demo's issuing CA, loaded from the files demo-pki.ts wrote. */
export async function loadIssuingCa(manifest: DemoManifest): Promise<DemoCa> {
  const certificate = new x509.X509Certificate(
    readFileSync(manifest.issuingCa.certificatePem, 'utf8'),
  );
  const pem = readFileSync(manifest.issuingCa.keyPem, 'utf8');
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    der,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return { certificate, privateKey: privateKey as CryptoKey };
}

/** Certifies `publicKey` with `ca` and stores the certificate on token `label` under `id`. */
export async function certifyOnToken(
  conf: string,
  label: string,
  pin: string,
  ca: DemoCa,
  publicKey: KeyObject,
  id: Buffer,
  subject: ClerkSubject,
  usages?: number,
): Promise<Buffer> {
  const certificate = await issueClerkCertificate(ca, publicKey, subject, new Date(), usages);
  const der = Buffer.from(certificate.rawData);
  withTokenSlot(conf, label, (pkcs11, slot) =>
    storeCertificate(pkcs11, slot, { label, pin, soPin: '', keyAlgorithm: 'RSA 3072' }, id, {
      der,
      subjectDer: Buffer.from(certificate.subjectName.toArrayBuffer()),
      issuerDer: Buffer.from(certificate.issuerName.toArrayBuffer()),
      serialNumberDer: serialNumberDer(certificate),
    }),
  );
  return der;
}

/** A random CKA_ID. */
export function randomId(): Buffer {
  return randomBytes(8);
}

/** How many times `fn` (e.g. C_Login) appears in a PKCS11SPY log. */
export function spyCalls(logFile: string, fn: string): number {
  if (!existsSync(logFile)) return 0;
  const pattern = new RegExp(`^\\d+: ${fn}$`, 'gm');
  return readFileSync(logFile, 'utf8').match(pattern)?.length ?? 0;
}

/** The raw CK_TOKEN_INFO flags of token `label`, read through a fresh load of the module. */
export function tokenFlags(conf: string, label: string): number {
  return withTokenSlot(conf, label, (pkcs11, slot) => pkcs11.C_GetTokenInfo(slot).flags);
}
