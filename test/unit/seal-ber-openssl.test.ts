/**
 * Interop with the openssl CLI, in a temporary folder with a throwaway key: our DER is
 * byte-identical to what `openssl asn1parse -genconf` builds for the same values; our tree
 * of openssl's CMS (signed with and without -stream, and AuthEnvelopedData with -stream)
 * has the offsets, depths, header lengths, lengths and tags `openssl asn1parse -i` prints;
 * the streamed content comes out byte for byte; and openssl reads the segmented
 * indefinite-length BER our streaming writer makes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BerReader,
  bitString,
  boolean,
  concatBytes,
  decodeBer,
  encodeIndefinite,
  encodeOctetStringStream,
  explicit,
  generalizedTime,
  ia5String,
  implicit,
  integer,
  nullValue,
  octetString,
  oid,
  printableString,
  readOid,
  sequence,
  set,
  utcTime,
  utf8String,
  type AsnNode,
  type BerHeader,
} from '../../native/seal/ber/index.ts';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

/** One line of `openssl asn1parse -i`: offset, depth, header length, length, form, tag. */
interface Line {
  readonly offset: number;
  readonly depth: number;
  readonly hl: number;
  readonly length: number | 'inf';
  readonly cons: boolean;
  readonly tag: string;
}

const LINE = /^\s*(\d+):d=\s*(\d+)\s+hl=\s*(\d+)\s+l=\s*(inf|\d+)\s+(prim|cons):\s*(.*)$/;
const OPENSSL_UNIVERSAL: Record<string, number> = {
  EOC: 0,
  BOOLEAN: 1,
  INTEGER: 2,
  'BIT STRING': 3,
  'OCTET STRING': 4,
  NULL: 5,
  OBJECT: 6,
  ENUMERATED: 10,
  UTF8STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLESTRING: 19,
  IA5STRING: 22,
  UTCTIME: 23,
  GENERALIZEDTIME: 24,
};

/** The tag of an asn1parse line in our notation: 'universal 16', 'context 0'. */
function tagOf(text: string): string {
  const ctx = /^(cont|appl|priv) \[\s*(\d+)\s*\]/.exec(text);
  if (ctx !== null) {
    const cls = { cont: 'context', appl: 'application', priv: 'private' }[ctx[1] as 'cont'];
    return `${cls} ${ctx[2]}`;
  }
  const name = Object.keys(OPENSSL_UNIVERSAL)
    .sort((a, b) => b.length - a.length)
    .find((n) => text === n || text.startsWith(`${n} `) || text.startsWith(`${n}:`));
  assert.ok(name !== undefined, `unknown asn1parse tag '${text}'`);
  return `universal ${OPENSSL_UNIVERSAL[name]}`;
}

function asn1parse(path: string): Line[] {
  const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-i', '-in', path], {
    maxBuffer: 64 * 1024 * 1024,
  }).toString('latin1');
  const lines: Line[] = [];
  for (const raw of out.split('\n')) {
    const m = LINE.exec(raw);
    if (m === null) continue;
    lines.push({
      offset: Number(m[1]),
      depth: Number(m[2]),
      hl: Number(m[3]),
      length: m[4] === 'inf' ? 'inf' : Number(m[4]),
      cons: m[5] === 'cons',
      tag: tagOf((m[6] as string).trim()),
    });
  }
  return lines;
}

/** Our tree as asn1parse lines (end-of-contents after each indefinite element's children). */
function linesOf(root: AsnNode): Line[] {
  const out: Line[] = [];
  const stack: (AsnNode | Line)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop() as AsnNode | Line;
    if (!('raw' in item)) {
      out.push(item);
      continue;
    }
    out.push({
      offset: item.offset,
      depth: item.depth,
      hl: item.headerLength,
      length: item.indefinite ? 'inf' : item.length,
      cons: item.constructed,
      tag: `${item.tagClass} ${item.tagNumber}`,
    });
    if (item.indefinite) {
      const at = item.offset + item.headerLength + item.length;
      stack.push({
        offset: at,
        depth: item.depth + 1,
        hl: 2,
        length: 0,
        cons: false,
        tag: 'universal 0',
      });
    }
    if (item.constructed)
      for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i] as AsnNode);
  }
  return out;
}

