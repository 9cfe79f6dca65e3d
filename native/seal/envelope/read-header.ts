/**
 * The part of the AuthEnvelopedData before the ciphertext, read from a BerReader: shared
 * by open and inspect. Leaves the reader at the encryptedContent header.
 */
import {
  type BerReader,
  readOid,
  readSmallInteger,
  UniversalTag,
  type BerHeader,
} from '../ber/index.ts';
import {
  cmsError,
  contentTypes,
  readContentEncryptionAlgorithm,
  readEnvelopeAttributes,
  readRecipientInfos,
  type EnvelopeAttributes,
  type GcmAlgorithm,
  type ParsedRecipient,
} from '../cms-crypto/index.ts';

/** Bound on the RecipientInfos SET and on the authAttrs held in memory. */
export const MAX_HEADER_FIELD_BYTES = 4 * 1024 * 1024;

export interface EnvelopeHeader {
  recipients: ParsedRecipient[];
  contentType: string;
  algorithm: GcmAlgorithm;
  /** The encryptedContent [0] header: the ciphertext comes next. */
  ciphertext: BerHeader;
}

async function expectNext(
  reader: BerReader,
  what: string,
  test: (h: BerHeader) => boolean,
): Promise<BerHeader> {
  const h = await reader.next();
  if (h === null || !test(h)) throw cmsError('malformed', `package: ${what} expected`);
  return h;
}

const isTag =
  (cls: 'universal' | 'context', n: number, constructed?: boolean) =>
  (h: BerHeader): boolean =>
    h.tagClass === cls &&
    h.tagNumber === n &&
    (constructed === undefined || h.constructed === constructed);
const isSeq = isTag('universal', UniversalTag.sequence, true);

/** Reads ContentInfo … up to the encryptedContent header. */
export async function readEnvelopeHeader(reader: BerReader): Promise<EnvelopeHeader> {
  reader.enter(await expectNext(reader, 'ContentInfo', isSeq));
  const typeHeader = await expectNext(reader, 'contentType', isTag('universal', 6, false));
  const type = readOid(await reader.readNode(typeHeader));
  if (type !== contentTypes.authEnvelopedData) {
    throw cmsError('malformed', `ContentInfo: ${type} is not AuthEnvelopedData`);
  }
  reader.enter(await expectNext(reader, 'ContentInfo [0]', isTag('context', 0, true)));
  reader.enter(await expectNext(reader, 'AuthEnvelopedData', isSeq));
  const versionHeader = await expectNext(reader, 'version', isTag('universal', 2, false));
  const version = readSmallInteger(await reader.readNode(versionHeader));
  if (version !== 0) throw cmsError('malformed', `AuthEnvelopedData version ${version}`);
  let h = await expectNext(reader, 'recipientInfos', () => true);
  if (isTag('context', 0, true)(h)) {
    await reader.skip(h); // originatorInfo: not used
    h = await expectNext(reader, 'recipientInfos', () => true);
  }
  if (!isTag('universal', UniversalTag.set, true)(h)) {
    throw cmsError('malformed', 'package: RecipientInfos expected');
  }
  const recipients = readRecipientInfos(await reader.readNode(h, MAX_HEADER_FIELD_BYTES));
  reader.enter(await expectNext(reader, 'authEncryptedContentInfo', isSeq));
  const ctHeader = await expectNext(reader, 'contentType', isTag('universal', 6, false));
  const contentType = readOid(await reader.readNode(ctHeader));
  if (contentType !== contentTypes.data && contentType !== contentTypes.signedData) {
    throw cmsError('malformed', `encrypted content type ${contentType} is not data/signedData`);
  }
  const algHeader = await expectNext(reader, 'contentEncryptionAlgorithm', isSeq);
  const algorithm = readContentEncryptionAlgorithm(await reader.readNode(algHeader));
  const ciphertext = await expectNext(reader, 'encryptedContent', isTag('context', 0));
  return { recipients, contentType, algorithm, ciphertext };
}

export interface EnvelopeTrailer {
  /** The authAttrs field bytes as received ([1] …), when present. */
  authAttrs: Uint8Array | undefined;
  attributes: EnvelopeAttributes;
  mac: Uint8Array;
}

/**
 * After the ciphertext: the end of authEncryptedContentInfo, authAttrs, mac, the optional
 * unauthAttrs, the closing of every level and no trailing bytes.
 */
export async function readEnvelopeTrailer(reader: BerReader): Promise<EnvelopeTrailer> {
  const eciEnd = await reader.next();
  if (eciEnd !== null) throw cmsError('malformed', 'authEncryptedContentInfo: extra fields');
  let h = await expectNext(reader, 'mac', () => true);
  let authAttrs: Uint8Array | undefined;
  if (isTag('context', 1, true)(h)) {
    authAttrs = await reader.readWhole(h, MAX_HEADER_FIELD_BYTES);
    h = await expectNext(reader, 'mac', () => true);
  }
  if (!isTag('universal', UniversalTag.octetString)(h)) {
    throw cmsError('malformed', 'package: mac expected');
  }
  const mac = await reader.readContents(h, 64);
  const rest = await reader.next();
  if (rest !== null) {
    if (!isTag('context', 2, true)(rest)) throw cmsError('malformed', 'package: trailing fields');
    await reader.skip(rest); // unauthAttrs: ignored
    if ((await reader.next()) !== null) throw cmsError('malformed', 'package: trailing fields');
  }
  await reader.finish(); // ends [0] and ContentInfo, and refuses trailing data
  const attributes = readEnvelopeAttributes(authAttrs);
  return { authAttrs, attributes, mac };
}
