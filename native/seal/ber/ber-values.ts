/**
 * Typed reads of decoded nodes for the CMS code: each checks the tag (universal by default,
 * or `implicit: n` for a context-specific [n] IMPLICIT field) and the encoding, and throws a
 * `malformed` NiemError naming what was expected, found where.
 */
import { compareDerSetOf } from './ber-encode.ts';
import {
  checkDerBitString,
  checkIntegerContents,
  type AsnConstructed,
  type AsnNode,
  type AsnPrimitive,
} from './ber-decode.ts';
import { oidFromBytes } from './ber-oid.ts';
import { UniversalTag, malformed, tagLabel, type TagClass } from './ber-types.ts';

/** Where a field is expected: `implicit: n` for [n] IMPLICIT; `der` for DER-only rules. */
export interface ReadOptions {
  readonly implicit?: number;
  readonly der?: boolean;
}

const nodeLabel = (n: AsnNode): string => tagLabel(n.tagClass, n.tagNumber);

/** True when the node has this tag class and number. */
export function hasTag(node: AsnNode, tagClass: TagClass, tagNumber: number): boolean {
  return node.tagClass === tagClass && node.tagNumber === tagNumber;
}

function expectTagOf(
  node: AsnNode,
  universalTag: number,
  what: string,
  options?: ReadOptions,
): void {
  const [cls, num]: [TagClass, number] =
    options?.implicit === undefined ? ['universal', universalTag] : ['context', options.implicit];
  if (!hasTag(node, cls, num)) {
    throw malformed(
      `expected ${what} ${tagLabel(cls, num)}, found ${nodeLabel(node)}`,
      node.offset,
    );
  }
}

/** The node as a primitive, or `malformed`. */
export function expectPrimitive(node: AsnNode, what = 'a primitive element'): AsnPrimitive {
  if (node.constructed)
    throw malformed(`expected ${what}, found constructed ${nodeLabel(node)}`, node.offset);
  return node;
}

/** The node as a constructed element, or `malformed`. */
export function expectConstructed(node: AsnNode, what = 'a constructed element'): AsnConstructed {
  if (!node.constructed)
    throw malformed(`expected ${what}, found primitive ${nodeLabel(node)}`, node.offset);
  return node;
}

/** Children of a SEQUENCE (or [n] IMPLICIT SEQUENCE), optionally with a count range. */
export function expectSequence(
  node: AsnNode,
  options?: ReadOptions & { readonly min?: number; readonly max?: number; readonly what?: string },
): readonly AsnNode[] {
  const what = options?.what ?? 'SEQUENCE';
  expectTagOf(node, UniversalTag.sequence, what, options);
  const children = expectConstructed(node, what).children;
  const min = options?.min ?? 0;
  const max = options?.max ?? Infinity;
  if (children.length < min || children.length > max) {
    throw malformed(
      `${what} with ${children.length} elements (expected ${min}–${max})`,
      node.offset,
    );
  }
  return children;
}

/** Children of a SET OF (or [n] IMPLICIT SET OF); with `der`, checks the DER order. */
export function expectSetOf(
  node: AsnNode,
  options?: ReadOptions & { readonly what?: string },
): readonly AsnNode[] {
  const what = options?.what ?? 'SET';
  expectTagOf(node, UniversalTag.set, what, options);
  const children = expectConstructed(node, what).children;
  if (options?.der === true) {
    for (let i = 1; i < children.length; i++) {
      if (compareDerSetOf((children[i - 1] as AsnNode).raw, (children[i] as AsnNode).raw) > 0) {
        throw malformed(
          `${what} not in DER order (element ${i} sorts before element ${i - 1})`,
          node.offset,
        );
      }
    }
  }
  return children;
}

