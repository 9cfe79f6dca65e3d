/**
 * The demo exchange platform's keys, for scripts/demo-pki.ts: a TLS server certificate
 * (subjectAltName DNS:localhost and IP:127.0.0.1, EKU serverAuth) and a receipt-signing
 * certificate (digitalSignature, nonRepudiation), both from the demo issuing CA, with
 * their EC P-256 software keys (PKCS#8 PEM, mode 0600). `npx niem platform init` copies
 * them into a platform data folder.
 *
 * DEMO ONLY: a real platform's keys come from the agency PKI and stay off the disk.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { certificatePem, issuePlatformCertificate, type DemoCa } from './demo-pki-ca.ts';
import type { DemoPlatformKeys } from './demo-manifest.ts';

/** The demo exchange platform: its name in receipts and the subjects of its certificates. */
const platformPlan = {
  name: 'truc-lien-thong.demo',
  organisation: 'Trục liên thông văn bản (DEMO)',
  tlsCommonName: 'localhost',
  receiptCommonName: 'Trục liên thông văn bản — ký biên nhận (DEMO)',
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1'],
} as const;

/** Where the platform's certificates and keys go in the demo's pki/ folder. */
export function platformKeyFiles(pkiDir: string) {
  return {
    tlsCert: join(pkiDir, 'platform-tls.crt.pem'),
    tlsKey: join(pkiDir, 'platform-tls.key.pem'),
    receiptCert: join(pkiDir, 'platform-receipt.crt.pem'),
    receiptKey: join(pkiDir, 'platform-receipt.key.pem'),
  };
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The exchange platform's keys (EC P-256, software, 0600) and certificates from the
 * issuing CA: a TLS server certificate for localhost / 127.0.0.1 and a receipt-signing one.
 */
export async function issuePlatformKeys(
  pkiDir: string,
  issuing: DemoCa,
  now: Date,
): Promise<DemoPlatformKeys> {
  const subjects = {
    tls: {
      commonName: platformPlan.tlsCommonName,
      organisation: platformPlan.organisation,
      dnsNames: platformPlan.dnsNames,
      ipAddresses: platformPlan.ipAddresses,
    },
    receipt: {
      commonName: platformPlan.receiptCommonName,
      organisation: platformPlan.organisation,
    },
  };
  const f = platformKeyFiles(pkiDir);
  const files = {
    tls: { cert: f.tlsCert, key: f.tlsKey },
    receipt: { cert: f.receiptCert, key: f.receiptKey },
  };
  for (const use of ['tls', 'receipt'] as const) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = await issuePlatformCertificate(issuing, publicKey, subjects[use], use, now);
    writeFileSync(files[use].cert, certificatePem(certificate));
    writePrivate(files[use].key, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  return {
    name: platformPlan.name,
    tlsCertificatePem: f.tlsCert,
    tlsKeyPem: f.tlsKey,
    receiptCertificatePem: f.receiptCert,
    receiptKeyPem: f.receiptKey,
  };
}
