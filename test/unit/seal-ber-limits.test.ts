/**
 * Hostile encodings against the streaming reader and the tree decoder: each is refused
 * with a NiemError of kind `malformed` whose message names the broken rule — truncation,
 * lengths past the input or the parent or 2^53, bad length forms, tag numbers of 2^31 and
 * more, end-of-contents where none may be, trailing bytes, 10,000 nested levels (refused
 * at the depth limit, and walked without stack overflow when the limit is raised), and
 * elements too large to hold in memory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import {
  BerReader,
  concatBytes,
  decodeBer,
  decodeDer,
  encodeHeader,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  type BerReaderOptions,
  type ByteInput,
} from '../../native/seal/ber/index.ts';

const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function* singleBytes(b: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i++) yield b.subarray(i, i + 1);
}

/** Reads everything: enters every constructed element, streams every primitive. */
async function walk(input: ByteInput, options?: BerReaderOptions): Promise<number> {
  const reader = new BerReader(input, options);
  let elements = 0;
  for (;;) {
    const h = await reader.next();
    if (h === null) {
      if (reader.depth === 0) break;
      continue;
    }
    elements++;
    if (h.constructed) reader.enter(h);
    else for await (const _ of reader.contents(h)) void _;
  }
  await reader.finish();
  return elements;
}

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof NiemError, `not a NiemError: ${String(err)}`);
    assert.equal(err.kind, 'malformed', err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

function refusedSync(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NiemError, `not a NiemError: ${String(err)}`);
    assert.equal(err.kind, 'malformed', err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

interface Attack {
  readonly name: string;
  readonly hex: string;
  /** Expected message from the streaming reader. */
  readonly reader: RegExp;
  /** Expected message from the tree decoder (defaults to `reader`). */
  readonly decoder?: RegExp;
  readonly options?: BerReaderOptions;
}

const attacks: Attack[] = [
  { name: 'empty input', hex: '', reader: /the input is empty/ },
  { name: 'header cut after the identifier', hex: '30', reader: /input ends inside a header/ },
  {
    name: 'high tag number cut short',
    hex: '1f81',
    reader: /input ends inside a header/,
  },
  {
    name: 'long-form length cut short',
    hex: '0482 01',
    reader: /input ends inside a header/,
  },
  {
    name: 'contents cut short',
    hex: '0405 0102',
    reader: /input ends inside OCTET STRING started at offset 0: 3 more bytes expected/,
    decoder: /OCTET STRING of 5 bytes runs past the end of the input \(2 bytes remain\)/,
  },
  {
    name: 'end-of-contents missing',
    hex: '3080 020101',
    reader: /input ends inside SEQUENCE started at offset 0 \(end-of-contents missing\)/,
    decoder: /input ends inside SEQUENCE at offset 0 \(end-of-contents missing\)/,
  },
  {
    name: 'length past the known end of the input',
    hex: '0484 7fffffff 00',
    options: { totalLength: 7 },
    reader: /runs past the end of the input \(1 bytes remain\)/,
  },
  {
    name: 'child longer than its parent',
    hex: '3003 0405 0000000000',
    reader: /OCTET STRING of 5 bytes runs 4 bytes past the end of SEQUENCE at offset 0/,
  },
  {
    name: 'header crossing the end of its parent',
    hex: '3001 0400',
    reader: /header crosses the end of SEQUENCE at offset 0/,
  },
  { name: 'length of 2^53', hex: '0487 20000000000000', reader: /length of 2\^53 bytes or more/ },
  {
    name: 'length of 2^64-1',
    hex: '0488 ffffffffffffffff',
    reader: /length of 2\^53 bytes or more/,
  },
  { name: 'nine length octets', hex: '0489 010000000000000000', reader: /length in 9 octets/ },
  { name: 'reserved length octet', hex: '04ff', reader: /reserved length octet 0xFF/ },
  {
    name: 'length with a leading zero',
    hex: '0482 0005 0102030405',
    reader: /long-form length with a leading zero octet/,
  },
  {
    name: 'indefinite length on a primitive',
    hex: '0480 0102 0000',
    reader: /indefinite length on a primitive OCTET STRING/,
  },
  { name: 'tag number 2^31', hex: '1f88808080 00 00', reader: /tag number of 2\^31 or more/ },
  { name: 'tag number in 6 octets', hex: '1f818080808000 00', reader: /longer than 5 octets/ },
  { name: 'padded tag number', hex: '1f8001 00', reader: /tag number with a leading zero group/ },
  {
    name: 'small tag number in the long form',
    hex: '1f1e 00',
    reader: /tag number 30 in the long form/,
  },
  {
    name: 'end-of-contents at the top',
    hex: '0000',
    reader: /end-of-contents \(00 00\) at the top level/,
  },
  {
    name: 'end-of-contents in a definite-length element',
    hex: '3002 0000',
    reader: /end-of-contents \(00 00\) inside definite-length SEQUENCE/,
  },
  {
    name: 'end-of-contents with a length',
    hex: '3080 0001 00',
    reader: /reserved for end-of-contents/,
  },
  { name: 'constructed tag 0', hex: '3080 2000', reader: /reserved for end-of-contents/ },
  {
    name: 'trailing garbage',
    hex: '020101 ff',
    reader: /trailing bytes after the top-level element/,
  },
  {
    name: 'trailing bytes after an indefinite element',
    hex: '3080 0000 00',
    reader: /trailing bytes after the top-level element/,
  },
  { name: 'constructed INTEGER', hex: '2203 020101', reader: /constructed INTEGER/ },
  { name: 'primitive SEQUENCE', hex: '1000', reader: /primitive SEQUENCE/ },
  {
    name: 'indefinite length in DER',
    hex: '3080 0000',
    options: { der: true },
    reader: /indefinite length \(DER requires definite lengths\)/,
  },
  {
    name: 'long-form short length in DER',
    hex: '0481 05 0102030405',
    options: { der: true },
    reader: /length 5 in the long form \(DER requires the short form\)/,
  },
];

describe('hostile encodings', () => {
  for (const attack of attacks) {
    it(`refuses ${attack.name}`, async () => {
      const input = bytes(attack.hex);
      await refused(walk(input, attack.options), attack.reader);
      await refused(walk(singleBytes(input), attack.options), attack.reader);
      if (attack.options?.totalLength === undefined) {
        refusedSync(() => decodeBer(input, attack.options), attack.decoder ?? attack.reader);
      }
    });
  }

  it('accepts in BER what the DER attacks refuse', async () => {
    assert.equal(await walk(bytes('3080 0000')), 1);
    assert.equal(await walk(bytes('0481 05 0102030405')), 1);
    assert.equal(await walk(bytes('020101 ff'), { trailing: 'ignore' }), 1);
    decodeBer(bytes('020101 ff'), { trailing: 'ignore' });
  });

  it('refuses trailing bytes at finish() right after the top element closes', async () => {
    for (const hex of ['3003 020101 ff', '3080 020101 0000 ff', '3080 3003 020101 0000 00']) {
      const reader = new BerReader(bytes(hex));
      const top = await reader.next();
      assert.ok(top);
      reader.enter(top);
      const inner = await reader.next();
      assert.ok(inner);
      await reader.readWhole(inner);
      await refused(reader.finish(), /trailing bytes after the top-level element/);
    }
    const clean = new BerReader(bytes('3080 020101 0000'));
    const top = await clean.next();
    assert.ok(top);
    clean.enter(top);
    const inner = await clean.next();
    assert.ok(inner);
    await clean.readWhole(inner);
    await clean.finish();
  });

  it('refuses every truncation of a valid encoding', async () => {
    const inner = sequence(oid('1.2.840.113549.1.7.1'), integer(123456789n));
    const ber = concatBytes([
      bytes('3080 a080 2480'),
      octetString(new Uint8Array(300).fill(1)),
      bytes('0000 0000'),
      inner,
      bytes('0000'),
    ]);
    await walk(ber);
    for (let cut = 0; cut < ber.length; cut++) {
      const prefix = ber.subarray(0, cut);
      await refused(walk(singleBytes(prefix)), /input ends|input is empty/);
      refusedSync(
        () => decodeBer(prefix),
        /input ends|runs past the end of the input|input is empty/,
      );
    }
  });

  it('refuses segments of a constructed string that are not OCTET STRINGs', async () => {
    const reader = new BerReader(bytes('2480 020101 0000'));
    const h = await reader.next();
    assert.ok(h !== null);
    await refused(reader.readContents(h), /INTEGER inside a constructed string/);
    await refused(reader.next(), /INTEGER inside a constructed string/);
  });

  it('refuses constructed strings in DER mode', async () => {
    const reader = new BerReader(bytes('a003 040101'), { der: true });
    const h = await reader.next();
    assert.ok(h !== null);
    await refused(reader.readContents(h), /DER requires primitive strings/);
  });

  it('refuses elements too large to hold in memory before reading them', async () => {
    const reader = new BerReader([bytes('0484 40000000 00')], { maxWhole: 1024 });
    const h = await reader.next();
    assert.ok(h !== null);
    await refused(
      reader.readNode(h),
      /OCTET STRING of 1073741830 bytes or more is larger than the 1024-byte limit/,
    );
    const indefinite = concatBytes([
      bytes('3080'),
      ...Array.from({ length: 100 }, () => octetString(new Uint8Array(20))),
      bytes('0000'),
    ]);
    const r2 = new BerReader(indefinite, { maxWhole: 1000 });
    const h2 = await r2.next();
    assert.ok(h2 !== null);
    await refused(r2.readWhole(h2), /larger than the 1000-byte limit/);
    const r3 = new BerReader(indefinite, { maxWhole: 1000 });
    const h3 = await r3.next();
    assert.ok(h3 !== null);
    await refused(r3.readContents(h3, 100), /larger than the 100-byte limit/);
  });

  it('refuses trees of more than maxNodes elements', () => {
    const many = sequence(...Array.from({ length: 1001 }, () => nullValue()));
    refusedSync(() => decodeBer(many, { maxNodes: 1000 }), /more than 1000 elements/);
    decodeBer(many, { maxNodes: 1002 });
  });

  it('keeps refusing after the first refusal', async () => {
    const reader = new BerReader(bytes('3003 0405 0000000000'));
    const top = await reader.next();
    assert.ok(top !== null);
    reader.enter(top);
    await refused(reader.next(), /past the end of SEQUENCE/);
    await refused(reader.next(), /past the end of SEQUENCE/);
    await refused(reader.finish(), /past the end of SEQUENCE/);
  });
});

describe('deep nesting', () => {
  const levels = 10_000;
  const indefinite = concatBytes([
    ...Array.from({ length: levels }, () => bytes('3080')),
    ...Array.from({ length: levels }, () => bytes('0000')),
  ]);
  let definite = nullValue();
  for (let i = 0; i < levels; i++)
    definite = concatBytes([encodeHeader('universal', true, 16, definite.length), definite]);

  it('refuses 10,000 nested levels at the depth limit', async () => {
    for (const input of [indefinite, definite]) {
      await refused(walk(input), /nesting deeper than 64 levels/);
      refusedSync(() => decodeBer(input), /nesting deeper than 64 levels/);
      const reader = new BerReader(input);
      const top = await reader.next();
      assert.ok(top !== null);
      await refused(reader.readNode(top), /nesting deeper than 64 levels/);
    }
    const reader = new BerReader(indefinite);
    const top = await reader.next();
    assert.ok(top !== null);
    await refused(reader.skip(top), /nesting deeper than 64 levels/);
  });

  it('walks, skips, reads whole and decodes 10,000 levels without stack overflow when allowed', async () => {
    const options = { maxDepth: levels + 1 };
    for (const input of [indefinite, definite]) {
      assert.equal(await walk(input, options), input === definite ? levels + 1 : levels);
      let node = decodeBer(input, { ...options, maxNodes: levels + 1 });
      let depth = 0;
      while (node.constructed && node.children.length > 0) {
        node = node.children[0] as typeof node;
        depth++;
      }
      assert.equal(depth, input === definite ? levels : levels - 1);
      const r1 = new BerReader(input, options);
      const t1 = await r1.next();
      assert.ok(t1 !== null);
      await r1.skip(t1);
      await r1.finish();
      const r2 = new BerReader(input, { ...options, maxWhole: input.length });
      const t2 = await r2.next();
      assert.ok(t2 !== null);
      assert.deepEqual(await r2.readWhole(t2), input);
    }
    refusedSync(
      () => decodeDer(definite, { maxDepth: levels + 1, maxNodes: 10 }),
      /more than 10 elements/,
    );
  });
});
