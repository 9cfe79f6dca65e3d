/**
 * A minimal DER writer and BER reader for the few small structures of key management
 * (RecipientInfo, certificate fields, algorithm parameters). Whole structures in memory,
 * bounded by the caller: never use it for content. The streaming codec for the package
 * itself lives in ../ber/.
 *
 * Reading accepts BER (indefinite lengths, constructed strings) because other CMS tools
 * write it inside RecipientInfos; writing is always DER. Only single-byte tags (number
 * below 31) are supported; CMS needs no others.
 */
import { cmsError } from './cms-errors.ts';

/** Tag bytes used here (class and constructed bits included). */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Context-specific tag byte: [n] IMPLICIT primitive, or constructed (also EXPLICIT). */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

// ---------------------------------------------------------------------------------------
// Writing (DER)

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One element: tag, definite length, content. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return tlv(Tag.sequence, ...items);
}

/** SET OF in DER order: elements sorted by their encodings (X.690 11.6). */
export function derSetOf(items: Uint8Array[]): Buffer {
  const sorted = items.map((i) => Buffer.from(i)).sort(Buffer.compare);
  return tlv(Tag.set, ...sorted);
}

/** INTEGER from a non-negative number or bigint, minimal two's complement. */
export function derInteger(value: number | bigint): Buffer {
  let big = BigInt(value);
  if (big < 0n) throw new RangeError('derInteger takes non-negative values only');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(big & 0xffn));
    big >>= 8n;
  } while (big > 0n);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(Tag.integer, Buffer.from(bytes));
}

/** OBJECT IDENTIFIER from its dotted form. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [];
    let v = arc;
    do {
      group.unshift(Number(v & 0x7fn) | (group.length > 0 ? 0x80 : 0));
      v >>= 7n;
    } while (v > 0n);
    out.push(...group);
  }
  return tlv(Tag.oid, Buffer.from(out));
}

export function derOctetString(value: Uint8Array): Buffer {
  return tlv(Tag.octetString, value);
}

/** BIT STRING with no unused bits (keys and points). */
export function derBitString(value: Uint8Array): Buffer {
  return tlv(Tag.bitString, Buffer.from([0]), value);
}

export function derNull(): Buffer {
  return Buffer.from([Tag.null, 0]);
}

export function derUtf8String(value: string): Buffer {
  return tlv(Tag.utf8String, Buffer.from(value, 'utf8'));
}

/** [n] EXPLICIT around one encoded element. */
export function derExplicit(n: number, inner: Uint8Array): Buffer {
  return tlv(contextTag(n, true), inner);
}

/** AlgorithmIdentifier; parameters absent when `parameters` is undefined. */
export function derAlgorithm(oid: string, parameters?: Uint8Array): Buffer {
  return parameters === undefined ? derSequence(derOid(oid)) : derSequence(derOid(oid), parameters);
}

// ---------------------------------------------------------------------------------------
// Reading (BER)

/** Deepest nesting the reader follows; key-management structures need about a dozen. */
export const MAX_DEPTH = 32;

/** One decoded element. `encoded` is the whole TLV, `content` the value (both views). */
export interface DerNode {
  readonly tag: number;
  readonly constructed: boolean;
  readonly encoded: Buffer;
  readonly content: Buffer;
  /** Children of a constructed element (empty for primitive ones). */
  readonly children: readonly DerNode[];
}

interface Parsed {
  node: DerNode;
  next: number;
}

function parseAt(bytes: Buffer, offset: number, depth: number, what: string): Parsed {
  if (depth > MAX_DEPTH) throw cmsError('malformed', `${what}: nested deeper than ${MAX_DEPTH}`);
  const tag = bytes[offset];
  if (tag === undefined) throw cmsError('malformed', `${what}: truncated before a tag`);
  if ((tag & 0x1f) === 0x1f) throw cmsError('malformed', `${what}: multi-byte tag not supported`);
  const constructed = (tag & 0x20) !== 0;
  const first = bytes[offset + 1];
  if (first === undefined) throw cmsError('malformed', `${what}: truncated before a length`);
  let pos = offset + 2;
  if (first === 0x80) {
    if (!constructed) throw cmsError('malformed', `${what}: indefinite length on a primitive`);
    const children: DerNode[] = [];
    for (;;) {
      if (bytes[pos] === 0 && bytes[pos + 1] === 0) break;
      if (pos >= bytes.length) throw cmsError('malformed', `${what}: missing end-of-contents`);
      const child = parseAt(bytes, pos, depth + 1, what);
      children.push(child.node);
      pos = child.next;
    }
    const node: DerNode = {
      tag,
      constructed,
      encoded: bytes.subarray(offset, pos + 2),
      content: bytes.subarray(offset + 2, pos),
      children,
    };
    return { node, next: pos + 2 };
  }
  let length = first;
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw cmsError('malformed', `${what}: length of ${count} bytes is too long`);
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[pos++];
      if (b === undefined) throw cmsError('malformed', `${what}: truncated inside a length`);
      length = length * 256 + b;
    }
  }
  const end = pos + length;
  if (end > bytes.length) throw cmsError('malformed', `${what}: element runs past the end`);
  const content = bytes.subarray(pos, end);
  const children: DerNode[] = [];
  if (constructed) {
    let p = pos;
    while (p < end) {
      const child = parseAt(bytes.subarray(0, end), p, depth + 1, what);
      children.push(child.node);
      p = child.next;
    }
  }
  return {
    node: { tag, constructed, encoded: bytes.subarray(offset, end), content, children },
    next: end,
  };
}

