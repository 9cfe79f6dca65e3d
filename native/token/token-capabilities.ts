/**
 * What a token can do, from what it lists (C_GetMechanismList + C_GetMechanismInfo
 * flags) and the keys it holds, and how each operation is mapped to a mechanism. Pure:
 * the token service reads the table and the keys, and runs the OAEP-SHA256 probe.
 *
 * Signing picks, per algorithm, the combined mechanism (the token hashes, e.g.
 * CKM_SHA256_RSA_PKCS) for data up to {@link COMBINED_DATA_LIMIT}, and otherwise the raw
 * mechanism over a hash computed in Node (CKM_RSA_PKCS over a DigestInfo, CKM_RSA_PKCS_PSS
 * over the digest). ECDSA is always hashed in Node and signed with CKM_ECDSA (SoftHSM2
 * 2.6 has no CKM_ECDSA_SHA256; the result is the same signature).
 */
import pkcs11js from 'pkcs11js';
import type { RsaOAEP, RsaPSS } from 'pkcs11js';
import type { EcCurve } from './token-public-key.ts';
import { hashLengths, type HashName } from './signature-encoding.ts';

import {
  decryptAlgorithms,
  signAlgorithms,
  type DecryptAlgorithm,
  type SignAlgorithm,
} from './token-algorithms.ts';

export { decryptAlgorithms, signAlgorithms, type DecryptAlgorithm, type SignAlgorithm };

/** CK_MECHANISM_INFO flags (pkcs11t.h). */
export const mechanismFlags = {
  CKF_ENCRYPT: 0x100,
  CKF_DECRYPT: 0x200,
  CKF_SIGN: 0x800,
  CKF_DERIVE: 0x80000,
} as const;

/** CKZ_DATA_SPECIFIED: the OAEP label is given (empty here). */
export const CKZ_DATA_SPECIFIED = 0x1;

/** Data longer than this is hashed in Node even where the token has the combined mechanism. */
export const COMBINED_DATA_LIMIT = 64 * 1024;

/** Mechanisms the token lists, each with its CK_MECHANISM_INFO flags. */
export type MechanismTable = ReadonlyMap<number, number>;

/** The mechanisms this layer may use, by name (for capabilities and logs). */
export const usedMechanisms = {
  CKM_RSA_PKCS: pkcs11js.CKM_RSA_PKCS,
  CKM_RSA_PKCS_PSS: pkcs11js.CKM_RSA_PKCS_PSS,
  CKM_RSA_PKCS_OAEP: pkcs11js.CKM_RSA_PKCS_OAEP,
  CKM_SHA256_RSA_PKCS: pkcs11js.CKM_SHA256_RSA_PKCS,
  CKM_SHA384_RSA_PKCS: pkcs11js.CKM_SHA384_RSA_PKCS,
  CKM_SHA256_RSA_PKCS_PSS: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
  CKM_SHA384_RSA_PKCS_PSS: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
  CKM_ECDSA: pkcs11js.CKM_ECDSA,
  CKM_ECDH1_DERIVE: pkcs11js.CKM_ECDH1_DERIVE,
} as const;

/** Whether the token lists `mechanism` with `flag` set. */
export function tokenCan(table: MechanismTable, mechanism: number, flag: number): boolean {
  return ((table.get(mechanism) ?? 0) & flag) !== 0;
}

const hashMechanisms: Record<HashName, { hashAlg: number; mgf: number }> = {
  sha1: { hashAlg: pkcs11js.CKM_SHA_1, mgf: pkcs11js.CKG_MGF1_SHA1 },
  sha256: { hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256 },
  sha384: { hashAlg: pkcs11js.CKM_SHA384, mgf: pkcs11js.CKG_MGF1_SHA384 },
};

