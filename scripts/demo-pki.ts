/**
 * The demo PKI and SoftHSM2 tokens, made idempotently.
 *
 *   node scripts/demo-pki.ts [--quiet] [--dir DIR]
 *
 * DIR defaults to NIEM_DEMO_DIR, else `.demo/` at the repository root. It gets:
 *   softhsm2.conf, tokens/           SoftHSM2 configuration and token store
 *   pki/                             demo root and issuing CA (certificates and software
 *                                    keys, 0600), the clerk certificates, ca-chain.pem,
 *                                    directory.json (both agencies, for `niem directory import`),
 *                                    the exchange platform's TLS server certificate
 *                                    (localhost, 127.0.0.1) and receipt-signing
 *                                    certificate with their software keys (0600)
 *   demo.json                        what was made (see scripts/demo-manifest.ts)
 * A second run with everything in place checks it (including a login on each token)
 * and does nothing. A partial or outdated state (killed halfway, older recipe,
 * certificate expiring within 30 days) is wiped and rebuilt. Only the entries above are
 * ever removed from DIR.
 *
 * DEMO ONLY: the PINs are published demo values, the CA keys live in files, the agency
 * data is illustrative. Use SOFTHSM2_CONF=DIR/softhsm2.conf in the process that loads
 * the module to see the tokens.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { knownModulePaths } from '../native/token/module-config.ts';
import { acquireModule, releaseModule, type LoadedModule } from '../native/token/pkcs11-module.ts';
import { x509 } from '../native/token/x509-lib.ts';
import {
  certificatePem,
  createDemoCas,
  fingerprintOf,
  issueClerkCertificate,
  privateKeyPem,
  serialNumberDer,
} from './demo-pki-ca.ts';
import { issuePlatformKeys, platformKeyFiles } from './demo-pki-platform.ts';
import {
  generateClerkKey,
  initToken,
  storeCertificate,
  verifyToken,
  type TokenPlan,
} from './demo-pki-token.ts';
import {
  DEMO_RECIPE,
  DemoManifestSchema,
  demoDir,
  demoManifestPath,
  tryReadDemoManifest,
  type DemoManifest,
  type DemoToken,
} from './demo-manifest.ts';

/** A demo agency: its token and the subject of its clerk certificate. */
interface AgencyPlan extends TokenPlan {
  organId: string;
  organIdPublished: boolean;
  organisation: string;
  organisationalUnit: string;
  commonName: string;
  /** The highest level the agency may receive, in the demo directory. */
  clearance: 'mat' | 'toi-mat' | 'tuyet-mat';
}

/** The two demo agencies. PINs and SO PINs are demo values. */
const agencies: readonly AgencyPlan[] = [
  {
    label: 'VPCP-VANTHU',
    pin: '111111',
    soPin: '11223344',
    keyAlgorithm: 'RSA 3072',
    organId: '000.00.00.G22',
    organIdPublished: true,
    organisation: 'Văn phòng Chính phủ',
    organisationalUnit: 'Văn thư',
    commonName: 'Văn thư Văn phòng Chính phủ (DEMO)',
    clearance: 'tuyet-mat',
  },
  {
    label: 'BTP-VANTHU',
    pin: '222222',
    soPin: '22334455',
    keyAlgorithm: 'EC P-384',
    // Made-up demo code in the shape of Decision 20/2020/QĐ-TTg; not Bộ Tư pháp's real one.
    organId: '000.00.00.G99',
    organIdPublished: false,
    organisation: 'Bộ Tư pháp',
    organisationalUnit: 'Văn thư',
    commonName: 'Văn thư Bộ Tư pháp (DEMO)',
    clearance: 'toi-mat',
  },
];

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Options of {@link ensureDemo}. */
export interface DemoOptions {
  /** Absolute demo directory. */
  dir: string;
  /** SoftHSM2 module; default NIEM_SOFTHSM2_MODULE, else the first known SoftHSM2 path that exists. */
  module?: string;
}

/** The SoftHSM2 module to use for the demo. */
export function softhsmModule(env: Record<string, string | undefined> = process.env): string {
  const explicit = env.NIEM_SOFTHSM2_MODULE;
  if (explicit) return explicit;
  const found = knownModulePaths.linux
    .filter((p) => p.includes('softhsm'))
    .find((p) => existsSync(p));
  if (!found)
    throw new Error(
      'SoftHSM2 is not installed (apt-get install softhsm2), or set NIEM_SOFTHSM2_MODULE',
    );
  return found;
}