/** Decodes exactly one element filling `bytes`; `what` names it in error messages. */
export function decodeDer(bytes: Uint8Array, what: string): DerNode {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const { node, next } = parseAt(buffer, 0, 0, what);
  if (next !== buffer.length) throw cmsError('malformed', `${what}: trailing bytes`);
  return node;
}

/** Throws `malformed` unless `node` has `tag`. Returns the node for chaining. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined) throw cmsError('malformed', `${what} is missing`);
  if (node.tag !== tag) {
    throw cmsError(
      'malformed',
      `${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`,
    );
  }
  return node;
}

/**
 * The bytes of an OCTET STRING, primitive or constructed (BER segments are joined).
 * `tag` lets an IMPLICIT context tag stand for the universal one.
 */
export function readOctets(
  node: DerNode | undefined,
  what: string,
  tag: number = Tag.octetString,
): Buffer {
  if (node === undefined) throw cmsError('malformed', `${what} is missing`);
  if (node.tag === tag) return Buffer.from(node.content);
  if (node.tag === (tag | 0x20)) {
    return Buffer.concat(node.children.map((c) => readOctets(c, what, Tag.octetString)));
  }
  throw cmsError('malformed', `${what}: expected an octet string`);
}

/** The value of a BIT STRING with no unused bits. */
export function readBitString(node: DerNode | undefined, what: string): Buffer {
  const n = expectTag(node, Tag.bitString, what);
  if (n.content[0] !== 0) throw cmsError('malformed', `${what}: unused bits in a key`);
  return Buffer.from(n.content.subarray(1));
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function readOid(node: DerNode | undefined, what: string): string {
  const n = expectTag(node, Tag.oid, what);
  const arcs: bigint[] = [];
  let value = 0n;
  if (n.content.length === 0) throw cmsError('malformed', `${what}: empty object identifier`);
  for (const byte of n.content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  if ((n.content[n.content.length - 1] ?? 0) & 0x80) {
    throw cmsError('malformed', `${what}: truncated object identifier`);
  }
  const [head, ...rest] = arcs;
  if (head === undefined) throw cmsError('malformed', `${what}: empty object identifier`);
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}

/** A small non-negative INTEGER (versions, lengths). */
export function readSmallInteger(node: DerNode | undefined, what: string): number {
  const n = expectTag(node, Tag.integer, what);
  if (n.content.length === 0 || n.content.length > 4 || (n.content[0] ?? 0) & 0x80) {
    throw cmsError('malformed', `${what}: not a small non-negative integer`);
  }
  return n.content.readUIntBE(0, n.content.length);
}

/** An AlgorithmIdentifier: its OID and the encoded parameters, if any. */
export interface AlgorithmIdentifier {
  oid: string;
  parameters: DerNode | undefined;
}

export function readAlgorithm(node: DerNode | undefined, what: string): AlgorithmIdentifier {
  const n = expectTag(node, Tag.sequence, what);
  if (n.children.length < 1 || n.children.length > 2) {
    throw cmsError('malformed', `${what}: not an AlgorithmIdentifier`);
  }
  return { oid: readOid(n.children[0], `${what} algorithm`), parameters: n.children[1] };
}

/** True when parameters are absent or NULL (both are seen for hash and wrap algorithms). */
export function absentOrNull(parameters: DerNode | undefined): boolean {
  return (
    parameters === undefined || (parameters.tag === Tag.null && parameters.content.length === 0)
  );
}
