/**
 * Digest and signature AlgorithmIdentifiers of SignedData (RFC 5652 §10.1, RFC 5754,
 * RFC 4055, RFC 5758): what the writer puts for each token algorithm, and how the reader
 * turns an identifier into the parameters of Node's `crypto.verify`.
 */
import { constants } from 'node:crypto';
import {
  expectSequence,
  hasTag,
  integer,
  nullValue,
  oid,
  readOid,
  readSmallInteger,
  sequence,
  explicit,
  explicitInner,
  type AsnNode,
} from '../ber/index.ts';
import { digests, ecc, rsa } from '../cms-crypto/oids.ts';
import type { SignAlgorithm } from '../../token/token-algorithms.ts';
import { NiemError } from '../../api/errors.ts';

export type DigestName = 'sha256' | 'sha384' | 'sha512';

const digestByOid: Readonly<Record<string, DigestName>> = {
  [digests.sha256]: 'sha256',
  [digests.sha384]: 'sha384',
  [digests.sha512]: 'sha512',
};
const oidByDigest: Readonly<Record<DigestName, string>> = {
  sha256: digests.sha256,
  sha384: digests.sha384,
  sha512: digests.sha512,
};

/** ecdsa-with-SHA512 and sha512WithRSAEncryption (read only; not in cms-crypto/oids.ts). */
const ECDSA_SHA512 = '1.2.840.10045.4.3.4';
const SHA512_WITH_RSA = '1.2.840.113549.1.1.13';

export function unsupported(message: string): NiemError {
  return new NiemError('unsupported-signature', `SignedData: ${message}`);
}

/** Digest AlgorithmIdentifier as written: parameters absent (RFC 5754 §2). */
export function encodeDigestAlgorithm(name: DigestName): Uint8Array {
  return sequence(oid(oidByDigest[name]));
}

/** The digest named by an AlgorithmIdentifier (parameters absent or NULL), or undefined. */
export function readDigestAlgorithm(node: AsnNode): DigestName | undefined {
  const [id, params, ...rest] = expectSequence(node, {
    min: 1,
    max: 2,
    what: 'AlgorithmIdentifier',
  });
  if (rest.length > 0 || (params !== undefined && !isNull(params))) return undefined;
  return digestByOid[readOid(id as AsnNode)];
}

function isNull(node: AsnNode): boolean {
  return hasTag(node, 'universal', 5) && !node.constructed && node.value.length === 0;
}

/** The hash of a token algorithm. */
export function digestOfSignAlgorithm(algorithm: SignAlgorithm): DigestName {
  return algorithm.endsWith('384') ? 'sha384' : 'sha256';
}

/** RSASSA-PSS-params with `hash`, MGF1 of the same hash, salt as long as the hash (RFC 4055 §3.1). */
function pssParams(hash: DigestName): Uint8Array {
  const hashId = sequence(oid(oidByDigest[hash]));
  const saltLength = hash === 'sha256' ? 32 : hash === 'sha384' ? 48 : 64;
  return sequence(
    explicit(0, hashId),
    explicit(1, sequence(oid(rsa.mgf1), hashId)),
    explicit(2, integer(saltLength)),
  );
}

/** The signatureAlgorithm written for a token algorithm. */
export function encodeSignatureAlgorithm(algorithm: SignAlgorithm): Uint8Array {
  switch (algorithm) {
    case 'rsa-pkcs1-sha256':
      return sequence(oid(rsa.sha256WithRsa), nullValue());
    case 'rsa-pkcs1-sha384':
      return sequence(oid(rsa.sha384WithRsa), nullValue());
    case 'rsa-pss-sha256':
      return sequence(oid(rsa.rsassaPss), pssParams('sha256'));
    case 'rsa-pss-sha384':
      return sequence(oid(rsa.rsassaPss), pssParams('sha384'));
    case 'ecdsa-sha256':
      return sequence(oid(ecc.ecdsaWithSha256));
    case 'ecdsa-sha384':
      return sequence(oid(ecc.ecdsaWithSha384));
  }
}

/** How Node verifies a signature read from a SignerInfo. */
export interface VerifyPlan {
  readonly family: 'rsa' | 'ec';
  /** The hash the signature algorithm applies to the signed attributes. */
  readonly hash: DigestName;
  readonly padding: number | undefined;
  readonly saltLength: number | undefined;
  readonly name: string;
}

