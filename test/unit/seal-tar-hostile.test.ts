/**
 * Hostile input to the tar layer: the file-name rule (single file names that cannot
 * leave the output folder and work on Windows; clashes ignore case and normalisation),
 * and crafted archives — hostile names, links and devices, bad checksums, truncation,
 * oversized pax headers, wrong first member, documents that differ from the manifest.
 * Each is refused with its kind, and nothing is yielded after the refusal.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import { serializeManifest, type Manifest } from '../../native/seal/manifest.ts';
import { readNiemBody } from '../../native/seal/tar/body.ts';
import { detectBody } from '../../native/seal/tar/detect.ts';
import { encodePaxRecords, headerChecksum } from '../../native/seal/tar/header.ts';
import { readTar } from '../../native/seal/tar/reader.ts';
import { writeTar } from '../../native/seal/tar/writer.ts';
import {
  assertSafeName,
  isSafeName,
  nameKey,
  safeOutputPath,
  unsafeNameReason,
} from '../../native/seal/tar/names.ts';

/** Every hostile name the reader, the writer and the manifest must refuse. */
const hostileNames: ReadonlyArray<readonly [string, string]> = [
  ['absolute path', '/etc/x'],
  ['parent segment', '../x'],
  ['parent segments inside', 'a/../../x'],
  ['nested folder', 'a/b'],
  ['trailing slash', 'x/'],
  ['backslash drive path', 'C:\\x'],
  ['backslash', 'a\\b'],
  ['drive-relative', 'C:x'],
  ['colon (alternate data stream)', 'a.txt:stream'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['escape', '\u001b[31mred'],
  ['DEL', 'a\u007f'],
  ['C1 (NEL)', 'a\u0085b'],
  ['C1 (CSI)', '\u009b1m.txt'],
  ['bidi override', 'invoice\u202Efdp.exe'],
  ['bidi isolate', 'a\u2066b.pdf'],
  ['CON', 'CON'],
  ['con (lower case)', 'con'],
  ['PRN with extension', 'prn.txt'],
  ['AUX with trailing space before dot', 'AUX .pdf'],
  ['NUL with two extensions', 'Nul.tar.gz'],
  ['COM1', 'COM1'],
  ['com9.doc', 'com9.doc'],
  ['LPT1', 'LPT1'],
  ['lpt9 with extension', 'Lpt9.Docx'],
  ['COM superscript', 'COM¹'],
  ['CONIN$', 'CONIN$'],
  ['trailing dot', 'report.'],
  ['trailing space', 'report.pdf '],
  ['dot', '.'],
  ['dot dot', '..'],
  ['empty', ''],
  ['wildcard', 'a*.pdf'],
  ['question mark', 'what?.pdf'],
  ['quotes and angle brackets', '"<x>".pdf'],
  ['pipe', 'a|b'],
  ['256 bytes', 'a'.repeat(252) + '.pdf'],
  ['256 bytes of Vietnamese', 'đ'.repeat(128)],
];

describe('member names', () => {
  for (const [label, name] of hostileNames) {
    it(`refuses ${label}`, () => {
      assert.notEqual(unsafeNameReason(name), null);
      assert.equal(isSafeName(name), false);
      assert.throws(
        () => assertSafeName(name),
        (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
      );
    });
  }

  it('accepts ordinary and Vietnamese names, up to 255 bytes', () => {
    for (const name of [
      'manifest.json',
      'Báo cáo tổng kết năm 2024.pdf',
      'Quyết định số 7816-QĐ-VPCP (bản chính).docx',
      'a',
      '.hidden',
      'CONTENT.txt',
      'console.log',
      'COM10',
      'LPT0x',
      'auxiliary.pdf',
      'nul_file',
      'a'.repeat(251) + '.pdf',
      'đ'.repeat(127) + 'a',
      'tệp #1 & [2] {3} 50%.pdf',
    ]) {
      assert.equal(unsafeNameReason(name), null, name);
    }
  });

  it('never repeats the name in its message', () => {
    try {
      assertSafeName('../SECRET-NAME');
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof NiemError);
      assert.ok(!err.message.includes('SECRET-NAME'));
    }
  });

  it('makes clashing names the same key: case and NFC/NFD', () => {
    const nfc = 'Báo cáo.pdf'.normalize('NFC');
    const nfd = 'Báo cáo.pdf'.normalize('NFD');
    assert.notEqual(nfc, nfd);
    assert.equal(nameKey(nfc), nameKey(nfd));
    assert.equal(nameKey('BÁO CÁO.PDF'), nameKey(nfc));
    assert.notEqual(nameKey('bao cao.pdf'), nameKey(nfc));
  });
});

describe('safeOutputPath', () => {
  const dir = path.resolve('/tmp/niem-out');

  it('puts a safe name directly in the folder', () => {
    assert.equal(safeOutputPath(dir, 'Báo cáo.pdf'), path.join(dir, 'Báo cáo.pdf'));
    assert.equal(safeOutputPath(`${dir}/./sub/..`, 'a.pdf'), path.join(dir, 'a.pdf'));
  });

  it('refuses every hostile name', () => {
    for (const [label, name] of hostileNames) {
      assert.throws(
        () => safeOutputPath(dir, name),
        (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
        label,
      );
    }
  });
});

// ---------------------------------------------------------------------------------
// Crafted archives: a tiny independent encoder so tests can write what Niêm never would.

const enc = new TextEncoder();

interface RawHeaderOptions {
  name?: string | Uint8Array;
  typeflag?: string;
  size?: number;
  prefix?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  linkname?: string;
  /** Raw text of the 12-byte size field. */
  sizeField?: string;
  /** Added to the correct checksum. */
  checksumDelta?: number;
}

function rawHeader(o: RawHeaderOptions = {}): Uint8Array {
  const b = new Uint8Array(512);
  const put = (off: number, text: string | Uint8Array) =>
    b.set(typeof text === 'string' ? enc.encode(text) : text, off);
  put(0, o.name ?? 'file.txt');
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, o.sizeField ?? `${(o.size ?? 0).toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  put(156, o.typeflag ?? '0');
  put(157, o.linkname ?? '');
  const magic = o.magic ?? 'ustar';
  if (magic === 'ustar') put(257, 'ustar\u000000');
  if (magic === 'gnu') put(257, 'ustar  \0');
  if (o.prefix !== undefined) put(345, o.prefix);
  put(148, `${(headerChecksum(b) + (o.checksumDelta ?? 0)).toString(8).padStart(6, '0')}\0 `);
  return b;
}

function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

function member(
  name: string | Uint8Array,
  content: string | Uint8Array = '',
  extra: RawHeaderOptions = {},
): Uint8Array[] {
  const data = typeof content === 'string' ? enc.encode(content) : content;
  return [rawHeader({ name, size: data.length, ...extra }), pad(data)];
}

function paxMember(
  records: Array<[string, string]>,
  name: string | Uint8Array,
  content = '',
  typeflag = 'x',
): Uint8Array[] {
  const data = encodePaxRecords(records);
  return [
    rawHeader({ name: 'PaxHeaders/x', typeflag, size: data.length }),
    pad(data),
    ...member(name, content),
  ];
}

const END = new Uint8Array(1024);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* chunks(bytes: Uint8Array, size = 100): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Reads every entry, collecting names; returns the names and the error (if any). */
async function readAll(bytes: Uint8Array): Promise<{ names: string[]; error: unknown }> {
  const names: string[] = [];
  try {
    for await (const entry of readTar(chunks(bytes, 77))) {
      names.push(entry.name);
      for await (const _ of entry.body) {
        // drain
      }
    }
    return { names, error: undefined };
  } catch (error) {
    return { names, error };
  }
}

function assertKind(error: unknown, kind: ErrorKind, label = ''): void {
  assert.ok(error instanceof NiemError, `${label}: expected NiemError, got ${String(error)}`);
  assert.equal(error.kind, kind, `${label}: ${error.message}`);
}

describe('tar reader: hostile names', () => {
  it('reads a well-formed crafted archive (the encoder itself is right)', async () => {
    const { names, error } = await readAll(
      concat([...member('a.txt', 'x'), ...member('b.txt'), END]),
    );
    assert.equal(error, undefined);
    assert.deepEqual(names, ['a.txt', 'b.txt']);
  });

  for (const [label, name] of hostileNames) {
    it(`refuses ${label} (pax path) with unsafe-name, nothing after`, async () => {
      const bytes = concat([
        ...member('before.txt', 'x'),
        ...paxMember([['path', name]], 'fallback.txt', 'evil'),
        ...member('after.txt', 'y'),
        END,
      ]);
      const { names, error } = await readAll(bytes);
      assertKind(error, name === '' ? 'malformed' : 'unsafe-name', label);
      assert.deepEqual(names, ['before.txt']);
    });

    const bytes = enc.encode(name);
    if (bytes.length <= 100 && !bytes.includes(0)) {
      it(`refuses ${label} (ustar name) with unsafe-name, nothing after`, async () => {
        const archive = concat([
          ...member('before.txt', 'x'),
          ...member(bytes, 'evil'),
          ...member('after.txt'),
          END,
        ]);
        const { names, error } = await readAll(archive);
        assertKind(error, 'unsafe-name', label);
        assert.deepEqual(names, ['before.txt']);
      });
    }
  }

  it('refuses a name split over prefix and name (ustar folders)', async () => {
    const { names, error } = await readAll(
      concat([...member('x.txt', 'a', { prefix: '../etc' }), END]),
    );
    assertKind(error, 'unsafe-name');
    assert.deepEqual(names, []);
  });

  it('refuses a name that is not UTF-8', async () => {
    const { error } = await readAll(concat([...member(new Uint8Array([0x61, 0xff, 0x62])), END]));
    assertKind(error, 'unsafe-name');
  });

  it('refuses duplicates that differ only by case or normalisation', async () => {
    for (const second of ['BÁO CÁO.PDF', 'Báo cáo.pdf'.normalize('NFD'), 'báo cáo.pdf']) {
      const archive = concat([
        ...paxMember([['path', 'Báo cáo.pdf'.normalize('NFC')]], 'a'),
        ...paxMember([['path', second]], 'b'),
        ...member('after.txt'),
        END,
      ]);
      const { names, error } = await readAll(archive);
      assertKind(error, 'unsafe-name', second);
      assert.deepEqual(names, ['Báo cáo.pdf']);
    }
  });

  for (const [flag, what] of [
    ['1', 'hard link'],
    ['2', 'symbolic link'],
    ['3', 'character device'],
    ['4', 'block device'],
    ['5', 'folder'],
    ['6', 'FIFO'],
  ] as const) {
    it(`refuses a ${what} with unsafe-name`, async () => {
      const archive = concat([
        ...member('before.txt'),
        rawHeader({ name: 'innocent', typeflag: flag, linkname: '/etc/passwd' }),
        ...member('after.txt'),
        END,
      ]);
      const { names, error } = await readAll(archive);
      assertKind(error, 'unsafe-name', what);
      assert.deepEqual(names, ['before.txt']);
    });
  }

  for (const flag of ['L', 'K', 'S', 'D', 'M', 'V', '7', 'A', 'z']) {
    it(`refuses entry type ${flag} with malformed`, async () => {
      const { names, error } = await readAll(
        concat([...member('before.txt'), rawHeader({ name: 'x', typeflag: flag, size: 0 }), END]),
      );
      assertKind(error, 'malformed', flag);
      assert.deepEqual(names, ['before.txt']);
    });
  }
});

describe('tar reader: broken archives', () => {
  const good = concat([...member('a.txt', 'hello'), ...member('b.txt', 'x'.repeat(700)), END]);

  const cases: Array<[string, Uint8Array, ErrorKind]> = [
    ['bad checksum', concat([...member('a.txt', 'hello', { checksumDelta: 1 }), END]), 'malformed'],
    [
      'bad magic (v7 header)',
      concat([...member('a.txt', 'hello', { magic: 'v7' }), END]),
      'malformed',
    ],
    [
      'non-octal size',
      concat([...member('a.txt', '', { sizeField: '0000000009x\0' }), END]),
      'malformed',
    ],
    [
      'negative base-256 size',
      concat([rawHeader({ name: 'a', sizeField: '\xff'.repeat(12) }), END]),
      'malformed',
    ],
    ['truncated in a header', good.subarray(0, 700), 'malformed'],
    ['truncated in content', good.subarray(0, 1024 + 300), 'malformed'],
    ['truncated at a block boundary', good.subarray(0, 1024), 'malformed'],
    ['no end-of-archive blocks', good.subarray(0, good.length - 1024), 'malformed'],
    ['a lone zero block', good.subarray(0, good.length - 512), 'malformed'],
    ['data after the end', concat([good, enc.encode('hidden')]), 'malformed'],
    ['empty input', new Uint8Array(0), 'malformed'],
    [
      'oversized pax header',
      concat([...paxMember([['comment', 'x'.repeat(70_000)]], 'a.txt'), END]),
      'malformed',
    ],
    [
      'pax record with a wrong length',
      concat([
        rawHeader({ name: 'p', typeflag: 'x', size: 12 }),
        pad(enc.encode('99 path=a.t\n')),
        ...member('a'),
        END,
      ]),
      'malformed',
    ],
    [
      'pax record without newline',
      concat([
        rawHeader({ name: 'p', typeflag: 'x', size: 11 }),
        pad(enc.encode('11 path=abc')),
        ...member('a'),
        END,
      ]),
      'malformed',
    ],
    [
      'pax size not a number',
      concat([...paxMember([['size', '12abc']], 'a.txt'), END]),
      'malformed',
    ],
    [
      'pax size beyond 2^53',
      concat([...paxMember([['size', '9999999999999999']], 'a.txt'), END]),
      'malformed',
    ],
    [
      'pax sparse file',
      concat([...paxMember([['GNU.sparse.size', '10']], 'a.txt'), END]),
      'malformed',
    ],
    [
      'pax binary names',
      concat([...paxMember([['hdrcharset', 'BINARY']], 'a.txt'), END]),
      'malformed',
    ],
    ['pax empty path', concat([...paxMember([['path', '']], 'a.txt'), END]), 'malformed'],
    [
      'pax global path',
      concat([...paxMember([['path', 'b.txt']], 'a.txt', '', 'g'), END]),
      'malformed',
    ],
    [
      'two pax headers in a row',
      concat([
        ...paxMember([['path', 'a.txt']], 'PaxHeaders/y', '', 'x').slice(0, 2),
        ...paxMember([['path', 'b.txt']], 'c.txt'),
        END,
      ]),
      'malformed',
    ],
    [
      'pax header then the end',
      concat([...paxMember([['path', 'a.txt']], 'x').slice(0, 2), END]),
      'malformed',
    ],
    ['a chunk that is not bytes', new Uint8Array(0), 'invalid-input'],
  ];

  for (const [label, bytes, kind] of cases) {
    it(`refuses ${label}`, async () => {
      if (label === 'a chunk that is not bytes') {
        const source = (async function* () {
          yield 'text' as unknown as Uint8Array;
        })();
        await assert.rejects(
          async () => {
            for await (const _ of readTar(source)) {
              // nothing
            }
          },
          (err: unknown) => err instanceof NiemError && err.kind === kind,
        );
        return;
      }
      const { error } = await readAll(bytes);
      assertKind(error, kind, label);
    });
  }

  it('accepts pax records it ignores (times, SCHILY, comments) and a global header without path or size', async () => {
    const bytes = concat([
      ...paxMember([['comment', 'made by a test']], 'ignored')
        .slice(0, 2)
        .map((b, i) =>
          i === 0
            ? rawHeader({
                name: 'g',
                typeflag: 'g',
                size: encodePaxRecords([['comment', 'made by a test']]).length,
              })
            : b,
        ),
      ...paxMember(
        [
          ['mtime', '1700000000.123456789'],
          ['SCHILY.xattr.user.x', 'y'],
          ['path', 'Tờ trình.pdf'],
        ],
        'fallback',
        'nội dung',
      ),
      END,
    ]);
    const { names, error } = await readAll(bytes);
    assert.equal(error, undefined, String(error));
    assert.deepEqual(names, ['Tờ trình.pdf']);
  });

  it('accepts GNU magic and positive base-256 sizes, trailing zero padding to a record', async () => {
    const size = new Uint8Array(12);
    size[0] = 0x80;
    size[11] = 5;
    const header = rawHeader({ name: 'a.txt', magic: 'gnu', sizeField: '' });
    header.set(size, 124);
    header.set(enc.encode('        '), 148);
    header.set(enc.encode(`${headerChecksum(header).toString(8).padStart(6, '0')}\0 `), 148);
    const { names, error } = await readAll(
      concat([header, pad(enc.encode('hello')), END, new Uint8Array(8192)]),
    );
    assert.equal(error, undefined, String(error));
    assert.deepEqual(names, ['a.txt']);
  });

  it('enforces reading each body before the next entry, and reading it once', async () => {
    const reader = readTar(chunks(good));
    const first = await reader.next();
    assert.equal(first.done, false);
    await assert.rejects(
      reader.next(),
      (err: unknown) => err instanceof NiemError && err.kind === 'internal',
    );

    const again = readTar(chunks(good));
    const entry = await again.next();
    assert.ok(entry.done === false);
    for await (const _ of entry.value.body) {
      // drain
    }
    assert.throws(
      () => entry.value.body[Symbol.asyncIterator](),
      (err: unknown) => err instanceof NiemError,
    );
    const second = await again.next();
    assert.equal(second.done === false && second.value.name, 'b.txt');
  });

  it('the writer refuses hostile and duplicate names too', async () => {
    for (const [label, name] of hostileNames) {
      await assert.rejects(
        async () => {
          for await (const _ of writeTar([{ name, size: 0, content: new Uint8Array(0) }])) {
            // nothing
          }
        },
        (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
        label,
      );
    }
    await assert.rejects(
      async () => {
        const entries = [
          { name: 'Tệp.pdf', size: 0, content: new Uint8Array(0) },
          { name: 'TỆP.pdf', size: 0, content: new Uint8Array(0) },
        ];
        for await (const _ of writeTar(entries)) {
          // nothing
        }
      },
      (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
    );
  });

  it('the writer refuses content longer or shorter than declared', async () => {
    for (const [size, data] of [
      [3, 'four'],
      [5, 'four'],
    ] as const) {
      await assert.rejects(
        async () => {
          for await (const _ of writeTar([{ name: 'a.txt', size, content: enc.encode(data) }])) {
            // nothing
          }
        },
        (err: unknown) => err instanceof NiemError && err.kind === 'invalid-input',
      );
    }
  });
});

// ---------------------------------------------------------------------------------
// Niêm bodies: the manifest first, then exactly its documents.

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function manifestFor(
  docs: Array<[string, Uint8Array]>,
  level: Manifest['securityLevel'] = 'toi-mat',
): Manifest {
  return {
    formatVersion: 1,
    securityLevel: level,
    documents: docs.map(([name, data]) => ({
      name,
      size: data.length,
      sha256: sha(data),
      mediaType: 'application/pdf',
    })),
  };
}

async function readBody(bytes: Uint8Array): Promise<{ docs: string[]; error: unknown }> {
  const docs: string[] = [];
  try {
    const body = await readNiemBody(chunks(bytes, 131));
    for await (const doc of body.documents) {
      let n = 0;
      for await (const c of doc.body) n += c.length;
      docs.push(`${doc.name}:${n}`);
    }
    return { docs, error: undefined };
  } catch (error) {
    return { docs, error };
  }
}

describe('Niêm body reader: refusals', () => {
  const a = enc.encode('văn bản A');
  const b = enc.encode('văn bản B'.repeat(100));
  const manifest = serializeManifest(
    manifestFor([
      ['a.pdf', a],
      ['b.pdf', b],
    ]),
  );

  it('reads the crafted body', async () => {
    const { docs, error } = await readBody(
      concat([
        ...member('manifest.json', manifest),
        ...member('a.pdf', a),
        ...member('b.pdf', b),
        END,
      ]),
    );
    assert.equal(error, undefined, String(error));
    assert.deepEqual(docs, [`a.pdf:${a.length}`, `b.pdf:${b.length}`]);
  });

  const cases: Array<[string, Uint8Array[], ErrorKind, string[]]> = [
    [
      'a first member other than manifest.json',
      [...member('a.pdf', a), ...member('manifest.json', manifest)],
      'malformed',
      [],
    ],
    ['./manifest.json (folder form)', [...member('./manifest.json', manifest)], 'unsafe-name', []],
    ['an empty archive', [], 'malformed', []],
    ['a manifest that is not JSON', [...member('manifest.json', 'not json')], 'malformed', []],
    [
      'a manifest over 1 MiB',
      [...member('manifest.json', new Uint8Array(1024 * 1024 + 1).fill(0x20))],
      'malformed',
      [],
    ],
    [
      'a document missing',
      [...member('manifest.json', manifest), ...member('a.pdf', a)],
      'malformed',
      [`a.pdf:${a.length}`],
    ],
    [
      'an extra member',
      [
        ...member('manifest.json', manifest),
        ...member('a.pdf', a),
        ...member('b.pdf', b),
        ...member('c.pdf', a),
      ],
      'malformed',
      [`a.pdf:${a.length}`, `b.pdf:${b.length}`],
    ],
    [
      'documents out of order',
      [...member('manifest.json', manifest), ...member('b.pdf', b), ...member('a.pdf', a)],
      'malformed',
      [],
    ],
    [
      'a document with other content (same size)',
      [
        ...member('manifest.json', manifest),
        ...member('a.pdf', enc.encode('văn bản X')),
        ...member('b.pdf', b),
      ],
      'tampered',
      [],
    ],
    [
      'a document with another size',
      [
        ...member('manifest.json', manifest),
        ...member('a.pdf', enc.encode('văn bản AA')),
        ...member('b.pdf', b),
      ],
      'tampered',
      [],
    ],
    [
      'a hostile member after the manifest',
      [...member('manifest.json', manifest), ...member('../a.pdf', a)],
      'unsafe-name',
      [],
    ],
  ];
  for (const [label, parts, kind, expectDocs] of cases) {
    it(`refuses ${label} with ${kind}`, async () => {
      const { docs, error } = await readBody(concat([...parts, END]));
      assertKind(error, kind, label);
      assert.deepEqual(docs, expectDocs);
    });
  }

  it('withholds the last chunk of a document whose SHA-256 differs', async () => {
    const big = new Uint8Array(5000).fill(7);
    const m = serializeManifest(manifestFor([['big.pdf', big]]));
    const bad = big.slice();
    bad[4999] = 8;
    const body = await readNiemBody(
      chunks(concat([...member('manifest.json', m), ...member('big.pdf', bad), END]), 1000),
    );
    let received = 0;
    await assert.rejects(
      async () => {
        for await (const doc of body.documents) {
          for await (const c of doc.body) received += c.length;
        }
      },
      (err: unknown) => err instanceof NiemError && err.kind === 'tampered',
    );
    assert.ok(received < big.length, `received ${received}`);
  });

  it('refuses an empty document whose listed SHA-256 is not the empty one', async () => {
    const m = manifestFor([['empty.pdf', new Uint8Array(0)]]);
    const doc = m.documents[0];
    assert.ok(doc !== undefined);
    doc.sha256 = 'a'.repeat(64);
    const { error } = await readBody(
      concat([...member('manifest.json', serializeManifest(m)), ...member('empty.pdf'), END]),
    );
    assertKind(error, 'tampered');
  });

  it('enforces reading each document before the next', async () => {
    const body = await readNiemBody(
      chunks(
        concat([
          ...member('manifest.json', manifest),
          ...member('a.pdf', a),
          ...member('b.pdf', b),
          END,
        ]),
      ),
    );
    const first = await body.documents.next();
    assert.equal(first.done, false);
    await assert.rejects(
      body.documents.next(),
      (err: unknown) => err instanceof NiemError && err.kind === 'internal',
    );
  });
});

describe('detectBody', () => {
  const m = serializeManifest(manifestFor([]));
  it('says niem-tar for a body starting with manifest.json (ustar or pax-first)', () => {
    assert.equal(detectBody(concat([...member('manifest.json', m), END])), 'niem-tar');
    const paxFirst = concat([...paxMember([['mtime', '1']], 'manifest.json'), END]);
    assert.equal(detectBody(paxFirst), 'niem-tar');
    const gnuNamed = concat([
      rawHeader({ name: './PaxHeaders.123/manifest.json', typeflag: 'x', size: 600 }),
    ]);
    assert.equal(detectBody(gnuNamed.subarray(0, 512)), 'niem-tar');
  });

  it('says foreign for anything else', () => {
    for (const bytes of [
      new Uint8Array(0),
      enc.encode('%PDF-1.7 a plain document'),
      new Uint8Array(512),
      concat([...member('a.pdf', 'x'), END]),
      concat([...member('manifest.json', m, { checksumDelta: 1 }), END]),
      concat([...member('manifest.json', m, { magic: 'v7' }), END]),
      concat([...paxMember([['path', 'other.json']], 'manifest.json'), END]),
      concat([rawHeader({ name: 'manifest.json', typeflag: '2' }), END]),
      new Uint8Array(4096).fill(0xff),
    ]) {
      assert.equal(detectBody(bytes), 'foreign');
    }
  });
});
