/**
 * OBJECT IDENTIFIER contents (X.690 §8.19) to and from the dotted form. Arcs of any size
 * (UUID arcs under 2.25 are 128-bit) are handled as bigint.
 */
import { NiemError } from '../../api/errors.ts';
import { malformed } from './ber-types.ts';

const DOTTED = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/;

/** Contents octets of an OID given as '1.2.840.113549'. Throws `internal` on a bad string. */
export function oidToBytes(dotted: string): Uint8Array {
  if (!DOTTED.test(dotted)) {
    throw new NiemError('internal', `ASN.1 writer: '${dotted}' is not a dotted OID`);
  }
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [first, second] = arcs as [bigint, bigint];
  if (first > 2n || (first < 2n && second > 39n)) {
    throw new NiemError('internal', `ASN.1 writer: '${dotted}' has invalid first arcs`);
  }
  const out: number[] = [];
  for (const sub of [first * 40n + second, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let n = sub;
    do {
      groups.unshift(Number(n & 0x7fn));
      n >>= 7n;
    } while (n > 0n);
    for (let i = 0; i < groups.length; i++) {
      out.push(i < groups.length - 1 ? (groups[i] as number) | 0x80 : (groups[i] as number));
    }
  }
  return Uint8Array.from(out);
}

/** Dotted form of OID contents octets; `malformed` when empty, padded or cut short. */
export function oidFromBytes(bytes: Uint8Array, offset?: number): string {
  if (bytes.length === 0) throw malformed('empty OBJECT IDENTIFIER', offset);
  const arcs: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] === 0x80) {
      throw malformed('OBJECT IDENTIFIER arc with a leading zero group', offset);
    }
    let start = i;
    while (i < bytes.length && ((bytes[i] as number) & 0x80) !== 0) i++;
    if (i >= bytes.length) throw malformed('OBJECT IDENTIFIER ends inside an arc', offset);
    i++;
    let value: bigint | number;
    if (i - start <= 7) {
      value = 0;
      for (; start < i; start++) value = value * 128 + ((bytes[start] as number) & 0x7f);
    } else {
      value = 0n;
      for (; start < i; start++) value = (value << 7n) | BigInt((bytes[start] as number) & 0x7f);
    }
    if (arcs.length === 0) {
      const big = BigInt(value);
      if (big < 40n) arcs.push('0', String(big));
      else if (big < 80n) arcs.push('1', String(big - 40n));
      else arcs.push('2', String(big - 80n));
    } else {
      arcs.push(String(value));
    }
  }
  return arcs.join('.');
}
