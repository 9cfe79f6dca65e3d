/**
 * Shared vocabulary of the BER/DER layer (ITU-T X.690): tag classes, the universal tag
 * numbers CMS uses, the header of one element, the default limits, and the one way this
 * layer fails: a `malformed` NiemError whose message names what was wrong and where.
 */
import { NiemError } from '../../api/errors.ts';

/** The class of a tag (bits 8–7 of the identifier octet). */
export type TagClass = 'universal' | 'application' | 'context' | 'private';

/** Identifier-octet bits of each class, in the order X.690 numbers them. */
export const tagClassBits: Readonly<Record<TagClass, number>> = {
  universal: 0x00,
  application: 0x40,
  context: 0x80,
  private: 0xc0,
};

/** Tag classes indexed by bits 8–7 (`identifier >> 6`). */
export const tagClassByIndex: readonly TagClass[] = [
  'universal',
  'application',
  'context',
  'private',
];

/** Universal tag numbers used by CMS and X.509 (X.680 §8.4). */
export const UniversalTag = {
  endOfContents: 0,
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  objectIdentifier: 6,
  enumerated: 10,
  utf8String: 12,
  sequence: 16,
  set: 17,
  numericString: 18,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  universalString: 28,
  bmpString: 30,
} as const;

/** The largest tag number accepted (tag numbers of 2^31 and more are refused). */
export const MAX_TAG_NUMBER = 0x7fff_ffff;

/** The largest header: 1 + 5 identifier octets (31-bit tag number) + 1 + 8 length octets. */
export const MAX_HEADER_LENGTH = 15;

/** The identifier and length of one element, as read from the input. */
export interface BerHeader {
  readonly tagClass: TagClass;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Contents length in bytes, or 'indefinite' (constructed only; ends with 00 00). */
  readonly length: number | 'indefinite';
  /** Absolute offset (bytes from the start of the input) of the first identifier octet. */
  readonly offset: number;
  /** Identifier plus length octets, in bytes. Contents start at offset + headerLength. */
  readonly headerLength: number;
  /** A copy of the identifier and length octets (the caller may keep it). */
  readonly headerBytes: Uint8Array;
  /** Nesting depth: 0 for a top-level element, parent depth + 1 below. */
  readonly depth: number;
}

/** Limits and rules shared by the streaming reader and the tree decoder. */
export interface BerLimits {
  /**
   * DER rules (X.690 §10–11): definite lengths in minimal form only, primitive string
   * encodings, minimal INTEGERs, BOOLEAN as 00/FF. Default false (BER, as CMS allows).
   */
  readonly der?: boolean;
  /** Most constructed elements open at once. Default 64. */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
/** Default bound, in bytes, of anything read whole into memory. */
export const DEFAULT_MAX_WHOLE = 1024 * 1024;

/** A `malformed` NiemError; `offset` (absolute) is appended to the message when given. */
export function malformed(message: string, offset?: number): NiemError {
  const where = offset === undefined ? '' : ` (at byte offset ${offset})`;
  return new NiemError('malformed', `ASN.1: ${message}${where}`);
}

/** How a tag reads in messages: `SEQUENCE`, `OCTET STRING`, `[0]`, `[APPLICATION 3]`. */
export function tagLabel(tagClass: TagClass, tagNumber: number): string {
  if (tagClass === 'context') return `[${tagNumber}]`;
  if (tagClass === 'universal') {
    const name = universalNames[tagNumber];
    if (name !== undefined) return name;
  }
  return `[${tagClass.toUpperCase()} ${tagNumber}]`;
}

const universalNames: Readonly<Record<number, string>> = {
  0: 'end-of-contents',
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  10: 'ENUMERATED',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  18: 'NumericString',
  19: 'PrintableString',
  20: 'TeletexString',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime',
  26: 'VisibleString',
  28: 'UniversalString',
  30: 'BMPString',
};

/**
 * The encoding form X.690 allows for a universal tag: BOOLEAN, INTEGER, NULL, OID, REAL,
 * ENUMERATED and RELATIVE-OID are always primitive (§8.2–8.20); SEQUENCE, SET, EXTERNAL,
 * EMBEDDED PDV and CHARACTER STRING always constructed; strings may be either in BER and
 * are primitive in DER (§10.2). Other numbers are not checked.
 */
export function universalForm(tagNumber: number): 'primitive' | 'constructed' | 'string' | 'any' {
  switch (tagNumber) {
    case 1:
    case 2:
    case 5:
    case 6:
    case 9:
    case 10:
    case 13:
      return 'primitive';
    case 8:
    case 11:
    case 16:
    case 17:
    case 29:
      return 'constructed';
    case 3:
    case 4:
    case 12:
    case 18:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 25:
    case 26:
    case 27:
    case 28:
    case 30:
      return 'string';
    default:
      return 'any';
  }
}
