/**
 * What key management needs of a certificate: how a RecipientInfo names it (issuer and
 * serial number, subject key identifier) and its public key (RSA, or EC on P-256/P-384).
 * The fields are read from the certificate's DER with ./der.ts; Node's X509Certificate
 * gives the key.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { cmsError } from './cms-errors.ts';
import { contextTag, decodeDer, expectTag, readOctets, readOid, Tag, type DerNode } from './der.ts';
import { extensions } from './oids.ts';

/** Curves of KeyAgreeRecipientInfo. */
export type RecipientCurve = 'P-256' | 'P-384';

/** A recipient's certificate as key management sees it. */
export interface RecipientCertificate {
  /** DER of the issuer Name, exactly as in the certificate. */
  issuer: Buffer;
  /** DER of the serialNumber INTEGER (tag and length included). */
  serial: Buffer;
  /** Subject key identifier (the KeyIdentifier bytes), when the certificate has one. */
  subjectKeyIdentifier: Buffer | undefined;
  publicKey: KeyObject;
  /** 'rsa' for KeyTransRecipientInfo, 'ec' for KeyAgreeRecipientInfo. */
  keyType: 'rsa' | 'ec';
  /** The curve of an EC key. */
  curve: RecipientCurve | undefined;
  /** The certificate itself. */
  certificate: X509Certificate;
}

const curveByNodeName: Record<string, RecipientCurve> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
};

function findSubjectKeyIdentifier(tbs: DerNode): Buffer | undefined {
  const extensionsField = tbs.children.find((c) => c.tag === contextTag(3, true));
  if (extensionsField === undefined) return undefined;
  const list = expectTag(extensionsField.children[0], Tag.sequence, 'certificate extensions');
  for (const extension of list.children) {
    const fields = expectTag(extension, Tag.sequence, 'certificate extension').children;
    if (readOid(fields[0], 'extnID') !== extensions.subjectKeyIdentifier) continue;
    const value = readOctets(fields[fields.length - 1], 'extnValue');
    return readOctets(decodeDer(value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier');
  }
  return undefined;
}

/**
 * Reads a recipient certificate (X509Certificate, DER or PEM). Throws `malformed` for a
 * certificate it cannot read and for keys other than RSA and EC P-256/P-384.
 */
export function recipientCertificate(
  input: X509Certificate | Uint8Array | string,
): RecipientCertificate {
  let certificate: X509Certificate;
  try {
    certificate = input instanceof X509Certificate ? input : new X509Certificate(input);
  } catch (err) {
    throw cmsError('malformed', 'not a readable X.509 certificate', err);
  }
  const root = expectTag(decodeDer(certificate.raw, 'certificate'), Tag.sequence, 'certificate');
  const tbs = expectTag(root.children[0], Tag.sequence, 'tbsCertificate');
  const hasVersion = tbs.children[0]?.tag === contextTag(0, true);
  const fields = tbs.children.slice(hasVersion ? 1 : 0);
  const serial = expectTag(fields[0], Tag.integer, 'serialNumber').encoded;
  const issuer = expectTag(fields[2], Tag.sequence, 'issuer').encoded;
  const publicKey = certificate.publicKey;
  let keyType: 'rsa' | 'ec';
  let curve: RecipientCurve | undefined;
  if (publicKey.asymmetricKeyType === 'rsa') {
    keyType = 'rsa';
  } else if (publicKey.asymmetricKeyType === 'ec') {
    keyType = 'ec';
    curve = curveByNodeName[publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve === undefined) {
      throw cmsError(
        'malformed',
        `EC curve ${publicKey.asymmetricKeyDetails?.namedCurve ?? '?'} is not P-256 or P-384`,
      );
    }
  } else {
    throw cmsError(
      'malformed',
      `a ${publicKey.asymmetricKeyType ?? 'unknown'} key cannot receive a Niêm package`,
    );
  }
  return {
    issuer: Buffer.from(issuer),
    serial: Buffer.from(serial),
    subjectKeyIdentifier: findSubjectKeyIdentifier(tbs),
    publicKey,
    keyType,
    curve,
    certificate,
  };
}