/** The single element inside a [n] EXPLICIT tag. */
export function explicitInner(node: AsnNode, tagNumber: number, what = 'field'): AsnNode {
  if (!hasTag(node, 'context', tagNumber)) {
    throw malformed(`expected ${what} [${tagNumber}], found ${nodeLabel(node)}`, node.offset);
  }
  const children = expectConstructed(node, `${what} [${tagNumber}] EXPLICIT`).children;
  if (children.length !== 1) {
    throw malformed(
      `${what} [${tagNumber}] EXPLICIT holds ${children.length} elements, not 1`,
      node.offset,
    );
  }
  return children[0] as AsnNode;
}

/** OBJECT IDENTIFIER in dotted form. */
export function readOid(node: AsnNode, options?: ReadOptions): string {
  expectTagOf(node, UniversalTag.objectIdentifier, 'OBJECT IDENTIFIER', options);
  return oidFromBytes(expectPrimitive(node, 'OBJECT IDENTIFIER').value, node.offset);
}

/** INTEGER (two's complement) as a bigint. */
export function readInteger(node: AsnNode, options?: ReadOptions): bigint {
  expectTagOf(node, UniversalTag.integer, 'INTEGER', options);
  const v = expectPrimitive(node, 'INTEGER').value;
  checkIntegerContents(v, node.offset);
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (((v[0] as number) & 0x80) !== 0) n -= 1n << BigInt(v.length * 8);
  return n;
}

/** INTEGER that must lie in [min, max] (versions, small counts) as a number. */
export function readSmallInteger(
  node: AsnNode,
  min = 0,
  max = 0x7fff_ffff,
  options?: ReadOptions,
): number {
  const n = readInteger(node, options);
  if (n < BigInt(min) || n > BigInt(max)) {
    throw malformed(`INTEGER ${n} outside ${min}–${max}`, node.offset);
  }
  return Number(n);
}

/** BOOLEAN; `der` requires FF for TRUE. */
export function readBoolean(node: AsnNode, options?: ReadOptions): boolean {
  expectTagOf(node, UniversalTag.boolean, 'BOOLEAN', options);
  const v = expectPrimitive(node, 'BOOLEAN').value;
  if (v.length !== 1) throw malformed(`BOOLEAN of ${v.length} bytes`, node.offset);
  if (options?.der === true && v[0] !== 0 && v[0] !== 0xff) {
    throw malformed('BOOLEAN TRUE not encoded as FF (DER)', node.offset);
  }
  return v[0] !== 0;
}

/** NULL. */
export function readNull(node: AsnNode, options?: ReadOptions): null {
  expectTagOf(node, UniversalTag.null, 'NULL', options);
  if (expectPrimitive(node, 'NULL').value.length !== 0)
    throw malformed('NULL with contents', node.offset);
  return null;
}

/**
 * OCTET STRING contents (a view for a primitive). A constructed BER string has its
 * segments joined into a new array; DER (`der`) refuses it.
 */
export function readOctets(node: AsnNode, options?: ReadOptions): Uint8Array {
  expectTagOf(node, UniversalTag.octetString, 'OCTET STRING', options);
  return stringContents(node, options?.der === true);
}

/** BIT STRING: the bytes and the count (0–7) of unused bits at the end; primitive only. */
export function readBitString(
  node: AsnNode,
  options?: ReadOptions,
): { bytes: Uint8Array; unusedBits: number } {
  expectTagOf(node, UniversalTag.bitString, 'BIT STRING', options);
  const v = expectPrimitive(node, 'primitive BIT STRING').value;
  if (options?.der === true) checkDerBitString(v, node.offset);
  const unused = v[0];
  if (unused === undefined) throw malformed('BIT STRING with no contents', node.offset);
  if (unused > 7 || (v.length === 1 && unused !== 0)) {
    throw malformed(`BIT STRING with ${unused} unused bits`, node.offset);
  }
  return { bytes: v.subarray(1), unusedBits: unused };
}

