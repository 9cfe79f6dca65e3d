/**
 * Parsing of one identifier + length header (X.690 §8.1.2–8.1.3) from a window of bytes,
 * shared by the streaming reader and the tree decoder, with every rule of the layer:
 * low-form tags below 31, no padded high-form tags, tag numbers below 2^31, no reserved
 * length octet 0xFF, at most 8 length octets without leading zeros, lengths below 2^53,
 * indefinite lengths only on constructed elements and never in DER, minimal lengths in DER.
 */
import {
  MAX_TAG_NUMBER,
  malformed,
  tagClassByIndex,
  tagLabel,
  universalForm,
  type BerHeader,
  type TagClass,
} from './ber-types.ts';

/** Returned by parseHeader when the window ends inside the header. */
export const NEED_MORE = null;

/**
 * Parses the header starting at `buf[pos]`, reading no byte at or after `end`.
 * `offset` is the absolute offset of `buf[pos]`. Returns NEED_MORE when the header does not
 * fit in the window (the caller supplies more bytes or reports truncation); throws a
 * `malformed` NiemError when the bytes can never be a valid header.
 * End-of-contents (00 00) is returned as a universal primitive tag 0 of length 0.
 */
export function parseHeader(
  buf: Uint8Array,
  pos: number,
  end: number,
  offset: number,
  depth: number,
  der: boolean,
): BerHeader | null {
  if (pos >= end) return NEED_MORE;
  const first = buf[pos] as number;
  const tagClass = tagClassByIndex[first >> 6] as TagClass;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  let p = pos + 1;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let count = 0; ; count++) {
      if (p >= end) return NEED_MORE;
      const b = buf[p++] as number;
      if (count === 0 && b === 0x80) {
        throw malformed('tag number with a leading zero group (not minimal)', offset);
      }
      if (count === 4 && (b & 0x80) !== 0) {
        throw malformed('tag number longer than 5 octets (2^31 or more)', offset);
      }
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber > MAX_TAG_NUMBER) throw malformed('tag number of 2^31 or more', offset);
    if (tagNumber < 31) {
      throw malformed(`tag number ${tagNumber} in the long form (must use one octet)`, offset);
    }
  }
  if (p >= end) return NEED_MORE;
  const lengthOctet = buf[p++] as number;
  let length: number | 'indefinite';
  if (lengthOctet < 0x80) {
    length = lengthOctet;
  } else if (lengthOctet === 0x80) {
    length = 'indefinite';
  } else {
    const count = lengthOctet & 0x7f;
    if (lengthOctet === 0xff) throw malformed('reserved length octet 0xFF', offset);
    if (count > 8) throw malformed(`length in ${count} octets (at most 8 accepted)`, offset);
    if (p + count > end) return NEED_MORE;
    if (buf[p] === 0) throw malformed('long-form length with a leading zero octet', offset);
    let value = 0;
    for (let i = 0; i < count; i++) value = value * 256 + (buf[p + i] as number);
    p += count;
    if (value > Number.MAX_SAFE_INTEGER) {
      throw malformed('length of 2^53 bytes or more', offset);
    }
    if (der && value < 0x80) {
      throw malformed(`length ${value} in the long form (DER requires the short form)`, offset);
    }
    length = value;
  }
  const header: BerHeader = {
    tagClass,
    constructed,
    tagNumber,
    length,
    offset,
    headerLength: p - pos,
    headerBytes: buf.slice(pos, p),
    depth,
  };
  checkForm(header, der);
  return header;
}

/** Rules on the combination of tag, form and length (X.690 §8.1.3.2, §8.1.5, §10.1). */
function checkForm(h: BerHeader, der: boolean): void {
  if (h.tagClass === 'universal' && h.tagNumber === 0) {
    if (h.constructed || h.length !== 0) {
      throw malformed('universal tag 0 is reserved for end-of-contents (00 00)', h.offset);
    }
    return;
  }
  if (h.length === 'indefinite') {
    if (!h.constructed) {
      throw malformed(
        `indefinite length on a primitive ${tagLabel(h.tagClass, h.tagNumber)}`,
        h.offset,
      );
    }
    if (der) throw malformed('indefinite length (DER requires definite lengths)', h.offset);
  }
  if (h.tagClass !== 'universal') return;
  const form = universalForm(h.tagNumber);
  if (form === 'primitive' && h.constructed) {
    throw malformed(`constructed ${tagLabel('universal', h.tagNumber)}`, h.offset);
  }
  if (form === 'constructed' && !h.constructed) {
    throw malformed(`primitive ${tagLabel('universal', h.tagNumber)}`, h.offset);
  }
  if (form === 'string' && h.constructed && der) {
    throw malformed(
      `constructed ${tagLabel('universal', h.tagNumber)} (DER requires primitive strings)`,
      h.offset,
    );
  }
}

/** True for the end-of-contents marker (00 00). */
export function isEndOfContents(h: BerHeader): boolean {
  return h.tagNumber === 0 && h.tagClass === 'universal';
}
