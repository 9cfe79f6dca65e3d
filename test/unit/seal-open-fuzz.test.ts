/**
 * Property-based fuzzing of the whole open path (issue 4, item 5): 10,000 fast-check
 * cases, each a small valid package (made by sealPackage, or by signContent +
 * sealEnvelope around a hand-made body) changed by a random mix of mutations, opened by
 * openPackage into an output folder and inspected by inspectPackage. The mutations work
 * at every layer:
 *
 * - outer: the package bytes (bit flips, overwrites, truncation, insertion, deletion,
 *   duplicated and re-ordered slices, BER lengths made huge / indefinite / non-minimal,
 *   elements wrapped in extra constructed headers, dropped, duplicated, swapped, and
 *   grafted or spliced from another package);
 * - inner: the same on the SignedData, then encrypted validly (so the damage reaches the
 *   signature verifier and the tar reader behind a valid GCM tag);
 * - body: the tar body (the same, plus rewritten member names, sizes, type flags and
 *   header bytes with the checksum fixed), then signed and encrypted validly;
 * - hostile names: `../x`, `/etc/x`, `C:\x`, `CON`, control characters, … as a tar
 *   member name, a pax path or a manifest entry of a validly signed and sealed package;
 * - oversized manifests: over 1 MiB, over 4,096 documents, or a size field claiming so.
 *
 * Each case must end, within a time limit, either in a committed open whose output is
 * exactly what the package holds (only possible when the change left the authenticated
 * content as it was, or the change was signed and the content is consistent), or in a
 * NiemError of a kind expected for that layer; never another exception, never a hang,
 * and nothing left in the output folder (no file, no `.partial-*`). inspectPackage on the
 * same bytes returns or throws a NiemError.
 *
 * The seed is fixed so CI is repeatable; NIEM_FUZZ_SEED=<seed> explores (or replays)
 * others. NIEM_FUZZ_RUNS overrides the 10,000 runs for local exploration only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import { encodeLength } from '../../native/seal/ber/index.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { MAX_MANIFEST_BYTES, parseManifest } from '../../native/seal/manifest.ts';
import {
  inspectPackage,
  openPackage,
  type PackageReport,
} from '../../native/seal/pipeline/index.ts';
import { headerChecksum } from '../../native/seal/tar/header.ts';
import { isSafeName, writeNiemBody } from '../../native/seal/tar/index.ts';
import { makeTestPki, type TestPki } from './seal-cms-crypto-pki.ts';
import {
  collect,
  makeSealer,
  manifestBytes,
  manifestFor,
  niemBody,
  pipelinePackage,
  rawTar,
  sha256,
  type Doc,
  type Recipient,
  type Sealer,
} from './seal-open-fuzz-packages.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';

const RUNS = Number(process.env['NIEM_FUZZ_RUNS'] ?? 10_000);
const SEED =
  process.env['NIEM_FUZZ_SEED'] !== undefined ? Number(process.env['NIEM_FUZZ_SEED']) : 20261122;
/** Per case (open and inspect): a hostile package must be refused well within this. */
const CASE_MS = 10_000;

const enc = new TextEncoder();
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b);

// ------------------------------------------------------------------ the valid packages

/** What opening a (mutated) package may end in. */
interface Expectation {
  /** Error kinds allowed. */
  kinds: readonly ErrorKind[];
  /**
   * When the open may commit: 'never'; 'exact' (the output must be one of `outputs`); or
   * 'consistent' (signed but changed content: the output must be what its manifest
   * lists, or for foreign content exactly `content`).
   */
  success: 'never' | 'exact' | 'consistent';
  outputs?: ReadonlyArray<ReadonlyMap<string, Uint8Array>>;
  content?: Uint8Array;
}

interface Base {
  label: string;
  bytes: Uint8Array;
  /** The output of opening it unchanged; undefined when it is refused. */
  files: ReadonlyMap<string, Uint8Array> | undefined;
}

const docsA: Doc[] = [
  { name: 'Công văn 12-BNV.txt', data: enc.encode('Kính gửi: Sở Nội vụ.\n'.repeat(3)) },
  { name: 'phụ lục.csv', data: enc.encode('a,b\n1,2\n') },
];
const docsB: Doc[] = [{ name: 'tờ trình.txt', data: enc.encode('Tờ trình số 7.\n') }];
const docEmpty: Doc = { name: 'trống.bin', data: new Uint8Array(0) };
const FOREIGN = enc.encode('content signed by another CMS tool, not a tar body\n');
const OUTER_KINDS: ErrorKind[] = ['malformed', 'tampered', 'not-a-recipient'];
const INNER_KINDS: ErrorKind[] = [
  'malformed',
  'tampered',
  'unsafe-name',
  'untrusted-signer',
  'unsupported-signature',
];
const BODY_KINDS: ErrorKind[] = ['malformed', 'tampered', 'unsafe-name'];

let sd: SignedDataPki;
let rc: TestPki;
let sealer: Sealer;
let work: string;
/** Packages mutated as bytes (outer mode). */
let outer: Base[];
/** SignedData (ContentInfo) mutated, then encrypted for p256 (inner mode). */
let inner: Base[];
/** Tar bodies mutated, then signed and encrypted (body mode). */
let bodies: Base[];
/** Packages with a manifest over the limits (oversize mode). */
let oversized: Base[];
const pkgPath = (): string => path.join(work, 'pkg.p7m');
const outPath = (): string => path.join(work, 'out');

