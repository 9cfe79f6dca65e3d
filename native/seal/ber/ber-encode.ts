/**
 * DER encoders for small values (X.690 §8, §10, §11): each returns the complete encoding
 * of one element as a new Uint8Array. Compose them by nesting: `sequence(oid(x), integer(1n))`.
 * For large contents use ./ber-stream-encode.ts, which writes indefinite-length BER.
 */
import { NiemError } from '../../api/errors.ts';
import { MAX_TAG_NUMBER, UniversalTag, tagClassBits, type TagClass } from './ber-types.ts';
import { oidToBytes } from './ber-oid.ts';

/** Identifier octets of a tag (low form below 31, base-128 high form above). */
export function encodeIdentifier(
  tagClass: TagClass,
  constructed: boolean,
  tagNumber: number,
): Uint8Array {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > MAX_TAG_NUMBER) {
    throw new NiemError('internal', `ASN.1 writer: tag number ${tagNumber} out of range`);
  }
  const lead = tagClassBits[tagClass] | (constructed ? 0x20 : 0);
  if (tagNumber < 31) return Uint8Array.of(lead | tagNumber);
  const groups: number[] = [];
  for (let n = tagNumber; n > 0; n = Math.floor(n / 128)) groups.unshift(n % 128);
  return Uint8Array.from([
    lead | 0x1f,
    ...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)),
  ]);
}

/** Length octets in DER's minimal form (short form below 128). */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new NiemError('internal', `ASN.1 writer: length ${length} out of range`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.from([0x80 | octets.length, ...octets]);
}

/** Identifier + length octets; 'indefinite' writes the length octet 0x80 (constructed only). */
export function encodeHeader(
  tagClass: TagClass,
  constructed: boolean,
  tagNumber: number,
  length: number | 'indefinite',
): Uint8Array {
  if (length === 'indefinite' && !constructed) {
    throw new NiemError('internal', 'ASN.1 writer: indefinite length on a primitive element');
  }
  const id = encodeIdentifier(tagClass, constructed, tagNumber);
  const len = length === 'indefinite' ? Uint8Array.of(0x80) : encodeLength(length);
  return concatBytes([id, len]);
}

/** The end-of-contents octets that close an indefinite-length element. */
export const END_OF_CONTENTS: Uint8Array = Uint8Array.of(0, 0);

/** Concatenation into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One complete element with definite length around the given contents. */
export function tlv(
  tagClass: TagClass,
  constructed: boolean,
  tagNumber: number,
  ...contents: Uint8Array[]
): Uint8Array {
  let length = 0;
  for (const c of contents) length += c.length;
  return concatBytes([encodeHeader(tagClass, constructed, tagNumber, length), ...contents]);
}

const universal = (tag: number, ...contents: Uint8Array[]): Uint8Array =>
  tlv('universal', false, tag, ...contents);

/**
 * INTEGER. A bigint or safe integer number is written in two's complement; a Uint8Array is
 * an unsigned big-endian magnitude (certificate serial numbers), padded with 00 when its top
 * bit is set. Always the minimal form.
 */
export function integer(value: bigint | number | Uint8Array): Uint8Array {
  return universal(UniversalTag.integer, integerContents(value));
}

/** ENUMERATED, encoded like INTEGER. */
export function enumerated(value: bigint | number): Uint8Array {
  return universal(UniversalTag.enumerated, integerContents(value));
}

/** The contents octets of an INTEGER (for implicit tagging with `implicit`). */
export function integerContents(value: bigint | number | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    const magnitude = value.subarray(start);
    if (magnitude.length === 0) return Uint8Array.of(0);
    return (magnitude[0] as number) & 0x80
      ? concatBytes([Uint8Array.of(0), magnitude])
      : magnitude.slice();
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new NiemError('internal', `ASN.1 writer: ${value} is not a safe integer`);
  }
  let n = BigInt(value);
  const bytes: number[] = [];
  // Emit low bytes until the rest is pure sign extension of the top bit already written.
  for (;;) {
    const byte = Number(n & 0xffn);
    bytes.unshift(byte);
    n >>= 8n;
    if ((n === 0n && (byte & 0x80) === 0) || (n === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}

/** OBJECT IDENTIFIER from its dotted form, e.g. '1.2.840.113549.1.9.16.1.23'. */
export function oid(dotted: string): Uint8Array {
  return universal(UniversalTag.objectIdentifier, oidToBytes(dotted));
}

/** OCTET STRING, primitive. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return universal(UniversalTag.octetString, bytes);
}

/** BIT STRING with `unusedBits` (0–7) unused trailing bits, which are written as zero (DER). */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) {
    throw new NiemError('internal', `ASN.1 writer: ${unusedBits} unused bits`);
  }
  if (bytes.length === 0 && unusedBits !== 0) {
    throw new NiemError('internal', 'ASN.1 writer: unused bits in an empty BIT STRING');
  }
  const body = concatBytes([Uint8Array.of(unusedBits), bytes]);
  if (bytes.length > 0)
    body[body.length - 1] = (body[body.length - 1] as number) & (0xff << unusedBits);
  return universal(UniversalTag.bitString, body);
}

