/**
 * The BER/DER layer under the CMS code (ITU-T X.690): DER encoders for small values, a
 * streaming writer for large contents, a streaming reader with strict limits, a tree
 * decoder for small structures and typed reads of its nodes. Every refusal of input is a
 * NiemError of kind `malformed`.
 */
export * from './ber-types.ts';
export * from './ber-encode.ts';
export * from './ber-stream-encode.ts';
export { oidFromBytes, oidToBytes } from './ber-oid.ts';
export { parseHeader, isEndOfContents } from './ber-header.ts';
export { ByteSource, type ByteInput } from './ber-byte-source.ts';
export { BerReader, type BerReaderOptions } from './ber-reader.ts';
export {
  decodeBer,
  decodeDer,
  type AsnConstructed,
  type AsnNode,
  type AsnPrimitive,
  type DecodeOptions,
} from './ber-decode.ts';
export * from './ber-values.ts';
