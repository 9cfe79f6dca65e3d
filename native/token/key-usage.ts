/**
 * Which key and certificate pair on a token serves which use. A token may hold several
 * pairs (each key and its certificate share a CKA_ID): a signing pair, an encryption
 * pair, an ECDH pair. Pure: the candidates are read from the token by token-objects.ts.
 *
 * A pair fits a use when the key's type suits it, the key's PKCS#11 usage attribute does
 * not forbid it (an attribute the token does not report counts as allowed), the
 * certificate's keyUsage allows it (no keyUsage extension allows everything, RFC 5280)
 * and the certificate certifies that key. Among fitting pairs the one valid now wins,
 * then the one that expires last.
 */
import { NiemError } from '../api/errors.ts';
import type { CertificateUse } from './certificate-identity.ts';

/** CKK_RSA and CKK_EC (pkcs11t.h). */
export const keyTypes = { CKK_RSA: 0x0, CKK_EC: 0x3 } as const;

/** What a pair is used for: signatures, RSA key transport, ECDH key agreement. */
export type KeyUse = 'sign' | 'decrypt' | 'derive';

/** What the token says about a private key (attributes it does not report are undefined). */
export interface CandidateKey {
  /** CKA_ID shared by the key and its certificate. */
  keyId: Uint8Array;
  /** CKA_KEY_TYPE. */
  keyType: number | undefined;
  /** CKA_SIGN, CKA_DECRYPT, CKA_DERIVE. */
  sign: boolean | undefined;
  decrypt: boolean | undefined;
  derive: boolean | undefined;
}

/** A private key with one certificate stored under its CKA_ID. */
export interface PairCandidate<K extends CandidateKey = CandidateKey> {
  key: K;
  /** Certificate DER. */
  certificate: Buffer;
  use: CertificateUse;
  /** False when the certificate certifies another key (RSA modulus differs). */
  matchesKey: boolean;
}

/** The key's type as Node names it, from CKA_KEY_TYPE, else from the certificate. */
function keyFamily(candidate: PairCandidate): string {
  if (candidate.key.keyType === keyTypes.CKK_RSA) return 'rsa';
  if (candidate.key.keyType === keyTypes.CKK_EC) return 'ec';
  return candidate.key.keyType === undefined ? candidate.use.keyType : 'other';
}

/** Whether `candidate` may serve `use` (see the file comment). */
export function fitsUse(candidate: PairCandidate, use: KeyUse): boolean {
  if (!candidate.matchesKey || candidate.key.keyId.length === 0) return false;
  const family = keyFamily(candidate);
  if (family !== candidate.use.keyType) return false;
  switch (use) {
    case 'sign':
      return (
        (family === 'rsa' || family === 'ec') &&
        candidate.key.sign !== false &&
        candidate.use.allowsSigning
      );
    case 'decrypt':
      return (
        family === 'rsa' && candidate.key.decrypt !== false && candidate.use.allowsKeyEncipherment
      );
    case 'derive':
      return family === 'ec' && candidate.key.derive !== false && candidate.use.allowsKeyAgreement;
  }
}

function better(a: PairCandidate, b: PairCandidate): boolean {
  if (a.use.validNow !== b.use.validNow) return a.use.validNow;
  return a.use.notAfter.getTime() > b.use.notAfter.getTime();
}

/** The best pair for `use`, or undefined when none fits. */
export function bestPairFor<C extends PairCandidate>(
  candidates: readonly C[],
  use: KeyUse,
): C | undefined {
  let best: C | undefined;
  for (const candidate of candidates) {
    if (fitsUse(candidate, use) && (best === undefined || better(candidate, best))) {
      best = candidate;
    }
  }
  return best;
}

/**
 * The pair whose certificate is the clerk's identity: the signing pair when there is
 * one; otherwise (a token with only an encryption certificate still signs the clerk in,
 * with a warning in the identity) the pair valid now that expires last. Throws
 * `no-certificate` when the token holds no pair at all.
 */
export function identityPair<C extends PairCandidate>(
  candidates: readonly C[],
  keyCount: number,
): C {
  const signing = bestPairFor(candidates, 'sign');
  if (signing) return signing;
  let best: C | undefined;
  for (const candidate of candidates) {
    if (candidate.key.keyId.length === 0) continue;
    if (best === undefined || better(candidate, best)) best = candidate;
  }
  if (best) return best;
  const detail =
    keyCount === 0
      ? 'the token shows no private key after login'
      : `none of ${keyCount} private key(s) has an X.509 certificate with the same CKA_ID`;
  throw new NiemError('no-certificate', detail);
}

/** The error for a use no pair fits, naming what would have been needed. */
export function noPairFor(use: KeyUse): NiemError {
  const needs: Record<KeyUse, string> = {
    sign: 'an RSA or EC key with CKA_SIGN whose certificate allows digitalSignature or nonRepudiation',
    decrypt: 'an RSA key with CKA_DECRYPT whose certificate allows keyEncipherment',
    derive: 'an EC key with CKA_DERIVE whose certificate allows keyAgreement',
  };
  return new NiemError('key-usage-mismatch', `no key on the token for ${use}: needs ${needs[use]}`);
}
