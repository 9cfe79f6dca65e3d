/**
 * What key management needs of a certificate: how a RecipientInfo names it (issuer and
 * serial number, subject key identifier) and its public key (RSA, or EC on P-256/P-384).
 * The fields are read from the certificate's DER with ../ber/; Node's X509Certificate
 * gives the key.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { cmsError } from './cms-errors.ts';
import type { AsnNode } from '../ber/index.ts';
import { childrenOf, decodeCms, expectUniversal, isContext, octets, oidOf } from './asn.ts';
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

function findSubjectKeyIdentifier(tbs: readonly AsnNode[]): Buffer | undefined {
  const extensionsField = tbs.find((c) => isContext(c, 3, true));
  if (extensionsField === undefined) return undefined;
  const what = 'certificate extensions';
  const list = childrenOf(expectUniversal(childrenOf(extensionsField, what)[0], 16, what), what);
  for (const extension of list) {
    const fields = childrenOf(
      expectUniversal(extension, 16, 'certificate extension'),
      'certificate extension',
    );
    if (oidOf(fields[0], 'extnID') !== extensions.subjectKeyIdentifier) continue;
    const value = octets(fields[fields.length - 1], 'extnValue');
    return octets(decodeCms(value), 'subjectKeyIdentifier');
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
  const root = childrenOf(
    expectUniversal(decodeCms(certificate.raw), 16, 'certificate'),
    'certificate',
  );
  const tbs = childrenOf(expectUniversal(root[0], 16, 'tbsCertificate'), 'tbsCertificate');
  const hasVersion = isContext(tbs[0], 0, true);
  const fields = tbs.slice(hasVersion ? 1 : 0);
  const serial = expectUniversal(fields[0], 2, 'serialNumber').raw;
  const issuer = expectUniversal(fields[2], 16, 'issuer').raw;
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