function stringContents(node: AsnNode, der: boolean): Uint8Array {
  if (!node.constructed) return node.value;
  if (der)
    throw malformed(`constructed ${nodeLabel(node)} (DER requires primitive strings)`, node.offset);
  const parts: Uint8Array[] = [];
  const stack: AsnNode[] = [...node.children].reverse();
  while (stack.length > 0) {
    const seg = stack.pop() as AsnNode;
    if (!hasTag(seg, 'universal', UniversalTag.octetString)) {
      throw malformed(`${nodeLabel(seg)} inside a constructed string`, seg.offset);
    }
    if (seg.constructed)
      for (let i = seg.children.length - 1; i >= 0; i--) stack.push(seg.children[i] as AsnNode);
    else parts.push(seg.value);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const VISIBLE = /^[\x20-\x7e]*$/;

/**
 * A character string as text: UTF8String, PrintableString, IA5String, VisibleString,
 * NumericString, BMPString, UniversalString, TeletexString (read as Latin-1). Characters
 * outside the type's set are refused.
 */
export function readString(node: AsnNode, options?: ReadOptions): string {
  const bytes = stringContents(node, options?.der === true);
  const latin = (): string => latin1(bytes);
  let text: string;
  const fail = (): never => {
    throw malformed(`invalid characters in ${nodeLabel(node)}`, node.offset);
  };
  if (node.tagClass !== 'universal') fail();
  switch (node.tagNumber) {
    case UniversalTag.utf8String:
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        return fail();
      }
      return text;
    case UniversalTag.printableString:
      return PRINTABLE.test((text = latin())) ? text : fail();
    case UniversalTag.ia5String:
      return /^\p{ASCII}*$/u.test((text = latin())) ? text : fail();
    case UniversalTag.visibleString:
      return VISIBLE.test((text = latin())) ? text : fail();
    case UniversalTag.numericString:
      return /^[0-9 ]*$/.test((text = latin())) ? text : fail();
    case UniversalTag.teletexString:
      return latin();
    case UniversalTag.bmpString:
      if (bytes.length % 2 !== 0) return fail();
      try {
        return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
      } catch {
        return fail();
      }
    case UniversalTag.universalString: {
      if (bytes.length % 4 !== 0) return fail();
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const cps: number[] = [];
      for (let i = 0; i < bytes.length; i += 4) {
        const cp = view.getUint32(i);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return fail();
        cps.push(cp);
      }
      let out = '';
      for (let i = 0; i < cps.length; i += 4096)
        out += String.fromCodePoint(...cps.slice(i, i + 4096));
      return out;
    }
    default:
      throw malformed(`expected a character string, found ${nodeLabel(node)}`, node.offset);
  }
}

const UTC_DER = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const UTC_BER = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const GEN_DER = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;
const GEN_BER = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})$/;

/**
 * UTCTime (years 50–99 are 1950–1999, RFC 5280) or GeneralizedTime as a Date. DER
 * (`der`) accepts only the forms with seconds and Z; BER also time-zone offsets and
 * missing seconds. Local times without a zone are refused.
 */
export function readTime(node: AsnNode, options?: ReadOptions): Date {
  const utc = hasTag(node, 'universal', UniversalTag.utcTime);
  if (!utc && !hasTag(node, 'universal', UniversalTag.generalizedTime)) {
    throw malformed(`expected UTCTime or GeneralizedTime, found ${nodeLabel(node)}`, node.offset);
  }
  const der = options?.der === true;
  const text = latin1(stringContents(node, der));
  const m = (utc ? (der ? UTC_DER : UTC_BER) : der ? GEN_DER : GEN_BER).exec(text);
  const bad = (): never => {
    throw malformed(`invalid ${nodeLabel(node)} '${text.slice(0, 40)}'`, node.offset);
  };
  if (m === null) return bad();
  const num = (i: number): number => Number(m[i] ?? '0');
  const year = utc ? (num(1) >= 50 ? 1900 : 2000) + num(1) : num(1);
  const [month, day, hour, minute, second] = [num(2), num(3), num(4), num(5), num(6)];
  const fraction = utc ? undefined : m[7];
  const zone = (utc ? m[7] : m[8]) ?? 'Z';
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return bad();
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day) return bad();
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 23 || zm > 59) return bad();
    date.setTime(date.getTime() - sign * (zh * 60 + zm) * 60_000);
  }
  return date;
}
