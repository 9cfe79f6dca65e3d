/**
 * The few CMS-specific conveniences key management needs on top of the BER/DER layer in
 * ../ber/ (which does all encoding and decoding): Buffer views of its output, a decoder
 * with the nesting bound of key-management structures, AlgorithmIdentifier, and reads of
 * optional fields that name the missing field in a `malformed` error.
 */
import {
  decodeBer,
  hasTag,
  readBitString,
  readOctets,
  readOid,
  readSmallInteger,
  sequence,
  setOf,
  oid as encodeOid,
  type AsnNode,
} from '../ber/index.ts';
import { cmsError } from './cms-errors.ts';

/** Deepest nesting followed in key-management structures (they need about a dozen). */
export const MAX_DEPTH = 32;

/** A Buffer view (no copy) of encoder output or a node's bytes. */
export function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Decodes one BER element filling `bytes` (BER: other CMS tools write it). */
export function decodeCms(bytes: Uint8Array): AsnNode {
  return decodeBer(bytes, { maxDepth: MAX_DEPTH });
}

/** `node`, or `malformed` naming `what` when it is absent. */
export function present(node: AsnNode | undefined, what: string): AsnNode {
  if (node === undefined) throw cmsError('malformed', `${what} is missing`);
  return node;
}

/** True when `node` is the context tag [n] (constructed when `constructed`). */
export function isContext(node: AsnNode | undefined, n: number, constructed: boolean): boolean {
  return node !== undefined && hasTag(node, 'context', n) && node.constructed === constructed;
}

/** True when `node` has universal tag `n`. */
export function isUniversal(node: AsnNode | undefined, n: number): boolean {
  return node !== undefined && hasTag(node, 'universal', n);
}

/** Children of a constructed node; `malformed` for a primitive one. */
export function childrenOf(node: AsnNode | undefined, what: string): readonly AsnNode[] {
  const n = present(node, what);
  if (!n.constructed) throw cmsError('malformed', `${what}: expected a constructed element`);
  return n.children;
}

/** AlgorithmIdentifier; parameters absent when `parameters` is undefined. */
export function algorithm(oid: string, parameters?: Uint8Array): Buffer {
  return buf(
    parameters === undefined ? sequence(encodeOid(oid)) : sequence(encodeOid(oid), parameters),
  );
}

/** SET OF in DER order, as a Buffer. */
export function derSetOf(items: readonly Uint8Array[]): Buffer {
  return buf(setOf(...items));
}

/** An AlgorithmIdentifier: its OID and the encoded parameters, if any. */
export interface AlgorithmIdentifier {
  oid: string;
  parameters: AsnNode | undefined;
}

export function readAlgorithm(node: AsnNode | undefined, what: string): AlgorithmIdentifier {
  const n = present(node, what);
  const children = n.constructed && isUniversal(n, 16) ? n.children : undefined;
  if (children === undefined || children.length < 1 || children.length > 2) {
    throw cmsError('malformed', `${what}: not an AlgorithmIdentifier`);
  }
  return { oid: oidOf(children[0], `${what} algorithm`), parameters: children[1] };
}

/** True when parameters are absent or NULL (both are seen for hash and wrap algorithms). */
export function absentOrNull(parameters: AsnNode | undefined): boolean {
  return (
    parameters === undefined ||
    (isUniversal(parameters, 5) && !parameters.constructed && parameters.value.length === 0)
  );
}

/** Dotted OID of a present OBJECT IDENTIFIER. */
export function oidOf(node: AsnNode | undefined, what: string): string {
  return readOid(present(node, what));
}

/** A small non-negative INTEGER (versions, lengths). */
export function smallInteger(node: AsnNode | undefined, what: string): number {
  return readSmallInteger(present(node, what));
}

/**
 * The bytes of an OCTET STRING, primitive or constructed (BER segments joined), as a new
 * Buffer; `implicit` lets an [n] IMPLICIT context tag stand for the universal one.
 */
export function octets(node: AsnNode | undefined, what: string, implicit?: number): Buffer {
  return Buffer.from(readOctets(present(node, what), implicit === undefined ? {} : { implicit }));
}

/** The value of a BIT STRING with no unused bits (keys and points). */
export function bitStringBytes(node: AsnNode | undefined, what: string): Buffer {
  const { bytes, unusedBits } = readBitString(present(node, what));
  if (unusedBits !== 0) throw cmsError('malformed', `${what}: unused bits in a key`);
  return Buffer.from(bytes);
}

/** `node` when it has universal tag `n`, else `malformed`. */
export function expectUniversal(node: AsnNode | undefined, n: number, what: string): AsnNode {
  const x = present(node, what);
  if (!isUniversal(x, n)) throw cmsError('malformed', `${what}: unexpected tag`);
  return x;
}
