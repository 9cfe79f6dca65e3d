/**
 * Keys and certificates for the platform server tests, from the demo PKI (.demo, made by
 * scripts/demo-pki.ts): the platform's TLS and receipt keys, and clerks with software EC
 * P-256 keys certified by the demo issuing CA (so no token is needed to sign a proof or a
 * notice). A foreign CA, unrelated to the demo root, makes certificates the platform must
 * not trust. Not a test file itself.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { softwareSigner, type SignerSpec } from '../../../native/seal/signed-data/index.ts';
import { x509 } from '../../../native/token/x509-lib.ts';
import { demoDir, type DemoManifest } from '../../../scripts/demo-manifest.ts';
import { createDemoCas, issueClerkCertificate, type DemoCa } from '../../../scripts/demo-pki-ca.ts';
import { ensureDemo } from '../../../scripts/demo-pki.ts';

/** DER of the first certificate in a PEM text. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(new x509.X509Certificate(pem).rawData);
}

/** A clerk with a software key certified for an agency. */
export interface TestClerk {
  organId: string;
  key: KeyObject;
  /** Certificate DER, PEM and SHA-256 hex. */
  der: Buffer;
  pem: string;
  sha256: string;
  signer: SignerSpec;
}

/** The demo PKI as the tests use it. */
export interface TestPki {
  manifest: DemoManifest;
  /** Demo root (the platform's trust anchor) and issuing CA certificates, DER. */
  rootDer: Buffer;
  issuingDer: Buffer;
  /** Root then issuing CA, PEM: what a client trusts for TLS. */
  caChainPem: string;
  issuing: DemoCa;
  tls: { cert: string; key: string };
  receipt: { der: Buffer; key: KeyObject; signer: SignerSpec };
  /** Issues a clerk certificate (EC P-256) for `organId` from `ca` (default the demo issuing CA). */
  clerk(organId: string, ca?: DemoCa): Promise<TestClerk>;
  /** A CA under a root the platform does not trust (made once, on first use). */
  foreignCa(): Promise<DemoCa>;
}

async function loadCa(certPem: string, keyPem: string): Promise<DemoCa> {
  const keyDer = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    keyDer,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return { certificate: new x509.X509Certificate(certPem), privateKey: privateKey as CryptoKey };
}

let cached: Promise<TestPki> | undefined;

/** The demo PKI (built or checked once per process). */
export function testPki(): Promise<TestPki> {
  cached ??= load();
  return cached;
}

async function load(): Promise<TestPki> {
  const { manifest } = await ensureDemo({ dir: demoDir() });
  const read = (path: string) => readFileSync(path, 'utf8');
  const issuing = await loadCa(
    read(manifest.issuingCa.certificatePem),
    read(manifest.issuingCa.keyPem),
  );
  const receiptDer = pemToDer(read(manifest.platform.receiptCertificatePem));
  const receiptKey = createPrivateKey(read(manifest.platform.receiptKeyPem));
  let foreign: Promise<DemoCa> | undefined;
  const issuingDer = pemToDer(read(manifest.issuingCa.certificatePem));
  return {
    manifest,
    rootDer: pemToDer(read(manifest.rootCa.certificatePem)),
    issuingDer,
    caChainPem: read(manifest.caChainPem),
    issuing,
    tls: {
      cert: read(manifest.platform.tlsCertificatePem),
      key: read(manifest.platform.tlsKeyPem),
    },
    receipt: { der: receiptDer, key: receiptKey, signer: softwareSigner(receiptKey, receiptDer) },
    clerk: async (organId, ca = issuing) => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const certificate = await issueClerkCertificate(ca, publicKey, {
        commonName: `Văn thư ${organId} (TEST)`,
        organisation: `Cơ quan ${organId} (TEST)`,
        organisationalUnit: 'Văn thư',
        organId,
      });
      const der = Buffer.from(certificate.rawData);
      return {
        organId,
        key: privateKey,
        der,
        pem: certificate.toString('pem'),
        sha256: createHash('sha256').update(der).digest('hex'),
        signer: softwareSigner(privateKey, der),
      };
    },
    foreignCa: () => {
      foreign ??= createDemoCas().then(({ issuing: ca }) => ca);
      return foreign;
    },
  };
}
