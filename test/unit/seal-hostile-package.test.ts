/**
 * Hostile packages through openPackage (issue 4, items 2 and 5): valid packages made
 * with software keys, then truncated, bit-flipped, re-ordered, given over-long lengths,
 * deeply nested, followed by garbage; and validly signed and encrypted packages whose
 * tar body (written by hand, raw ustar headers) or levels or signer are hostile. Each
 * case must end with its error kind, within a time bound, and leave nothing in the
 * output folder — no file, no `.partial-*`, the folder itself gone when it did not exist
 * before — and no plaintext anywhere under the test folder.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NiemError, type ErrorKind } from '../../native/api/errors.ts';
import type { RecipientKey, SealRecipient } from '../../native/seal/cms-crypto/index.ts';
import { sealEnvelope } from '../../native/seal/envelope/index.ts';
import type { LevelCode } from '../../native/seal/levels.ts';
import { serializeManifest, type Manifest } from '../../native/seal/manifest.ts';
import {
  PackageRefused,
  openPackage,
  sealPackage,
  type PackageReport,
} from '../../native/seal/pipeline/index.ts';
import { signContent, softwareSigner } from '../../native/seal/signed-data/index.ts';
import { headerChecksum } from '../../native/seal/tar/header.ts';
import { makeTestPki, type TestPki } from './seal-cms-crypto-pki.ts';
import { makeSignedDataPki, type SignedDataPki } from './seal-signed-data-pki.ts';

/** Per-case bound: a hostile package must be refused well within this. */
const CASE_MS = 15_000;
const MARKER = `NIEM-PLAINTEXT-MARKER-${randomBytes(6).toString('hex')}`;
const enc = new TextEncoder();

let sd: SignedDataPki;
let rc: TestPki;
let work: string;
let counter = 0;

