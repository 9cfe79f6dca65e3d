/**
 * The tree decoder for small structures held whole in memory (CMS headers, attributes,
 * recipient infos): iterative (no recursion, so 10,000 nested levels cost no stack), with
 * the limits of the streaming reader plus a node count. Nodes keep views into the input.
 */
import { parseHeader, isEndOfContents } from './ber-header.ts';
import {
  DEFAULT_MAX_DEPTH,
  UniversalTag,
  malformed,
  tagLabel,
  type BerLimits,
  type TagClass,
} from './ber-types.ts';

interface AsnNodeBase {
  readonly tagClass: TagClass;
  readonly tagNumber: number;
  /** Absolute offset of the identifier octet (baseOffset + index in the input). */
  readonly offset: number;
  readonly headerLength: number;
  /** Contents length in bytes (for indefinite length: up to, not including, the 00 00). */
  readonly length: number;
  readonly indefinite: boolean;
  /** Nesting depth (baseDepth for the root). */
  readonly depth: number;
  /** The whole encoding of the element, header to end-of-contents (a view). */
  readonly raw: Uint8Array;
}

export interface AsnPrimitive extends AsnNodeBase {
  readonly constructed: false;
  /** The contents octets (a view). */
  readonly value: Uint8Array;
}

export interface AsnConstructed extends AsnNodeBase {
  readonly constructed: true;
  readonly children: readonly AsnNode[];
}

/** One decoded element: a primitive with its value or a constructed one with its children. */
export type AsnNode = AsnPrimitive | AsnConstructed;

export interface DecodeOptions extends BerLimits {
  /** Offset of bytes[0] in the whole input, added to every node offset and message. */
  readonly baseOffset?: number;
  /** Depth of the root (when decoding an element found by the streaming reader). */
  readonly baseDepth?: number;
  /** Most nodes in the tree. Default 100,000. */
  readonly maxNodes?: number;
  /** Bytes after the root element: 'refuse' (default) or 'ignore'. */
  readonly trailing?: 'refuse' | 'ignore';
}

interface Frame {
  readonly start: number;
  readonly contentStart: number;
  /** Index just past the contents; -1 for indefinite length. */
  readonly end: number;
  readonly tagClass: TagClass;
  readonly tagNumber: number;
  readonly headerLength: number;
  readonly children: AsnNode[];
}

/** Decodes one BER (or, with `der: true`, DER) element into a tree. */
export function decodeBer(bytes: Uint8Array, options: DecodeOptions = {}): AsnNode {
  const der = options.der ?? false;
  const base = options.baseOffset ?? 0;
  const baseDepth = options.baseDepth ?? 0;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxNodes = options.maxNodes ?? 100_000;
  const root: AsnNode[] = [];
  const stack: Frame[] = [];
  let pos = 0;
  let nodes = 0;
  if (bytes.length === 0) throw malformed('no ASN.1 element: the input is empty', base);
  while (root.length === 0) {
    const frame = stack.at(-1);
    const limit = frame === undefined || frame.end < 0 ? bytes.length : frame.end;
    if (frame !== undefined && pos === frame.end) {
      stack.pop();
      close(frame, pos, frame.end - frame.contentStart, false);
      continue;
    }
    const depth = baseDepth + stack.length;
    const h = parseHeader(bytes, pos, limit, base + pos, depth, der);
    if (h === null) {
      if (limit < bytes.length && frame !== undefined) {
        throw malformed(`header crosses the end of ${frameLabel(frame)}`, base + pos);
      }
      throw malformed(
        frame === undefined
          ? 'input ends inside a header'
          : `input ends inside ${frameLabel(frame)}${frame.end < 0 ? ' (end-of-contents missing)' : ''}`,
        base + pos,
      );
    }
    const contentStart = pos + h.headerLength;
    if (isEndOfContents(h)) {
      if (frame === undefined || frame.end >= 0) {
        throw malformed(
          frame === undefined
            ? 'end-of-contents (00 00) at the top level'
            : `end-of-contents (00 00) inside definite-length ${frameLabel(frame)}`,
          base + pos,
        );
      }
      stack.pop();
      close(frame, contentStart, pos - frame.contentStart, true);
      pos = contentStart;
      continue;
    }
    if (++nodes > maxNodes) throw malformed(`more than ${maxNodes} elements`, base + pos);
    if (h.length === 'indefinite') {
      if (depth >= maxDepth) throw malformed(`nesting deeper than ${maxDepth} levels`, base + pos);
      stack.push(frameOf(pos, contentStart, -1, h.tagClass, h.tagNumber));
      pos = contentStart;
      continue;
    }
    const end = contentStart + h.length;
    if (end > limit) {
      throw malformed(
        frame === undefined || frame.end < 0
          ? `${tagLabel(h.tagClass, h.tagNumber)} of ${h.length} bytes runs past the end of the input (${bytes.length - contentStart} bytes remain)`
          : `${tagLabel(h.tagClass, h.tagNumber)} of ${h.length} bytes runs ${end - limit} bytes past the end of ${frameLabel(frame)}`,
        base + pos,
      );
    }
    if (h.constructed) {
      if (depth >= maxDepth) throw malformed(`nesting deeper than ${maxDepth} levels`, base + pos);
      stack.push(frameOf(pos, contentStart, end, h.tagClass, h.tagNumber));
      pos = contentStart;
      continue;
    }
    const value = bytes.subarray(contentStart, end);
    if (h.tagClass === 'universal') checkPrimitive(h.tagNumber, value, der, base + pos);
    emit({
      tagClass: h.tagClass,
      tagNumber: h.tagNumber,
      constructed: false,
      offset: base + pos,
      headerLength: h.headerLength,
      length: h.length,
      indefinite: false,
      depth,
      raw: bytes.subarray(pos, end),
      value,
    });
    pos = end;
  }
  if (pos < bytes.length && options.trailing !== 'ignore') {
    throw malformed('trailing bytes after the top-level element', base + pos);
  }
  return root[0] as AsnNode;

  function frameOf(
    start: number,
    contentStart: number,
    end: number,
    tagClass: TagClass,
    tagNumber: number,
  ): Frame {
    return {
      start,
      contentStart,
      end,
      tagClass,
      tagNumber,
      headerLength: contentStart - start,
      children: [],
    };
  }

  function frameLabel(f: Frame): string {
    return `${tagLabel(f.tagClass, f.tagNumber)} at offset ${base + f.start}`;
  }

  function close(f: Frame, rawEnd: number, length: number, indefinite: boolean): void {
    emit({
      tagClass: f.tagClass,
      tagNumber: f.tagNumber,
      constructed: true,
      offset: base + f.start,
      headerLength: f.headerLength,
      length,
      indefinite,
      depth: baseDepth + stack.length,
      raw: bytes.subarray(f.start, rawEnd),
      children: f.children,
    });
  }

  function emit(node: AsnNode): void {
    const parent = stack.at(-1);
    if (parent === undefined) root.push(node);
    else parent.children.push(node);
  }
}

