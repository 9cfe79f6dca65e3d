/**
 * GF(2^128) arithmetic of GCM (NIST SP 800-38D §6.3), used for one thing: adding the
 * authenticated attributes of an AuthEnvelopedData to a GCM tag after the content.
 *
 * In CMS the authAttrs (the GCM additional authenticated data) come *after* the
 * ciphertext, but GCM needs the AAD first. GHASH is linear: with A the AAD blocks (a of
 * them), C the ciphertext blocks (c) and L the length block,
 *
 *   S(A, C) = Σ A_i·H^(a+c+2−i) ⊕ Σ C_j·H^(c+2−j) ⊕ L(A, C)·H
 *   S(∅, C) =                     Σ C_j·H^(c+2−j) ⊕ L(∅, C)·H
 *
 * so S(A, C) = S(∅, C) ⊕ (len(A)·2^64)·H ⊕ Σ A_i·H^(a+c+2−i), and the tag is
 * T = E_K(J0) ⊕ S. Node gives T(∅, C) in one pass over the content; this module turns it
 * into T(A, C) with a few dozen field multiplications, whatever the content size.
 * Only small inputs pass through here (H, one tag, the attributes): no secret-dependent
 * timing concerns beyond those of the final comparison, which the caller does in
 * constant time.
 */

const R = 0xe1n << 120n;
const MASK = (1n << 128n) - 1n;

function toBig(block: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(block).toString('hex') || '0'}`);
}

function toBlock(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(32, '0'), 'hex');
}

/** X·Y in GCM's field (bit 0 = most significant bit of the first byte). */
export function gfMultiply(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK;
}

/** H^n for n ≥ 1 (square and multiply). */
export function gfPower(h: bigint, n: bigint): bigint {
  let result = 1n << 127n; // the field's 1 (x^0) in GCM bit order
  let base = h;
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) result = gfMultiply(result, base);
    base = gfMultiply(base, base);
  }
  return result;
}

/**
 * The GCM tag (full 16 bytes) of ciphertext C with AAD `aad`, from the tag of C with no
 * AAD. `hashKey` is H = E_K(0^128); `ciphertextBytes` the length of C in bytes.
 */
export function addAadToTag(
  tagWithoutAad: Uint8Array,
  hashKey: Uint8Array,
  aad: Uint8Array,
  ciphertextBytes: number,
): Buffer {
  if (aad.length === 0) return Buffer.from(tagWithoutAad);
  const h = toBig(hashKey);
  const blocks: bigint[] = [];
  for (let i = 0; i < aad.length; i += 16) {
    const block = Buffer.alloc(16);
    Buffer.from(aad.subarray(i, i + 16)).copy(block);
    blocks.push(toBig(block));
  }
  const c = BigInt(Math.ceil(ciphertextBytes / 16));
  let correction = gfMultiply(BigInt(aad.length * 8) << 64n, h);
  let power = gfPower(h, c + 2n);
  for (let i = blocks.length - 1; i >= 0; i--) {
    correction ^= gfMultiply(blocks[i] ?? 0n, power);
    power = gfMultiply(power, h);
  }
  return toBlock(toBig(tagWithoutAad) ^ correction);
}
