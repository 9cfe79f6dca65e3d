/**
 * Is this signed content a Niêm body, or something another CMS tool signed? Content that
 * does not start like a Niêm body opens as a single document `content.bin`, with a notice
 * that it carried no metadata (issue 4). Content that does start like one is read as one,
 * and refused if it turns out broken: a damaged Niêm body never degrades to content.bin.
 */
import {
  BLOCK_SIZE,
  decodeHeader,
  decodePaxRecords,
  decodeUtf8,
  paddingFor,
  paxOverrides,
} from './header.ts';
import { MANIFEST_NAME } from './names.ts';

/** How many leading bytes `detectBody` needs; more let it decide a pax-first archive exactly. */
export const BODY_PEEK_BYTES = BLOCK_SIZE;

/** The name under which foreign signed content is opened. */
export const FOREIGN_CONTENT_NAME = 'content.bin';

export type BodyKind = 'niem-tar' | 'foreign';

function isRegular(typeflag: string): boolean {
  return typeflag === '0' || typeflag === '\0';
}

/**
 * 'niem-tar' when the content starts with a valid ustar header (magic and checksum) of
 * a regular file named `manifest.json`, or with a pax extended header for it: decided
 * from the pax `path` record when `prefix` holds the whole extended header and the
 * header after it, otherwise from the extended header's own name ending in
 * `/manifest.json` (as GNU tar and bsdtar name it). 'foreign' otherwise. Never throws.
 */
export function detectBody(prefix: Uint8Array): BodyKind {
  try {
    if (prefix.length < BLOCK_SIZE) return 'foreign';
    const first = decodeHeader(prefix.subarray(0, BLOCK_SIZE));
    if (isRegular(first.typeflag)) {
      return decodeUtf8(first.nameBytes) === MANIFEST_NAME ? 'niem-tar' : 'foreign';
    }
    if (first.typeflag !== 'x') return 'foreign';
    const next = BLOCK_SIZE + first.size + paddingFor(first.size);
    if (prefix.length >= next + BLOCK_SIZE) {
      const pax = paxOverrides(
        decodePaxRecords(prefix.subarray(BLOCK_SIZE, BLOCK_SIZE + first.size)),
      );
      const file = decodeHeader(prefix.subarray(next, next + BLOCK_SIZE));
      const name = decodeUtf8(pax.path ?? file.nameBytes);
      return isRegular(file.typeflag) && name === MANIFEST_NAME ? 'niem-tar' : 'foreign';
    }
    const own = decodeUtf8(first.nameBytes);
    return own !== null && own.endsWith(`/${MANIFEST_NAME}`) ? 'niem-tar' : 'foreign';
  } catch {
    return 'foreign';
  }
}
