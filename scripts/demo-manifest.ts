/**
 * The demo manifest: what `scripts/demo-pki.ts` made and where it is, written as
 * `DIR/demo.json`. The e2e tests, the run command and the README read it; keep it
 * stable and extend it only by adding fields. All paths are absolute.
 *
 * DEMO ONLY: the PINs below are published demo values for SoftHSM2 tokens that hold
 * demo keys certified by a demo CA. Nothing here is, or may become, a real credential.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Bumped whenever the demo's contents change, so an older demo dir is rebuilt. */
export const DEMO_RECIPE = 3;

export const DemoKeyAlgorithmSchema = z.enum(['RSA 3072', 'EC P-384']);

export const DemoTokenSchema = z
  .object({
    /** Token label (CKA_LABEL of the token), e.g. VPCP-VANTHU. */
    label: z.string(),
    /** Demo user PIN. */
    pin: z.string(),
    /** Demo security officer PIN (different from the user PIN). */
    soPin: z.string(),
    /** Token serial number as the token reports it (trimmed). */
    serial: z.string(),
    /** Agency code (OrganId) in the certificate's organizationIdentifier. */
    organId: z.string(),
    /** False when the OrganId is a made-up demo value rather than the agency's published code. */
    organIdPublished: z.boolean(),
    /** Agency name, the certificate's O. */
    organisation: z.string(),
    /** The certificate's OU, e.g. "Văn thư". */
    organisationalUnit: z.string(),
    /** The certificate's CN. */
    commonName: z.string(),
    keyAlgorithm: DemoKeyAlgorithmSchema,
    /** CKA_ID shared by the key pair and the certificate on the token, lower-case hex. */
    keyId: z.string().regex(/^[0-9a-f]+$/),
    /** The clerk certificate, PEM. */
    certificatePem: z.string(),
    /** SHA-256 of the certificate DER, upper-case hex. */
    fingerprint: z.string().regex(/^[0-9A-F]{64}$/),
  })
  .strict();

const CaSchema = z
  .object({
    commonName: z.string(),
    /** Certificate, PEM. */
    certificatePem: z.string(),
    /** Private key, PKCS#8 PEM, mode 0600. A demo CA key kept in software. */
    keyPem: z.string(),
  })
  .strict();

const PlatformKeysSchema = z
  .object({
    /** The platform's name in its receipts. */
    name: z.string(),
    /** TLS server certificate (SAN DNS:localhost, IP:127.0.0.1; EKU serverAuth), PEM. */
    tlsCertificatePem: z.string(),
    /** Its private key, PKCS#8 PEM, mode 0600. */
    tlsKeyPem: z.string(),
    /** Receipt-signing certificate (digitalSignature, nonRepudiation), PEM. */
    receiptCertificatePem: z.string(),
    /** Its private key, PKCS#8 PEM, mode 0600. */
    receiptKeyPem: z.string(),
  })
  .strict();

export const DemoManifestSchema = z
  .object({
    recipe: z.literal(DEMO_RECIPE),
    /** When the demo was built, ISO 8601 UTC. */
    createdAt: z.string(),
    dir: z.string(),
    /** Set SOFTHSM2_CONF to this in any process that loads the module. */
    softhsm2Conf: z.string(),
    /** The SoftHSM2 PKCS#11 module the tokens live in. */
    module: z.string(),
    rootCa: CaSchema,
    issuingCa: CaSchema,
    /** Root then issuing CA certificate, PEM (trust anchors for the demo). */
    caChainPem: z.string(),
    tokens: z.array(DemoTokenSchema).min(1),
    /** The exchange platform's keys, issued by the issuing CA (recipe 3). */
    platform: PlatformKeysSchema,
  })
  .strict();

export type DemoToken = z.infer<typeof DemoTokenSchema>;
export type DemoManifest = z.infer<typeof DemoManifestSchema>;
export type DemoPlatformKeys = z.infer<typeof PlatformKeysSchema>;

/** The repository root (this file lives in scripts/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The demo directory: explicit value, else NIEM_DEMO_DIR, else `.demo/` at the repo root. */
export function demoDir(
  explicit?: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return resolve(explicit ?? env.NIEM_DEMO_DIR ?? join(repoRoot, '.demo'));
}

export function demoManifestPath(dir: string): string {
  return join(dir, 'demo.json');
}

/** Reads and validates DIR/demo.json; throws when it is missing or does not match the schema. */
export function readDemoManifest(dir: string = demoDir()): DemoManifest {
  const text = readFileSync(demoManifestPath(dir), 'utf8');
  return DemoManifestSchema.parse(JSON.parse(text));
}

/** The manifest, or undefined when it is missing, unreadable or from another recipe. */
export function tryReadDemoManifest(dir: string): DemoManifest | undefined {
  try {
    return readDemoManifest(dir);
  } catch {
    return undefined;
  }
}