before(() => {
  sd = makeSignedDataPki();
  rc = makeTestPki();
  work = mkdtempSync(path.join(tmpdir(), 'niem-hostile-pkg-'));
});
after(() => {
  sd.cleanup();
  rc.cleanup();
  rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- building packages

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A 512-byte ustar header for a regular file, with a correct checksum. */
function rawHeader(name: Uint8Array | string, size: number, typeflag = '0'): Uint8Array {
  const b = new Uint8Array(512);
  const put = (off: number, v: string | Uint8Array) =>
    b.set(typeof v === 'string' ? enc.encode(v) : v, off);
  put(0, typeof name === 'string' ? enc.encode(name) : name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, '14000000000\0');
  put(156, typeflag);
  put(257, 'ustar\u000000');
  put(148, `${headerChecksum(b).toString(8).padStart(6, '0')}\0 `);
  return b;
}

/** A raw tar stream of `members`, padded, with the two zero blocks. */
function rawTar(members: readonly { name: string | Uint8Array; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(rawHeader(m.name, m.data.length));
    parts.push(m.data);
    const pad = (512 - (m.data.length % 512)) % 512;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

interface Doc {
  name: string;
  data: Uint8Array;
}

function manifestFor(level: LevelCode, docs: readonly Doc[]): Manifest {
  return {
    formatVersion: 1,
    securityLevel: level,
    documents: docs.map((d) => ({
      name: d.name,
      size: d.data.length,
      sha256: sha256(d.data),
      mediaType: 'text/plain',
    })),
  } as Manifest;
}

/** `m` with document `i` changed. */
function patchDoc(m: Manifest, i: number, patch: Partial<Manifest['documents'][number]>): Manifest {
  return { ...m, documents: m.documents.map((d, j) => (j === i ? { ...d, ...patch } : d)) };
}

const docText = (n: number) => enc.encode(`${MARKER} document ${n}\n`.repeat(40));

/** Recipient specs of the seal: by default our RSA key and the P-256 one. */
function recipients(which: ('rsa' | 'p256' | 'p384' | 'stranger')[] = ['rsa', 'p256']) {
  return which.map((w): SealRecipient => {
    const certificate = rc[w].certificate;
    return certificate.keyType === 'rsa' ? { certificate, oaepHash: 'sha256' } : { certificate };
  });
}

interface RawSealOptions {
  /** The signed content (a tar body, or anything). */
  content: Uint8Array;
  signedLevel?: LevelCode;
  outerLevel?: LevelCode;
  signer?: 'p256' | 'stranger';
  to?: ('rsa' | 'p256' | 'p384' | 'stranger')[];
}

/** signContent + sealEnvelope over hand-made content: valid crypto, hostile content. */
async function sealRaw(o: RawSealOptions): Promise<Uint8Array> {
  const party = o.signer === 'stranger' ? sd.stranger : sd.p256;
  const inner = signContent({
    content: [o.content],
    signers: [softwareSigner(party.key, party.der)],
    level: o.signedLevel ?? 'mat',
    certificates: sd.intermediates,
  });
  const chunks: Uint8Array[] = [];
  for await (const c of sealEnvelope({
    inner,
    recipients: recipients(o.to),
    level: o.outerLevel ?? 'mat',
  })) {
    chunks.push(Uint8Array.from(c));
  }
  return Buffer.concat(chunks);
}

/** A Niêm body by hand: manifest.json + documents, each a raw ustar member. */
function body(level: LevelCode, docs: readonly Doc[], manifestBytes?: Uint8Array): Uint8Array {
  const m = manifestBytes ?? serializeManifest(manifestFor(level, docs));
  return rawTar([{ name: 'manifest.json', data: m }, ...docs]);
}

// ---------------------------------------------------------------- opening and checking

function writePkg(bytes: Uint8Array): string {
  const p = path.join(work, `pkg-${++counter}.p7m`);
  writeFileSync(p, bytes);
  return p;
}

/** Every file under `dir` whose bytes contain the plaintext marker. */
function filesWithMarker(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !p.endsWith('.p7m') && readFileSync(p).includes(MARKER)) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found;
}

async function withTimeout<T>(p: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer in ${CASE_MS} ms`)), CASE_MS);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

const keys = () => [rc.rsa.key, rc.p256.key];

async function open(
  pkg: string,
  outDir: string,
  options: { keys?: (typeof rc.rsa.key)[]; trust?: Uint8Array[] } = {},
): Promise<PackageReport> {
  return withTimeout(
    openPackage({
      path: pkg,
      keys: options.keys ?? keys(),
      trustAnchors: options.trust ?? [sd.root.der],
      outDir,
    }),
    pkg,
  );
}

/**
 * Opens `bytes` into a fresh folder (absent before; and, in a second run, existing and
 * holding one unrelated file) and expects a refusal of one of `kinds`; asserts nothing
 * was left and no plaintext anywhere under the work folder. Returns the kind.
 */
async function refused(
  bytes: Uint8Array,
  kinds: readonly ErrorKind[],
  label: string,
  options: { keys?: (typeof rc.rsa.key)[]; trust?: Uint8Array[]; existing?: boolean } = {},
): Promise<{ kind: ErrorKind; error: NiemError }> {
  const pkg = writePkg(bytes);
  const parent = path.join(work, `case-${counter}`);
  mkdirSync(parent);
  const outDir = path.join(parent, 'out');
  if (options.existing === true) {
    mkdirSync(outDir);
    writeFileSync(path.join(outDir, 'keep.txt'), 'unrelated');
  }
  let caught: unknown;
  try {
    await open(pkg, outDir, options);
  } catch (err) {
    caught = err;
  }
  try {
    assert.ok(caught !== undefined, `${label}: opened, expected ${kinds.join('|')}`);
    assert.ok(
      caught instanceof NiemError,
      `${label}: not a NiemError: ${String((caught as Error).stack ?? caught)}`,
    );
    assert.ok(
      kinds.includes(caught.kind),
      `${label}: kind ${caught.kind} (${caught.message}), expected ${kinds.join('|')}`,
    );
    if (options.existing === true) {
      assert.deepEqual(readdirSync(outDir), ['keep.txt'], `${label}: output folder changed`);
    } else {
      assert.equal(existsSync(outDir), false, `${label}: output folder left behind`);
      assert.deepEqual(readdirSync(parent), [], `${label}: something left beside it`);
    }
    assert.deepEqual(filesWithMarker(work), [], `${label}: plaintext left on disk`);
    return { kind: caught.kind, error: caught };
  } finally {
    rmSync(parent, { recursive: true, force: true });
    rmSync(pkg, { force: true });
  }
}

/** A valid package of two documents made by sealPackage, and its bytes. */
async function validPackage(to: ('rsa' | 'p256')[] = ['rsa', 'p256']): Promise<Uint8Array> {
  const dir = path.join(work, `src-${++counter}`);
  mkdirSync(dir);
  const files = [1, 2].map((n) => {
    const f = path.join(dir, `doc-${n}.txt`);
    writeFileSync(f, docText(n));
    return f;
  });
  const [first, ...rest] = to;
  const out = path.join(work, `valid-${counter}.p7m`);
  await sealPackage({
    files,
    level: 'mat',
    signers: [softwareSigner(sd.p256.key, sd.p256.der)],
    certificates: sd.intermediates,
    sender: { certificate: readFileSync(rc[first ?? 'rsa'].certPath, 'utf8') },
    recipients: rest.map((w) => ({ certificate: readFileSync(rc[w].certPath, 'utf8') })),
    out,
  });
  rmSync(dir, { recursive: true, force: true });
  const bytes = readFileSync(out);
  rmSync(out);
  return new Uint8Array(bytes);
}

// ---------------------------------------------------------------- the package layout

interface Tlv {
  start: number;
  headerLength: number;
  end: number;
}

/** One definite-length TLV at `at` (short or long form). */
function tlv(b: Uint8Array, at: number): Tlv {
  const first = b[at + 1] ?? 0;
  if (first < 0x80) return { start: at, headerLength: 2, end: at + 2 + first };
  const n = first & 0x7f;
  assert.ok(n > 0 && n <= 4, 'test layout: definite length expected');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (b[at + 2 + i] ?? 0);
  return { start: at, headerLength: 2 + n, end: at + 2 + n + len };
}

interface Layout {
  recipientInfos: Tlv;
  /** Each RecipientInfo inside the SET. */
  infos: Tlv[];
  /** From the start of authEncryptedContentInfo to the end of its ciphertext. */
  contentStart: number;
  authAttrs: Tlv;
  mac: Tlv;
}

/**
 * ContentInfo(30 80) oid [0](a0 80) AuthEnvelopedData(30 80) version(02 01 00)
 * recipientInfos(31 …) authEncryptedContentInfo(30 80 …) [1] authAttrs  mac  00×6.
 */
function layout(b: Uint8Array): Layout {
  assert.deepEqual([...b.subarray(0, 2)], [0x30, 0x80]);
  const oidEnd = 2 + 2 + (b[3] ?? 0);
  assert.deepEqual([...b.subarray(oidEnd, oidEnd + 7)], [0xa0, 0x80, 0x30, 0x80, 2, 1, 0]);
  const recipientInfos = tlv(b, oidEnd + 7);
  assert.equal(b[recipientInfos.start], 0x31);
  const infos: Tlv[] = [];
  for (let at = recipientInfos.start + recipientInfos.headerLength; at < recipientInfos.end;) {
    const t = tlv(b, at);
    infos.push(t);
    at = t.end;
  }
  const macEnd = b.length - 6;
  assert.deepEqual([...b.subarray(macEnd)], [0, 0, 0, 0, 0, 0]);
  const mac = { start: macEnd - 18, headerLength: 2, end: macEnd };
  assert.deepEqual([...b.subarray(mac.start, mac.start + 2)], [0x04, 0x10]);
  // authAttrs: the [1] element that ends where the mac starts.
  let authAttrs: Tlv | undefined;
  for (let at = mac.start - 2; at > recipientInfos.end; at--) {
    if (b[at] !== 0xa1) continue;
    try {
      const t = tlv(b, at);
      if (t.end === mac.start) {
        authAttrs = t;
        break;
      }
    } catch {
      // not a header here
    }
  }
  assert.ok(authAttrs, 'test layout: authAttrs not found');
  return { recipientInfos, infos, contentStart: recipientInfos.end, authAttrs, mac };
}

const splice = (b: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array =>
  Buffer.concat([b.subarray(0, start), insert, b.subarray(end)]);

function swap(b: Uint8Array, x: Tlv, y: Tlv): Uint8Array {
  assert.ok(x.end <= y.start);
  return Buffer.concat([
    b.subarray(0, x.start),
    b.subarray(y.start, y.end),
    b.subarray(x.end, y.start),
    b.subarray(x.start, x.end),
    b.subarray(y.end),
  ]);
}

function flip(b: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(b);
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
}

// ---------------------------------------------------------------- the tests

describe('hostile packages: baseline', () => {
  it('the valid package opens, and its layout is what the attacks assume', async () => {
    const bytes = await validPackage();
    const l = layout(bytes);
    assert.equal(l.infos.length, 2);
    const outDir = path.join(work, `ok-${++counter}`);
    const report = await open(writePkg(bytes), outDir);
    assert.equal(report.committed, true);
    assert.deepEqual(readdirSync(outDir).sort(), ['doc-1.txt', 'doc-2.txt', 'manifest.json']);
    rmSync(outDir, { recursive: true });
  });

  it('a hand-made body through signContent + sealEnvelope opens (the harness is sound)', async () => {
    const docs = [{ name: 'a.txt', data: docText(1) }];
    const bytes = await sealRaw({ content: body('mat', docs) });
    const outDir = path.join(work, `ok-${++counter}`);
    const report = await open(writePkg(bytes), outDir);
    assert.equal(report.committed, true);
    assert.equal(report.content, 'niem-body');
    assert.deepEqual(readdirSync(outDir).sort(), ['a.txt', 'manifest.json']);
    rmSync(outDir, { recursive: true });
  });
});

describe('hostile packages: damaged bytes', () => {
  let pkg: Uint8Array;
  let l: Layout;
  before(async () => {
    pkg = await validPackage();
    l = layout(pkg);
  });

  it('truncated at many offsets: malformed, nothing written', async () => {
    const offsets = new Set<number>([0, 1, 2, 5, 17, 19, 22, 23]);
    for (let i = 1; i < 40; i++) offsets.add(Math.floor((pkg.length * i) / 40));
    for (const t of [l.recipientInfos.end, l.authAttrs.start, l.mac.start, l.mac.start + 10]) {
      offsets.add(t);
    }
    for (let i = 1; i <= 24; i++) offsets.add(pkg.length - i);
    for (const at of [...offsets].sort((a, b) => a - b)) {
      await refused(pkg.subarray(0, at), ['malformed'], `truncated at ${at}/${pkg.length}`);
    }
  });

  it('bit flips in the header, recipient infos, ciphertext, authAttrs and tag', async () => {
    const cases: [number, ErrorKind[], string, RecipientKey[]?][] = [];
    // Outer structure: tags, lengths, OIDs, version.
    for (let at = 0; at < l.recipientInfos.start + 4; at++) {
      cases.push([at, ['malformed'], 'header']);
    }
    // Recipient infos are not covered by the tag: a flip in an info we do not use is
    // harmless, so each info is opened with its own key only (info 0: the RSA sender,
    // info 1: P-256). A changed identifier is a stranger, a changed encrypted or wrapped
    // key unwraps to nothing, a changed tag or length is malformed.
    l.infos.forEach((info, i) => {
      const own = i === 0 ? [rc.rsa.key] : [rc.p256.key];
      const step = Math.max(1, Math.floor((info.end - info.start) / 32));
      for (let at = info.start; at < info.end; at += step) {
        cases.push([at, ['malformed', 'not-a-recipient', 'tampered'], `recipient info ${i}`, own]);
      }
    });
    // Ciphertext: only the tag can tell.
    const cipherFrom = l.contentStart + 64;
    const cipherTo = l.authAttrs.start - 8;
    for (let i = 0; i < 24; i++) {
      const at = cipherFrom + Math.floor(((cipherTo - cipherFrom) * i) / 24);
      cases.push([at, ['tampered', 'malformed'], 'ciphertext']);
    }
    // authAttrs (the AAD, carrying the outer level) and the tag itself.
    for (let at = l.authAttrs.start + l.authAttrs.headerLength; at < l.authAttrs.end; at += 3) {
      cases.push([at, ['tampered', 'malformed'], 'authAttrs']);
    }
    for (let at = l.mac.start + 2; at < l.mac.end; at++) cases.push([at, ['tampered'], 'tag']);
    let ciphertextTampered = 0;
    for (const [at, kinds, region, own] of cases) {
      const r = await refused(flip(pkg, at), kinds, `bit flip at ${at} (${region})`, {
        ...(own ? { keys: own } : {}),
      });
      if (region === 'ciphertext' && r.kind === 'tampered') ciphertextTampered++;
      if (region === 'tag' && r.error instanceof PackageRefused) {
        assert.fail('a failed tag must not produce a signature report');
      }
    }
    assert.ok(ciphertextTampered >= 20, `ciphertext flips: ${ciphertextTampered} tampered`);
  });

  it('a flipped tag is `tampered` in an existing output folder too, which stays as it was', async () => {
    await refused(flip(pkg, l.mac.end - 1, 0x80), ['tampered'], 'tag flip, existing', {
      existing: true,
    });
    const mid = l.contentStart + Math.floor((l.authAttrs.start - l.contentStart) / 2);
    await refused(flip(pkg, mid, 0x10), ['tampered'], 'ciphertext flip, existing', {
      existing: true,
    });
  });

  it('swapped recipient infos still open', async () => {
    const [a, b] = l.infos;
    assert.ok(a && b);
    const swapped = swap(pkg, a, b);
    assert.notDeepEqual(swapped, pkg);
    for (const k of [[rc.rsa.key], [rc.p256.key]]) {
      const outDir = path.join(work, `swap-${++counter}`);
      const report = await open(writePkg(swapped), outDir, { keys: k });
      assert.equal(report.committed, true);
      rmSync(outDir, { recursive: true });
    }
  });

  it('swapped authAttrs and mac: malformed or tampered', async () => {
    const r = await refused(swap(pkg, l.authAttrs, l.mac), ['malformed', 'tampered'], 'swap');
    assert.ok(r);
  });

  it('over-long length fields: malformed, no hang, no huge allocation', async () => {
    const ri = l.recipientInfos;
    const variants: [string, Uint8Array][] = [
      // recipientInfos claims far more than the file holds
      [
        'recipientInfos 2^31-1',
        splice(
          pkg,
          ri.start + 1,
          ri.start + ri.headerLength,
          Uint8Array.of(0x84, 0x7f, 0xff, 0xff, 0xff),
        ),
      ],
      [
        'recipientInfos 0xffff',
        splice(pkg, ri.start + 1, ri.start + ri.headerLength, Uint8Array.of(0x82, 0xff, 0xff)),
      ],
      // a length of length beyond any integer
      [
        'recipientInfos 8-byte length',
        splice(
          pkg,
          ri.start + 1,
          ri.start + ri.headerLength,
          Uint8Array.of(0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
        ),
      ],
      [
        'recipientInfos 127-byte length',
        splice(
          pkg,
          ri.start + 1,
          ri.start + ri.headerLength,
          Uint8Array.of(0xfe, ...new Uint8Array(126).fill(0xff)),
        ),
      ],
      // the version INTEGER made enormous
      [
        'version 2^32',
        splice(pkg, ri.start - 3, ri.start, Uint8Array.of(0x02, 0x84, 0xff, 0xff, 0xff, 0xff, 0)),
      ],
      // the mac claims 2^31 bytes
      [
        'mac 2^31-1',
        splice(
          pkg,
          l.mac.start,
          l.mac.start + 2,
          Uint8Array.of(0x04, 0x84, 0x7f, 0xff, 0xff, 0xff),
        ),
      ],
      // authAttrs claims 16 MiB
      [
        'authAttrs 16 MiB',
        splice(
          pkg,
          l.authAttrs.start,
          l.authAttrs.start + l.authAttrs.headerLength,
          Uint8Array.of(0xa1, 0x83, 0xff, 0xff, 0xff),
        ),
      ],
    ];
    // the first ciphertext segment claims 2^31 bytes: authEncryptedContentInfo is
    // 30 80, contentType, contentEncryptionAlgorithm, then [0] a0 80 and the segments
    // (found by walking the structure: a search for 0x04 can land in the random nonce)
    assert.deepEqual([...pkg.subarray(l.contentStart, l.contentStart + 2)], [0x30, 0x80]);
    const contentType = tlv(pkg, l.contentStart + 2);
    const algorithm = tlv(pkg, contentType.end);
    assert.deepEqual([...pkg.subarray(algorithm.end, algorithm.end + 2)], [0xa0, 0x80]);
    const seg = algorithm.end + 2;
    const t = tlv(pkg, seg);
    assert.equal(pkg[seg], 0x04);
    variants.push([
      'segment 2^31-1',
      splice(pkg, seg, seg + t.headerLength, Uint8Array.of(0x04, 0x84, 0x7f, 0xff, 0xff, 0xff)),
    ]);
    for (const [label, bytes] of variants) await refused(bytes, ['malformed'], label);
  });

  it('deeply nested: 10 000 levels outside and inside the encryption', async () => {
    const depth = 10_000;
    const nest = (prefix: Uint8Array) =>
      Buffer.concat([
        prefix,
        Buffer.alloc(depth * 2, Buffer.from([0x30, 0x80])),
        Buffer.alloc(depth * 2),
      ]);
    // As the whole file.
    await refused(nest(new Uint8Array(0)), ['malformed'], 'nested file');
    // In place of the recipient infos.
    const prefix = pkg.subarray(0, l.recipientInfos.start);
    await refused(
      Buffer.concat([nest(prefix), pkg.subarray(l.recipientInfos.start)]),
      ['malformed'],
      'nested recipientInfos',
    );
    // Definite-length nesting inside a RecipientInfo set (31 → 30 → 30 …).
    let inner: Uint8Array = Uint8Array.of(0x05, 0x00);
    for (let i = 0; i < depth; i++) {
      const len = inner.length;
      const header =
        len < 0x80
          ? Uint8Array.of(0x30, len)
          : len < 0x100
            ? Uint8Array.of(0x30, 0x81, len)
            : len < 0x10000
              ? Uint8Array.of(0x30, 0x82, len >> 8, len & 0xff)
              : Uint8Array.of(0x30, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff);
      inner = Buffer.concat([header, inner]);
    }
    await refused(
      splice(
        pkg,
        l.recipientInfos.start,
        l.recipientInfos.end,
        Buffer.concat([
          Uint8Array.of(
            0x31,
            0x83,
            inner.length >> 16,
            (inner.length >> 8) & 0xff,
            inner.length & 0xff,
          ),
          inner,
        ]),
      ),
      ['malformed'],
      'nested definite',
    );
    // Inside: valid crypto around a SignedData that is 10 000 levels deep.
    const sealed: Uint8Array[] = [];
    for await (const c of sealEnvelope({
      inner: (async function* () {
        yield nest(new Uint8Array(0));
      })(),
      recipients: recipients(),
      level: 'mat',
    })) {
      sealed.push(Uint8Array.from(c));
    }
    await refused(Buffer.concat(sealed), ['malformed'], 'nested inner');
  });

  it('trailing garbage: malformed', async () => {
    for (const extra of [
      Uint8Array.of(0),
      Uint8Array.of(0, 0),
      randomBytes(1),
      randomBytes(4096),
    ]) {
      await refused(Buffer.concat([pkg, extra]), ['malformed'], `trailing ${extra.length}`);
    }
  });

  it('empty file and random bytes: malformed', async () => {
    await refused(new Uint8Array(0), ['malformed'], 'empty');
    for (let i = 0; i < 8; i++) await refused(randomBytes(64 + i * 300), ['malformed'], 'random');
  });
});

describe('hostile packages: valid crypto, hostile content', () => {
  const level: LevelCode = 'mat';
  const ok = (n: number, name = `doc-${n}.txt`): Doc => ({ name, data: docText(n) });

  /** A manifest listing `listed` but with the tar member named `member`. */
  const renamed = (listed: string, member: string | Uint8Array): Uint8Array => {
    const d = ok(1, listed);
    return rawTar([
      { name: 'manifest.json', data: serializeManifest(manifestFor(level, [d])) },
      { name: member, data: d.data },
    ]);
  };

  /** A manifest that lists `name` itself (the JSON patched by hand), the member too. */
  const listedHostile = (name: string): Uint8Array => {
    const d = ok(1, 'PLACEHOLDER.txt');
    const json = Buffer.from(serializeManifest(manifestFor(level, [d]))).toString('utf8');
    const m = enc.encode(json.replace('"PLACEHOLDER.txt"', JSON.stringify(name)));
    return rawTar([
      { name: 'manifest.json', data: m },
      { name, data: d.data },
    ]);
  };

  const hostile = [
    '../x',
    '/etc/x',
    'C:\\x',
    'CON',
    'con.txt',
    'a\u0001b',
    'a\u001bb',
    'a/b',
    '..',
  ];

  for (const name of hostile) {
    it(`member ${JSON.stringify(name)}: unsafe-name`, async () => {
      await refused(
        await sealRaw({ content: renamed('x.txt', name) }),
        ['unsafe-name'],
        `member ${name}`,
      );
      await refused(
        await sealRaw({ content: listedHostile(name) }),
        ['unsafe-name'],
        `listed ${name}`,
      );
    });
  }

  it('a member name that is not UTF-8: unsafe-name', async () => {
    await refused(
      await sealRaw({ content: renamed('x.txt', Uint8Array.of(0x61, 0xff, 0x62)) }),
      ['unsafe-name'],
      'not utf-8',
    );
  });

  it('duplicate names (same, other case, other normalisation): unsafe-name', async () => {
    const d = ok(1, 'a.txt');
    for (const second of ['a.txt', 'A.TXT', 'manifest.json']) {
      const tar = rawTar([
        { name: 'manifest.json', data: serializeManifest(manifestFor(level, [d])) },
        d,
        { name: second, data: d.data },
      ]);
      await refused(
        await sealRaw({ content: tar }),
        ['unsafe-name', 'malformed'],
        `duplicate ${second}`,
      );
    }
    // listed twice in the manifest
    const json = Buffer.from(serializeManifest(manifestFor(level, [d, ok(1, 'b.txt')]))).toString(
      'utf8',
    );
    const m = enc.encode(json.replace('"b.txt"', '"a.txt"'));
    await refused(
      await sealRaw({ content: rawTar([{ name: 'manifest.json', data: m }, d, d]) }),
      ['unsafe-name', 'malformed'],
      'listed twice',
    );
    const nfd = 'e\u0301.txt';
    const nfc = '\u00e9.txt';
    await refused(
      await sealRaw({
        content: rawTar([
          { name: 'manifest.json', data: serializeManifest(manifestFor(level, [ok(1, nfc)])) },
          ok(1, nfc),
          ok(1, nfd),
        ]),
      }),
      ['unsafe-name', 'malformed'],
      'nfc/nfd',
    );
  });

  it('a manifest over 1 MiB: malformed', async () => {
    const d = ok(1, 'a.txt');
    const json = Buffer.from(serializeManifest(manifestFor(level, [d]))).toString('utf8');
    const big = enc.encode(json.replace(/\n}\s*$/, `,\n  "x": "${'a'.repeat(1024 * 1024)}"\n}\n`));
    assert.ok(big.length > 1024 * 1024);
    await refused(await sealRaw({ content: body(level, [d], big) }), ['malformed'], 'big manifest');
  });

  it('manifest size or hash that does not match the member: tampered', async () => {
    const d = ok(1, 'a.txt');
    const m = manifestFor(level, [d]);
    const wrongHash = patchDoc(m, 0, { sha256: sha256(enc.encode('other')) });
    await refused(
      await sealRaw({ content: body(level, [d], serializeManifest(wrongHash)) }),
      ['tampered'],
      'hash',
    );
    const wrongSize = patchDoc(m, 0, { size: d.data.length + 1 });
    await refused(
      await sealRaw({ content: body(level, [d], serializeManifest(wrongSize)) }),
      ['tampered', 'malformed'],
      'size',
    );
    // the second document wrong, after the first was written to the partial folder
    const two = [ok(1, 'a.txt'), ok(2, 'b.txt')];
    const m2 = patchDoc(manifestFor(level, two), 1, { sha256: sha256(enc.encode('other')) });
    await refused(
      await sealRaw({ content: body(level, two, serializeManifest(m2)) }),
      ['tampered'],
      'second hash',
    );
  });

  it('members missing, extra, or out of order: malformed', async () => {
    const a = ok(1, 'a.txt');
    const b = ok(2, 'b.txt');
    const two = [a, b];
    const m = serializeManifest(manifestFor(level, two));
    const cases: [string, Uint8Array][] = [
      ['missing', rawTar([{ name: 'manifest.json', data: m }, a])],
      ['extra', rawTar([{ name: 'manifest.json', data: m }, ...two, ok(3, 'c.txt')])],
      ['order', rawTar([{ name: 'manifest.json', data: m }, b, a])],
      ['manifest not JSON', rawTar([{ name: 'manifest.json', data: enc.encode('{not json') }])],
      ['no end blocks', rawTar([{ name: 'manifest.json', data: m }, ...two]).subarray(0, -1024)],
    ];
    for (const [label, content] of cases) {
      await refused(await sealRaw({ content }), ['malformed'], label);
    }
  });

  it('the outer level disagrees with the signed ESS level: refused with a report', async () => {
    const docs = [ok(1, 'a.txt')];
    for (const [signedLevel, outerLevel, manifestLevel] of [
      ['toi-mat', 'mat', 'toi-mat'],
      ['mat', 'thuong', 'mat'],
      ['mat', 'mat', 'tuyet-mat'],
    ] as const) {
      const bytes = await sealRaw({ content: body(manifestLevel, docs), signedLevel, outerLevel });
      const r = await refused(
        bytes,
        ['malformed'],
        `levels ${signedLevel}/${outerLevel}/${manifestLevel}`,
      );
      assert.ok(r.error instanceof PackageRefused);
      assert.equal(r.error.report.levels.agree, false);
      assert.equal(r.error.report.committed, false);
    }
  });

  it('signed under an untrusted CA: untrusted-signer, nothing written', async () => {
    const bytes = await sealRaw({ content: body(level, [ok(1, 'a.txt')]), signer: 'stranger' });
    const r = await refused(bytes, ['untrusted-signer'], 'stranger');
    assert.ok(r.error instanceof PackageRefused);
    // and a valid package against another root
    await refused(await validPackage(), ['untrusted-signer'], 'other anchor', {
      trust: [sd.otherRoot.der],
    });
  });

  it('not addressed to us: not-a-recipient', async () => {
    const bytes = await sealRaw({
      content: body(level, [ok(1, 'a.txt')]),
      to: ['p384', 'stranger'],
    });
    await refused(bytes, ['not-a-recipient'], 'not addressed');
    await refused(await validPackage(['rsa']), ['not-a-recipient'], 'rsa only', {
      keys: [rc.p256.key],
    });
  });

  it('a failed open into new nested folders removes every folder it made, and only those', async () => {
    const valid = await validPackage();
    const pkg = writePkg(valid.subarray(0, valid.length - 40)); // cut inside the mac
    const parent = path.join(work, 'nested-case');
    mkdirSync(parent);
    writeFileSync(path.join(parent, 'keep.txt'), 'unrelated');
    const outDir = path.join(parent, 'a', 'b', 'c');
    try {
      await assert.rejects(open(pkg, outDir), NiemError);
      assert.deepEqual(readdirSync(parent), ['keep.txt'], 'a/b/c and its parents are gone');
    } finally {
      rmSync(parent, { recursive: true, force: true });
      rmSync(pkg, { force: true });
    }
  });
});
