/**
 * TLS certificates for the platform client tests, on top of the SignedData test PKI
 * (./seal-signed-data-pki.ts: root → issuing CA → clerk signers, plus an unrelated root):
 * a server certificate for 127.0.0.1 and localhost issued by the issuing CA, one for the
 * same addresses under the unrelated root, and one issued by the right CA for another
 * host name. Keys are EC P-256. Not a test file itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { softwareSigner, type SignerSpec } from '../../native/seal/signed-data/index.ts';
import { makeSignedDataPki, openssl, type SignedDataPki } from './seal-signed-data-pki.ts';

/** A server's key and certificate chain (PEM), as node:https wants them. */
export interface ServerIdentity {
  key: string;
  cert: string;
}

export interface SyncTestPki {
  readonly pki: SignedDataPki;
  /** Right CA, right names (127.0.0.1, localhost). */
  readonly server: ServerIdentity;
  /** Right names, issued under the unrelated root. */
  readonly foreignServer: ServerIdentity;
  /** Right CA, but only for the name other.example. */
  readonly otherHostServer: ServerIdentity;
  /** The trust anchors a client is given: the test root only. */
  readonly anchors: Uint8Array[];
  /** The clerk's signer (EC P-256, OrganId in the subject). */
  clerk(): SignerSpec;
  /** The platform's receipt signer (EC P-384 organisation seal). */
  platformSigner(): SignerSpec;
  /** A receipt signer under the unrelated root. */
  strangerSigner(): SignerSpec;
  cleanup(): void;
}

function serverIdentity(
  dir: string,
  name: string,
  caName: string,
  altNames: string,
  chain: string[],
): ServerIdentity {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const pem = join(dir, `${name}.pem`);
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${altNames}`,
    ].join('\n') + '\n',
  );
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  openssl(['req', '-new', '-key', key, '-subj', `/C=VN/O=Niêm test/CN=${name}`, '-out', csr]);
  // prettier-ignore
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, `${caName}.pem`), '-CAkey', join(dir, `${caName}.key`),
    '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', pem]);
  return {
    key: readFileSync(key, 'utf8'),
    cert: [pem, ...chain].map((f) => readFileSync(f, 'utf8')).join(''),
  };
}

export function makeSyncTestPki(): SyncTestPki {
  const pki = makeSignedDataPki();
  const issuingPem = pki.issuing.certPath;
  const loopback = 'IP:127.0.0.1,DNS:localhost';
  return {
    pki,
    server: serverIdentity(pki.dir, 'tls-server', 'issuing', loopback, [issuingPem]),
    foreignServer: serverIdentity(pki.dir, 'tls-foreign', 'other-root', loopback, []),
    otherHostServer: serverIdentity(pki.dir, 'tls-other-host', 'issuing', 'DNS:other.example', [
      issuingPem,
    ]),
    anchors: [pki.root.der],
    clerk: () => softwareSigner(pki.p256.key, pki.p256.der),
    platformSigner: () => softwareSigner(pki.p384.key, pki.p384.der),
    strangerSigner: () => softwareSigner(pki.stranger.key, pki.stranger.der),
    cleanup: () => pki.cleanup(),
  };
}
