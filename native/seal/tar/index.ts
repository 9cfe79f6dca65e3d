/** The tar layer of a Niêm body: names, streaming pax reader and writer, the body format, detection. */
export {
  MANIFEST_NAME,
  MAX_NAME_BYTES,
  assertSafeName,
  isSafeName,
  nameKey,
  safeOutputPath,
  unsafeNameReason,
} from './names.ts';
export { readTar, type TarEntry, type TarReadOptions } from './reader.ts';
export type { ByteChunks } from './byte-source.ts';
export { writeTar, type TarContent, type TarWriteEntry, type TarWriteOptions } from './writer.ts';
export {
  readNiemBody,
  writeNiemBody,
  type BodyDocument,
  type BodyReadOptions,
  type BodyWriteOptions,
  type NiemBody,
} from './body.ts';
export { BODY_PEEK_BYTES, FOREIGN_CONTENT_NAME, detectBody, type BodyKind } from './detect.ts';
