/**
 * Signed attributes of a Niêm SignerInfo (RFC 5652 §11, RFC 5035, RFC 2634): written in
 * DER as a SET OF in DER order, read back strictly (DER, each attribute once, one value).
 */
import { createHash } from 'node:crypto';
import {
  cmsTime,
  decodeDer,
  expectSequence,
  expectSetOf,
  explicit,
  hasTag,
  integer,
  octetString,
  oid,
  readInteger,
  readOctets,
  readOid,
  readTime,
  sequence,
  setOf,
  type AsnNode,
} from '../ber/index.ts';
import { encodeSecurityLabel, readSecurityLabel, type SecurityLabel } from '../cms-crypto/index.ts';
import { attributes, contentTypes } from '../cms-crypto/oids.ts';
import type { LevelCode } from '../levels.ts';
import { NiemError } from '../../api/errors.ts';
import { readDigestAlgorithm, type DigestName } from './algorithms.ts';
import type { ParsedCertificate } from './certificate.ts';

/** Most bytes of the signedAttrs of one SignerInfo. */
export const MAX_SIGNED_ATTRS_BYTES = 64 * 1024;

function malformed(message: string): NiemError {
  return new NiemError('malformed', `SignedData signedAttrs: ${message}`);
}

function attribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return sequence(oid(type), setOf(...values));
}

/** ESSCertIDv2 for `cert`: SHA-256 (the DEFAULT, so absent), certHash, issuerSerial. */
export function encodeSigningCertificateV2(cert: ParsedCertificate): Uint8Array {
  const hash = createHash('sha256').update(cert.der).digest();
  const issuerSerial = sequence(sequence(explicit(4, cert.issuerDer)), integer(cert.serial));
  return sequence(sequence(sequence(octetString(hash), issuerSerial)));
}

export interface SignedAttributeInput {
  readonly messageDigest: Uint8Array;
  readonly signingTime: Date;
  readonly certificate: ParsedCertificate;
  readonly level: LevelCode;
}

/** The DER of SignedAttributes as signed (universal SET tag 31). */
export function encodeSignedAttributes(input: SignedAttributeInput): Uint8Array {
  return setOf(
    attribute(attributes.contentType, oid(contentTypes.data)),
    attribute(attributes.signingTime, cmsTime(input.signingTime)),
    attribute(attributes.messageDigest, octetString(input.messageDigest)),
    attribute(attributes.signingCertificateV2, encodeSigningCertificateV2(input.certificate)),
    attribute(attributes.securityLabel, encodeSecurityLabel(input.level)),
  );
}

/** An ESS security label as read from the signed attributes (cms-crypto's reader). */
export type SignedLabel = SecurityLabel;

/** One ESSCertIDv2 (or v1 ESSCertID, then SHA-1) as read. */
export interface EssCertId {
  readonly hash: DigestName | 'sha1';
  readonly certHash: Uint8Array;
  readonly issuerSerial:
    { readonly issuerDer: Uint8Array | undefined; readonly serial: bigint } | undefined;
}

export interface SignedAttributes {
  readonly contentType: string;
  readonly messageDigest: Uint8Array;
  readonly signingTime: Date | undefined;
  /** The first certificate id of signingCertificateV2 (or v1), when present. */
  readonly essCertId: EssCertId | undefined;
  readonly label: SignedLabel | undefined;
}

/**
 * Reads the [0] IMPLICIT signedAttrs node. Returns the attributes and the DER that the
 * signature covers (the same bytes with the SET tag 31). contentType and messageDigest
 * are required (RFC 5652 §5.3).
 */
export function readSignedAttributes(node: AsnNode): {
  attrs: SignedAttributes;
  signedBytes: Uint8Array;
} {
  if (node.raw.length > MAX_SIGNED_ATTRS_BYTES) {
    throw malformed(`larger than ${MAX_SIGNED_ATTRS_BYTES} bytes`);
  }
  const signedBytes = node.raw.slice();
  signedBytes[0] = 0x31;
  const set = decodeDer(signedBytes, { maxNodes: 4096 });
  const seen = new Set<string>();
  let contentType: string | undefined;
  let messageDigest: Uint8Array | undefined;
  let signingTime: Date | undefined;
  let essCertId: EssCertId | undefined;
  let label: SignedLabel | undefined;
  for (const attr of expectSetOf(set, { der: true, what: 'SignedAttributes' })) {
    const [typeNode, valuesNode] = expectSequence(attr, { min: 2, max: 2, what: 'Attribute' });
    const type = readOid(typeNode as AsnNode);
    const values = expectSetOf(valuesNode as AsnNode, { der: true, what: 'AttributeValues' });
    const known =
      type === attributes.contentType ||
      type === attributes.messageDigest ||
      type === attributes.signingTime ||
      type === attributes.signingCertificateV2 ||
      type === attributes.signingCertificate ||
      type === attributes.securityLabel;
    if (!known) continue;
    if (seen.has(type)) throw malformed(`attribute ${type} repeated`);
    seen.add(type);
    if (values.length !== 1) throw malformed(`attribute ${type} with ${values.length} values`);
    const value = values[0] as AsnNode;
    switch (type) {
      case attributes.contentType:
        contentType = readOid(value);
        break;
      case attributes.messageDigest:
        messageDigest = readOctets(value, { der: true });
        break;
      case attributes.signingTime:
        signingTime = readTime(value, { der: true });
        break;
      case attributes.signingCertificateV2:
        essCertId = readSigningCertificate(value, true);
        break;
      case attributes.signingCertificate:
        essCertId ??= readSigningCertificate(value, false);
        break;
      case attributes.securityLabel:
        label = readSecurityLabel(value);
        break;
    }
  }
  if (contentType === undefined) throw malformed('no contentType attribute');
  if (messageDigest === undefined) throw malformed('no messageDigest attribute');
  return { attrs: { contentType, messageDigest, signingTime, essCertId, label }, signedBytes };
}

function readSigningCertificate(node: AsnNode, v2: boolean): EssCertId {
  const [certs] = expectSequence(node, { min: 1, max: 2, what: 'SigningCertificate' });
  const [first] = expectSequence(certs as AsnNode, { min: 1, what: 'ESSCertIDs' });
  const fields = [...expectSequence(first as AsnNode, { min: 1, max: 3, what: 'ESSCertID' })];
  let hash: DigestName | 'sha1' = v2 ? 'sha256' : 'sha1';
  if (v2 && hasTag(fields[0] as AsnNode, 'universal', 16)) {
    const h = readDigestAlgorithm(fields.shift() as AsnNode);
    if (h === undefined) throw malformed('ESSCertIDv2 with an unsupported hash');
    hash = h;
  }
  const certHash = readOctets(fields[0] as AsnNode, { der: true });
  let issuerSerial: EssCertId['issuerSerial'];
  const is = fields[1];
  if (is !== undefined) {
    const [names, serial] = expectSequence(is, { min: 2, max: 2, what: 'IssuerSerial' });
    const general = expectSequence(names as AsnNode, { min: 1, what: 'GeneralNames' });
    const dir = general.find((g) => hasTag(g, 'context', 4));
    const inner = dir !== undefined && dir.constructed ? dir.children[0] : undefined;
    issuerSerial = { issuerDer: inner?.raw, serial: readInteger(serial as AsnNode) };
  }
  return { hash, certHash, issuerSerial };
}
