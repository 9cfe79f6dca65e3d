/**
 * Throwaway PKI for the SignedData tests, made with the openssl CLI in a temp dir:
 * root CA → issuing CA → signers with RSA-3072, EC P-256 and EC P-384 keys (UTF-8 names
 * with O and organizationIdentifier), plus a signer under an unrelated root, a signer
 * valid for one day only (expired at a later signing time), and a signer whose keyUsage
 * lacks digitalSignature and nonRepudiation. Not a test file itself.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

export interface Party {
  readonly keyPath: string;
  readonly certPath: string;
  readonly der: Uint8Array;
  readonly key: KeyObject;
}

export interface SignedDataPki {
  readonly dir: string;
  readonly root: Party;
  readonly issuing: Party;
  readonly rsa: Party;
  readonly p256: Party;
  readonly p384: Party;
  readonly otherRoot: Party;
  readonly stranger: Party;
  readonly shortLived: Party;
  readonly noSigning: Party;
  /** Same subject, issuer and serial as p256, another key: a swapped-in certificate. */
  readonly p256Twin: Party;
  /** root.pem + nothing else: the CAfile for openssl. */
  readonly rootPem: string;
  /** The issuing CA certificate (DER), to include in SignedData. */
  readonly intermediates: Uint8Array[];
  readonly cleanup: () => void;
}

const RSA = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'];
const RSA_FAST = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
const P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
const P384 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];

const CA_EXT = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
].join('\n');
const SIGNER_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature,nonRepudiation',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
].join('\n');
const NO_SIGN_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,keyEncipherment',
  'subjectKeyIdentifier=hash',
].join('\n');

function load(dir: string, name: string): Party {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  const der = new Uint8Array(new X509Certificate(readFileSync(certPath)).raw);
  return { keyPath, certPath, der, key: createPrivateKey(readFileSync(keyPath)) };
}

function selfSigned(dir: string, name: string, subject: string): Party {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${CA_EXT.replace('authorityKeyIdentifier=keyid', 'authorityKeyIdentifier=keyid:always')}\n`,
  );
  openssl(['genpkey', ...P256, '-out', join(dir, `${name}.key`)]);
  // prettier-ignore
  openssl(['req', '-new', '-x509', '-utf8', '-key', join(dir, `${name}.key`), '-subj', subject, '-days', '3650',
    '-config', ext, '-extensions', 'v3', '-out', join(dir, `${name}.pem`)]);
  return load(dir, name);
}

function issued(
  dir: string,
  name: string,
  keyArgs: string[],
  subject: string,
  issuer: string,
  extensions: string,
  days = 365,
  extra: string[] = [],
): Party {
  const keyPath = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions + '\n');
  openssl(['genpkey', ...keyArgs, '-out', keyPath]);
  openssl(['req', '-new', '-utf8', '-key', keyPath, '-subj', subject, '-out', csr]);
  // prettier-ignore
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, `${issuer}.pem`), '-CAkey', join(dir, `${issuer}.key`),
    '-CAcreateserial', '-days', String(days), '-extfile', ext, ...extra, '-out', join(dir, `${name}.pem`)]);
  return load(dir, name);
}

export function makeSignedDataPki(): SignedDataPki {
  const dir = mkdtempSync(join(tmpdir(), 'niem-sd-pki-'));
  const root = selfSigned(dir, 'root', '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Niêm Test Root');
  const issuing = issued(
    dir,
    'issuing',
    P384,
    '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Niêm Test Issuing CA',
    'root',
    CA_EXT,
    3000,
  );
  const org = '/C=VN/O=Sở Nội vụ Thành phố Hà Nội/organizationIdentifier=MST:0100000001';
  const rsa = issued(dir, 'rsa', RSA, `${org}/CN=Nguyễn Văn An`, 'issuing', SIGNER_EXT);
  const p256 = issued(dir, 'p256', P256, `${org}/CN=Trần Thị Bình`, 'issuing', SIGNER_EXT);
  const p384 = issued(
    dir,
    'p384',
    P384,
    `${org}/CN=Sở Nội vụ (dấu cơ quan)`,
    'issuing',
    SIGNER_EXT,
  );
  const otherRoot = selfSigned(dir, 'other-root', '/C=VN/O=Unrelated/CN=Unrelated Root');
  const stranger = issued(
    dir,
    'stranger',
    P256,
    '/C=VN/O=Unrelated/CN=Stranger',
    'other-root',
    SIGNER_EXT,
  );
  const shortLived = issued(dir, 'short', P256, `${org}/CN=Short Lived`, 'issuing', SIGNER_EXT, 1);
  const noSigning = issued(
    dir,
    'nosign',
    RSA_FAST,
    `${org}/CN=Encipher Only`,
    'issuing',
    NO_SIGN_EXT,
  );
  const serial = `0x${new X509Certificate(readFileSync(p256.certPath)).serialNumber}`;
  const p256Twin = issued(
    dir,
    'p256twin',
    P256,
    `${org}/CN=Trần Thị Bình`,
    'issuing',
    SIGNER_EXT,
    365,
    ['-set_serial', serial],
  );
  return {
    dir,
    p256Twin,
    root,
    issuing,
    rsa,
    p256,
    p384,
    otherRoot,
    stranger,
    shortLived,
    noSigning,
    rootPem: root.certPath,
    intermediates: [issuing.der],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
