/**
 * Finding objects on a token inside an open session. Objects are always looked up by
 * attributes (class and CKA_ID), never by a remembered handle: handles of private
 * objects change across logout/login on SoftHSM2 and on real tokens alike.
 */
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import {
  certificateMatchesKey,
  certificateUse,
  type PrivateKeyFacts,
} from './certificate-identity.ts';
import { isSessionLost } from './ckr-errors.ts';
import { identityPair, keyTypes, type CandidateKey, type PairCandidate } from './key-usage.ts';

/** Upper bound on objects read per search, so a hostile token cannot make us loop forever. */
const MAX_OBJECTS = 1024;

/** Every object matching `template`, in the token's order. */
export function findObjects(pkcs11: PKCS11, session: Handle, template: Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  const found: Handle[] = [];
  try {
    while (found.length < MAX_OBJECTS) {
      const batch = pkcs11.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      found.push(...batch);
    }
  } catch (err) {
    try {
      pkcs11.C_FindObjectsFinal(session);
    } catch {
      // The search's own error is the one that tells what happened.
    }
    throw err;
  }
  pkcs11.C_FindObjectsFinal(session);
  return found;
}

/**
 * Reads one attribute; `undefined` when the token refuses it (sensitive, not applicable,
 * unknown type). A lost session (token removed, handle invalid, logged out) is thrown.
 */
export function readAttribute(
  pkcs11: PKCS11,
  session: Handle,
  object: Handle,
  type: number,
): Buffer | undefined {
  try {
    const [attribute] = pkcs11.C_GetAttributeValue(session, object, [{ type }]);
    return attribute?.value;
  } catch (err) {
    if (isSessionLost(err)) throw err;
    return undefined;
  }
}

function readBool(
  pkcs11: PKCS11,
  session: Handle,
  object: Handle,
  type: number,
): boolean | undefined {
  const value = readAttribute(pkcs11, session, object, type);
  if (value === undefined || value.length === 0) return undefined;
  return value[0] !== 0;
}

/** A private key found on the token and what it allows. Never its value. */
export interface PrivateKeyEntry extends PrivateKeyFacts, CandidateKey {
  keyId: Buffer;
  /** CKA_EC_PARAMS of an EC key (the curve), public information. */
  ecParams: Buffer | undefined;
}

function readKeyType(pkcs11: PKCS11, session: Handle, handle: Handle): number | undefined {
  const value = readAttribute(pkcs11, session, handle, pkcs11js.CKA_KEY_TYPE);
  return value === undefined || value.length === 0
    ? undefined
    : value.readUIntLE(0, Math.min(value.length, 6));
}

/**
 * Private keys visible in the session (all of them need a signed-in session), with the
 * public facts about each: CKA_ID, type, usage flags, sensitivity, modulus or curve.
 * CKA_VALUE and the other private parts are never asked for.
 */
export function listPrivateKeys(pkcs11: PKCS11, session: Handle): PrivateKeyEntry[] {
  const handles = findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
  ]);
  return handles.map((handle) => {
    const keyType = readKeyType(pkcs11, session, handle);
    return {
      keyId: readAttribute(pkcs11, session, handle, pkcs11js.CKA_ID) ?? Buffer.alloc(0),
      keyType,
      extractable: readBool(pkcs11, session, handle, pkcs11js.CKA_EXTRACTABLE),
      sensitive: readBool(pkcs11, session, handle, pkcs11js.CKA_SENSITIVE),
      sign: readBool(pkcs11, session, handle, pkcs11js.CKA_SIGN),
      decrypt: readBool(pkcs11, session, handle, pkcs11js.CKA_DECRYPT),
      derive: readBool(pkcs11, session, handle, pkcs11js.CKA_DERIVE),
      modulus:
        keyType === keyTypes.CKK_EC
          ? undefined
          : readAttribute(pkcs11, session, handle, pkcs11js.CKA_MODULUS),
      ecParams:
        keyType === keyTypes.CKK_EC
          ? readAttribute(pkcs11, session, handle, pkcs11js.CKA_EC_PARAMS)
          : undefined,
    };
  });
}

/** X.509 certificate values (DER) stored under `keyId`. */
export function certificatesWithId(pkcs11: PKCS11, session: Handle, keyId: Uint8Array): Buffer[] {
  const handles = findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
  ]);
  const values: Buffer[] = [];
  for (const handle of handles) {
    const type = readAttribute(pkcs11, session, handle, pkcs11js.CKA_CERTIFICATE_TYPE);
    if (
      type !== undefined &&
      type.length > 0 &&
      type.readUIntLE(0, Math.min(type.length, 6)) !== pkcs11js.CKC_X_509
    ) {
      continue;
    }
    const value = readAttribute(pkcs11, session, handle, pkcs11js.CKA_VALUE);
    if (value !== undefined && value.length > 0) values.push(value);
  }
  return values;
}

/** The private key and certificate a session signs with. */
export interface KeyCertificatePair {
  key: PrivateKeyEntry;
  /** Certificate DER. */
  certificate: Buffer;
}

/** Every private key on the token and its certificates, as one entry per (key, certificate). */
export interface TokenPairs {
  keyCount: number;
  candidates: PairCandidate<PrivateKeyEntry>[];
}

/**
 * Pairs each private key with the certificates stored under its CKA_ID. Certificates
 * that do not parse are skipped.
 */
export function readPairs(pkcs11: PKCS11, session: Handle, now: Date = new Date()): TokenPairs {
  const keys = listPrivateKeys(pkcs11, session);
  const candidates: PairCandidate<PrivateKeyEntry>[] = [];
  for (const key of keys) {
    if (key.keyId.length === 0) continue;
    for (const certificate of certificatesWithId(pkcs11, session, key.keyId)) {
      try {
        const use = certificateUse(certificate, now);
        candidates.push({
          key,
          certificate,
          use,
          matchesKey: certificateMatchesKey(certificate, key),
        });
      } catch {
        continue;
      }
    }
  }
  return { keyCount: keys.length, candidates };
}

/**
 * The pair whose certificate is the clerk's identity (see identityPair in key-usage.ts):
 * the signing pair when there is one. Throws `no-certificate` when no pair exists.
 */
export function findSigningPair(
  pkcs11: PKCS11,
  session: Handle,
  now: Date = new Date(),
): KeyCertificatePair {
  const { keyCount, candidates } = readPairs(pkcs11, session, now);
  const { key, certificate } = identityPair(candidates, keyCount);
  return { key, certificate };
}

/**
 * Handles of the private keys with CKA_ID `keyId`, found now (handles are never kept:
 * they change across login).
 */
export function privateKeysWithId(pkcs11: PKCS11, session: Handle, keyId: Uint8Array): Handle[] {
  return findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
  ]);
}
