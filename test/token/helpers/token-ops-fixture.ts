/**
 * Fixtures for the token-operation tests and the bench: key pairs made on a SoftHSM2
 * token with the usage flags a test needs (sign, decrypt, derive; RSA 2048/3072, EC
 * P-256/P-384), certified by the demo CA with a chosen keyUsage or none at all, and
 * helpers to check results with Node's crypto.
 */
import { webcrypto, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import {
  ecParamsByCurve,
  ecPublicKey,
  rsaPublicKey,
} from '../../../native/token/token-public-key.ts';
import { x509 } from '../../../native/token/x509-lib.ts';
import {
  issueClerkCertificate,
  serialNumberDer,
  type ClerkSubject,
  type DemoCa,
} from '../../../scripts/demo-pki-ca.ts';
import { storeCertificate } from '../../../scripts/demo-pki-token.ts';
import { initTokenWithUtil, withTokenSlot, withUserSession } from './softhsm-fixture.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type OpsKeyAlgorithm = 'RSA 2048' | 'RSA 3072' | 'EC P-256' | 'EC P-384';

/** A key pair to make on a token; usage flags default to those of the key type. */
export interface OpsKeySpec {
  algorithm: OpsKeyAlgorithm;
  id: Buffer;
  /** CKA_SIGN; default true. */
  sign?: boolean;
  /** CKA_DECRYPT; default true for RSA (never for EC). */
  decrypt?: boolean;
  /** CKA_DERIVE; default true for EC (never for RSA). */
  derive?: boolean;
  extractable?: boolean;
  sensitive?: boolean;
}

/** Generates a key pair with `spec` on the token in `session`; returns its public key. */
export function generateOpsKey(pkcs11: PKCS11, session: Handle, spec: OpsKeySpec): KeyObject {
  const rsa = spec.algorithm.startsWith('RSA');
  const publicTemplate: Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: spec.id },
    { type: pkcs11js.CKA_VERIFY, value: true },
    ...(rsa
      ? [
          { type: pkcs11js.CKA_MODULUS_BITS, value: spec.algorithm === 'RSA 3072' ? 3072 : 2048 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          { type: pkcs11js.CKA_ENCRYPT, value: true },
        ]
      : [
          {
            type: pkcs11js.CKA_EC_PARAMS,
            value: ecParamsByCurve[spec.algorithm === 'EC P-384' ? 'P-384' : 'P-256'],
          },
        ]),
  ];
  const privateTemplate: Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_ID, value: spec.id },
    { type: pkcs11js.CKA_SIGN, value: spec.sign ?? true },
    { type: pkcs11js.CKA_DECRYPT, value: rsa && (spec.decrypt ?? true) },
    { type: pkcs11js.CKA_DERIVE, value: !rsa && (spec.derive ?? true) },
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

/** A key to put on a token, and the keyUsage of its certificate (null: no extension). */
export interface OpsPair {
  spec: OpsKeySpec;
  /** x509.KeyUsageFlags bits; undefined: the demo CA's default; null: no keyUsage at all. */
  usages?: number | null;
}

/** Stores certificate `der` on token `label` under `id`. */
function storeOnToken(
  conf: string,
  label: string,
  pin: string,
  id: Buffer,
  certificate: InstanceType<typeof x509.X509Certificate>,
): void {
  withTokenSlot(conf, label, (pkcs11, slot) =>
    storeCertificate(pkcs11, slot, { label, pin, soPin: '', keyAlgorithm: 'RSA 3072' }, id, {
      der: Buffer.from(certificate.rawData),
      subjectDer: Buffer.from(certificate.subjectName.toArrayBuffer()),
      issuerDer: Buffer.from(certificate.issuerName.toArrayBuffer()),
      serialNumberDer: serialNumberDer(certificate),
    }),
  );
}

/** A certificate for `publicKey` from `ca` without any keyUsage extension (allows every use). */
async function issueWithoutKeyUsage(
  ca: DemoCa,
  publicKey: KeyObject,
  subject: ClerkSubject,
): Promise<InstanceType<typeof x509.X509Certificate>> {
  const now = Date.now();
  return x509.X509CertificateGenerator.create({
    serialNumber: '0a1b2c3d4e5f',
    subject: new x509.Name([
      { C: ['VN'] },
      { O: [subject.organisation] },
      { CN: [subject.commonName] },
    ]),
    issuer: ca.certificate.subjectName,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }),
    signingKey: ca.privateKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 365 * 86_400_000),
  });
}

/** What {@link makeOpsToken} made: each pair's public key and certificate DER, in order. */
export interface MadePair {
  id: Buffer;
  publicKey: KeyObject;
  certificate: Buffer;
}

/**
 * Initialises token `label` in the store `conf` (the free slot), makes each pair's key
 * on it and stores a certificate from `ca` beside it. Returns what was made.
 */
export async function makeOpsToken(
  conf: string,
  label: string,
  pin: string,
  ca: DemoCa,
  subject: ClerkSubject,
  pairs: OpsPair[],
): Promise<MadePair[]> {
  initTokenWithUtil(conf, label, '12345678', pin);
  const publicKeys = withUserSession(conf, label, pin, (pkcs11, session) =>
    pairs.map((p) => generateOpsKey(pkcs11, session, p.spec)),
  );
  const made: MadePair[] = [];
  for (const [i, pair] of pairs.entries()) {
    const publicKey = publicKeys[i];
    if (!publicKey) throw new Error('key missing');
    const certificate =
      pair.usages === null
        ? await issueWithoutKeyUsage(ca, publicKey, subject)
        : await issueClerkCertificate(ca, publicKey, subject, new Date(), pair.usages);
    storeOnToken(conf, label, pin, pair.spec.id, certificate);
    made.push({ id: pair.spec.id, publicKey, certificate: Buffer.from(certificate.rawData) });
  }
  return made;
}

/** The uncompressed point (04‖X‖Y) of an EC public key. */
export function pointOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}