function* randomSplits(bytes: Uint8Array): Generator<Uint8Array> {
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(Math.random() * 5000);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

describe('interop with openssl', { skip: haveOpenssl ? false : 'openssl is not installed' }, () => {
  let dir = '';
  const content = randomBytes(20_000);
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'niem-ber-'));
    writeFileSync(file('content.bin'), content);
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-subj',
      '/CN=Niem BER test',
      '-days',
      '2',
    );
    const sign = ['cms', '-sign', '-binary', '-nodetach', '-in', 'content.bin'];
    const signer = ['-signer', 'cert.pem', '-inkey', 'key.pem', '-outform', 'DER'];
    openssl(...sign, ...signer, '-out', 'signed.der');
    openssl(...sign, '-stream', ...signer, '-out', 'signed-stream.der');
    openssl(
      'cms',
      '-encrypt',
      '-aes-256-gcm',
      '-stream',
      '-binary',
      '-in',
      'content.bin',
      '-outform',
      'DER',
      '-out',
      'enveloped.der',
      'cert.pem',
    );
  });
  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('builds the same DER as openssl asn1parse -genconf', () => {
    writeFileSync(
      file('gen.cnf'),
      [
        'asn1=SEQUENCE:s',
        '[s]',
        'a=INTEGER:-129',
        'b=BOOLEAN:TRUE',
        'c=OID:1.2.840.113549.1.9.16.2.47',
        'd=UTCTIME:491231235959Z',
        'e=GENTIME:20500101000000Z',
        'f=UTF8String:Niem seal',
        'g=PRINTABLESTRING:Hello World',
        'h=BITSTRING:hi',
        'i=FORMAT:HEX,OCTETSTRING:00ff',
        'j=NULL',
        'k=IMPLICIT:0,INTEGER:5',
        'l=EXPLICIT:1,IA5STRING:x@y',
        'm=SETWRAP,SEQUENCE:t',
        'n=INTEGER:0x1234567890ABCDEF1234567890',
        'o=BOOLEAN:FALSE',
        '[t]',
        'x=INTEGER:1',
        '',
      ].join('\n'),
    );
    openssl('asn1parse', '-genconf', 'gen.cnf', '-out', 'gen.der', '-noout');
    const theirs = new Uint8Array(readFileSync(file('gen.der')));
    const ours = sequence(
      integer(-129),
      boolean(true),
      oid('1.2.840.113549.1.9.16.2.47'),
      utcTime(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))),
      generalizedTime(new Date(Date.UTC(2050, 0, 1))),
      utf8String('Niem seal'),
      printableString('Hello World'),
      bitString(new TextEncoder().encode('hi')),
      octetString(Uint8Array.of(0x00, 0xff)),
      nullValue(),
      implicit(0, integer(5)),
      explicit(1, ia5String('x@y')),
      set(sequence(integer(1))),
      integer(0x1234567890abcdef1234567890n),
      boolean(false),
    );
    assert.deepEqual(Buffer.from(ours).toString('hex'), Buffer.from(theirs).toString('hex'));
    assert.deepEqual(linesOf(decodeBer(theirs, { der: true })), asn1parse(file('gen.der')));
  });

  for (const name of ['signed.der', 'signed-stream.der', 'enveloped.der']) {
    it(`parses ${name} to the tree openssl asn1parse prints`, () => {
      const der = new Uint8Array(readFileSync(file(name)));
      const ours = linesOf(decodeBer(der));
      const theirs = asn1parse(file(name));
      assert.ok(theirs.length > 20);
      assert.deepEqual(ours, theirs);
    });
  }

  it('streams the signed content out of openssl’s CMS, byte for byte, in random splits', async () => {
    for (const name of ['signed.der', 'signed-stream.der']) {
      const der = new Uint8Array(readFileSync(file(name)));
      for (let round = 0; round < 5; round++) {
        const reader = new BerReader(randomSplits(der));
        const next = async (): Promise<BerHeader> => {
          const h = await reader.next();
          assert.ok(h !== null);
          return h;
        };
        reader.enter(await next()); // ContentInfo
        assert.equal(readOid(await reader.readNode(await next())), '1.2.840.113549.1.7.2');
        reader.enter(await next()); // [0]
        reader.enter(await next()); // SignedData
        await reader.skip(await next()); // version
        await reader.skip(await next()); // digestAlgorithms
        reader.enter(await next()); // encapContentInfo
        assert.equal(readOid(await reader.readNode(await next())), '1.2.840.113549.1.7.1');
        reader.enter(await next()); // [0] EXPLICIT
        const parts: Uint8Array[] = [];
        for await (const chunk of reader.contents(await next())) parts.push(chunk.slice());
        assert.deepEqual(Buffer.from(concatBytes(parts)), content, name);
        await reader.finish();
      }
    }
  });

  it('streams the encrypted content of openssl’s AuthEnvelopedData ([0] IMPLICIT, segmented)', async () => {
    const der = new Uint8Array(readFileSync(file('enveloped.der')));
    const reader = new BerReader(randomSplits(der));
    const next = async (): Promise<BerHeader> => {
      const h = await reader.next();
      assert.ok(h !== null);
      return h;
    };
    reader.enter(await next());
    assert.equal(readOid(await reader.readNode(await next())), '1.2.840.113549.1.9.16.1.23');
    reader.enter(await next()); // [0]
    reader.enter(await next()); // AuthEnvelopedData
    await reader.skip(await next()); // version
    await reader.skip(await next()); // recipientInfos
    reader.enter(await next()); // authEncryptedContentInfo
    await reader.skip(await next()); // contentType
    await reader.skip(await next()); // contentEncryptionAlgorithm
    const enc = await next();
    assert.deepEqual([enc.tagClass, enc.tagNumber, enc.constructed], ['context', 0, true]);
    let size = 0;
    for await (const chunk of reader.contents(enc)) size += chunk.length;
    assert.equal(size, content.length, 'GCM ciphertext is as long as the content');
    await reader.finish();
  });

  it('writes segmented indefinite-length BER that openssl reads', async () => {
    const data = randomBytes(100_000);
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeIndefinite('universal', 16, [
      oid('1.2.840.113549.1.7.1'),
      encodeIndefinite('context', 0, [
        encodeOctetStringStream(randomSplits(data), { segmentSize: 4096 }),
      ]),
    ])) {
      chunks.push(chunk);
    }
    const ber = concatBytes(chunks);
    writeFileSync(file('data.ber'), ber);
    openssl('cms', '-data_out', '-inform', 'DER', '-in', 'data.ber', '-out', 'data.out');
    assert.deepEqual(readFileSync(file('data.out')), data);
    assert.deepEqual(linesOf(decodeBer(ber)), asn1parse(file('data.ber')));
  });
});
