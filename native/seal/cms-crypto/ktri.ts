/**
 * KeyTransRecipientInfo with RSA-OAEP (RFC 5652 §6.2.1, RFC 3560, RFC 4055): the content
 * key encrypted to the recipient's RSA public key.
 *
 * Written exactly as `openssl cms -encrypt -keyopt rsa_padding_mode:oaep
 * -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256` writes it:
 *   rsaesOaep, RSAES-OAEP-params { [0] sha256 (parameters absent),
 *                                  [1] mgf1 with sha256 (parameters absent) }
 * and, for a recipient whose token lacks OAEP with SHA-256, the all-defaults form
 *   rsaesOaep, RSAES-OAEP-params { }   (SHA-1, MGF1-SHA-1, empty label)
 * PKCS#1 v1.5 (rsaEncryption, openssl's default) is never written and never read.
 */
import { constants, publicEncrypt } from 'node:crypto';
import { cmsError, tamperedError } from './cms-errors.ts';
import { explicit, integer, octetString, sequence, type AsnNode } from '../ber/index.ts';
import {
  absentOrNull,
  algorithm as derAlgorithm,
  buf,
  childrenOf,
  expectUniversal,
  isContext,
  octets,
  readAlgorithm,
  smallInteger,
} from './asn.ts';
import { digests, rsa } from './oids.ts';
import type { RecipientCertificate } from './recipient-certificate.ts';
import {
  encodeKeyTransRecipientId,
  readKeyTransRecipientId,
  recipientIdOf,
  type RecipientId,
  type RecipientIdKind,
} from './recipient-id.ts';
import { rethrowAsTampered, type DecryptAlgorithm, type DecryptCallback } from './recipient-key.ts';

/** OAEP hash (also the MGF1 hash) for a recipient. */
export type OaepHash = 'sha256' | 'sha1';

/** A KeyTransRecipientInfo Niêm can open. */
export interface KeyTransRecipient {
  type: 'ktri';
  rid: RecipientId;
  algorithm: DecryptAlgorithm;
  encryptedKey: Buffer;
}

/** The keyEncryptionAlgorithm for `hash`, byte for byte as openssl 3.0 writes it. */
export function encodeOaepAlgorithm(hash: OaepHash): Buffer {
  if (hash === 'sha1') return derAlgorithm(rsa.rsaesOaep, sequence());
  return derAlgorithm(
    rsa.rsaesOaep,
    sequence(
      explicit(0, derAlgorithm(digests.sha256)),
      explicit(1, derAlgorithm(rsa.mgf1, derAlgorithm(digests.sha256))),
    ),
  );
}

/** Options of a KeyTransRecipientInfo. */
export interface KeyTransOptions {
  /** 'sha1' only for a recipient whose directory entry says its token lacks SHA-256. */
  oaepHash?: OaepHash;
  /** How the recipient is named; issuer and serial number unless told. */
  identifyBy?: RecipientIdKind;
}