interface SignRecipe {
  keyFamily: 'rsa' | 'ec';
  padding: 'pkcs1' | 'pss' | 'ecdsa';
  hash: 'sha256' | 'sha384';
  /** The mechanism that hashes on the token, if any. */
  combined: number | undefined;
  /** The mechanism over a hash computed in Node. */
  raw: number;
}

const recipes: Record<SignAlgorithm, SignRecipe> = {
  'rsa-pkcs1-sha256': {
    keyFamily: 'rsa',
    padding: 'pkcs1',
    hash: 'sha256',
    combined: pkcs11js.CKM_SHA256_RSA_PKCS,
    raw: pkcs11js.CKM_RSA_PKCS,
  },
  'rsa-pkcs1-sha384': {
    keyFamily: 'rsa',
    padding: 'pkcs1',
    hash: 'sha384',
    combined: pkcs11js.CKM_SHA384_RSA_PKCS,
    raw: pkcs11js.CKM_RSA_PKCS,
  },
  'rsa-pss-sha256': {
    keyFamily: 'rsa',
    padding: 'pss',
    hash: 'sha256',
    combined: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
    raw: pkcs11js.CKM_RSA_PKCS_PSS,
  },
  'rsa-pss-sha384': {
    keyFamily: 'rsa',
    padding: 'pss',
    hash: 'sha384',
    combined: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
    raw: pkcs11js.CKM_RSA_PKCS_PSS,
  },
  'ecdsa-sha256': {
    keyFamily: 'ec',
    padding: 'ecdsa',
    hash: 'sha256',
    combined: undefined,
    raw: pkcs11js.CKM_ECDSA,
  },
  'ecdsa-sha384': {
    keyFamily: 'ec',
    padding: 'ecdsa',
    hash: 'sha384',
    combined: undefined,
    raw: pkcs11js.CKM_ECDSA,
  },
};

/** The key family (RSA or EC) an algorithm needs. */
export function keyFamilyOf(algorithm: SignAlgorithm): 'rsa' | 'ec' {
  return recipes[algorithm].keyFamily;
}

/** The hash of a signature algorithm. */
export function hashOfAlgorithm(algorithm: SignAlgorithm): 'sha256' | 'sha384' {
  return recipes[algorithm].hash;
}

/** How one signature is made on the token. */
export interface SignPlan {
  mechanism: number;
  /** RSA-PSS parameters: hash, MGF1 with the same hash, salt as long as the hash. */
  parameter: RsaPSS | undefined;
  /**
   * What the token is given: the data itself (combined mechanism), the digest
   * (PSS, ECDSA) or the DigestInfo around the digest (PKCS#1 v1.5).
   */
  feed: 'data' | 'digest' | 'digest-info';
  hash: 'sha256' | 'sha384';
  /** The signature is r‖s and must be DER-encoded (ECDSA). */
  derEncode: boolean;
}

/**
 * The plan for `algorithm` given what the token lists, for `input` of data (its length)
 * or a precomputed digest. Undefined when the token cannot do it.
 */
export function planSignature(
  algorithm: SignAlgorithm,
  table: MechanismTable,
  input: { dataLength: number } | { digest: true },
): SignPlan | undefined {
  const recipe = recipes[algorithm];
  const { hashAlg, mgf } = hashMechanisms[recipe.hash];
  const parameter =
    recipe.padding === 'pss'
      ? { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg, mgf, saltLen: hashLengths[recipe.hash] }
      : undefined;
  const can = (mechanism: number | undefined): mechanism is number =>
    mechanism !== undefined && tokenCan(table, mechanism, mechanismFlags.CKF_SIGN);
  const rawPlan = (): SignPlan | undefined =>
    can(recipe.raw)
      ? {
          mechanism: recipe.raw,
          parameter,
          feed: recipe.padding === 'pkcs1' ? 'digest-info' : 'digest',
          hash: recipe.hash,
          derEncode: recipe.padding === 'ecdsa',
        }
      : undefined;
  if ('digest' in input) return rawPlan();
  if (can(recipe.combined)) {
    const combined: SignPlan = {
      mechanism: recipe.combined,
      parameter,
      feed: 'data',
      hash: recipe.hash,
      derEncode: false,
    };
    return input.dataLength <= COMBINED_DATA_LIMIT ? combined : (rawPlan() ?? combined);
  }
  return rawPlan();
}

