/**
 * The exchange bench's throwaway PKI, made in-process with the demo PKI's CA code
 * (scripts/demo-pki-ca.ts): a root and an issuing CA (RSA-3072, software), the platform's
 * TLS certificate (127.0.0.1, localhost) and receipt certificate, and clerks of a few
 * agencies with software EC P-256 keys (signature and ECDH key agreement). The files the
 * platform's `init` and `admin directory import` take are written to `dir`; clerks are
 * plain PEM text so a child process can be handed one as JSON.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificatePem,
  createDemoCas,
  issueClerkCertificate,
  issuePlatformCertificate,
} from '../scripts/demo-pki-ca.ts';
import { softwareRecipientKey, recipientCertificate } from '../native/seal/cms-crypto/index.ts';
import type { RecipientKey } from '../native/seal/cms-crypto/index.ts';
import { softwareSigner, type SignerSpec } from '../native/seal/signed-data/index.ts';
import { createPlatformClient } from '../native/sync/platform-client.ts';
import type { PlatformApi } from '../native/sync/platform-api.ts';

/** A clerk: OrganId, software private key (PKCS#8 PEM) and certificate (PEM). */
export interface BenchClerk {
  organId: string;
  keyPem: string;
  certPem: string;
}

export interface BenchAgency {
  organId: string;
  name: string;
  clerks: BenchClerk[];
}

/** The PKI's files (paths) and its agencies. */
export interface BenchPki {
  /** Root then issuing CA, PEM: the platform's trust file and the client's TLS roots. */
  caChain: string;
  /** The same, its text. */
  caChainPem: string;
  tlsCert: string;
  tlsKey: string;
  receiptCert: string;
  receiptKey: string;
  /** The `niem-directory` file of every agency and clerk. */
  directory: string;
  agencies: BenchAgency[];
}

/** The level packages are sealed at, and the clearance every bench agency has. */
export const BENCH_LEVEL = 'mat';
const CLEARANCE = 'toi-mat';

const keyPem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']): string =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** `agencies` agencies (OrganIds 000.00.00.B01…) of `clerksEach` clerks, written under `dir`. */
export async function makeBenchPki(
  dir: string,
  agencies: number,
  clerksEach: number,
): Promise<BenchPki> {
  const { root, issuing } = await createDemoCas();
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const ec = (): ReturnType<typeof generateKeyPairSync> =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const chain = certificatePem(root.certificate) + certificatePem(issuing.certificate);
  const tls = ec();
  const tlsCert = await issuePlatformCertificate(
    issuing,
    tls.publicKey,
    {
      commonName: 'truc-bench.local',
      organisation: 'Niêm bench',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    },
    'tls',
  );
  const receipt = ec();
  const receiptCert = await issuePlatformCertificate(
    issuing,
    receipt.publicKey,
    { commonName: 'truc-bench.local receipts', organisation: 'Niêm bench' },
    'receipt',
  );
  const list: BenchAgency[] = [];
  for (let a = 1; a <= agencies; a++) {
    const organId = `000.00.00.B${String(a).padStart(2, '0')}`;
    const clerks: BenchClerk[] = [];
    for (let c = 1; c <= clerksEach; c++) {
      const pair = ec();
      const cert = await issueClerkCertificate(issuing, pair.publicKey, {
        commonName: `Văn thư ${c} ${organId} (BENCH)`,
        organisation: `Cơ quan ${organId} (BENCH)`,
        organisationalUnit: 'Văn thư',
        organId,
      });
      clerks.push({ organId, keyPem: keyPem(pair.privateKey), certPem: certificatePem(cert) });
    }
    list.push({ organId, name: `Cơ quan thử ${a}`, clerks });
  }
  const directory = {
    format: 'niem-directory',
    version: 1,
    agencies: list.map((a) => ({
      organId: a.organId,
      name: a.name,
      clearance: CLEARANCE,
      keyTransport: 'ecdh',
      certificates: a.clerks.map((c) => c.certPem),
    })),
  };
  return {
    caChain: file('ca-chain.pem', chain),
    caChainPem: chain,
    tlsCert: file('tls.crt.pem', certificatePem(tlsCert) + certificatePem(issuing.certificate)),
    tlsKey: file('tls.key.pem', keyPem(tls.privateKey)),
    receiptCert: file('receipt.crt.pem', certificatePem(receiptCert)),
    receiptKey: file('receipt.key.pem', keyPem(receipt.privateKey)),
    directory: file('directory.json', `${JSON.stringify(directory, null, 2)}\n`),
    agencies: list,
  };
}

/** DER of every certificate of a PEM text. */
export function pemDers(pem: string): Uint8Array[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
    (m) => new Uint8Array(new X509Certificate(m[0]).raw),
  );
}

/** A clerk's key material as the seal pipeline and the platform client take it. */
export interface ClerkIdentity {
  organId: string;
  certDer: Uint8Array;
  signer: SignerSpec;
  recipientKey: RecipientKey;
}

export function clerkIdentity(clerk: BenchClerk): ClerkIdentity {
  const key = createPrivateKey(clerk.keyPem);
  const certDer = new Uint8Array(new X509Certificate(clerk.certPem).raw);
  return {
    organId: clerk.organId,
    certDer,
    signer: softwareSigner(key, certDer),
    recipientKey: softwareRecipientKey(key, recipientCertificate(clerk.certPem)),
  };
}

/**
 * The Niêm platform client of `clerk` (its own session and connections): the CA chain as
 * trust anchors (TLS and receipts), the issuing CA carried in the auth proof.
 */
export function benchClient(
  url: string,
  caChainPem: string,
  clerk: ClerkIdentity,
  uploadConcurrency?: number,
): PlatformApi {
  const [root, issuing] = pemDers(caChainPem) as [Uint8Array, Uint8Array];
  return createPlatformClient({
    url,
    trustAnchors: [root, issuing],
    certificates: [issuing],
    signer: async () => clerk.signer,
    organId: clerk.organId,
    ...(uploadConcurrency === undefined ? {} : { uploadConcurrency }),
  });
}
