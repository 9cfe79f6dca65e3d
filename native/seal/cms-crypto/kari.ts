/**
 * KeyAgreeRecipientInfo with ephemeral-static ECDH (RFC 5652 §6.2.2, RFC 5753 §3.1):
 * dhSinglePass-stdDH-sha256kdf-scheme on P-256, -sha384kdf-scheme on P-384, X9.63 KDF,
 * AES-256 key wrap of the content key. Written as `openssl cms -encrypt -aes-256-gcm
 * -keyopt ecdh_kdf_md:sha256|sha384` writes it:
 *   [1] { version 3,
 *         originator [0] { originatorKey [1] { { id-ecPublicKey } (no parameters),
 *                                              BIT STRING 04‖X‖Y } },
 *         (no ukm),
 *         { dhSinglePass-stdDH-shaNNNkdf-scheme, { id-aes256-wrap } },
 *         { { IssuerAndSerialNumber, OCTET STRING wrapped key (40 bytes) } } }
 * The curve is the recipient certificate's. Read: the SHA-1/224/512 KDF schemes and
 * their cofactor twins (the same on these cofactor-1 curves), AES-128/192/256 wrap, a
 * ukm, compressed points, and id-ecPublicKey with NULL or a matching named curve.
 */
import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import { cmsError, tamperedError } from './cms-errors.ts';
import {
  bitString,
  explicit,
  integer,
  octetString,
  sequence,
  tlv,
  type AsnNode,
} from '../ber/index.ts';
import {
  absentOrNull,
  algorithm,
  bitStringBytes,
  buf,
  childrenOf,
  expectUniversal,
  isContext,
  octets,
  oidOf,
  present,
  readAlgorithm,
  smallInteger,
} from './asn.ts';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  checkedUncompressedPoint,
  coordinateBytes,
  eccCmsSharedInfo,
  uncompressedPoint,
  x963Kdf,
  type KdfHash,
} from './key-derivation.ts';
import { ecc, keyWrap } from './oids.ts';
import type { RecipientCertificate, RecipientCurve } from './recipient-certificate.ts';
import {
  encodeKeyAgreeRecipientId,
  readKeyAgreeRecipientId,
  recipientIdOf,
  type RecipientId,
  type RecipientIdKind,
} from './recipient-id.ts';
import { rethrowAsTampered, type DeriveCallback } from './recipient-key.ts';

/** One RecipientEncryptedKey of a KeyAgreeRecipientInfo Niêm can open. */
export interface KeyAgreeRecipient {
  type: 'kari';
  rid: RecipientId;
  /** The originator's ephemeral public point as received (BIT STRING value). */
  originatorPoint: Buffer;
  /** The curve the originatorKey's parameters name, when they name one. */
  originatorCurve: RecipientCurve | undefined;
  kdfHash: KdfHash;
  /** The KeyWrapAlgorithm AlgorithmIdentifier as received: keyInfo of the SharedInfo. */
  wrapAlgorithm: Buffer;
  /** KEK length, bytes (16, 24, 32). */
  kekBytes: number;
  ukm: Buffer | undefined;
  encryptedKey: Buffer;
}

const schemes: Record<string, KdfHash> = {
  [ecc.stdDhSha1Kdf]: 'sha1',
  [ecc.stdDhSha224Kdf]: 'sha224',
  [ecc.stdDhSha256Kdf]: 'sha256',
  [ecc.stdDhSha384Kdf]: 'sha384',
  [ecc.stdDhSha512Kdf]: 'sha512',
  [ecc.cofactorDhSha1Kdf]: 'sha1',
  [ecc.cofactorDhSha224Kdf]: 'sha224',
  [ecc.cofactorDhSha256Kdf]: 'sha256',
  [ecc.cofactorDhSha384Kdf]: 'sha384',
  [ecc.cofactorDhSha512Kdf]: 'sha512',
};

const wrapKeyBytes: Record<string, number> = {
  [keyWrap.aes128Wrap]: 16,
  [keyWrap.aes192Wrap]: 24,
  [keyWrap.aes256Wrap]: 32,
};

