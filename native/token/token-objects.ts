/**
 * Finding objects on a token inside an open session. Objects are always looked up by
 * attributes (class and CKA_ID), never by a remembered handle: handles of private
 * objects change across logout/login on SoftHSM2 and on real tokens alike.
 */
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import { NiemError } from '../api/errors.ts';
import { certificateUse, type PrivateKeyFacts } from './certificate-identity.ts';
import { toTokenError } from './ckr-errors.ts';

/** Upper bound on objects read per search, so a hostile token cannot make us loop forever. */
const MAX_OBJECTS = 1024;

/** Every object matching `template`, in the token's order. */
export function findObjects(pkcs11: PKCS11, session: Handle, template: Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    const found: Handle[] = [];
    while (found.length < MAX_OBJECTS) {
      const batch = pkcs11.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      found.push(...batch);
    }
    return found;
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/**
 * Reads one attribute; `undefined` when the token refuses it (sensitive, not applicable,
 * unknown type). Other failures (token removed, session gone) are thrown.
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
    const kind = toTokenError(err, 'C_GetAttributeValue').kind;
    if (kind === 'token-absent' || kind === 'not-signed-in') throw err;
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

/** A private key found on the token and what it allows. */
export interface PrivateKeyEntry extends PrivateKeyFacts {
  /** CKA_SIGN; undefined when not reported. */
  sign: boolean | undefined;
}

/** Private keys visible in the session (all of them need a signed-in session). */
export function listPrivateKeys(pkcs11: PKCS11, session: Handle): PrivateKeyEntry[] {
  const handles = findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
  ]);
  return handles.map((handle) => ({
    keyId: readAttribute(pkcs11, session, handle, pkcs11js.CKA_ID) ?? Buffer.alloc(0),
    extractable: readBool(pkcs11, session, handle, pkcs11js.CKA_EXTRACTABLE),
    sensitive: readBool(pkcs11, session, handle, pkcs11js.CKA_SENSITIVE),
    sign: readBool(pkcs11, session, handle, pkcs11js.CKA_SIGN),
    modulus: readAttribute(pkcs11, session, handle, pkcs11js.CKA_MODULUS),
  }));
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

/**
 * Pairs each private key with the certificates stored under its CKA_ID and picks the
 * best: key allowed to sign and certificate allowing signatures first, then a
 * certificate valid now, then the one that expires last. Certificates that do not parse
 * are skipped. Throws `no-certificate` when no pair exists.
 */
export function findSigningPair(
  pkcs11: PKCS11,
  session: Handle,
  now: Date = new Date(),
): KeyCertificatePair {
  const keys = listPrivateKeys(pkcs11, session);
  let best: { pair: KeyCertificatePair; score: number; notAfter: number } | undefined;
  for (const key of keys) {
    if (key.keyId.length === 0) continue;
    for (const certificate of certificatesWithId(pkcs11, session, key.keyId)) {
      let use;
      try {
        use = certificateUse(certificate, now);
      } catch {
        continue;
      }
      const score = (key.sign !== false && use.allowsSigning ? 2 : 0) + (use.validNow ? 1 : 0);
      const notAfter = use.notAfter.getTime();
      if (!best || score > best.score || (score === best.score && notAfter > best.notAfter)) {
        best = { pair: { key, certificate }, score, notAfter };
      }
    }
  }
  if (!best) {
    const detail =
      keys.length === 0
        ? 'the token shows no private key after login'
        : `none of ${keys.length} private key(s) has an X.509 certificate with the same CKA_ID`;
    throw new NiemError('no-certificate', detail);
  }
  return best.pair;
}