/**
 * The verification plan of a signatureAlgorithm. `rsaEncryption` (what openssl writes)
 * and bare `id-ecPublicKey` use the SignerInfo's digestAlgorithm.
 */
export function readSignatureAlgorithm(node: AsnNode, digest: DigestName): VerifyPlan {
  const [idNode, params] = expectSequence(node, { min: 1, max: 2, what: 'AlgorithmIdentifier' });
  const id = readOid(idNode as AsnNode);
  const pkcs1 = (hash: DigestName, name: string): VerifyPlan => {
    if (params !== undefined && !isNull(params)) throw unsupported(`${name} with parameters`);
    return {
      family: 'rsa',
      hash,
      padding: constants.RSA_PKCS1_PADDING,
      saltLength: undefined,
      name,
    };
  };
  const ecdsa = (hash: DigestName, name: string): VerifyPlan => {
    if (params !== undefined && !isNull(params)) throw unsupported(`${name} with parameters`);
    return { family: 'ec', hash, padding: undefined, saltLength: undefined, name };
  };
  switch (id) {
    case rsa.rsaEncryption:
      return pkcs1(digest, `rsaEncryption/${digest}`);
    case rsa.sha256WithRsa:
      return pkcs1('sha256', 'sha256WithRSAEncryption');
    case rsa.sha384WithRsa:
      return pkcs1('sha384', 'sha384WithRSAEncryption');
    case SHA512_WITH_RSA:
      return pkcs1('sha512', 'sha512WithRSAEncryption');
    case ecc.ecPublicKey:
      return ecdsa(digest, `ecdsa/${digest}`);
    case ecc.ecdsaWithSha256:
      return ecdsa('sha256', 'ecdsa-with-SHA256');
    case ecc.ecdsaWithSha384:
      return ecdsa('sha384', 'ecdsa-with-SHA384');
    case ECDSA_SHA512:
      return ecdsa('sha512', 'ecdsa-with-SHA512');
    case rsa.rsassaPss:
      return readPss(params);
    default:
      throw unsupported(`signature algorithm ${id}`);
  }
}

/** RSASSA-PSS-params: hash, MGF1 with the same hash, salt length, trailer 1. */
function readPss(params: AsnNode | undefined): VerifyPlan {
  if (params === undefined) throw unsupported('RSASSA-PSS without parameters');
  let hash: DigestName | undefined;
  let mgfHash: DigestName | undefined;
  let saltLength = 20;
  let hashGiven = false;
  let mgfGiven = false;
  for (const field of expectSequence(params, { max: 4, what: 'RSASSA-PSS-params' })) {
    if (hasTag(field, 'context', 0)) {
      hashGiven = true;
      hash = readDigestAlgorithm(explicitInner(field, 0, 'hashAlgorithm'));
    } else if (hasTag(field, 'context', 1)) {
      mgfGiven = true;
      const [mgf, mgfParams] = expectSequence(explicitInner(field, 1, 'maskGenAlgorithm'), {
        min: 2,
        max: 2,
      });
      if (readOid(mgf as AsnNode) !== rsa.mgf1)
        throw unsupported('RSASSA-PSS mask generation other than MGF1');
      mgfHash = readDigestAlgorithm(mgfParams as AsnNode);
    } else if (hasTag(field, 'context', 2)) {
      saltLength = readSmallInteger(explicitInner(field, 2, 'saltLength'), 0, 1024);
    } else if (hasTag(field, 'context', 3)) {
      readSmallInteger(explicitInner(field, 3, 'trailerField'), 1, 1);
    } else {
      throw unsupported('RSASSA-PSS-params with an unknown field');
    }
  }
  // Absent hash / MGF mean SHA-1, which Niêm does not accept for signatures.
  if (!hashGiven || !mgfGiven || hash === undefined || mgfHash !== hash) {
    throw unsupported('RSASSA-PSS other than SHA-256/384/512 with MGF1 of the same hash');
  }
  return {
    family: 'rsa',
    hash,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength,
    name: `RSASSA-PSS/${hash}`,
  };
}
