/**
 * Interoperability with the tar tools of other agencies' machines: GNU tar extracts what
 * the writer makes, identically (names, bytes, mtime), including a member over 8 GiB;
 * the reader reads what `tar --format=pax` (and bsdtar, when installed) make.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { NiemError } from '../../native/api/errors.ts';
import { describeFile, fileContent } from '../../native/seal/manifest-files.ts';
import { manifestMtime, serializeManifest, type Manifest } from '../../native/seal/manifest.ts';
import { readNiemBody, writeNiemBody } from '../../native/seal/tar/body.ts';
import { detectBody } from '../../native/seal/tar/detect.ts';
import { MAX_OCTAL_SIZE } from '../../native/seal/tar/header.ts';
import { readTar } from '../../native/seal/tar/reader.ts';
import { writeTar } from '../../native/seal/tar/writer.ts';

const enc = new TextEncoder();

function has(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}
// Both peers are installed by scripts/setup.sh and .ci/run; a missing one fails here
// rather than skipping the interop checks.
const gnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout.includes('GNU tar');
const bsdtar = has('bsdtar');
assert.ok(gnuTar, 'GNU tar is needed for the interop tests (apt: tar)');
assert.ok(bsdtar, 'bsdtar is needed for the interop tests (apt: libarchive-tools)');

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let work = '';
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'niem-tar-interop-'));
});
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Source files with Vietnamese (NFC) names, an empty file, a long name, a few MiB. */
function makeSources(dir: string): string[] {
  const random = new Uint8Array(3 * 1024 * 1024 + 17);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
  const files: Array<[string, Uint8Array]> = [
    ['Công văn số 7816-VPCP-TTĐT.pdf', enc.encode('%PDF-1.7 nội dung công văn')],
    ['Tờ trình (dự thảo) — bản 2.docx', random],
    ['trống.txt', new Uint8Array(0)],
    ['Phụ lục ' + 'kèm theo quyết định '.repeat(8) + '.xlsx', enc.encode('phụ lục')],
  ];
  for (const [name, data] of files) writeFileSync(path.join(dir, name.normalize('NFC')), data);
  return files.map(([n]) => n.normalize('NFC'));
}

