/**
 * The DER writer of the package layer: byte-exact encodings of headers and of every
 * primitive against X.690 examples, round trips through the tree decoder and the typed
 * reads, DER canonical form (minimal lengths and integers, SET OF order, primitive strings,
 * BOOLEAN FF, zero padding bits) enforced on reading, and the CMS time rule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import {
  bitString,
  boolean,
  cmsTime,
  compareDerSetOf,
  decodeBer,
  decodeDer,
  encodeHeader,
  encodeIdentifier,
  encodeLength,
  enumerated,
  explicit,
  explicitInner,
  expectSequence,
  expectSetOf,
  generalizedTime,
  ia5String,
  implicit,
  integer,
  nullValue,
  octetString,
  oid,
  oidFromBytes,
  oidToBytes,
  primitive,
  printableString,
  readBitString,
  readBoolean,
  readInteger,
  readNull,
  readOctets,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  sequence,
  set,
  setOf,
  utcTime,
  utf8String,
  type AsnNode,
} from '../../native/seal/ber/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function assertMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NiemError, `not a NiemError: ${String(err)}`);
    assert.equal(err.kind, 'malformed');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('headers', () => {
  it('write lengths in the minimal form', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [127, '7f'],
      [128, '8180'],
      [255, '81ff'],
      [256, '820100'],
      [65_535, '82ffff'],
      [65_536, '83010000'],
      [2 ** 32, '850100000000'],
      [Number.MAX_SAFE_INTEGER, '871fffffffffffff'],
    ];
    for (const [length, expected] of cases) assert.equal(hex(encodeLength(length)), expected);
  });

  it('write tag numbers of 31 and more in the high form', () => {
    assert.equal(hex(encodeIdentifier('universal', true, 16)), '30');
    assert.equal(hex(encodeIdentifier('context', true, 0)), 'a0');
    assert.equal(hex(encodeIdentifier('context', false, 30)), '9e');
    assert.equal(hex(encodeIdentifier('context', false, 31)), '9f1f');
    assert.equal(hex(encodeIdentifier('application', true, 128)), '7f8100');
    assert.equal(hex(encodeIdentifier('private', false, 0x7fff_ffff)), 'df87ffffff7f');
    assert.throws(() => encodeIdentifier('context', false, 2 ** 31), /out of range/);
  });

  it('write indefinite-length headers for constructed elements only', () => {
    assert.equal(hex(encodeHeader('universal', true, 4, 'indefinite')), '2480');
    assert.equal(hex(encodeHeader('context', true, 0, 'indefinite')), 'a080');
    assert.throws(() => encodeHeader('universal', false, 4, 'indefinite'), /primitive/);
  });
});

describe('primitives', () => {
  it('encode INTEGER in minimal two’s complement and read it back', () => {
    const cases: [bigint, string][] = [
      [0n, '020100'],
      [127n, '02017f'],
      [128n, '02020080'],
      [256n, '02020100'],
      [-1n, '0201ff'],
      [-128n, '020180'],
      [-129n, '0202ff7f'],
      [2n ** 64n, '0209010000000000000000'],
    ];
    for (const [value, expected] of cases) {
      const enc = integer(value);
      assert.equal(hex(enc), expected, String(value));
      assert.equal(readInteger(decodeDer(enc)), value);
    }
    for (let i = 0; i < 300; i++) {
      const v = BigInt.asIntN(8 * (1 + (i % 40)), BigInt(`0x${randomBytes(40).toString('hex')}`));
      assert.equal(readInteger(decodeDer(integer(v))), v);
    }
    assert.equal(hex(integer(5)), '020105');
    assert.equal(hex(enumerated(3)), '0a0103');
  });

  it('encode a Uint8Array as an unsigned magnitude (serial numbers)', () => {
    assert.equal(hex(integer(bytes('80'))), '02020080');
    assert.equal(hex(integer(bytes('0000ff01'))), '020300ff01');
    assert.equal(hex(integer(bytes('0000'))), '020100');
    assert.equal(hex(integer(new Uint8Array(0))), '020100');
  });

  it('encode OIDs from the dotted form, any arc size', () => {
    assert.equal(hex(oid('1.2.840.113549')), '06062a864886f70d');
    assert.equal(hex(oid('2.999.3')), '0603883703');
    assert.equal(hex(oid('0.0')), '060100');
    const uuid = '2.25.329800735698586629295641978511506172918';
    assert.equal(oidFromBytes(oidToBytes(uuid)), uuid);
    for (const dotted of [
      '1.2.840.113549.1.9.16.2.47',
      '2.16.840.1.101.3.4.1.46',
      '1.39',
      '2.40',
    ]) {
      assert.equal(readOid(decodeDer(oid(dotted))), dotted);
    }
    for (const bad of ['1', '3.1', '1.40', '1.2.03', '1..2', '', 'a.b']) {
      assert.throws(() => oid(bad), NiemError, bad);
    }
  });

  it('refuse OIDs with padded or unfinished arcs', () => {
    assertMalformed(() => readOid(decodeDer(bytes('0602 2a81'))), /ends inside an arc/);
    assertMalformed(() => readOid(decodeDer(bytes('0603 2a8001'))), /leading zero group/);
    assertMalformed(() => readOid(decodeDer(bytes('0600'))), /empty OBJECT IDENTIFIER/);
  });

  it('encode OCTET STRING, BIT STRING, NULL and BOOLEAN', () => {
    assert.equal(hex(octetString(bytes('00ff'))), '040200ff');
    assert.deepEqual(readOctets(decodeDer(octetString(bytes('00ff')))), bytes('00ff'));
    assert.equal(hex(bitString(bytes('ffff'), 3)), '030303fff8');
    assert.deepEqual(readBitString(decodeDer(bitString(bytes('a0'), 5))), {
      bytes: bytes('a0'),
      unusedBits: 5,
    });
    assert.equal(hex(bitString(new Uint8Array(0))), '030100');
    assert.equal(hex(nullValue()), '0500');
    assert.equal(readNull(decodeDer(nullValue())), null);
    assert.equal(hex(boolean(true)), '0101ff');
    assert.equal(hex(boolean(false)), '010100');
    assert.equal(readBoolean(decodeDer(boolean(true))), true);
    assert.equal(readBoolean(decodeDer(boolean(false))), false);
  });

  it('encode and read strings', () => {
    const text = 'Tối mật — Công văn số 12/2025';
    assert.equal(readString(decodeDer(utf8String(text))), text);
    assert.equal(hex(printableString('Hello World')), '130b48656c6c6f20576f726c64');
    assert.equal(readString(decodeDer(printableString("A-z 0'()+,./:=?"))), "A-z 0'()+,./:=?");
    assert.equal(readString(decodeDer(ia5String('x@y.vn'))), 'x@y.vn');
    assert.throws(() => printableString('a@b'), NiemError);
    assert.throws(() => ia5String('ố'), NiemError);
    assert.throws(() => utf8String('\ud800'), NiemError);
    assertMalformed(
      () => readString(decodeDer(bytes('0c02c328'))),
      /invalid characters in UTF8String/,
    );
    assertMalformed(() => readString(decodeDer(bytes('1301 40'))), /PrintableString/);
    assert.equal(readString(decodeDer(bytes('1e04 0054 1ed1'))), 'Tố');
  });

  it('write times as CMS requires: UTCTime for 1950–2049, GeneralizedTime otherwise', () => {
    const d2049 = new Date(Date.UTC(2049, 11, 31, 23, 59, 59, 999));
    assert.equal(Buffer.from(cmsTime(d2049)).toString('latin1').slice(2), '491231235959Z');
    assert.equal(cmsTime(d2049)[0], 0x17);
    const d2050 = new Date(Date.UTC(2050, 0, 1));
    assert.equal(Buffer.from(cmsTime(d2050)).toString('latin1').slice(2), '20500101000000Z');
    assert.equal(cmsTime(d2050)[0], 0x18);
    const d1950 = new Date(Date.UTC(1950, 0, 1, 0, 0, 0));
    assert.equal(cmsTime(d1950)[0], 0x17);
    assert.equal(cmsTime(new Date(Date.UTC(1949, 11, 31, 23, 59, 59)))[0], 0x18);
    assert.throws(() => utcTime(d2050), NiemError);
    for (const d of [
      d1950,
      new Date(Date.UTC(2026, 1, 28, 7, 5, 9)),
      d2050,
      new Date(Date.UTC(1900, 0, 1)),
    ]) {
      assert.equal(readTime(decodeDer(cmsTime(d)), { der: true }).getTime(), d.getTime());
      assert.equal(readTime(decodeDer(generalizedTime(d)), { der: true }).getTime(), d.getTime());
    }
    assert.equal(
      readTime(decodeDer(utcTime(d2049)), { der: true }).getTime(),
      d2049.getTime() - 999,
      'milliseconds are dropped',
    );
  });

  it('read BER time forms and refuse impossible dates', () => {
    const time = (tag: string, text: string): AsnNode =>
      decodeBer(
        bytes(tag + Buffer.from([text.length]).toString('hex') + Buffer.from(text).toString('hex')),
      );
    assert.equal(readTime(time('17', '2602280705+0700')).toISOString(), '2026-02-28T00:05:00.000Z');
    assert.equal(
      readTime(time('18', '20260228070509.25Z')).toISOString(),
      '2026-02-28T07:05:09.250Z',
    );
    assert.equal(readTime(time('17', '500101000000Z')).getUTCFullYear(), 1950);
    assertMalformed(
      () => readTime(time('17', '2602280705+0700'), { der: true }),
      /invalid UTCTime/,
    );
    assertMalformed(
      () => readTime(time('18', '20260228070509.50Z'), { der: true }),
      /GeneralizedTime/,
    );
    assertMalformed(() => readTime(time('17', '260230070509Z')), /invalid UTCTime/);
    assertMalformed(() => readTime(time('18', '20261301000000Z')), /invalid GeneralizedTime/);
    assertMalformed(() => readTime(time('18', '20260101000000')), /invalid GeneralizedTime/);
  });
});

describe('constructed', () => {
  it('nest SEQUENCE, SET and context tags, explicit and implicit', () => {
    const inner = sequence(integer(1), oid('1.2.3'));
    assert.equal(hex(inner), '3007' + '020101' + '06022a03');
    assert.equal(hex(explicit(0, integer(5))), 'a003020105');
    assert.equal(hex(implicit(0, integer(5))), '800105');
    assert.equal(hex(implicit(1, inner)), 'a1' + hex(inner).slice(2));
    assert.equal(hex(implicit(40, octetString(bytes('01')))), '9f280101');
    assert.equal(hex(primitive('context', 2, bytes('abcd'))), '8202abcd');
    const tree = decodeDer(sequence(explicit(0, integer(2)), implicit(1, set(integer(3)))));
    const [a, b] = expectSequence(tree, { min: 2, max: 2 });
    assert.equal(readSmallInteger(explicitInner(a as AsnNode, 0)), 2);
    assert.equal(readInteger(expectSetOf(b as AsnNode, { implicit: 1 })[0] as AsnNode), 3n);
    assert.equal(readInteger(decodeDer(implicit(3, integer(-2))), { implicit: 3 }), -2n);
    assertMalformed(() => expectSequence(tree, { min: 3 }), /SEQUENCE with 2 elements/);
    assertMalformed(() => readInteger(a as AsnNode), /expected INTEGER INTEGER, found \[0\]/);
  });

  it('sort SET OF in DER order, shorter encodings padded with zeros', () => {
    const a = octetString(bytes('01'));
    const b = octetString(bytes('0100'));
    const c = integer(5);
    const sorted = setOf(a, c, b);
    assert.equal(hex(sorted), '310a' + hex(c) + hex(a) + hex(b));
    assert.ok(compareDerSetOf(bytes('0401'), bytes('040100')) === 0);
    assert.ok(compareDerSetOf(bytes('0401'), bytes('040101')) < 0);
    expectSetOf(decodeDer(sorted), { der: true });
    assertMalformed(() => expectSetOf(decodeDer(set(a, c)), { der: true }), /not in DER order/);
    expectSetOf(decodeDer(set(a, c)));
  });
});

describe('DER canonical form on reading', () => {
  it('refuses what DER forbids and BER allows', () => {
    assertMalformed(
      () => decodeDer(bytes('3081 03 020101')),
      /long form \(DER requires the short form\)/,
    );
    assertMalformed(() => decodeDer(bytes('3080 020101 0000')), /indefinite length \(DER/);
    assertMalformed(() => decodeDer(bytes('2403 040101')), /constructed OCTET STRING \(DER/);
    assertMalformed(() => decodeDer(bytes('0101 01')), /BOOLEAN TRUE not encoded as FF/);
    assertMalformed(() => decodeDer(bytes('0302 0101')), /non-zero unused bits/);
    assertMalformed(() => decodeDer(bytes('0301 01')), /empty BIT STRING with unused bits/);
    for (const ber of [
      '3081 03 020101',
      '3080 020101 0000',
      '2403 040101',
      '0101 01',
      '0302 0101',
    ]) {
      decodeBer(bytes(ber));
    }
    assert.equal(readBoolean(decodeBer(bytes('0101 01'))), true);
    assertMalformed(() => readBoolean(decodeBer(bytes('0101 01')), { der: true }), /FF/);
    assert.deepEqual(readOctets(decodeBer(bytes('2480 0401aa 0402bbcc 0000'))), bytes('aabbcc'));
    assertMalformed(
      () => readOctets(decodeBer(bytes('2403 040101')), { der: true }),
      /DER requires primitive/,
    );
  });

  it('refuses what neither allows', () => {
    assertMalformed(() => decodeBer(bytes('0202 0001')), /INTEGER not in its minimal form/);
    assertMalformed(() => decodeBer(bytes('0202 ff80')), /INTEGER not in its minimal form/);
    assertMalformed(() => decodeBer(bytes('0200')), /INTEGER with no contents/);
    assertMalformed(() => decodeBer(bytes('0102 ffff')), /BOOLEAN of 2 bytes/);
    assertMalformed(() => decodeBer(bytes('0501 00')), /NULL with 1 contents bytes/);
    assertMalformed(() => decodeBer(bytes('2203 020101')), /constructed INTEGER/);
    assertMalformed(() => decodeBer(bytes('1003 020101')), /primitive SEQUENCE/);
    assertMalformed(
      () => readOctets(decodeBer(bytes('2403 0a0101'))),
      /ENUMERATED inside a constructed string/,
    );
  });
});
