/**
 * Throwaway PKI for the cms-crypto tests, made with the openssl CLI in a temp dir: a CA
 * and recipients with RSA, EC P-256 and EC P-384 keys (UTF-8 names, subject key
 * identifiers), plus a stranger nobody addresses. Not a test file itself.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  recipientCertificate,
  softwareRecipientKey,
  type RecipientCertificate,
  type RecipientKey,
} from '../../native/seal/cms-crypto/index.ts';

/** Runs openssl; returns stdout. Throws with stderr when it fails. */
export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** One party: its files, certificate, private key and software RecipientKey. */
export interface TestParty {
  keyPath: string;
  certPath: string;
  certificate: RecipientCertificate;
  privateKey: KeyObject;
  key: RecipientKey;
}

export interface TestPki {
  dir: string;
  rsa: TestParty;
  p256: TestParty;
  p384: TestParty;
  stranger: TestParty;
  cleanup: () => void;
}

const extensions = [
  'basicConstraints=CA:FALSE',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  'keyUsage=critical,keyEncipherment,keyAgreement,digitalSignature',
].join('\n');

function party(dir: string, name: string, keyArgs: string[], subject: string): TestParty {
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.pem`);
  openssl(['genpkey', ...keyArgs, '-out', keyPath]);
  openssl(['req', '-new', '-utf8', '-key', keyPath, '-subj', subject, '-out', csrPath]);
  // prettier-ignore
  openssl([
    'x509', '-req', '-in', csrPath, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'),
    '-set_serial', `0x${(Math.floor(Math.random() * 2 ** 48) + 2 ** 47).toString(16)}`,
    '-days', '2', '-extfile', join(dir, 'ext.cnf'), '-out', certPath,
  ]);
  const certificate = recipientCertificate(readFileSync(certPath));
  const privateKey = createPrivateKey(readFileSync(keyPath));
  return {
    keyPath,
    certPath,
    certificate,
    privateKey,
    key: softwareRecipientKey(privateKey, certificate),
  };
}

/** Makes the CA and the four parties (a few hundred milliseconds). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'niem-cms-'));
  writeFileSync(join(dir, 'ext.cnf'), extensions);
  // prettier-ignore
  openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-utf8', '-keyout', join(dir, 'ca.key'),
    '-subj', '/C=VN/O=Ban Cơ yếu (TEST)/CN=Niêm TEST CA', '-days', '2', '-out', join(dir, 'ca.pem'),
  ]);
  const rsaArgs = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  const ecArgs = (curve: string) => ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`];
  return {
    dir,
    rsa: party(dir, 'rsa', rsaArgs, '/C=VN/O=Văn phòng (TEST)/CN=Văn thư RSA'),
    p256: party(dir, 'p256', ecArgs('P-256'), '/C=VN/O=Bộ A (TEST)/CN=Văn thư P-256'),
    p384: party(dir, 'p384', ecArgs('P-384'), '/C=VN/O=Bộ B (TEST)/CN=Văn thư P-384'),
    stranger: party(dir, 'stranger', rsaArgs, '/C=VN/O=Nơi khác (TEST)/CN=Người lạ'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