/** Encrypts `contentKey` to an RSA certificate: the RecipientInfo (KTRI is untagged). */
export function encodeKeyTransRecipientInfo(
  certificate: RecipientCertificate,
  contentKey: Uint8Array,
  options: KeyTransOptions = {},
): Buffer {
  if (certificate.keyType !== 'rsa') throw new RangeError('KeyTransRecipientInfo needs an RSA key');
  const hash = options.oaepHash ?? 'sha256';
  const rid = recipientIdOf(certificate, options.identifyBy);
  const encryptedKey = publicEncrypt(
    { key: certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    contentKey,
  );
  return buf(
    sequence(
      integer(rid.kind === 'ski' ? 2 : 0),
      encodeKeyTransRecipientId(rid),
      encodeOaepAlgorithm(hash),
      octetString(encryptedKey),
    ),
  );
}

/** The hash of an AlgorithmIdentifier naming SHA-1 or SHA-256 with absent/NULL parameters. */
function readOaepDigest(node: AsnNode | undefined, what: string): OaepHash | undefined {
  const { oid, parameters } = readAlgorithm(node, what);
  if (!absentOrNull(parameters)) return undefined;
  if (oid === digests.sha256) return 'sha256';
  if (oid === digests.sha1) return 'sha1';
  return undefined;
}

/**
 * The decrypt algorithm of an RSAES-OAEP-params, or a reason it is not one Niêm
 * accepts (the token does OAEP with MGF1 over the same hash and an empty label only).
 */
function readOaepParameters(parameters: AsnNode | undefined): DecryptAlgorithm | string {
  if (parameters === undefined) return 'rsa-oaep-sha1'; // all defaults
  const what = 'RSAES-OAEP-params';
  const params = childrenOf(expectUniversal(parameters, 16, what), what);
  let hash: OaepHash | undefined = 'sha1';
  let mgfHash: OaepHash | undefined = 'sha1';
  for (const field of params) {
    if (isContext(field, 0, true)) {
      hash = readOaepDigest(childrenOf(field, 'OAEP hashFunc')[0], 'OAEP hashFunc');
    } else if (isContext(field, 1, true)) {
      const mgf = readAlgorithm(childrenOf(field, 'OAEP maskGenFunc')[0], 'OAEP maskGenFunc');
      mgfHash = mgf.oid === rsa.mgf1 ? readOaepDigest(mgf.parameters, 'MGF1 hash') : undefined;
    } else if (isContext(field, 2, true)) {
      const source = readAlgorithm(childrenOf(field, 'OAEP pSourceFunc')[0], 'OAEP pSourceFunc');
      const label = source.parameters === undefined ? undefined : octets(source.parameters, 'P');
      if (source.oid !== rsa.pSpecified || (label !== undefined && label.length > 0)) {
        return 'RSA-OAEP with a label';
      }
    } else {
      throw cmsError('malformed', 'RSAES-OAEP-params: unknown field');
    }
  }
  if (hash === undefined || mgfHash === undefined) return 'RSA-OAEP with another hash';
  if (hash !== mgfHash) return 'RSA-OAEP with MGF1 over a different hash';
  return hash === 'sha256' ? 'rsa-oaep-sha256' : 'rsa-oaep-sha1';
}

/**
 * Reads a KeyTransRecipientInfo (the SEQUENCE). Returns the recipient, or for an
 * algorithm Niêm does not accept, its rid and a description.
 */
export function readKeyTransRecipientInfo(
  node: AsnNode,
): KeyTransRecipient | { type: 'unsupported'; rid: RecipientId; description: string } {
  const what = 'KeyTransRecipientInfo';
  const [versionNode, ridNode, algorithmNode, keyNode, extra] = childrenOf(node, what);
  if (extra !== undefined) throw cmsError('malformed', `${what}: too many fields`);
  const version = smallInteger(versionNode, `${what} version`);
  if (version !== 0 && version !== 2) throw cmsError('malformed', `${what}: version ${version}`);
  const rid = readKeyTransRecipientId(ridNode);
  const { oid, parameters } = readAlgorithm(algorithmNode, `${what} keyEncryptionAlgorithm`);
  const encryptedKey = octets(keyNode, `${what} encryptedKey`);
  if (oid === rsa.rsaEncryption) {
    return { type: 'unsupported', rid, description: 'RSA PKCS#1 v1.5 key transport' };
  }
  if (oid !== rsa.rsaesOaep) {
    return { type: 'unsupported', rid, description: `key transport ${oid}` };
  }
  const algorithm = readOaepParameters(parameters);
  if (algorithm !== 'rsa-oaep-sha256' && algorithm !== 'rsa-oaep-sha1') {
    return { type: 'unsupported', rid, description: algorithm };
  }
  return { type: 'ktri', rid, algorithm, encryptedKey };
}

/**
 * Recovers the content key of `recipient` with the private operation of `certificate`'s
 * key. A blob of the wrong size, a refused decryption or a key of the wrong size are
 * all `tampered`; the token's own errors pass through.
 */
export async function unwrapKeyTrans(
  recipient: KeyTransRecipient,
  certificate: RecipientCertificate,
  decrypt: DecryptCallback,
  contentKeyBytes: number,
): Promise<Buffer> {
  const modulusBits = certificate.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (recipient.encryptedKey.length !== Math.ceil(modulusBits / 8)) throw tamperedError();
  let key: Uint8Array;
  try {
    key = await decrypt(recipient.algorithm, recipient.encryptedKey);
  } catch (err) {
    rethrowAsTampered(err);
  }
  if (key.length !== contentKeyBytes) throw tamperedError();
  return Buffer.from(key);
}
