/**
 * The outer layer of a Niêm package, streaming: AuthEnvelopedData (RFC 5083) with
 * AES-256-GCM around the BER of the inner ContentInfo(SignedData). seal writes it, open
 * decrypts it into a consumer that must commit only after the tag verified (or use
 * openEnvelopeToFile), inspect reads what it states without a key.
 */
export { SEGMENT_BYTES, sealEnvelope, type RecipientSpec, type SealOptions } from './seal.ts';
export { openEnvelope, openEnvelopeToFile, type OpenOptions, type OpenedEnvelope } from './open.ts';
export {
  formatName,
  inspectEnvelope,
  type InspectedEnvelope,
  type InspectedRecipient,
} from './inspect.ts';
export { MAX_HEADER_FIELD_BYTES } from './read-header.ts';