const curveOids: Record<string, RecipientCurve> = {
  [ecc.prime256v1]: 'P-256',
  [ecc.secp384r1]: 'P-384',
};

/** What Niêm writes for each curve: the scheme OID and the KDF hash. */
const writeScheme: Record<RecipientCurve, { oid: string; hash: KdfHash }> = {
  'P-256': { oid: ecc.stdDhSha256Kdf, hash: 'sha256' },
  'P-384': { oid: ecc.stdDhSha384Kdf, hash: 'sha384' },
};

/** Options of a KeyAgreeRecipientInfo. */
export interface KeyAgreeOptions {
  /** How the recipient is named; issuer and serial number unless told. */
  identifyBy?: RecipientIdKind;
}

/**
 * Wraps `contentKey` (32 bytes) for an EC certificate with a fresh ephemeral key:
 * the RecipientInfo, [1] IMPLICIT KeyAgreeRecipientInfo.
 */
export function encodeKeyAgreeRecipientInfo(
  certificate: RecipientCertificate,
  contentKey: Uint8Array,
  options: KeyAgreeOptions = {},
): Buffer {
  const curve = certificate.curve;
  if (certificate.keyType !== 'ec' || curve === undefined) {
    throw new RangeError('KeyAgreeRecipientInfo needs an EC P-256 or P-384 key');
  }
  const { oid, hash } = writeScheme[curve];
  const wrapAlgorithm = algorithm(keyWrap.aes256Wrap);
  const ephemeral = generateKeyPairSync('ec', { namedCurve: curve });
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: certificate.publicKey });
  const kek = x963Kdf(hash, z, eccCmsSharedInfo(wrapAlgorithm, 32), 32);
  z.fill(0);
  const wrapped = aesKeyWrap(kek, contentKey);
  kek.fill(0);
  const originatorKey = tlv(
    'context',
    true,
    1,
    algorithm(ecc.ecPublicKey),
    bitString(uncompressedPoint(ephemeral.publicKey)),
  );
  const rid = recipientIdOf(certificate, options.identifyBy);
  return buf(
    tlv(
      'context',
      true,
      1,
      integer(3),
      explicit(0, originatorKey),
      algorithm(oid, wrapAlgorithm),
      sequence(sequence(encodeKeyAgreeRecipientId(rid), octetString(wrapped))),
    ),
  );
}

type Unsupported = { type: 'unsupported'; rid: RecipientId | undefined; description: string };

function readRecipientEncryptedKeys(
  node: AsnNode | undefined,
): { rid: RecipientId; key: Buffer }[] {
  const what = 'recipientEncryptedKeys';
  const list = childrenOf(expectUniversal(node, 16, what), what);
  return list.map((entry) => {
    const [ridNode, keyNode, extra] = childrenOf(
      expectUniversal(entry, 16, 'RecipientEncryptedKey'),
      'RecipientEncryptedKey',
    );
    if (extra !== undefined) throw cmsError('malformed', 'RecipientEncryptedKey: too many fields');
    return {
      rid: readKeyAgreeRecipientId(ridNode),
      key: octets(keyNode, 'RecipientEncryptedKey encryptedKey'),
    };
  });
}

/**
 * Reads a KeyAgreeRecipientInfo (the [1] element): one entry per RecipientEncryptedKey,
 * each either openable or unsupported with a description.
 */