/** Decodes with DER rules (signed attributes and other structures that are hashed). */
export function decodeDer(bytes: Uint8Array, options: Omit<DecodeOptions, 'der'> = {}): AsnNode {
  return decodeBer(bytes, { ...options, der: true });
}

/** Length and canonical-form rules on universal primitives (X.690 §8.2, §8.3, §8.8, §11.1–11.2). */
function checkPrimitive(tag: number, v: Uint8Array, der: boolean, offset: number): void {
  switch (tag) {
    case UniversalTag.boolean:
      if (v.length !== 1) throw malformed(`BOOLEAN of ${v.length} bytes (must be 1)`, offset);
      if (der && v[0] !== 0x00 && v[0] !== 0xff) {
        throw malformed('BOOLEAN TRUE not encoded as FF (DER)', offset);
      }
      return;
    case UniversalTag.integer:
    case UniversalTag.enumerated:
      checkIntegerContents(v, offset);
      return;
    case UniversalTag.null:
      if (v.length !== 0) throw malformed(`NULL with ${v.length} contents bytes`, offset);
      return;
    case UniversalTag.bitString:
      if (der) checkDerBitString(v, offset);
      return;
    default:
      return;
  }
}

/** INTEGER contents: at least one octet, no redundant leading 00 or FF (X.690 §8.3.2). */
export function checkIntegerContents(v: Uint8Array, offset?: number): void {
  if (v.length === 0) throw malformed('INTEGER with no contents', offset);
  if (v.length > 1) {
    const a = v[0] as number;
    const b = (v[1] as number) & 0x80;
    if ((a === 0x00 && b === 0) || (a === 0xff && b !== 0)) {
      throw malformed('INTEGER not in its minimal form (redundant leading octet)', offset);
    }
  }
}

/** BIT STRING contents under DER: 0–7 unused bits, none in an empty string, unused bits zero. */
export function checkDerBitString(v: Uint8Array, offset?: number): void {
  const unused = v[0];
  if (unused === undefined) throw malformed('BIT STRING with no contents', offset);
  if (unused > 7) throw malformed(`BIT STRING with ${unused} unused bits`, offset);
  if (v.length === 1 && unused !== 0) throw malformed('empty BIT STRING with unused bits', offset);
  if (unused > 0 && ((v[v.length - 1] as number) & ((1 << unused) - 1)) !== 0) {
    throw malformed('BIT STRING with non-zero unused bits (DER)', offset);
  }
}
