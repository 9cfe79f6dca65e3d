/**
 * SoftHSM2 token work for scripts/demo-pki.ts, through pkcs11js: initialise a token on
 * the free slot (C_InitToken, then C_InitPIN as SO — no PIN ever goes through argv),
 * generate the clerk's key pair on the token (never extractable), read the public key
 * back, and store the certificate beside it under the same CKA_ID.
 *
 * DEMO ONLY: the PINs are published demo values.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import { trimPadded } from '../native/token/token-info.ts';
import { ecParamsByCurve, ecPublicKey, rsaPublicKey } from '../native/token/token-public-key.ts';
import { findObjects } from '../native/token/token-objects.ts';

export type DemoKeyAlgorithm = 'RSA 3072' | 'EC P-384';

/** The token a demo agency gets. */
export interface TokenPlan {
  label: string;
  pin: string;
  soPin: string;
  keyAlgorithm: DemoKeyAlgorithm;
}

/** A certificate to store on the token (DER parts for the PKCS#11 attributes). */
export interface CertificateObject {
  der: Buffer;
  subjectDer: Buffer;
  issuerDer: Buffer;
  serialNumberDer: Buffer;
}

function slotWithLabel(pkcs11: PKCS11, label: string): Handle | undefined {
  return pkcs11
    .C_GetSlotList(true)
    .find((slot) => trimPadded(pkcs11.C_GetTokenInfo(slot).label) === label);
}

/** Initialises a new token on SoftHSM2's free slot and sets its user PIN. Returns its slot. */
export function initToken(pkcs11: PKCS11, plan: TokenPlan): Handle {
  const free = pkcs11
    .C_GetSlotList(true)
    .find((slot) => (pkcs11.C_GetTokenInfo(slot).flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0);
  if (!free) throw new Error('SoftHSM2 shows no free slot to initialise a token in');
  // The label field is 32 bytes, blank-padded (pkcs11js would pad with NULs).
  pkcs11.C_InitToken(free, plan.soPin, plan.label.padEnd(32, ' '));
  const slot = slotWithLabel(pkcs11, plan.label);
  if (!slot) throw new Error(`token ${plan.label} did not appear after C_InitToken`);
  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_SO, plan.soPin);
    pkcs11.C_InitPIN(session, plan.pin);
    pkcs11.C_Logout(session);
  } finally {
    pkcs11.C_CloseSession(session);
  }
  return slot;
}

function keyTemplates(
  plan: TokenPlan,
  id: Buffer,
): { mechanism: number; publicKey: Template; privateKey: Template } {
  const common = (label: string): Template => [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: id },
    { type: pkcs11js.CKA_LABEL, value: label },
  ];
  const privateKey: Template = [
    ...common(`${plan.label} private key`),
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: true },
  ];
  const publicKey: Template = [
    ...common(`${plan.label} public key`),
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_VERIFY, value: true },
  ];
  if (plan.keyAlgorithm === 'RSA 3072') {
    return {
      mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN,
      publicKey: [
        ...publicKey,
        { type: pkcs11js.CKA_MODULUS_BITS, value: 3072 },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: true },
      ],
      privateKey: [
        ...privateKey,
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_UNWRAP, value: true },
      ],
    };
  }
  return {
    mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN,
    publicKey: [
      ...publicKey,
      { type: pkcs11js.CKA_EC_PARAMS, value: ecParamsByCurve['P-384'] },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_WRAP, value: false },
    ],
    // CKA_DERIVE: the EC key receives sealed packages by ECDH (KeyAgreeRecipientInfo).
    privateKey: [
      ...privateKey,
      { type: pkcs11js.CKA_DERIVE, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
    ],
  };
}

function attribute(pkcs11: PKCS11, session: Handle, object: Handle, type: number): Buffer {
  const [value] = pkcs11.C_GetAttributeValue(session, object, [{ type }]);
  if (!value?.value) throw new Error(`attribute 0x${type.toString(16)} is missing`);
  return value.value;
}

/**
 * Signs in as user on the token in `slot`, generates the clerk key pair (sensitive, not
 * extractable, random CKA_ID) and returns its CKA_ID and public key. Logs out.
 */
export function generateClerkKey(
  pkcs11: PKCS11,
  slot: Handle,
  plan: TokenPlan,
): { keyId: Buffer; publicKey: KeyObject } {
  const keyId = randomBytes(16);
  const templates = keyTemplates(plan, keyId);
  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, plan.pin);
    const pair = pkcs11.C_GenerateKeyPair(
      session,
      { mechanism: templates.mechanism },
      templates.publicKey,
      templates.privateKey,
    );
    const publicKey =
      plan.keyAlgorithm === 'RSA 3072'
        ? rsaPublicKey(
            attribute(pkcs11, session, pair.publicKey, pkcs11js.CKA_MODULUS),
            attribute(pkcs11, session, pair.publicKey, pkcs11js.CKA_PUBLIC_EXPONENT),
          )
        : ecPublicKey(
            attribute(pkcs11, session, pair.publicKey, pkcs11js.CKA_EC_PARAMS),
            attribute(pkcs11, session, pair.publicKey, pkcs11js.CKA_EC_POINT),
          );
    pkcs11.C_Logout(session);
    return { keyId, publicKey };
  } finally {
    pkcs11.C_CloseSession(session);
  }
}

/** Stores the certificate on the token as a public CKO_CERTIFICATE object with the key's CKA_ID. */
export function storeCertificate(
  pkcs11: PKCS11,
  slot: Handle,
  plan: TokenPlan,
  keyId: Buffer,
  cert: CertificateObject,
): void {
  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, plan.pin);
    pkcs11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_LABEL, value: `${plan.label} certificate` },
      { type: pkcs11js.CKA_ID, value: keyId },
      { type: pkcs11js.CKA_SUBJECT, value: cert.subjectDer },
      { type: pkcs11js.CKA_ISSUER, value: cert.issuerDer },
      { type: pkcs11js.CKA_SERIAL_NUMBER, value: cert.serialNumberDer },
      { type: pkcs11js.CKA_VALUE, value: cert.der },
    ]);
    pkcs11.C_Logout(session);
  } finally {
    pkcs11.C_CloseSession(session);
  }
}

/**
 * Whether the token labelled `label` holds, visible after login with `pin`, a private key
 * and a certificate with CKA_ID `keyId`, the certificate being `certificateDer`.
 * Returns the token's serial when so, undefined otherwise. Never throws for a PIN.
 */
export function verifyToken(
  pkcs11: PKCS11,
  label: string,
  pin: string,
  keyId: Buffer,
  certificateDer: Buffer,
): string | undefined {
  const slot = slotWithLabel(pkcs11, label);
  if (!slot) return undefined;
  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  try {
    pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
    const withId = (cls: number) =>
      findObjects(pkcs11, session, [
        { type: pkcs11js.CKA_CLASS, value: cls },
        { type: pkcs11js.CKA_ID, value: keyId },
      ]);
    const keys = withId(pkcs11js.CKO_PRIVATE_KEY);
    const certs = withId(pkcs11js.CKO_CERTIFICATE);
    const certOk = certs.some((c) =>
      attribute(pkcs11, session, c, pkcs11js.CKA_VALUE).equals(certificateDer),
    );
    pkcs11.C_Logout(session);
    return keys.length === 1 && certOk
      ? trimPadded(pkcs11.C_GetTokenInfo(slot).serialNumber)
      : undefined;
  } catch {
    return undefined;
  } finally {
    try {
      pkcs11.C_CloseSession(session);
    } catch {
      // nothing to clean
    }
  }
}