const keys = () => [rc.p256.key, rc.rsa.key];

async function withTimeout<T>(p: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: no answer in ${CASE_MS} ms (hang)`)),
      CASE_MS,
    );
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

function readOutput(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir))
    files.set(name, new Uint8Array(readFileSync(path.join(dir, name))));
  return files;
}

/** Opens `bytes` once, unchanged, and returns what it wrote (asserting it committed). */
async function openValid(bytes: Uint8Array, label: string): Promise<Map<string, Uint8Array>> {
  writeFileSync(pkgPath(), bytes);
  const report = await openPackage({
    path: pkgPath(),
    keys: keys(),
    trustAnchors: [sd.root.der],
    outDir: outPath(),
  });
  assert.equal(report.committed, true, label);
  const files = readOutput(outPath());
  rmSync(outPath(), { recursive: true, force: true });
  return files;
}

/** Opens `bytes` once and expects `kind`. */
async function openRefused(bytes: Uint8Array, kind: ErrorKind, label: string): Promise<void> {
  writeFileSync(pkgPath(), bytes);
  await assert.rejects(
    openPackage({ path: pkgPath(), keys: keys(), trustAnchors: [sd.root.der], outDir: outPath() }),
    (err: unknown) => err instanceof NiemError && err.kind === kind,
    label,
  );
  assert.equal(existsSync(outPath()), false);
}

/** The harness is sound: the unchanged package opened to `docs` (and its manifest). */
function assertHolds(files: ReadonlyMap<string, Uint8Array>, docs: readonly Doc[]): void {
  const names = docs.length === 0 ? ['content.bin'] : ['manifest.json', ...docs.map((d) => d.name)];
  assert.deepEqual([...files.keys()].sort(), names.sort());
  for (const d of docs) assert.ok(equalBytes(files.get(d.name) ?? new Uint8Array(), d.data));
}

function bodyOf(docs: readonly Doc[]): Promise<Uint8Array> {
  return collect(
    writeNiemBody(
      manifestFor('mat', docs),
      docs.map((d) => d.data),
    ),
  );
}

before(async () => {
  sd = makeSignedDataPki();
  rc = makeTestPki();
  sealer = makeSealer(sd, rc);
  work = mkdtempSync(path.join(tmpdir(), 'niem-open-fuzz-'));

  const p256 = await pipelinePackage(sd, rc, work, docsA, ['p256']);
  const rsa = await pipelinePackage(sd, rc, work, docsB, ['rsa']);
  const both = await pipelinePackage(sd, rc, work, docsB, ['p256', 'rsa']);
  const foreignInner = await sealer.sign(FOREIGN);
  const foreign = await sealer.envelope(foreignInner, 'p256');
  const pipelineBody = await bodyOf(docsA);
  const stranger = await sealer.envelope(await sealer.sign(pipelineBody), 'stranger');
  outer = [];
  for (const [label, bytes, docs] of [
    ['p256', p256, docsA],
    ['rsa', rsa, docsB],
    ['p256+rsa', both, docsB],
    ['foreign', foreign, []],
  ] as const) {
    const files = await openValid(bytes, label);
    assertHolds(files, docs);
    outer.push({ label, bytes, files });
  }
  assert.ok(equalBytes(outer[3]?.files?.get('content.bin') ?? new Uint8Array(), FOREIGN));
  await openRefused(stranger, 'not-a-recipient', 'stranger');
  outer.push({ label: 'stranger', bytes: stranger, files: undefined });

  // A body whose members carry pax path records (long names need them).
  const longName = `${'Quyết định về việc phê duyệt '.repeat(4)}.txt`;
  const paxDocs: Doc[] = [{ name: longName, data: enc.encode('pax\n') }, docEmpty];
  const paxBody = rawTar([
    {
      name: 'manifest.json',
      data: manifestBytes('mat', paxDocs),
      pax: [['path', 'manifest.json']],
    },
    ...paxDocs.map((d) => ({ name: 'x', data: d.data, pax: [['path', d.name]] as const })),
  ]);
  bodies = [];
  for (const [label, body, docs] of [
    ['writeNiemBody', pipelineBody, docsA],
    ['hand-made', niemBody('mat', docsB), docsB],
    ['pax', paxBody, paxDocs],
  ] as const) {
    const bytes = await sealer.envelope(await sealer.sign(body), 'p256');
    const files = await openValid(bytes, label);
    assertHolds(files, docs);
    bodies.push({ label, bytes: body, files });
  }
  inner = [];
  for (const [label, signed] of [
    ['niem-body', await sealer.sign(pipelineBody)],
    ['foreign', foreignInner],
  ] as const) {
    const bytes = await sealer.envelope(signed, 'p256');
    inner.push({ label, bytes: signed, files: await openValid(bytes, label) });
  }

  // Oversized manifests, signed and sealed validly: over 1 MiB, over 4,096 documents.
  const json = Buffer.from(manifestBytes('mat', docsB)).toString('utf8');
  const big = enc.encode(
    json.replace(/\n}\s*$/, `,\n  "x": "${'a'.repeat(MAX_MANIFEST_BYTES)}"\n}\n`),
  );
  const many = enc.encode(
    JSON.stringify({
      formatVersion: 1,
      securityLevel: 'mat',
      documents: Array.from({ length: 4097 }, (_, i) => ({
        mediaType: 'text/plain',
        name: `d${i}.txt`,
        sha256: sha256(new Uint8Array(0)),
        size: 0,
      })),
    }),
  );
  oversized = [];
  for (const [label, manifest] of [
    ['over 1 MiB', big],
    ['4,097 documents', many],
  ] as const) {
    const bytes = await sealer.envelope(
      await sealer.sign(rawTar([{ name: 'manifest.json', data: manifest }])),
      'p256',
      'mat',
      64 * 1024,
    );
    await openRefused(bytes, 'malformed', label);
    oversized.push({ label, bytes, files: undefined });
  }
});

after(() => {
  sd?.cleanup();
  rc?.cleanup();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

// ------------------------------------------------------------------ BER structure

interface Tlv {
  start: number;
  lengthAt: number;
  contentStart: number;
  end: number;
  constructed: boolean;
  indefinite: boolean;
}

/** The TLVs of `b` (tolerant: stops where the encoding breaks), in document order. */
function scanBer(b: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  const element = (at: number, stop: number, depth: number): number => {
    if (at >= stop || out.length > 4000) return -1;
    const tag = b[at] ?? 0;
    let p = at + 1;
    if ((tag & 0x1f) === 0x1f) {
      while (p < stop && ((b[p] ?? 0) & 0x80) !== 0) p++;
      p++;
    }
    if (p >= stop) return -1;
    const lengthAt = p;
    const first = b[p] ?? 0;
    let length: number | undefined;
    p++;
    if (first < 0x80) length = first;
    else if (first > 0x80) {
      const n = first & 0x7f;
      if (n > 4 || p + n > stop) return -1;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + (b[p + i] ?? 0);
      p += n;
    }
    const constructed = (tag & 0x20) !== 0;
    const t: Tlv = {
      start: at,
      lengthAt,
      contentStart: p,
      end: -1,
      constructed,
      indefinite: length === undefined,
    };
    out.push(t);
    if (length !== undefined) {
      const end = p + length;
      if (end > stop) return -1;
      if (constructed && depth < 40) {
        for (let q = p; q < end && q >= 0;) q = element(q, end, depth + 1);
      }
      t.end = end;
      return end;
    }
    if (!constructed) return -1;
    for (let q = p; ;) {
      if (q + 2 <= stop && b[q] === 0 && b[q + 1] === 0) {
        t.end = q + 2;
        return t.end;
      }
      q = element(q, stop, depth + 1);
      if (q < 0) return -1;
    }
  };
  element(0, b.length, 0);
  return out.filter((t) => t.end > 0);
}

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** New length octets for `t` (see `lengthForm`). */
function lengthOctets(t: Tlv, form: number): Uint8Array {
  const len = Math.max(0, t.end - t.contentStart - (t.indefinite ? 2 : 0));
  switch (form) {
    case 0:
      return Uint8Array.of(0x80);
    case 1:
      return Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff);
    case 2:
      return Uint8Array.of(0x84, 0x7f, 0xff, 0xff, 0xff);
    case 3:
      return Uint8Array.of(0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    case 4:
      return Uint8Array.of(0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
    case 5:
      return Uint8Array.of(0x84, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
    case 6:
      return encodeLength(len + 1);
    case 7:
      return encodeLength(Math.max(0, len - 1));
    case 8:
      return Uint8Array.of(0x00);
    case 9:
      return Uint8Array.of(0xff);
    case 10:
      return Uint8Array.of(0x83, 0x10, 0x00, 0x01); // 1 MiB + 1
    default:
      return Uint8Array.of(0x87, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  }
}
const LENGTH_FORMS = 12;

/** `element` wrapped in `depth` constructed headers of the given form. */
function nest(element: Uint8Array, depth: number, form: number): Uint8Array {
  const tag = [0x30, 0xa0, 0x24, 0x31][form % 4] ?? 0x30;
  if (form < 4) {
    const head = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) head.set([tag, 0x80], i * 2);
    return cat(head, element, new Uint8Array(depth * 2));
  }
  const heads: Uint8Array[] = [];
  let length = element.length;
  for (let i = 0; i < depth; i++) {
    const h = cat(Uint8Array.of(tag), encodeLength(length));
    heads.push(h);
    length += h.length;
  }
  return cat(...heads.reverse(), element);
}

// ------------------------------------------------------------------ tar structure

/** Offsets of the header blocks of a tar stream (tolerant: stops at the first odd one). */
function tarHeaders(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 512 <= b.length && out.length < 64;) {
    const block = b.subarray(at, at + 512);
    if (block.every((x) => x === 0)) break;
    const field = Buffer.from(block.subarray(124, 136))
      .toString('latin1')
      .replace(/[\0 ]+$/, '');
    if (!/^[0-7]+$/.test(field)) break;
    out.push(at);
    at += 512 + Math.ceil(parseInt(field, 8) / 512) * 512;
  }
  return out;
}

function fixChecksum(b: Uint8Array, at: number): void {
  const block = b.subarray(at, at + 512);
  block.set(enc.encode(`${headerChecksum(block).toString(8).padStart(6, '0')}\0 `), 148);
}

// ------------------------------------------------------------------ mutations

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate'; from: number; length: number; to: number }
  | { op: 'reorder'; at: number; first: number; second: number }
  | { op: 'splice'; other: number; cut: number; resume: number }
  | { op: 'length'; tlv: number; form: number }
  | { op: 'nest'; tlv: number; depth: number; form: number }
  | { op: 'drop'; tlv: number }
  | { op: 'copy'; tlv: number }
  | { op: 'swap'; tlv: number }
  | { op: 'graft'; tlv: number; other: number; from: number };

type TarMutation =
  | { op: 'tar-name'; member: number; name: string | Uint8Array }
  | { op: 'tar-size'; member: number; size: Uint8Array }
  | { op: 'tar-type'; member: number; flag: number }
  | { op: 'tar-byte'; member: number; offset: number; value: number; fix: boolean };

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

/** Applies `m` to `b`; `pool` holds the other bytes of the same layer (splice, graft). */
function mutate(b: Uint8Array, m: Mutation | TarMutation, pool: readonly Uint8Array[]): Uint8Array {
  const n = b.length;
  const at = (x: number) => (n === 0 ? 0 : x % n);
  const cut = (x: number) => x % (n + 1);
  switch (m.op) {
    case 'flip': {
      if (n === 0) return b;
      const c = Uint8Array.from(b);
      c[at(m.at)] = (c[at(m.at)] ?? 0) ^ (1 << m.bit);
      return c;
    }
    case 'set': {
      if (n === 0) return b;
      const c = Uint8Array.from(b);
      c[at(m.at)] = m.value;
      return c;
    }
    case 'truncate':
      return b.subarray(0, cut(m.at));
    case 'insert':
      return cat(b.subarray(0, cut(m.at)), m.bytes, b.subarray(cut(m.at)));
    case 'delete':
      return cat(b.subarray(0, cut(m.at)), b.subarray(Math.min(n, cut(m.at) + m.count)));
    case 'duplicate': {
      const from = cut(m.from);
      const slice = b.subarray(from, Math.min(n, from + m.length));
      return cat(b.subarray(0, cut(m.to)), slice, b.subarray(cut(m.to)));
    }
    case 'reorder': {
      const a = cut(m.at);
      const mid = Math.min(n, a + m.first);
      const end = Math.min(n, mid + m.second);
      return cat(b.subarray(0, a), b.subarray(mid, end), b.subarray(a, mid), b.subarray(end));
    }
    case 'splice': {
      const other = pick(pool, m.other);
      return cat(b.subarray(0, cut(m.cut)), other.subarray(m.resume % (other.length + 1)));
    }
    case 'tar-name':
    case 'tar-size':
    case 'tar-type':
    case 'tar-byte': {
      const headers = tarHeaders(b);
      if (headers.length === 0) return b;
      // Member 0 (manifest.json) only when asked: damage there mostly makes the body
      // foreign content (it no longer starts like a Niêm body), which opens as content.bin.
      const h =
        m.member === 0 || headers.length === 1
          ? (headers[0] ?? 0)
          : pick(headers.slice(1), m.member - 1);
      const c = Uint8Array.from(b);
      if (m.op === 'tar-name') {
        const name = typeof m.name === 'string' ? enc.encode(m.name) : m.name;
        c.fill(0, h, h + 100);
        c.set(name.subarray(0, 100), h);
      } else if (m.op === 'tar-size') {
        c.set(m.size, h + 124);
      } else if (m.op === 'tar-type') {
        c[h + 156] = m.flag;
      } else {
        c[h + m.offset] = m.value;
        if (!m.fix) return c;
      }
      fixChecksum(c, h);
      return c;
    }
    default:
      break;
  }
  const tlvs = scanBer(b);
  if (tlvs.length === 0) return mutate(b, { op: 'flip', at: m.tlv, bit: m.tlv % 8 }, pool);
  const t = pick(tlvs, m.tlv);
  const whole = b.subarray(t.start, t.end);
  const before = b.subarray(0, t.start);
  const rest = b.subarray(t.end);
  switch (m.op) {
    case 'length':
      return cat(b.subarray(0, t.lengthAt), lengthOctets(t, m.form), b.subarray(t.contentStart));
    case 'nest':
      return cat(before, nest(whole, m.depth, m.form), rest);
    case 'drop':
      return cat(before, rest);
    case 'copy':
      return cat(before, whole, whole, rest);
    case 'swap': {
      const next = tlvs.find((x) => x.start === t.end);
      if (next === undefined) return cat(before, rest, whole); // moved to the end
      return cat(before, b.subarray(next.start, next.end), whole, b.subarray(next.end));
    }
    case 'graft': {
      const other = pick(pool, m.other);
      const theirs = scanBer(other);
      if (theirs.length === 0) return cat(before, other, rest);
      const g = pick(theirs, m.from);
      return cat(before, other.subarray(g.start, g.end), rest);
    }
  }
}

const position = fc.nat({ max: 1 << 20 });
const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('flip'), at: position, bit: fc.nat({ max: 7 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('set'),
      at: position,
      value: fc.oneof(
        fc.constantFrom(0x00, 0x80, 0x81, 0x84, 0x88, 0xff, 0x7f, 0x30, 0xa0, 0x24, 0x04, 0x31),
        fc.nat({ max: 255 }),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate'), at: position }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('insert'),
      at: position,
      bytes: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 24 }),
        fc.constantFrom(Uint8Array.of(0, 0), Uint8Array.of(0x30, 0x80), Uint8Array.of(0x04, 0x00)),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete'),
      at: position,
      count: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 600 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('duplicate'),
      from: position,
      length: fc.integer({ min: 1, max: 1024 }),
      to: position,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('reorder'),
      at: position,
      first: fc.integer({ min: 1, max: 600 }),
      second: fc.integer({ min: 1, max: 600 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('splice'),
      other: fc.nat(),
      cut: position,
      resume: position,
    }),
  },
);
const tlvIndex = fc.nat({ max: 10_000 });
const berMutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('length'),
      tlv: tlvIndex,
      form: fc.nat({ max: LENGTH_FORMS - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('nest'),
      tlv: tlvIndex,
      depth: fc.constantFrom(1, 2, 3, 31, 33, 64, 500, 5000),
      form: fc.nat({ max: 7 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop'), tlv: tlvIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copy'), tlv: tlvIndex }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swap'), tlv: tlvIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('graft'),
      tlv: tlvIndex,
      other: fc.nat(),
      from: tlvIndex,
    }),
  },
);
const anyMutation = fc.oneof(
  { weight: 3, arbitrary: byteMutation },
  { weight: 2, arbitrary: berMutation },
);

// ------------------------------------------------------------------ names

const safeName = fc
  .array(fc.constantFrom(...'abcdeđêôơưáàảãạ0123456789-_'), { minLength: 1, maxLength: 12 })
  .map((cs) => `${cs.join('')}.txt`);

/** Names the name rule refuses (none with NUL, which ends a ustar name). */
const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '../x',
    '/etc/x',
    'C:\\x',
    'CON',
    'con.txt',
    'Nul',
    'COM1.pdf',
    'lpt9',
    'LPT²',
    'CONIN$',
    'clock$.log',
    'a\u0001b',
    'a\u001bb',
    'x\u007f',
    'x\u0085y',
    'a/b',
    '..',
    '.',
    'x.',
    'x ',
    'a\\b',
    'a:b',
    'a*b',
    'a?b',
    'a"b',
    'a<b',
    'a>b',
    'a|b',
    'gpj\u202eexe.jpg',
    '\u2066x.txt',
    '..\\..\\x',
    'C:x',
    '\\\\server\\share\\x',
    '/',
    '../../../../../../tmp/x',
  ),
  fc
    .tuple(fc.constantFrom('../', '/', 'C:\\', 'a/', '..\\', 'D:', './'), safeName)
    .map(([p, n]) => p + n),
  fc
    .tuple(safeName, fc.integer({ min: 1, max: 0x1f }), safeName)
    .map(([a, c, b]) => a + String.fromCharCode(c) + b),
  fc
    .tuple(
      fc.constantFrom('CON', 'PRN', 'AUX', 'NUL', 'COM0', 'COM9', 'LPT1', 'COM³', 'CONOUT$'),
      fc.constantFrom('', '.txt', '.tar.gz', ' .pdf'),
      fc.boolean(),
    )
    .map(([d, ext, lower]) => (lower ? d.toLowerCase() : d) + ext),
  safeName.map((n) => `${n}.`),
  fc.constant('a'.repeat(256)),
);

// ------------------------------------------------------------------ cases

type Existing = { existing: boolean };
type Case =
  | ({ mode: 'outer'; base: number; mutations: Mutation[] } & Existing)
  | ({ mode: 'inner'; template: number; mutations: Mutation[] } & Existing)
  | ({
      mode: 'body';
      template: number;
      mutations: (Mutation | TarMutation)[];
      to: Recipient;
      signedLevel: LevelCode;
      outerLevel: LevelCode;
      stranger: boolean;
    } & Existing)
  | ({
      mode: 'hostile';
      name: string | Uint8Array;
      placement: 'member' | 'pax' | 'listed' | 'manifest';
      first: boolean;
      to: Recipient;
    } & Existing)
  | ({ mode: 'oversize'; variant: number; claimed: number } & Existing);

const tarMember = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 1 << 20 }) },
);
const tarMutation: fc.Arbitrary<TarMutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('tar-name'),
      member: tarMember,
      name: fc.oneof(
        hostileName,
        safeName,
        fc.constantFrom(
          'manifest.json',
          'MANIFEST.JSON',
          'Công văn 12-BNV.txt',
          'CÔNG VĂN 12-BNV.TXT',
        ),
        fc.constant(Uint8Array.of(0x61, 0xff, 0x62)),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('tar-size'),
      member: tarMember,
      size: fc.constantFrom(
        enc.encode('00004000001\0'), // 1 MiB + 1
        enc.encode('77777777777\0'),
        enc.encode('00000000000\0'),
        enc.encode('00000000001\0'),
        enc.encode('00000001000\0'),
        enc.encode('           \0'),
        enc.encode('0000000000z\0'),
        Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 1), // base-256
        Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('tar-type'),
      member: tarMember,
      flag: fc.constantFrom(...'0123456 7gxLKSVA'.split('').map((c) => c.charCodeAt(0)), 0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('tar-byte'),
      member: tarMember,
      offset: fc.nat({ max: 511 }),
      value: fc.nat({ max: 255 }),
      fix: fc.boolean(),
    }),
  },
);

const level = fc.oneof(
  { weight: 12, arbitrary: fc.constant<LevelCode>('mat') },
  { weight: 1, arbitrary: fc.constantFrom<LevelCode>('thuong', 'toi-mat', 'tuyet-mat') },
);
const recipient = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Recipient>('p256') },
  { weight: 1, arbitrary: fc.constant<Recipient>('rsa') },
  { weight: 1, arbitrary: fc.constant<Recipient>('both') },
);
const mutations = <T>(m: fc.Arbitrary<T>) => fc.array(m, { minLength: 1, maxLength: 4 });

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.record({
      mode: fc.constant('outer'),
      base: fc.oneof(
        { weight: 5, arbitrary: fc.constant(0) },
        { weight: 3, arbitrary: fc.constant(1) },
        { weight: 2, arbitrary: fc.constantFrom(2, 3, 4) },
      ),
      mutations: mutations(anyMutation),
      existing: fc.boolean(),
    }),
  },
  {
    weight: 15,
    arbitrary: fc.record({
      mode: fc.constant('inner'),
      template: fc.nat({ max: 9 }).map((i) => (i < 8 ? 0 : 1)),
      mutations: mutations(anyMutation),
      existing: fc.boolean(),
    }),
  },
  {
    weight: 28,
    arbitrary: fc.record({
      mode: fc.constant('body'),
      template: fc.nat({ max: 2 }),
      mutations: mutations(
        fc.oneof({ weight: 3, arbitrary: tarMutation }, { weight: 2, arbitrary: byteMutation }),
      ),
      to: recipient,
      signedLevel: level,
      outerLevel: level,
      stranger: fc.nat({ max: 19 }).map((x) => x === 0),
      existing: fc.boolean(),
    }),
  },
  {
    weight: 14,
    arbitrary: fc.record({
      mode: fc.constant('hostile'),
      name: fc.oneof(
        { weight: 20, arbitrary: hostileName },
        { weight: 1, arbitrary: fc.constant(Uint8Array.of(0x61, 0xff, 0x62)) },
      ),
      placement: fc.constantFrom('member', 'pax', 'listed', 'manifest'),
      first: fc.boolean(),
      to: recipient,
      existing: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      mode: fc.constant('oversize'),
      variant: fc.nat({ max: 9 }),
      claimed: fc.constantFrom(MAX_MANIFEST_BYTES + 1, 2 ** 32, 0o77777777777),
      existing: fc.boolean(),
    }),
  },
);

/**
 * The outputs a mutated `base` may still open to: its own, and when a mutation copied
 * bytes from another of `pool` (splice, graft), that one's too.
 */
function outputsOf(
  pool: readonly Base[],
  base: Base,
  mutations: readonly Mutation[],
): ReadonlyMap<string, Uint8Array>[] {
  const mixed = mutations.some((m) => m.op === 'splice' || m.op === 'graft');
  return (mixed ? pool : [base])
    .map((b) => b.files)
    .filter((f): f is ReadonlyMap<string, Uint8Array> => f !== undefined);
}

/** The package bytes of a case and what opening them may end in. */
async function build(c: Case): Promise<{ bytes: Uint8Array; expect: Expectation }> {
  switch (c.mode) {
    case 'outer': {
      const base = pick(outer, c.base);
      const pool = outer.map((b) => b.bytes);
      let bytes = base.bytes;
      for (const m of c.mutations) bytes = mutate(bytes, m, pool);
      // Unchanged, or turned into another base by a splice: that base's outcome.
      const same = outer.find((b) => equalBytes(b.bytes, bytes));
      if (same !== undefined) {
        return same.files === undefined
          ? { bytes, expect: { kinds: ['not-a-recipient'], success: 'never' } }
          : { bytes, expect: { kinds: [], success: 'exact', outputs: [same.files] } };
      }
      // The GCM tag covers content and authAttrs: a change elsewhere (say in the
      // RecipientInfo we do not use) may still open, but only to the same output, or
      // to another package's when a splice or graft carried its authenticated part.
      const outputs = outputsOf(outer, base, c.mutations);
      return {
        bytes,
        expect:
          outputs.length === 0
            ? { kinds: OUTER_KINDS, success: 'never' }
            : { kinds: OUTER_KINDS, success: 'exact', outputs },
      };
    }
    case 'inner': {
      const base = pick(inner, c.template);
      const pool = inner.map((b) => b.bytes);
      let signed = base.bytes;
      for (const m of c.mutations) signed = mutate(signed, m, pool);
      const bytes = await sealer.envelope(signed, 'p256');
      // The signatures cover the content: only unsigned parts may change and still open
      // (or a splice or graft carried the other template's whole signed structure).
      return {
        bytes,
        expect: {
          kinds: INNER_KINDS,
          success: 'exact',
          outputs: outputsOf(inner, base, c.mutations),
        },
      };
    }
    case 'body': {
      const base = pick(bodies, c.template);
      const pool = bodies.map((b) => b.bytes);
      let body = base.bytes;
      for (const m of c.mutations) body = mutate(body, m, pool);
      const signed = await sealer.sign(body, c.signedLevel, c.stranger ? 'stranger' : 'trusted');
      const bytes = await sealer.envelope(signed, c.to, c.outerLevel);
      // The levels must agree (outer, signed and, for a Niêm body, the manifest's 'mat'):
      // a mutation that turns the body into foreign content drops the manifest's.
      const kinds = c.stranger ? [...BODY_KINDS, 'untrusted-signer' as const] : BODY_KINDS;
      const success = c.signedLevel === c.outerLevel && !c.stranger ? 'consistent' : 'never';
      return { bytes, expect: { kinds, success, content: body } };
    }
    case 'hostile': {
      const ok: Doc = { name: 'ok.txt', data: enc.encode('fine\n') };
      const doc: Doc = { name: 'x.txt', data: enc.encode('hostile\n') };
      const docs = c.first ? [doc] : [ok, doc];
      const name = c.name;
      const text = typeof name === 'string' ? name : undefined;
      // A name of raw bytes or over 100 bytes only fits a ustar header / a pax record.
      let placement = c.placement;
      if (text === undefined) placement = 'member';
      else if (placement === 'member' && enc.encode(text).length > 100) placement = 'pax';
      const listed = docs.map((d) =>
        d === doc && (placement === 'listed' || placement === 'manifest') ? (text ?? '') : d.name,
      );
      const members = docs.map((d) => {
        if (d !== doc) return { name: d.name, data: d.data };
        if (placement === 'member' || placement === 'listed') return { name, data: d.data };
        if (placement === 'pax')
          return { name: d.name, data: d.data, pax: [['path', text ?? '']] as const };
        return { name: d.name, data: d.data };
      });
      const body = rawTar([
        { name: 'manifest.json', data: manifestBytes('mat', docs, listed) },
        ...members,
      ]);
      const bytes = await sealer.envelope(await sealer.sign(body), c.to);
      return { bytes, expect: { kinds: ['unsafe-name'], success: 'never' } };
    }
    case 'oversize': {
      if (c.variant < 2) {
        return {
          bytes: pick(oversized, c.variant).bytes,
          expect: { kinds: ['malformed'], success: 'never' },
        };
      }
      // A manifest.json member whose ustar size field (or pax size) claims more than the limit.
      const small = manifestBytes('mat', docsB);
      const body =
        c.variant < 6
          ? cat(
              rawTar([{ name: 'manifest.json', data: small }]).subarray(0, 512),
              small,
              new Uint8Array(1024),
            )
          : rawTar([{ name: 'manifest.json', data: small, pax: [['size', String(c.claimed)]] }]);
      if (c.variant < 6) {
        const field = enc.encode(`${c.claimed.toString(8).padStart(11, '0')}\0`);
        body.set(field, 124);
        fixChecksum(body, 0);
      }
      const bytes = await sealer.envelope(await sealer.sign(body), 'p256');
      return { bytes, expect: { kinds: ['malformed'], success: 'never' } };
    }
  }
}

/** The committed output is what the package holds: `exact` files, or self-consistent. */
function checkCommitted(report: PackageReport, expect: Expectation, label: string): void {
  assert.ok(
    expect.success !== 'never',
    `${label}: opened, expected one of ${expect.kinds.join('|')}`,
  );
  assert.equal(report.committed, true, label);
  const files = readOutput(outPath());
  assert.ok(
    [...files.keys()].every((n) => !n.startsWith('.partial')),
    `${label}: a partial folder beside the committed files`,
  );
  if (expect.success === 'exact') {
    const same = (o: ReadonlyMap<string, Uint8Array>): boolean =>
      o.size === files.size &&
      [...o].every(([name, data]) => equalBytes(files.get(name) ?? new Uint8Array(), data));
    assert.ok(
      (expect.outputs ?? []).some(same),
      `${label}: opened to what the package did not hold: ${[...files.keys()].join(', ')}`,
    );
    return;
  }
  // consistent: a signed (changed) body opened; what was written must be what it says.
  for (const name of files.keys()) assert.ok(isSafeName(name), `${label}: unsafe name written`);
  if (report.content === 'foreign') {
    assert.deepEqual([...files.keys()], ['content.bin'], label);
    assert.ok(
      equalBytes(files.get('content.bin') ?? new Uint8Array(), expect.content ?? new Uint8Array()),
    );
    return;
  }
  const manifest = parseManifest(files.get('manifest.json') ?? new Uint8Array());
  assert.equal(manifest.securityLevel, report.levels.outside, `${label}: levels disagree`);
  assert.deepEqual(
    [...files.keys()].sort(),
    ['manifest.json', ...manifest.documents.map((d) => d.name)].sort(),
    `${label}: files not as listed`,
  );
  for (const d of manifest.documents) {
    const data = files.get(d.name) ?? new Uint8Array();
    assert.equal(data.length, d.size, `${label}: ${d.name} size`);
    assert.equal(sha256(data), d.sha256, `${label}: ${d.name} hash`);
  }
}

/** Outcome counts, by mode and by result, for the report. */
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

function describeCase(c: Case): string {
  return JSON.stringify(c, (_, v: unknown) =>
    v instanceof Uint8Array ? `hex:${Buffer.from(v).toString('hex')}` : v,
  );
}

async function runCase(c: Case): Promise<void> {
  const { bytes, expect } = await build(c);
  const label = `${c.mode} case ${describeCase(c).slice(0, 600)}`;
  rmSync(outPath(), { recursive: true, force: true }); // a failed case (while shrinking) leaves it
  writeFileSync(pkgPath(), bytes);
  if (c.existing) mkdirSync(outPath());
  let report: PackageReport | undefined;
  let caught: unknown;
  try {
    report = await withTimeout(
      openPackage({
        path: pkgPath(),
        keys: keys(),
        trustAnchors: [sd.root.der],
        outDir: outPath(),
      }),
      label,
    );
  } catch (err) {
    caught = err;
  }
  if (report !== undefined) {
    checkCommitted(report, expect, label);
    count(`${c.mode} opened (${report.content ?? '?'})`);
  } else {
    assert.ok(
      caught instanceof NiemError,
      `${label}: not a NiemError: ${String((caught as Error | undefined)?.stack ?? caught)}`,
    );
    assert.ok(
      expect.kinds.includes(caught.kind),
      `${label}: kind ${caught.kind} (${caught.message}), expected ${expect.kinds.join('|')}\n${String(caught.stack)}`,
    );
    count(`${c.mode} ${caught.kind}`);
    // Nothing left: the folder as it was (absent, or empty), nothing beside the package.
    if (c.existing)
      assert.deepEqual(readdirSync(outPath()), [], `${label}: left in the output folder`);
    else assert.equal(existsSync(outPath()), false, `${label}: output folder left behind`);
    assert.deepEqual(
      readdirSync(work).sort(),
      c.existing ? ['out', 'pkg.p7m'] : ['pkg.p7m'],
      `${label}: left beside the output folder`,
    );
  }
  rmSync(outPath(), { recursive: true, force: true });

  try {
    await withTimeout(inspectPackage(pkgPath()), `${label} (inspect)`);
    count('inspect returned');
  } catch (err) {
    assert.ok(
      err instanceof NiemError && err.kind !== 'internal',
      `${label}: inspect threw ${String((err as Error | undefined)?.stack ?? err)}`,
    );
    count(`inspect ${err.kind}`);
  }
}

const timeByMode = new Map<string, number>();
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('fuzzing the whole open path', () => {
  it(
    `refuses mutated packages with an expected kind, in bounded time, leaving nothing (${RUNS} cases)`,
    { timeout: 30 * 60_000 },
    async (t) => {
      t.diagnostic(`seed ${SEED} (replay with NIEM_FUZZ_SEED=${SEED})`);
      const fdsBefore = openFds();
      const started = performance.now();
      let worst = 0;
      try {
        await fc.assert(
          fc.asyncProperty(caseArb, async (c) => {
            const t0 = performance.now();
            await runCase(c);
            const dt = performance.now() - t0;
            worst = Math.max(worst, dt);
            timeByMode.set(c.mode, (timeByMode.get(c.mode) ?? 0) + dt);
          }),
          { numRuns: RUNS, seed: SEED },
        );
      } catch (err) {
        console.error(`open fuzz failed with seed ${SEED}: replay with NIEM_FUZZ_SEED=${SEED}`);
        throw err;
      }
      const elapsed = (performance.now() - started) / 1000;
      t.diagnostic(`${RUNS} cases in ${elapsed.toFixed(1)} s; slowest ${worst.toFixed(0)} ms`);
      for (const [key, n] of [...outcomes].sort()) t.diagnostic(`${key}: ${n}`);
      for (const [mode, ms] of timeByMode)
        t.diagnostic(`time in ${mode}: ${(ms / 1000).toFixed(1)} s`);
      // inspect may settle a moment before its read stream's close completes
      await new Promise((resolve) => setTimeout(resolve, 200));
      const fdGrowth = openFds() - fdsBefore;
      t.diagnostic(`open file descriptors grew by ${fdGrowth}`);
      assert.ok(fdGrowth < 32, `file descriptors leaked: ${fdGrowth}`);
      if (RUNS >= 1000) {
        // The mutations reach every layer: each of these outcomes happened.
        for (const key of [
          'outer tampered',
          'outer malformed',
          'outer not-a-recipient',
          'inner malformed',
          'body malformed',
          'body unsafe-name',
          'body tampered',
          'hostile unsafe-name',
          'oversize malformed',
        ]) {
          assert.ok((outcomes.get(key) ?? 0) > 0, `no case ended in "${key}"`);
        }
      }
    },
  );
});