/** NULL (05 00). */
export function nullValue(): Uint8Array {
  return Uint8Array.of(0x05, 0x00);
}

/** BOOLEAN as DER writes it: FF for TRUE, 00 for FALSE. */
export function boolean(value: boolean): Uint8Array {
  return Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function checkedDate(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new NiemError('internal', 'ASN.1 writer: invalid date');
  return date;
}

/** UTCTime YYMMDDHHMMSSZ (DER), for years 1950–2049; milliseconds are dropped. */
export function utcTime(date: Date): Uint8Array {
  const d = checkedDate(date);
  const year = d.getUTCFullYear();
  if (year < 1950 || year > 2049) {
    throw new NiemError('internal', `ASN.1 writer: UTCTime cannot hold the year ${year}`);
  }
  const text =
    pad(year % 100, 2) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    'Z';
  return universal(UniversalTag.utcTime, ascii(text));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (DER, whole seconds; milliseconds are dropped). */
export function generalizedTime(date: Date): Uint8Array {
  const d = checkedDate(date);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new NiemError('internal', `ASN.1 writer: GeneralizedTime cannot hold the year ${year}`);
  }
  const text =
    pad(year, 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    'Z';
  return universal(UniversalTag.generalizedTime, ascii(text));
}

/** Time as CMS requires (RFC 5652 §11.3): UTCTime for 1950–2049, GeneralizedTime otherwise. */
export function cmsTime(date: Date): Uint8Array {
  const year = checkedDate(date).getUTCFullYear();
  return year >= 1950 && year <= 2049 ? utcTime(date) : generalizedTime(date);
}

/** UTF8String. */
export function utf8String(text: string): Uint8Array {
  if (!text.isWellFormed()) {
    throw new NiemError('internal', 'ASN.1 writer: text with a lone surrogate');
  }
  return universal(UniversalTag.utf8String, new TextEncoder().encode(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** PrintableString (X.680 §41.4 character set only). */
export function printableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) {
    throw new NiemError('internal', 'ASN.1 writer: character outside PrintableString');
  }
  return universal(UniversalTag.printableString, ascii(text));
}

/** IA5String (ASCII). */
export function ia5String(text: string): Uint8Array {
  if (!/^\p{ASCII}*$/u.test(text)) {
    throw new NiemError('internal', 'ASN.1 writer: character outside IA5String');
  }
  return universal(UniversalTag.ia5String, ascii(text));
}

/** SEQUENCE of already-encoded elements, in the order given. */
export function sequence(...elements: Uint8Array[]): Uint8Array {
  return tlv('universal', true, UniversalTag.sequence, ...elements);
}

/** SET of already-encoded elements in the order given (the caller orders a DER SET by tag). */
export function set(...elements: Uint8Array[]): Uint8Array {
  return tlv('universal', true, UniversalTag.set, ...elements);
}

/** SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export function setOf(...elements: Uint8Array[]): Uint8Array {
  return set(...[...elements].sort(compareDerSetOf));
}

/**
 * X.690 §11.6 order: octet-wise, the shorter encoding padded at its end with zero octets.
 * Negative when `a` sorts first.
 */
export function compareDerSetOf(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** [n] EXPLICIT: a constructed context tag around one complete element. */
export function explicit(
  tagNumber: number,
  element: Uint8Array,
  tagClass: TagClass = 'context',
): Uint8Array {
  return tlv(tagClass, true, tagNumber, element);
}

/**
 * [n] IMPLICIT: the element's identifier replaced by the context tag, its form (primitive
 * or constructed), length and contents kept.
 */
export function implicit(
  tagNumber: number,
  element: Uint8Array,
  tagClass: TagClass = 'context',
): Uint8Array {
  const first = element[0];
  if (first === undefined) throw new NiemError('internal', 'ASN.1 writer: empty element');
  let idLength = 1;
  if ((first & 0x1f) === 0x1f) {
    while (idLength < element.length && ((element[idLength] as number) & 0x80) !== 0) idLength++;
    idLength++;
  }
  const id = encodeIdentifier(tagClass, (first & 0x20) !== 0, tagNumber);
  return concatBytes([id, element.subarray(idLength)]);
}

/** A primitive element with any tag around raw contents (e.g. [0] IMPLICIT OCTET STRING). */
export function primitive(tagClass: TagClass, tagNumber: number, contents: Uint8Array): Uint8Array {
  return tlv(tagClass, false, tagNumber, contents);
}