/** CKM_RSA_PKCS_OAEP parameters for a hash (MGF1 with the same hash, empty label). */
export function oaepParameter(hash: 'sha1' | 'sha256'): RsaOAEP {
  const { hashAlg, mgf } = hashMechanisms[hash];
  return { type: pkcs11js.CK_PARAMS_RSA_OAEP, hashAlg, mgf, source: CKZ_DATA_SPECIFIED };
}

/** A key pair of the signed-in token as capabilities report it. Plain data. */
export interface TokenKeyInfo {
  /** CKA_ID shared by the key and its certificate, hex. */
  keyId: string;
  /** e.g. "RSA 3072", "EC P-384". */
  keyAlgorithm: string;
  /** The curve of an EC key; null for RSA. */
  curve: EcCurve | null;
  /** The certificate, DER. */
  certificate: Uint8Array;
}

/** What the signed-in token can do. Plain, structured-clonable data. */
export interface TokenCapabilities {
  /** Algorithms `sign({ algorithm, data })` can do with the signing key. */
  sign: SignAlgorithm[];
  /** Algorithms `sign({ algorithm, digest })` can do (a raw mechanism is needed). */
  signDigest: SignAlgorithm[];
  /** Algorithms `decrypt` can do with the decryption key; rsa-oaep-sha256 only when the probe passed. */
  decrypt: DecryptAlgorithm[];
  /** Whether `deriveEcdh` can work: an EC key for key agreement and CKM_ECDH1_DERIVE. */
  deriveEcdh: boolean;
  /** The pair chosen for each use, or null when the token has none. */
  keys: { sign: TokenKeyInfo | null; decrypt: TokenKeyInfo | null; derive: TokenKeyInfo | null };
  /** Names of the mechanisms this layer uses that the token lists, e.g. CKM_SHA256_RSA_PKCS. */
  mechanisms: string[];
}

/** Inputs of {@link computeCapabilities}. */
export interface CapabilityFacts {
  table: MechanismTable;
  keys: TokenCapabilities['keys'];
  /** Result of the OAEP-SHA256 probe; false when it was not run. */
  oaepSha256: boolean;
}

/** Capabilities from the mechanism table, the chosen pairs and the OAEP probe. */
export function computeCapabilities(facts: CapabilityFacts): TokenCapabilities {
  const { table, keys } = facts;
  const signFamily = keys.sign === null ? undefined : keys.sign.curve === null ? 'rsa' : 'ec';
  const usable = (input: { dataLength: number } | { digest: true }): SignAlgorithm[] =>
    signAlgorithms.filter(
      (a) => keyFamilyOf(a) === signFamily && planSignature(a, table, input) !== undefined,
    );
  const oaep =
    keys.decrypt !== null &&
    tokenCan(table, pkcs11js.CKM_RSA_PKCS_OAEP, mechanismFlags.CKF_DECRYPT);
  const decrypt: DecryptAlgorithm[] = [];
  if (oaep && facts.oaepSha256) decrypt.push('rsa-oaep-sha256');
  if (oaep) decrypt.push('rsa-oaep-sha1');
  return {
    sign: usable({ dataLength: 0 }),
    signDigest: usable({ digest: true }),
    decrypt,
    deriveEcdh:
      keys.derive !== null && tokenCan(table, pkcs11js.CKM_ECDH1_DERIVE, mechanismFlags.CKF_DERIVE),
    keys,
    mechanisms: Object.entries(usedMechanisms)
      .filter(([, mechanism]) => table.has(mechanism))
      .map(([name]) => name),
  };
}