export function readKeyAgreeRecipientInfo(node: AsnNode): (KeyAgreeRecipient | Unsupported)[] {
  const what = 'KeyAgreeRecipientInfo';
  const fields = [...childrenOf(node, what)];
  const version = smallInteger(fields.shift(), `${what} version`);
  if (version !== 3) throw cmsError('malformed', `${what}: version ${version}`);
  const originatorNode = fields.shift();
  if (!isContext(present(originatorNode, `${what} originator`), 0, true)) {
    throw cmsError('malformed', `${what} originator: expected [0]`);
  }
  const originator = childrenOf(originatorNode, `${what} originator`);
  const ukm = isContext(fields[0], 1, true)
    ? octets(childrenOf(fields.shift(), `${what} ukm`)[0], `${what} ukm`)
    : undefined;
  const algorithmNode = fields.shift();
  const { oid, parameters } = readAlgorithm(algorithmNode, `${what} keyEncryptionAlgorithm`);
  const encryptedKeys = readRecipientEncryptedKeys(fields.shift());
  if (fields.length > 0) throw cmsError('malformed', `${what}: too many fields`);
  const unsupported = (description: string): Unsupported[] =>
    encryptedKeys.map(({ rid }) => ({ type: 'unsupported', rid, description }));

  const kdfHash = schemes[oid];
  if (kdfHash === undefined) return unsupported(`key agreement ${oid}`);
  const wrap = readAlgorithm(parameters, `${what} KeyWrapAlgorithm`);
  const kekBytes = wrapKeyBytes[wrap.oid];
  if (kekBytes === undefined || !absentOrNull(wrap.parameters)) {
    return unsupported(`key wrap ${wrap.oid}`);
  }
  const choice = originator[0];
  if (!isContext(choice, 1, true)) {
    return unsupported('ECDH with a static originator key');
  }
  const [keyAlgorithmNode, pointNode] = childrenOf(choice, 'originatorKey');
  const keyAlgorithm = readAlgorithm(keyAlgorithmNode, 'originatorKey algorithm');
  if (keyAlgorithm.oid !== ecc.ecPublicKey) {
    return unsupported(`originator key ${keyAlgorithm.oid}`);
  }
  let originatorCurve: RecipientCurve | undefined;
  if (!absentOrNull(keyAlgorithm.parameters)) {
    const curveOid = oidOf(keyAlgorithm.parameters, 'originatorKey curve');
    originatorCurve = curveOids[curveOid];
    if (originatorCurve === undefined) return unsupported(`curve ${curveOid}`);
  }
  const originatorPoint = bitStringBytes(pointNode, 'originatorKey publicKey');
  const wrapAlgorithm = Buffer.from(expectUniversal(parameters, 16, 'KeyWrapAlgorithm').raw);
  return encryptedKeys.map(({ rid, key }) => ({
    type: 'kari',
    rid,
    originatorPoint,
    originatorCurve,
    kdfHash,
    wrapAlgorithm,
    kekBytes,
    ukm,
    encryptedKey: key,
  }));
}

/**
 * Recovers the content key of `recipient`: checks the ephemeral point (on the
 * certificate's curve), asks `derive` for Z, derives the KEK and unwraps. A point that
 * is not on the curve, a refused derivation or a failed unwrap are all `tampered`.
 */
export async function unwrapKeyAgree(
  recipient: KeyAgreeRecipient,
  certificate: RecipientCertificate,
  derive: DeriveCallback,
  contentKeyBytes: number,
): Promise<Buffer> {
  const curve = certificate.curve;
  if (curve === undefined) throw new RangeError('an EC certificate is needed');
  if (recipient.originatorCurve !== undefined && recipient.originatorCurve !== curve) {
    throw tamperedError();
  }
  const point = checkedUncompressedPoint(recipient.originatorPoint, curve);
  let z: Uint8Array;
  try {
    z = await derive(point);
  } catch (err) {
    rethrowAsTampered(err);
  }
  if (z.length !== coordinateBytes[curve]) {
    throw new Error(`the derive operation returned ${z.length} bytes, not a ${curve} secret`);
  }
  const sharedInfo = eccCmsSharedInfo(recipient.wrapAlgorithm, recipient.kekBytes, recipient.ukm);
  const kek = x963Kdf(recipient.kdfHash, z, sharedInfo, recipient.kekBytes);
  Buffer.from(z.buffer, z.byteOffset, z.length).fill(0);
  try {
    const key = aesKeyUnwrap(kek, recipient.encryptedKey);
    if (key.length !== contentKeyBytes) throw tamperedError();
    return key;
  } finally {
    kek.fill(0);
  }
}
