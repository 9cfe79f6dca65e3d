/**
 * The cryptographic operations of a signed-in session: sign, RSA-OAEP decrypt, ECDH
 * derive, and the OAEP-SHA256 probe. Each finds its private key by CKA_ID when called
 * (never a kept handle) and runs the token's long call (C_Sign, C_Decrypt,
 * C_DeriveKey) with pkcs11js' *Async variant, so a slow token does not block the event
 * loop of the process hosting the module. Private keys never leave the token: nothing
 * here reads a private key's value; the only CKA_VALUE read is that of the ephemeral
 * ECDH secret derived into a session object for that purpose and destroyed at once.
 */
import { constants, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { ECDH1, Handle, Mechanism, PKCS11 } from 'pkcs11js';
import { NiemError } from '../api/errors.ts';
import { isCkr, isSessionLost, toTokenError, type CkrName } from './ckr-errors.ts';
import type { KeyUse } from './key-usage.ts';
import { oaepParameter, type SignPlan } from './token-capabilities.ts';
import { privateKeysWithId } from './token-objects.ts';
import { coordinateLength, type EcCurve } from './token-public-key.ts';
import { checkedDigest, digestInfo, ecdsaRawToDer, hashOf } from './signature-encoding.ts';

/** The key and certificate chosen for one use at login; the key is found again by CKA_ID. */
export interface UsePair {
  keyId: Buffer;
  /** Certificate DER. */
  certificate: Buffer;
  /** The certificate's public key. */
  publicKey: KeyObject;
  family: 'rsa' | 'ec';
  /** Curve of an EC key (from CKA_EC_PARAMS, else the certificate). */
  curve: EcCurve | undefined;
  /** e.g. "RSA 3072", "EC P-384". */
  keyAlgorithm: string;
}

/** The signed-in session an operation runs in. */
export interface SessionContext {
  pkcs11: PKCS11;
  session: Handle;
}

/** Bytes of an RSA modulus (the size of its signatures and ciphertexts). */
export function modulusBytes(pair: UsePair): number {
  const bits = pair.publicKey.asymmetricKeyDetails?.modulusLength ?? 8192;
  return Math.ceil(bits / 8);
}

/** CKS_RO_USER_FUNCTIONS and CKS_RW_USER_FUNCTIONS. */
const userSessionStates = new Set([1, 3]);

function isUserSession(context: SessionContext): boolean {
  try {
    return userSessionStates.has(context.pkcs11.C_GetSessionInfo(context.session).state);
  } catch (err) {
    throw toTokenError(err, 'C_GetSessionInfo');
  }
}

/** The private key of `pair`, found now by CKA_ID. */
export function findPrivateKey(context: SessionContext, pair: UsePair, use: KeyUse): Handle {
  let handles: Handle[];
  try {
    handles = privateKeysWithId(context.pkcs11, context.session, pair.keyId);
  } catch (err) {
    throw toTokenError(err, 'C_FindObjects');
  }
  const [handle] = handles;
  if (handle === undefined) {
    // Private objects vanish from searches when the login is gone (another part of this
    // process logged out, the token was reset): that is a lost session, not a missing key.
    if (!isUserSession(context)) {
      throw new NiemError('not-signed-in', `the token no longer has a user login (${use})`);
    }
    throw new NiemError(
      'key-usage-mismatch',
      `the ${use} key (CKA_ID ${pair.keyId.toString('hex')}) is no longer on the token`,
    );
  }
  return handle;
}

/** What a plan feeds the token for `input`. */
function signPayload(plan: SignPlan, input: { data: Uint8Array } | { digest: Uint8Array }): Buffer {
  if (plan.feed === 'data') {
    if (!('data' in input)) throw new NiemError('internal', 'a combined mechanism needs the data');
    return Buffer.from(input.data);
  }
  const digest = 'digest' in input ? input.digest : hashOf(plan.hash, input.data);
  return plan.feed === 'digest-info'
    ? digestInfo(plan.hash, digest)
    : checkedDigest(plan.hash, digest);
}

/** Signs per `plan` with the key of `pair`; ECDSA signatures come back DER-encoded. */
export async function signWithPlan(
  context: SessionContext,
  pair: UsePair,
  plan: SignPlan,
  input: { data: Uint8Array } | { digest: Uint8Array },
): Promise<Buffer> {
  const payload = signPayload(plan, input);
  const key = findPrivateKey(context, pair, 'sign');
  const mechanism: Mechanism =
    plan.parameter === undefined
      ? { mechanism: plan.mechanism }
      : { mechanism: plan.mechanism, parameter: plan.parameter };
  const outputLength =
    pair.family === 'rsa' ? modulusBytes(pair) : 2 * coordinateLength(pair.curve ?? 'P-521');
  let signature: Buffer;
  try {
    context.pkcs11.C_SignInit(context.session, mechanism, key);
    signature = await context.pkcs11.C_SignAsync(
      context.session,
      payload,
      Buffer.alloc(outputLength),
    );
  } catch (err) {
    throw toTokenError(err, 'C_Sign');
  }
  return plan.derEncode ? ecdsaRawToDer(signature) : signature;
}

/** RSA-OAEP decryption of `data` (exactly one modulus long) with the key of `pair`. */
export async function decryptOaep(
  context: SessionContext,
  pair: UsePair,
  hash: 'sha1' | 'sha256',
  data: Uint8Array,
): Promise<Buffer> {
  const key = findPrivateKey(context, pair, 'decrypt');
  try {
    context.pkcs11.C_DecryptInit(
      context.session,
      { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter: oaepParameter(hash) },
      key,
    );
    return await context.pkcs11.C_DecryptAsync(
      context.session,
      Buffer.from(data),
      Buffer.alloc(modulusBytes(pair)),
    );
  } catch (err) {
    throw toTokenError(err, 'C_Decrypt');
  }
}

/** What a token answers when it does not take the OAEP parameters it lists the mechanism for. */
const oaepRefusals: readonly CkrName[] = [
  'CKR_ARGUMENTS_BAD',
  'CKR_MECHANISM_PARAM_INVALID',
  'CKR_MECHANISM_INVALID',
  'CKR_FUNCTION_NOT_SUPPORTED',
  'CKR_DATA_INVALID',
  'CKR_ENCRYPTED_DATA_INVALID',
  'CKR_KEY_SIZE_RANGE',
];

/**
 * Whether the token really does RSA-OAEP with SHA-256 (SoftHSM2 2.6 lists the mechanism
 * but refuses SHA-256 with CKR_ARGUMENTS_BAD): a random block is encrypted in Node to the
 * certificate's public key and decrypted on the token. A refusal is `false`; a lost
 * session or a device error is thrown (the probe tells nothing then).
 */
export async function probeOaepSha256(context: SessionContext, pair: UsePair): Promise<boolean> {
  const block = randomBytes(32);
  const ciphertext = publicEncrypt(
    { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    block,
  );
  try {
    const plain = await decryptOaep(context, pair, 'sha256', ciphertext);
    return plain.equals(block);
  } catch (err) {
    const cause = err instanceof NiemError ? err.cause : err;
    if (oaepRefusals.some((name) => isCkr(cause, name))) return false;
    throw err;
  }
}

/**
 * Whether the token decrypts, with `hash`, a random block Node encrypts now to the
 * certificate: tells "the data is bad" from "the token is failing". Never throws for a
 * token failure (that is the `false` answer); a lost session is thrown.
 */
export async function decryptsTestBlock(
  context: SessionContext,
  pair: UsePair,
  hash: 'sha1' | 'sha256',
): Promise<boolean> {
  const block = randomBytes(32);
  const ciphertext = publicEncrypt(
    { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    block,
  );
  try {
    return (await decryptOaep(context, pair, hash, ciphertext)).equals(block);
  } catch (err) {
    if (isSessionLost(err)) throw err;
    return false;
  }
}

/**
 * ECDH (CKM_ECDH1_DERIVE, CKD_NULL) of the key of `pair` with `publicPoint` (already
 * validated): the shared secret Z is derived into a session object (CKA_TOKEN false)
 * that is, for this ephemeral value only, not sensitive and extractable; its value is
 * read and the object destroyed whatever happens.
 */
export async function deriveEcdhSecret(
  context: SessionContext,
  pair: UsePair,
  publicPoint: Buffer,
): Promise<Buffer> {
  const { pkcs11, session } = context;
  const curve = pair.curve;
  if (curve === undefined) throw new NiemError('internal', 'the derive key has no curve');
  const key = findPrivateKey(context, pair, 'derive');
  const fieldSize = coordinateLength(curve);
  const parameter: ECDH1 = {
    type: pkcs11js.CK_PARAMS_EC_DH,
    kdf: pkcs11js.CKD_NULL,
    publicData: publicPoint,
  };
  let secret: Handle;
  try {
    secret = await pkcs11.C_DeriveKeyAsync(
      session,
      { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter },
      key,
      [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_VALUE_LEN, value: fieldSize },
      ],
    );
  } catch (err) {
    throw toTokenError(err, 'C_DeriveKey');
  }
  try {
    const [attribute] = pkcs11.C_GetAttributeValue(session, secret, [{ type: pkcs11js.CKA_VALUE }]);
    const value = attribute?.value;
    if (value === undefined || value.length !== fieldSize) {
      throw new NiemError(
        'internal',
        `C_DeriveKey gave a secret of ${value?.length ?? 0} bytes, not ${fieldSize}`,
      );
    }
    return value;
  } catch (err) {
    throw toTokenError(err, 'C_GetAttributeValue');
  } finally {
    try {
      pkcs11.C_DestroyObject(session, secret);
    } catch {
      // A session object also dies with its session.
    }
  }
}
