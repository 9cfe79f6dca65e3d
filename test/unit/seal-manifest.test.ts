/**
 * manifest.json: the schema (edXML names, explicit level, bounded, strict), parse errors
 * that name the field and never the value, canonical serialisation; and the levels and
 * urgencies it refers to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import {
  compareLevels,
  compareUrgencies,
  envelopeLetterLabels,
  hidesSubjectInLists,
  isLevelCode,
  isSecretLevel,
  levelCodes,
  levelFromEnvelopeLetter,
  levelFromEssClassification,
  levels,
  urgencies,
  urgencyCodes,
} from '../../native/seal/levels.ts';
import { mediaTypeFor } from '../../native/seal/manifest-files.ts';
import {
  MAX_DOCUMENTS,
  MAX_MANIFEST_BYTES,
  manifestMtime,
  parseManifest,
  serializeManifest,
  type Manifest,
} from '../../native/seal/manifest.ts';

const enc = new TextEncoder();
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A complete sample: every field of the schema set. */
function sample(): Manifest {
  return {
    formatVersion: 1,
    securityLevel: 'toi-mat',
    from: {
      organId: '000.00.00.G22',
      organName: 'Văn phòng Chính phủ',
      organizationInCharge: 'Cục Kiểm soát thủ tục hành chính',
      address: '16 Lê Hồng Phong, Ba Đình, Hà Nội',
      email: 'vanthu@chinhphu.vn',
      telephone: '+84 24 3845 8567',
      fax: '024 3845 8567',
      website: 'https://chinhphu.vn',
    },
    to: [{ organId: 'H10.02.30.K04', organName: 'Ủy ban nhân dân tỉnh Bắc Ninh' }],
    code: { codeNumber: '7816', codeNotation: 'VPCP-TTĐT' },
    promulgationInfo: { place: 'Hà Nội', promulgationDate: '2024-12-31' },
    documentType: { type: 1, typeName: 'Công văn' },
    subject: 'V/v triển khai hệ thống trao đổi văn bản mật\ndòng thứ hai',
    signerInfo: { competence: 'KT. BỘ TRƯỞNG', position: 'Thứ trưởng', fullName: 'Nguyễn Văn A' },
    dueDate: '2025-01-15',
    toPlaces: ['Như trên', 'Lưu: VT, TTĐT'],
    otherInfo: {
      priority: 'hoa-toc-hen-gio',
      priorityDeadline: '2025-01-02T14:00:00+07:00',
      sphereOfPromulgation: 'Nội bộ',
      pageAmount: 3,
      appendixes: ['Phụ lục I'],
    },
    responseFor: { organId: 'H10.02.30.K04', code: '12/UBND-VX', promulgationDate: '2024-12-01' },
    protectionTerm: {
      years: 20,
      until: '2044-12-31',
      extension: { until: '2054-12-31', decidedOn: '2044-06-01' },
    },
    handlingMark: 'B',
    copyNumber: 2,
    outgoingRegisterNumber: '123/M',
    incomingRegisterNumber: '45',
    onlyNamedRecipient: true,
    documents: [
      { name: 'Công văn 7816.pdf', size: 0, sha256: SHA, mediaType: 'application/pdf' },
      {
        name: 'Phụ lục I.xlsx',
        size: 12_345_678_901,
        sha256: SHA,
        mediaType: 'application/vnd.ms-excel',
      },
    ],
  };
}

