/**
 * The canonical byte encodings the audit trail hashes and signs. Every field is
 * self-delimiting (a 4-byte big-endian length before its bytes, a presence byte before an
 * optional field, seq as a fixed 8-byte signed integer) and the field list is fixed, so
 * two different entries can never encode to the same bytes: moving characters from
 * `actor` into `action`, or a `package` of "" versus none, changes the encoding. Each
 * encoding starts with its own domain-separation tag, so an entry hash can never be
 * mistaken for a checkpoint message or for any other SHA-256 the project computes.
 *
 *   entry      = lp("niem/audit-entry/v1") ‖ i64(seq) ‖ lp(at) ‖ lp(actor) ‖ lp(action)
 *                ‖ opt(package) ‖ opt(level) ‖ lp(detail) ‖ lp(prev_hash)
 *   hash       = SHA-256(entry)
 *   checkpoint = lp("niem/audit-checkpoint/v1") ‖ i64(seq) ‖ lp(hash of entry seq) ‖ lp(at)
 *                ‖ lp(algorithm) ‖ lp(SHA-256(certificate DER))
 *
 * lp(x) = u32be(byte length of x) ‖ x, strings as UTF-8; opt(x) = 0x00 when NULL, else
 * 0x01 ‖ lp(x). The encoding is injective over well-formed strings, which is all SQLite
 * TEXT can hold (appendAudit refuses an actor with a lone surrogate; JSON escapes them).
 * Changing any of this is a new version of the tags, never an edit.
 */
import { createHash } from 'node:crypto';

export const ENTRY_TAG = 'niem/audit-entry/v1';
export const CHECKPOINT_TAG = 'niem/audit-checkpoint/v1';
/** SHA-256 output length; also the length of prev_hash and hash. */
export const HASH_BYTES = 32;
/** prev_hash of the first entry. */
export const GENESIS_PREV_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

/** The hashed fields of an audit row, as stored (detail is the stored JSON text). */
export interface AuditEntryFields {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly package: string | null;
  readonly level: string | null;
  readonly detail: string;
  readonly prevHash: Uint8Array;
}

/** One field of an encoding: bytes or text (length-prefixed), optional text, or an int64. */
type Field = Uint8Array | string | { readonly optional: string | null } | bigint;

function fieldSize(f: Field): number {
  if (typeof f === 'bigint') return 8;
  if (typeof f === 'string') return 4 + Buffer.byteLength(f, 'utf8');
  if (f instanceof Uint8Array) return 4 + f.length;
  return f.optional === null ? 1 : 1 + fieldSize(f.optional);
}

/** Writes the fields into one buffer (sized first: one allocation per encoding). */
function encodeFields(fields: readonly Field[]): Buffer {
  let size = 0;
  for (const f of fields) size += fieldSize(f);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const write = (f: Field): void => {
    if (typeof f === 'bigint') {
      at = out.writeBigInt64BE(f, at);
    } else if (typeof f === 'string') {
      const len = out.write(f, at + 4, 'utf8');
      out.writeUInt32BE(len, at);
      at += 4 + len;
    } else if (f instanceof Uint8Array) {
      at = out.writeUInt32BE(f.length, at);
      out.set(f, at);
      at += f.length;
    } else if (f.optional === null) {
      at = out.writeUInt8(0, at);
    } else {
      at = out.writeUInt8(1, at);
      write(f.optional);
    }
  };
  for (const f of fields) write(f);
  return out;
}

/** Where seq sits in an entry encoding (after the length-prefixed tag). */
const SEQ_OFFSET = 4 + Buffer.byteLength(ENTRY_TAG, 'utf8');

/** The canonical encoding of an entry at `seq`. */
export function encodeEntry(seq: bigint, fields: AuditEntryFields): Uint8Array {
  return encodeFields([
    ENTRY_TAG,
    seq,
    fields.at,
    fields.actor,
    fields.action,
    { optional: fields.package },
    { optional: fields.level },
    fields.detail,
    fields.prevHash,
  ]);
}

/** SHA-256 of an encoding. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

/** The hash of an entry: SHA-256 of its canonical encoding. */
export function entryHash(seq: bigint, fields: AuditEntryFields): Uint8Array {
  return sha256(encodeEntry(seq, fields));
}

/**
 * Hashes one encoded entry as if it had been written at other seqs: the verifier uses it
 * to recognise a row that was renumbered (moved) rather than edited. `encoding` is
 * modified in place.
 */
export function hashAtSeq(encoding: Uint8Array, seq: bigint): Uint8Array {
  new DataView(encoding.buffer, encoding.byteOffset).setBigInt64(SEQ_OFFSET, seq);
  return sha256(encoding);
}

/** The bytes a checkpoint signature covers. */
export function encodeCheckpoint(
  seq: bigint,
  hash: Uint8Array,
  at: string,
  algorithm: string,
  certificate: Uint8Array,
): Uint8Array {
  return encodeFields([CHECKPOINT_TAG, seq, hash, at, algorithm, sha256(certificate)]);
}