function paths(dir: string) {
  const pki = join(dir, 'pki');
  return {
    conf: join(dir, 'softhsm2.conf'),
    tokens: join(dir, 'tokens'),
    pki,
    manifest: demoManifestPath(dir),
    rootCert: join(pki, 'root-ca.crt.pem'),
    rootKey: join(pki, 'root-ca.key.pem'),
    issuingCert: join(pki, 'issuing-ca.crt.pem'),
    issuingKey: join(pki, 'issuing-ca.key.pem'),
    chain: join(pki, 'ca-chain.pem'),
    clerkCert: (label: string) => join(pki, `${label.toLowerCase()}.crt.pem`),
    directory: join(pki, 'directory.json'),
    platform: platformKeyFiles(pki),
  };
}

function confText(tokensDir: string): string {
  return `# SoftHSM2 configuration of the Niêm demo (made by scripts/demo-pki.ts)\ndirectories.tokendir = ${tokensDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`;
}

/** Runs `work` with the module loaded under SOFTHSM2_CONF=conf, restoring the environment after. */
function withSoftHsm<T>(modulePath: string, conf: string, work: (module: LoadedModule) => T): T {
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  const module = acquireModule(modulePath);
  try {
    return work(module);
  } finally {
    releaseModule(module);
    if (previous === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previous;
  }
}

function derOfPem(pem: string): Buffer {
  return Buffer.from(new x509.X509Certificate(pem).rawData);
}

/** True when DIR holds a complete, current demo matching its manifest. */
function isComplete(dir: string, modulePath: string, now: Date): DemoManifest | undefined {
  const p = paths(dir);
  const manifest = tryReadDemoManifest(dir);
  if (!manifest || manifest.dir !== dir || manifest.module !== modulePath) return undefined;
  if (!existsSync(p.conf) || readFileSync(p.conf, 'utf8') !== confText(p.tokens)) return undefined;
  const files = [
    p.rootCert,
    p.rootKey,
    p.issuingCert,
    p.issuingKey,
    p.chain,
    ...Object.values(p.platform),
  ];
  if (!files.every((f) => existsSync(f))) return undefined;
  if (manifest.tokens.length !== agencies.length) return undefined;
  try {
    for (const pem of [
      p.rootCert,
      p.issuingCert,
      p.platform.tlsCert,
      p.platform.receiptCert,
      ...manifest.tokens.map((t) => t.certificatePem),
    ]) {
      if (
        new x509.X509Certificate(readFileSync(pem, 'utf8')).notAfter.getTime() - now.getTime() <
        RENEW_BEFORE_MS
      ) {
        return undefined;
      }
    }
    const ok = withSoftHsm(modulePath, p.conf, ({ pkcs11 }) =>
      manifest.tokens.every((t) => {
        const serial = verifyToken(
          pkcs11,
          t.label,
          t.pin,
          Buffer.from(t.keyId, 'hex'),
          derOfPem(readFileSync(t.certificatePem, 'utf8')),
        );
        return serial === t.serial;
      }),
    );
    return ok ? manifest : undefined;
  } catch {
    return undefined;
  }
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

async function build(dir: string, modulePath: string, now: Date): Promise<DemoManifest> {
  const p = paths(dir);
  for (const entry of [p.manifest, p.tokens, p.pki, p.conf])
    rmSync(entry, { recursive: true, force: true });
  mkdirSync(p.tokens, { recursive: true, mode: 0o700 });
  mkdirSync(p.pki, { recursive: true, mode: 0o700 });
  writeFileSync(p.conf, confText(p.tokens));

  const { root, issuing } = await createDemoCas(now);
  writeFileSync(p.rootCert, certificatePem(root.certificate));
  writePrivate(p.rootKey, await privateKeyPem(root.privateKey));
  writeFileSync(p.issuingCert, certificatePem(issuing.certificate));
  writePrivate(p.issuingKey, await privateKeyPem(issuing.privateKey));
  writeFileSync(p.chain, certificatePem(root.certificate) + certificatePem(issuing.certificate));

  // Keys are made on the tokens first (synchronous PKCS#11), certified in software, then stored.
  const generated = withSoftHsm(modulePath, p.conf, ({ pkcs11 }) =>
    agencies.map((plan) => {
      const slot = initToken(pkcs11, plan);
      return { plan, ...generateClerkKey(pkcs11, slot, plan) };
    }),
  );
  const certified = await Promise.all(
    generated.map(async (g) => ({
      ...g,
      certificate: await issueClerkCertificate(issuing, g.publicKey, g.plan, now),
    })),
  );
  const tokens = withSoftHsm(modulePath, p.conf, ({ pkcs11 }) =>
    certified.map(({ plan, keyId, certificate }): DemoToken => {
      const slot = pkcs11
        .C_GetSlotList(true)
        .find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === plan.label);
      if (!slot) throw new Error(`token ${plan.label} vanished`);
      storeCertificate(pkcs11, slot, plan, keyId, {
        der: Buffer.from(certificate.rawData),
        subjectDer: Buffer.from(certificate.subjectName.toArrayBuffer()),
        issuerDer: Buffer.from(certificate.issuerName.toArrayBuffer()),
        serialNumberDer: serialNumberDer(certificate),
      });
      const pemPath = p.clerkCert(plan.label);
      writeFileSync(pemPath, certificatePem(certificate));
      const {
        label,
        pin,
        soPin,
        keyAlgorithm,
        organId,
        organIdPublished,
        organisation,
        organisationalUnit,
        commonName,
      } = plan;
      return {
        label,
        pin,
        soPin,
        serial: pkcs11.C_GetTokenInfo(slot).serialNumber.trim(),
        organId,
        organIdPublished,
        organisation,
        organisationalUnit,
        commonName,
        keyAlgorithm,
        keyId: keyId.toString('hex'),
        certificatePem: pemPath,
        fingerprint: fingerprintOf(certificate),
      };
    }),
  );

  const platform = await issuePlatformKeys(p.pki, issuing, now);

  // The agencies as a clerk's directory (docs/vault.md): RSA keys on SoftHSM2 decrypt
  // RSA-OAEP with SHA-1 only; EC keys agree by ECDH.
  const directory = {
    format: 'niem-directory',
    version: 1,
    agencies: agencies.map((a) => ({
      organId: a.organId,
      name: a.organisation,
      clearance: a.clearance,
      keyTransport: a.keyAlgorithm.startsWith('RSA') ? 'oaep-sha1' : 'ecdh',
      certificates: [readFileSync(p.clerkCert(a.label), 'utf8')],
    })),
  };
  writeFileSync(p.directory, `${JSON.stringify(directory, null, 2)}\n`);

  const manifest = DemoManifestSchema.parse({
    recipe: DEMO_RECIPE,
    createdAt: now.toISOString(),
    dir,
    softhsm2Conf: p.conf,
    module: modulePath,
    rootCa: {
      commonName: root.certificate.subjectName.getField('CN')[0] ?? '',
      certificatePem: p.rootCert,
      keyPem: p.rootKey,
    },
    issuingCa: {
      commonName: issuing.certificate.subjectName.getField('CN')[0] ?? '',
      certificatePem: p.issuingCert,
      keyPem: p.issuingKey,
    },
    caChainPem: p.chain,
    tokens,
    platform,
  } satisfies DemoManifest);
  // Written last and atomically: its presence marks a complete build.
  const temporary = `${p.manifest}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, p.manifest);
  return manifest;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding DIR/.demo-pki.lock, so two runs on one directory (parallel test
 * suites) never build over each other. A lock left by a process that died is taken over.
 */
async function withDirLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.demo-pki.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    } catch {
      continue; // released meanwhile
    }
    if (holder > 0 && !isAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another demo-pki run (pid ${holder}) holds ${lock}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Makes sure DIR holds the complete demo; builds it when it does not. */
export async function ensureDemo(
  options: DemoOptions,
): Promise<{ manifest: DemoManifest; built: boolean }> {
  const modulePath = options.module ?? softhsmModule();
  mkdirSync(options.dir, { recursive: true });
  return withDirLock(options.dir, async () => {
    const now = new Date();
    const existing = isComplete(options.dir, modulePath, now);
    if (existing) return { manifest: existing, built: false };
    return { manifest: await build(options.dir, modulePath, now), built: true };
  });
}

function summary(manifest: DemoManifest, built: boolean): string {
  const lines = [
    `Niêm demo ${built ? 'built' : 'already in place'} in ${manifest.dir}`,
    `  SOFTHSM2_CONF=${manifest.softhsm2Conf}`,
    `  module ${manifest.module}`,
    `  CA chain: ${manifest.rootCa.commonName} → ${manifest.issuingCa.commonName}`,
    ...manifest.tokens.map(
      (t) =>
        `  token ${t.label.padEnd(12)} PIN ${t.pin} (SO PIN ${t.soPin})  ${t.keyAlgorithm.padEnd(8)}  ${t.organisation} (${t.organId}${t.organIdPublished ? '' : ', demo code'})`,
    ),
    `  platform ${manifest.platform.name}: TLS ${manifest.platform.tlsCertificatePem}, receipts ${manifest.platform.receiptCertificatePem}`,
    '  DEMO ONLY: published PINs and software CA keys.',
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  let values: { quiet: boolean; dir?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { quiet: { type: 'boolean', default: false }, dir: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    const usage = 'usage: node scripts/demo-pki.ts [--quiet] [--dir DIR]';
    throw new Error(`${(err as Error).message}\n${usage}`, { cause: err });
  }
  const dir = demoDir(values.dir);
  const { manifest, built } = await ensureDemo({ dir });
  if (!values.quiet) process.stdout.write(summary(manifest, built));
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`demo-pki: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