function bytesOf(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

function refusal(value: unknown): NiemError {
  try {
    parseManifest(bytesOf(value));
  } catch (err) {
    assert.ok(err instanceof NiemError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

function expectRefused(value: unknown, kind: ErrorKind, path: string): void {
  const err = refusal(value);
  assert.equal(err.kind, kind, err.message);
  assert.ok(err.message.includes(path), `"${err.message}" should name ${path}`);
}

type Path = ReadonlyArray<string | number>;
const DELETE = Symbol('delete');

/** A copy of the sample (as plain JSON) with the field at `path` set to `value` or deleted. */
function withField(path: Path, value: unknown, base: unknown = sample()): unknown {
  const copy: unknown = structuredClone(base);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? '';
  if (value === DELETE) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy;
}

/** Several edits in a row. */
function withFields(...edits: Array<[Path, unknown]>): unknown {
  let value: unknown = sample();
  for (const [path, v] of edits) value = withField(path, v, value);
  return value;
}

describe('manifest schema', () => {
  it('accepts the full sample and a minimal manifest', () => {
    assert.deepEqual(parseManifest(bytesOf(sample())), sample());
    const minimal = { formatVersion: 1, securityLevel: 'thuong', documents: [] };
    assert.deepEqual(parseManifest(bytesOf(minimal)), minimal);
  });

  for (const field of ['formatVersion', 'securityLevel', 'documents'] as const) {
    it(`refuses a manifest without ${field}`, () => {
      expectRefused(withField([field], DELETE), 'malformed', field);
    });
  }

  it('refuses a secret manifest without a level (never inferred)', () => {
    for (const value of [DELETE, null, 'MẬT', '', 'secret', 3]) {
      expectRefused(withField(['securityLevel'], value), 'malformed', 'securityLevel');
    }
  });

  const invalid: Array<[string, Path, unknown, string]> = [
    ['formatVersion 2', ['formatVersion'], 2, 'formatVersion'],
    ['an unknown top-level field', ['extra'], 1, 'extra'],
    ['an unknown nested field', ['from', 'secret'], 'x', 'from'],
    ['a bad OrganId', ['from', 'organId'], '000.00.G22', 'from.organId'],
    ['a lower-case OrganId', ['to', 0, 'organId'], 'h10.02.30.k04', 'to[0].organId'],
    ['an empty OrganName', ['from', 'organName'], '', 'from.organName'],
    ['a missing OrganName', ['from', 'organName'], DELETE, 'from.organName'],
    ['an empty recipient list', ['to'], [], 'to'],
    ['a bad e-mail', ['from', 'email'], 'not an address', 'from.email'],
    ['a javascript: website', ['from', 'website'], 'javascript:alert(1)', 'from.website'],
    ['a missing CodeNumber', ['code', 'codeNumber'], DELETE, 'code.codeNumber'],
    [
      'a dd/MM/yyyy date',
      ['promulgationInfo', 'promulgationDate'],
      '31/12/2024',
      'promulgationInfo.promulgationDate',
    ],
    ['an impossible date', ['dueDate'], '2025-02-30', 'dueDate'],
    ['a subject over 2000 characters', ['subject'], 'x'.repeat(2001), 'subject'],
    ['a control character in a subject', ['subject'], 'a\u0007b', 'subject'],
    ['a newline in a name', ['signerInfo', 'fullName'], 'A\nB', 'signerInfo.fullName'],
    ['a missing signer position', ['signerInfo', 'position'], DELETE, 'signerInfo.position'],
    ['an unknown urgency', ['otherInfo', 'priority'], 'rat-khan', 'otherInfo.priority'],
    [
      'hỏa tốc hẹn giờ without a deadline',
      ['otherInfo', 'priorityDeadline'],
      DELETE,
      'otherInfo.priorityDeadline',
    ],
    [
      'a deadline without hỏa tốc hẹn giờ',
      ['otherInfo', 'priority'],
      'khan',
      'otherInfo.priorityDeadline',
    ],
    [
      'a deadline without an offset',
      ['otherInfo', 'priorityDeadline'],
      '2025-01-02T14:00:00',
      'otherInfo.priorityDeadline',
    ],
    ['a zero page amount', ['otherInfo', 'pageAmount'], 0, 'otherInfo.pageAmount'],
    ['a fractional page amount', ['otherInfo', 'pageAmount'], 1.5, 'otherInfo.pageAmount'],
    [
      'a protection term over the level’s maximum',
      ['protectionTerm', 'years'],
      21,
      'protectionTerm.years',
    ],
    ['a protection term with neither years nor until', ['protectionTerm'], {}, 'protectionTerm'],
    [
      'an extension before the term ends',
      ['protectionTerm', 'extension', 'until'],
      '2030-01-01',
      'protectionTerm.extension.until',
    ],
    ['a handling mark of another level', ['handlingMark'], 'A', 'handlingMark'],
    ['a handling mark D', ['handlingMark'], 'D', 'handlingMark'],
    ['a zero copy number', ['copyNumber'], 0, 'copyNumber'],
    ['onlyNamedRecipient as a string', ['onlyNamedRecipient'], 'yes', 'onlyNamedRecipient'],
    ['an upper-case sha256', ['documents', 0, 'sha256'], SHA.toUpperCase(), 'documents[0].sha256'],
    ['a short sha256', ['documents', 0, 'sha256'], 'abc', 'documents[0].sha256'],
    ['a negative size', ['documents', 1, 'size'], -1, 'documents[1].size'],
    ['a size beyond 2^53', ['documents', 1, 'size'], 2 ** 53, 'documents[1].size'],
    ['a size as a string', ['documents', 1, 'size'], '12', 'documents[1].size'],
    ['a bad media type', ['documents', 0, 'mediaType'], 'pdf', 'documents[0].mediaType'],
    [
      'a media type with parameters',
      ['documents', 0, 'mediaType'],
      'text/plain; charset=utf-8',
      'documents[0].mediaType',
    ],
    ['a missing document name', ['documents', 0, 'name'], DELETE, 'documents[0].name'],
    ['a missing document sha256', ['documents', 1, 'sha256'], DELETE, 'documents[1].sha256'],
    ['an unknown document field', ['documents', 0, 'path'], '/x', 'documents[0]'],
    [
      'a bad ResponseFor date',
      ['responseFor', 'promulgationDate'],
      '2024-13-01',
      'responseFor.promulgationDate',
    ],
    ['the documents as an object', ['documents'], {}, 'documents'],
  ];
  for (const [label, path, value, named] of invalid) {
    it(`refuses ${label} (names ${named})`, () => {
      expectRefused(withField(path, value), 'malformed', named);
    });
  }

  const secretOnly = ['protectionTerm', 'handlingMark', 'onlyNamedRecipient'] as const;
  for (const field of secretOnly) {
    it(`refuses ${field} on a Thường package`, () => {
      const others = secretOnly
        .filter((f) => f !== field)
        .map((f): [Path, unknown] => [[f], DELETE]);
      expectRefused(withFields([['securityLevel'], 'thuong'], ...others), 'malformed', field);
    });
  }

  it('accepts each level with its own envelope letter and term', () => {
    for (const code of ['mat', 'toi-mat', 'tuyet-mat'] as const) {
      const value = withFields(
        [['securityLevel'], code],
        [['handlingMark'], levels[code].envelopeLetter],
        [['protectionTerm'], { years: levels[code].maxProtectionYears }],
      );
      assert.equal(parseManifest(bytesOf(value)).securityLevel, code);
    }
  });

  it('refuses unsafe and clashing document names with unsafe-name', () => {
    for (const name of [
      '../x.pdf',
      '/etc/passwd',
      'C:\\x',
      'CON.pdf',
      'a/b.pdf',
      'x\u0000',
      'manifest.json',
      'MANIFEST.JSON',
    ]) {
      expectRefused(withField(['documents', 0, 'name'], name), 'unsafe-name', 'documents[0].name');
    }
    expectRefused(
      withField(['documents', 1, 'name'], 'CÔNG VĂN 7816.PDF'.normalize('NFD')),
      'unsafe-name',
      'documents[1].name',
    );
  });

  it(`refuses more than ${MAX_DOCUMENTS} documents`, () => {
    const doc = { name: 'a.pdf', size: 1, sha256: SHA, mediaType: 'application/pdf' };
    const documents = Array.from({ length: MAX_DOCUMENTS + 1 }, (_, i) => ({
      ...doc,
      name: `${i}.pdf`,
    }));
    expectRefused({ formatVersion: 1, securityLevel: 'mat', documents }, 'malformed', 'documents');
    const most = { formatVersion: 1, securityLevel: 'mat', documents: documents.slice(1) };
    assert.equal(parseManifest(bytesOf(most)).documents.length, MAX_DOCUMENTS);
    // The canonical (indented) form of the largest list still fits in 1 MiB.
    assert.ok(serializeManifest(parseManifest(bytesOf(most))).length <= MAX_MANIFEST_BYTES);
  });

  it('refuses bytes that are not a 1 MiB UTF-8 JSON object without duplicate keys', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['over 1 MiB', enc.encode(JSON.stringify(sample()) + ' '.repeat(MAX_MANIFEST_BYTES))],
      ['not JSON', enc.encode('{formatVersion: 1}')],
      ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
      ['a byte-order mark', enc.encode('\uFEFF' + JSON.stringify(sample()))],
      ['an array', enc.encode('[]')],
      ['null', enc.encode('null')],
      ['empty', new Uint8Array(0)],
      [
        'a duplicate key',
        enc.encode(
          '{"formatVersion":1,"securityLevel":"mat","securityLevel":"thuong","documents":[]}',
        ),
      ],
      [
        'a nested duplicate key',
        enc.encode(
          `{"formatVersion":1,"securityLevel":"mat","documents":[{"name":"a","size":0,"size":1,"sha256":"${SHA}","mediaType":"a/b"}]}`,
        ),
      ],
      [
        'an escaped duplicate key',
        enc.encode(
          '{"formatVersion":1,"securityLevel":"mat","securityLev\\u0065l":"thuong","documents":[]}',
        ),
      ],
      ['deep nesting', enc.encode('['.repeat(100_000) + ']'.repeat(100_000))],
    ];
    for (const [label, bytes] of cases) {
      assert.throws(
        () => parseManifest(bytes),
        (err: unknown) => err instanceof NiemError && err.kind === 'malformed',
        label,
      );
    }
    // The same key in two different objects is no duplicate.
    const twoDocs = `{"formatVersion":1,"securityLevel":"mat","documents":[{"name":"a","size":0,"sha256":"${SHA}","mediaType":"a/b"},{"name":"b","size":0,"sha256":"${SHA}","mediaType":"a/b"}]}`;
    assert.equal(parseManifest(enc.encode(twoDocs)).documents.length, 2);
  });

  it('never puts a value in the error message', () => {
    const secret = 'BÍ-MẬT-TUYỆT-ĐỐI';
    const values: unknown[] = [
      withField(['subject'], `${secret}\u0007`),
      withField(['securityLevel'], secret),
      withField(['from', 'organId'], secret),
      withField(['documents', 0, 'name'], `../${secret}`),
      withField(['documents', 0, 'sha256'], secret),
      withField(['code', 'codeNumber'], secret.repeat(10)),
    ];
    for (const value of values) {
      const err = refusal(value);
      assert.ok(!err.message.includes(secret), err.message);
    }
    const err = refusal(withField([`x\u0000${'k'.repeat(100)}`], 1));
    assert.ok(!err.message.includes('\u0000'));
    assert.ok(err.message.length < 400);
  });
});

describe('manifest serialisation', () => {
  it('is canonical: sorted keys, NFC strings, indent, final newline, round trip', () => {
    const m = sample();
    const shuffled = Object.fromEntries(Object.entries(m).reverse()) as Manifest;
    const bytes = serializeManifest(m);
    assert.deepEqual(serializeManifest(shuffled), bytes);
    const text = new TextDecoder().decode(bytes);
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "code": {'));
    assert.deepEqual(parseManifest(bytes), m);
    assert.deepEqual(serializeManifest(parseManifest(bytes)), bytes);

    const nfd = withFields(
      [['subject'], (m.subject ?? '').normalize('NFD')],
      [['documents', 0, 'name'], (m.documents[0]?.name ?? '').normalize('NFD')],
    ) as Manifest;
    assert.notDeepEqual(nfd, m);
    assert.deepEqual(serializeManifest(nfd), bytes);
  });

  it('drops undefined optional fields and refuses invalid manifests with invalid-input', () => {
    const doc0 = { name: 'a.pdf', size: 0, sha256: SHA, mediaType: 'application/pdf' };
    const m = { ...sample(), dueDate: undefined };
    assert.ok(!new TextDecoder().decode(serializeManifest(m)).includes('dueDate'));
    assert.throws(
      () =>
        serializeManifest({ ...sample(), securityLevel: 'secret' as Manifest['securityLevel'] }),
      (err: unknown) => err instanceof NiemError && err.kind === 'invalid-input',
    );
    assert.throws(
      () =>
        serializeManifest({
          ...sample(),
          documents: [{ ...doc0, name: 'AUX.pdf' }],
        }),
      (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
    );
    // Two names that only become equal after NFC normalisation.
    const a = 'Hồ sơ.pdf';
    assert.throws(
      () =>
        serializeManifest({
          ...sample(),
          documents: [
            { ...doc0, name: a.normalize('NFC') },
            { ...doc0, name: a.normalize('NFD') },
          ],
        }),
      (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
    );
  });

  it('guesses media types from the extension, octet-stream otherwise', () => {
    assert.equal(mediaTypeFor('Công văn.PDF'), 'application/pdf');
    assert.equal(
      mediaTypeFor('a.docx'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    assert.equal(mediaTypeFor('scan.tif'), 'image/tiff');
    assert.equal(mediaTypeFor('no-extension'), 'application/octet-stream');
    assert.equal(mediaTypeFor('archive.xyz'), 'application/octet-stream');
  });

  it('derives the tar mtime from the promulgation date (Vietnam midnight) or 0', () => {
    assert.equal(manifestMtime(sample()), Date.parse('2024-12-30T17:00:00Z') / 1000);
    assert.equal(manifestMtime({ formatVersion: 1, securityLevel: 'mat', documents: [] }), 0);
  });
});

describe('levels and urgencies', () => {
  it('orders the levels Thường < Mật < Tối mật < Tuyệt mật with stable codes', () => {
    assert.deepEqual(levelCodes, ['thuong', 'mat', 'toi-mat', 'tuyet-mat']);
    assert.ok(compareLevels('mat', 'toi-mat') < 0);
    assert.ok(compareLevels('tuyet-mat', 'toi-mat') > 0);
    assert.equal(compareLevels('mat', 'mat'), 0);
    assert.ok(isLevelCode('toi-mat') && !isLevelCode('secret') && !isLevelCode(3));
    assert.ok(!isSecretLevel('thuong') && isSecretLevel('mat'));
    for (const code of levelCodes) assert.equal(levels[code].code, code);
  });

  it('marks secret levels in red capitals and leaves Thường unmarked', () => {
    assert.equal(levels.thuong.marking, null);
    assert.equal(levels.mat.marking, 'MẬT');
    assert.equal(levels['toi-mat'].marking, 'TỐI MẬT');
    assert.equal(levels['tuyet-mat'].marking, 'TUYỆT MẬT');
    for (const code of levelCodes)
      assert.equal(levels[code].marking, levels[code].marking?.normalize('NFC') ?? null);
  });

  it('maps levels to ESS classifications and back, one to one', () => {
    assert.deepEqual(
      levelCodes.map((c) => levels[c].essClassification),
      [1, 3, 4, 5],
    );
    for (const code of levelCodes)
      assert.equal(levelFromEssClassification(levels[code].essClassification), code);
    for (const n of [0, 2, 6, -1, 256]) assert.equal(levelFromEssClassification(n), undefined);
  });

  it('maps the A/B/C envelope letters to Tuyệt mật / Tối mật / Mật', () => {
    assert.equal(levelFromEnvelopeLetter('A'), 'tuyet-mat');
    assert.equal(levelFromEnvelopeLetter('B'), 'toi-mat');
    assert.equal(levelFromEnvelopeLetter('C'), 'mat');
    assert.equal(levelFromEnvelopeLetter('D'), undefined);
    for (const [letter, info] of Object.entries(envelopeLetterLabels))
      assert.equal(levels[info.level].envelopeLetter, letter);
    assert.deepEqual(
      levelCodes.map((c) => levels[c].maxProtectionYears),
      [null, 10, 20, 30],
    );
    assert.ok(hidesSubjectInLists('tuyet-mat') && !hidesSubjectInLists('toi-mat'));
  });

  it('orders urgencies and asks a deadline only for hỏa tốc hẹn giờ', () => {
    assert.deepEqual(urgencyCodes, ['thuong', 'khan', 'thuong-khan', 'hoa-toc', 'hoa-toc-hen-gio']);
    assert.ok(compareUrgencies('khan', 'hoa-toc') < 0);
    assert.deepEqual(
      urgencyCodes.filter((c) => urgencies[c].needsDeadline),
      ['hoa-toc-hen-gio'],
    );
    assert.equal(urgencies.thuong.marking, null);
    assert.equal(urgencies['thuong-khan'].marking, 'THƯỢNG KHẨN');
  });

  it('has Vietnamese and English labels for every level and urgency', () => {
    for (const info of [...Object.values(levels), ...Object.values(urgencies)]) {
      assert.ok(info.vi.trim().length > 0 && info.en.trim().length > 0, info.code);
    }
  });
});