describe('GNU tar extracts the writer’s output', () => {
  it('identically: names, bytes and mtime', async () => {
    const src = path.join(work, 'src');
    const out = path.join(work, 'out');
    for (const d of [src, out]) spawnSync('mkdir', ['-p', d]);
    const names = makeSources(src);
    const documents = [];
    for (const name of names) documents.push(await describeFile(path.join(src, name)));
    const manifest: Manifest = {
      formatVersion: 1,
      securityLevel: 'mat',
      promulgationInfo: { place: 'Hà Nội', promulgationDate: '2025-03-08' },
      documents,
    };
    const archive = path.join(work, 'body.tar');
    await pipeline(
      Readable.from(
        writeNiemBody(
          manifest,
          names.map((n) => fileContent(path.join(src, n))),
        ),
      ),
      (await import('node:fs')).createWriteStream(archive),
    );
    run('tar', ['-xf', archive, '-C', out]);
    assert.deepEqual(readdirSync(out).sort(), ['manifest.json', ...names].sort());
    assert.deepEqual(
      readFileSync(path.join(out, 'manifest.json')),
      Buffer.from(serializeManifest(manifest)),
    );
    for (const name of names) {
      assert.deepEqual(
        readFileSync(path.join(out, name)),
        readFileSync(path.join(src, name)),
        name,
      );
      assert.equal(
        Math.round(statSync(path.join(out, name)).mtimeMs / 1000),
        manifestMtime(manifest),
      );
    }
    const listing = run('tar', ['--numeric-owner', '-tvf', archive]);
    for (const line of listing.trim().split('\n')) assert.match(line, /^-rw-r--r-- 0\/0 /);
  });

  it('reads a member over 8 GiB (pax size) and the member after it', async () => {
    const size = MAX_OCTAL_SIZE + 1 + 512 * 1024 * 1024;
    const zeros = new Uint8Array(8 * 1024 * 1024);
    async function* content(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < size; at += zeros.length) {
        yield at + zeros.length > size ? zeros.subarray(0, size - at) : zeros;
      }
    }
    const child = spawn('tar', ['--numeric-owner', '-tvf', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const entries = [
      { name: 'bản quét.tif', size, content: content() },
      { name: 'sau.txt', size: 2, content: enc.encode('ok') },
    ];
    await pipeline(Readable.from(writeTar(entries)), child.stdin);
    assert.equal(await exited, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', new RegExp(` ${size} .* bản quét\\.tif$`));
    assert.match(lines[1] ?? '', / 2 .* sau\.txt$/);
  });
});

async function readArchive(
  file: string,
): Promise<{ manifest: Manifest; files: Map<string, Buffer> }> {
  const bytes = readFileSync(file);
  assert.equal(detectBody(bytes.subarray(0, 512)), 'niem-tar');
  const { createReadStream } = await import('node:fs');
  const body = await readNiemBody(createReadStream(file, { highWaterMark: 4099 }));
  const files = new Map<string, Buffer>();
  for await (const doc of body.documents) {
    const parts: Uint8Array[] = [];
    for await (const c of doc.body) parts.push(Buffer.from(c));
    files.set(doc.name, Buffer.concat(parts));
  }
  return { manifest: body.manifest, files };
}

async function prepareBodyDir(
  name: string,
): Promise<{ dir: string; names: string[]; manifest: Manifest }> {
  const dir = path.join(work, name);
  spawnSync('mkdir', ['-p', dir]);
  const names = makeSources(dir);
  const documents = [];
  for (const n of names) documents.push(await describeFile(path.join(dir, n)));
  const manifest: Manifest = { formatVersion: 1, securityLevel: 'toi-mat', documents };
  writeFileSync(path.join(dir, 'manifest.json'), serializeManifest(manifest));
  return { dir, names, manifest };
}

describe('the reader reads archives made by other tools', () => {
  for (const format of ['pax', 'ustar', 'gnu'] as const) {
    it(`GNU tar --format=${format}`, async () => {
      const { dir, names, manifest } = await prepareBodyDir(`gnu-${format}`);
      const archive = path.join(work, `gnu-${format}.tar`);
      // ustar cannot hold the 150-byte name and GNU format would use an 'L' entry: short names only there.
      const list = format === 'pax' ? names : names.filter((n) => Buffer.byteLength(n) <= 100);
      if (format !== 'pax') {
        const documents = manifest.documents.filter((d) => list.includes(d.name));
        writeFileSync(
          path.join(dir, 'manifest.json'),
          serializeManifest({ ...manifest, documents }),
        );
      }
      run('tar', [`--format=${format}`, '-cf', archive, '-C', dir, 'manifest.json', ...list]);
      const { manifest: back, files } = await readArchive(archive);
      assert.deepEqual(
        back.documents.map((d) => d.name),
        list,
      );
      for (const n of list) assert.deepEqual(files.get(n), readFileSync(path.join(dir, n)), n);
    });
  }

  it('GNU tar --format=gnu with a long name (an L entry) is refused as malformed', async () => {
    const { dir, names } = await prepareBodyDir('gnu-long');
    const archive = path.join(work, 'gnu-long.tar');
    run('tar', ['--format=gnu', '-cf', archive, '-C', dir, 'manifest.json', ...names]);
    await assert.rejects(
      readArchive(archive),
      (err: unknown) => err instanceof NiemError && err.kind === 'malformed',
    );
  });

  it('GNU tar with a folder entry is refused as unsafe-name', async () => {
    const { dir } = await prepareBodyDir('gnu-folder');
    const archive = path.join(work, 'gnu-folder.tar');
    run('tar', ['--format=pax', '-cf', archive, '-C', path.dirname(dir), path.basename(dir)]);
    const bytes = readFileSync(archive);
    await assert.rejects(
      (async () => {
        for await (const entry of readTar([bytes])) for await (const _ of entry.body) void _;
      })(),
      (err: unknown) => err instanceof NiemError && err.kind === 'unsafe-name',
    );
  });

  it('bsdtar --format=pax', async () => {
    const { dir, names } = await prepareBodyDir('bsd-pax');
    const archive = path.join(work, 'bsd-pax.tar');
    run('bsdtar', ['--format=pax', '-cf', archive, '-C', dir, 'manifest.json', ...names]);
    const { manifest, files } = await readArchive(archive);
    assert.deepEqual(
      manifest.documents.map((d) => d.name),
      names,
    );
    for (const n of names) assert.deepEqual(files.get(n), readFileSync(path.join(dir, n)), n);
  });

  it('bsdtar extracts the writer’s output identically', async () => {
    const data = enc.encode('nội dung');
    const sha = createHash('sha256').update(data).digest('hex');
    const manifest: Manifest = {
      formatVersion: 1,
      securityLevel: 'thuong',
      documents: [
        { name: 'Tài liệu.pdf', size: data.length, sha256: sha, mediaType: 'application/pdf' },
      ],
    };
    const archive = path.join(work, 'for-bsd.tar');
    await pipeline(
      Readable.from(writeNiemBody(manifest, [data])),
      (await import('node:fs')).createWriteStream(archive),
    );
    const out = path.join(work, 'bsd-out');
    spawnSync('mkdir', ['-p', out]);
    run('bsdtar', ['-xf', archive, '-C', out]);
    assert.deepEqual(readFileSync(path.join(out, 'Tài liệu.pdf')), Buffer.from(data));
  });
});
