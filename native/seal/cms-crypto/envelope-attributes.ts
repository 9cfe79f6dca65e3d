/**
 * The ESS security label (RFC 2634 §5.4) of a Niêm level, and the authAttrs of the
 * AuthEnvelopedData: contentType and NiemEnvelopeInfo, the outer copy of the label,
 * readable without decrypting and authenticated by the GCM tag (they are its AAD).
 *
 *   ESSSecurityLabel ::= SET {
 *     security-policy-identifier OBJECT IDENTIFIER,      -- niem.securityPolicy
 *     security-classification    INTEGER OPTIONAL,       -- levels[code].essClassification
 *     privacy-mark               ESSPrivacyMark OPTIONAL -- utf8String, the marking text
 *     security-categories        SecurityCategories OPTIONAL }  -- never written
 *
 *   NiemEnvelopeInfo ::= SEQUENCE {
 *     formatVersion INTEGER (1),
 *     label         ESSSecurityLabel }                   -- the same label as signed inside
 */
import { levelFromEssClassification, levels, type LevelCode } from '../levels.ts';
import { cmsError } from './cms-errors.ts';
import {
  hasTag,
  integer,
  oid,
  readString,
  sequence,
  UniversalTag,
  utf8String,
  type AsnNode,
} from '../ber/index.ts';
import {
  buf,
  childrenOf,
  decodeCms,
  derSetOf,
  expectUniversal,
  oidOf,
  smallInteger,
} from './asn.ts';
import { attributes, contentTypes, niem } from './oids.ts';

/** Version of the package format written in NiemEnvelopeInfo. */
export const PACKAGE_FORMAT_VERSION = 1;

/**
 * The authEncryptedContentInfo contentType Niêm writes: id-data, the content being the
 * BER of a whole ContentInfo holding the SignedData. This is what `openssl cms -sign |
 * openssl cms -encrypt` produces and what `openssl cms -verify` needs after
 * `openssl cms -decrypt` (it refuses a bare SignedData). Readers also accept
 * id-signedData, with a ContentInfo or a bare SignedData inside.
 */
export const PACKAGE_CONTENT_TYPE = contentTypes.data;

/** An ESS security label as read. */
export interface SecurityLabel {
  policy: string;
  classification: number | undefined;
  privacyMark: string | undefined;
  /** The Niêm level, when the policy is Niêm's and the classification one of its levels. */
  level: LevelCode | undefined;
}

/**
 * ESSSecurityLabel of `level` under Niêm's policy; privacy mark = the marking text
 * (absent for Thường, which has none). SET components in DER order (by tag).
 */
export function encodeSecurityLabel(level: LevelCode): Buffer {
  const info = levels[level];
  const parts = [oid(niem.securityPolicy), integer(info.essClassification)];
  if (info.marking !== null) parts.push(utf8String(info.marking));
  return derSetOf(parts);
}

const isU = (node: AsnNode, tag: number): boolean => hasTag(node, 'universal', tag);

/**
 * Reads an ESSSecurityLabel (a decoded node, or its encoding); `level` is set only for
 * Niêm's policy and its values.
 */
export function readSecurityLabel(node: AsnNode | Uint8Array | undefined): SecurityLabel {
  const decoded = node instanceof Uint8Array ? decodeCms(node) : node;
  const set = expectUniversal(decoded, UniversalTag.set, 'ESSSecurityLabel');
  let policy: string | undefined;
  let classification: number | undefined;
  let privacyMark: string | undefined;
  for (const part of childrenOf(set, 'ESSSecurityLabel')) {
    if (isU(part, UniversalTag.objectIdentifier) && policy === undefined) {
      policy = oidOf(part, 'security policy');
    } else if (isU(part, UniversalTag.integer) && classification === undefined) {
      classification = smallInteger(part, 'security classification');
    } else if (
      (isU(part, UniversalTag.utf8String) || isU(part, UniversalTag.printableString)) &&
      privacyMark === undefined
    ) {
      privacyMark = part.constructed
        ? readString(part)
        : buf(part.value).toString(isU(part, UniversalTag.utf8String) ? 'utf8' : 'latin1');
    } else if (!isU(part, UniversalTag.set)) {
      throw cmsError('malformed', 'ESSSecurityLabel: unexpected or repeated field');
    }
  }
  if (policy === undefined) throw cmsError('malformed', 'ESSSecurityLabel: no policy');
  const level =
    policy === niem.securityPolicy && classification !== undefined
      ? levelFromEssClassification(classification)
      : undefined;
  return { policy, classification, privacyMark, level };
}

/** Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue } */
export function encodeAttribute(type: string, values: Uint8Array[]): Buffer {
  return buf(sequence(oid(type), derSetOf(values)));
}

/**
 * The authAttrs Niêm writes on an AuthEnvelopedData: contentType (PACKAGE_CONTENT_TYPE;
 * it brings the otherwise unauthenticated authEncryptedContentInfo.contentType under the
 * tag) and NiemEnvelopeInfo with the outer label. Pass them to encodeAuthAttributes.
 */
export function niemAuthAttributes(level: LevelCode): Buffer[] {
  return [
    encodeAttribute(attributes.contentType, [oid(PACKAGE_CONTENT_TYPE)]),
    encodeAttribute(niem.envelopeInfo, [
      sequence(integer(PACKAGE_FORMAT_VERSION), encodeSecurityLabel(level)),
    ]),
  ];
}

/** What the authAttrs of a package say. Every field is undefined when absent. */
export interface EnvelopeAttributes {
  contentType: string | undefined;
  formatVersion: number | undefined;
  label: SecurityLabel | undefined;
}

function singleValue(attribute: readonly AsnNode[], what: string): AsnNode {
  const values = childrenOf(
    expectUniversal(attribute[1], UniversalTag.set, `${what} values`),
    `${what} values`,
  );
  if (values.length !== 1 || attribute.length !== 2) {
    throw cmsError('malformed', `${what}: must have exactly one value`);
  }
  return values[0] as AsnNode;
}

/**
 * Reads the authAttrs field ([1] SET OF Attribute) of an AuthEnvelopedData. Unknown
 * attributes are ignored; a repeated contentType or envelope info is `malformed`.
 */
export function readEnvelopeAttributes(
  field: AsnNode | Uint8Array | undefined,
): EnvelopeAttributes {
  const out: EnvelopeAttributes = {
    contentType: undefined,
    formatVersion: undefined,
    label: undefined,
  };
  if (field === undefined) return out;
  const node = field instanceof Uint8Array ? decodeCms(field) : field;
  const seen = new Set<string>();
  for (const element of childrenOf(node, 'authAttrs')) {
    const attribute = childrenOf(
      expectUniversal(element, UniversalTag.sequence, 'authAttrs Attribute'),
      'authAttrs Attribute',
    );
    const type = oidOf(attribute[0], 'attrType');
    if (seen.has(type)) throw cmsError('malformed', `authAttrs: attribute ${type} repeated`);
    seen.add(type);
    if (type === attributes.contentType) {
      out.contentType = oidOf(singleValue(attribute, 'contentType'), 'contentType');
    } else if (type === niem.envelopeInfo) {
      const info = childrenOf(
        expectUniversal(singleValue(attribute, 'NiemEnvelopeInfo'), UniversalTag.sequence, 'info'),
        'NiemEnvelopeInfo',
      );
      out.formatVersion = smallInteger(info[0], 'NiemEnvelopeInfo formatVersion');
      out.label = readSecurityLabel(info[1]);
    }
  }
  return out;
}
