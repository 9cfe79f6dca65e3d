/**
 * Opening a package into a folder (docs/package-format.md §10): openEnvelope streams the
 * plaintext into verifySignedData, whose content goes to readNiemBody (or, for content
 * another tool signed, to one `content.bin`), every file written into a fresh
 * `<outDir>/.partial-<random>` folder. The files are moved into `outDir` only when the
 * GCM tag and every signature verified and the levels (outer label, every signed label,
 * manifest.securityLevel) agree; on any failure the partial folder is removed and
 * nothing is left in `outDir`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NiemError } from '../../api/errors.ts';
import type { RecipientKey } from '../cms-crypto/index.ts';
import { openEnvelope, type OpenedEnvelope } from '../envelope/index.ts';
import type { LevelCode } from '../levels.ts';
import { assertVerified, verifySignedData, type VerificationReport } from '../signed-data/index.ts';
import {
  BODY_PEEK_BYTES,
  FOREIGN_CONTENT_NAME,
  MANIFEST_NAME,
  detectBody,
  readNiemBody,
  safeOutputPath,
} from '../tar/index.ts';
import { FILE_READ_BYTES } from '../manifest-files.ts';
import { sweepStalePartialDirs, trackPartial } from './partial-files.ts';

/** How much of the signed content is looked at to tell a Niêm body from foreign content. */
const PEEK_BYTES = Math.max(BODY_PEEK_BYTES, 4096);

export interface OpenPackageOptions {
  /** The package file (or a name for it when `bytes` is given). */
  path: string;
  /**
   * The package as a stream instead of reading `path` (the vault decrypting a stored
   * package from its blob): read once, from the start.
   */
  bytes?: AsyncIterable<Uint8Array>;
  /** Our certificates and their private operations (token or software). */
  keys: RecipientKey[];
  /** Root certificates (DER) the signers must chain to; at least one. */
  trustAnchors: readonly Uint8Array[];
  /** Where the documents and manifest.json go (created when missing). */
  outDir: string;
  /** Tests: the current time for the chain checks. */
  now?: Date;
}

export interface OpenedDocument {
  name: string;
  size: number;
  mediaType: string;
  sha256?: string;
}

export interface PackageLevels {
  /** NiemEnvelopeInfo's label, authenticated by the tag; undefined: not stated. */
  outside: LevelCode | undefined;
  /** Each signer's signed ESS label, in report order; undefined: none under Niêm's policy. */
  signers: (LevelCode | undefined)[];
  /** manifest.json's securityLevel; undefined for foreign content. */
  manifest: LevelCode | undefined;
  /** The level inside (the signed one), when the signers and manifest state one. */
  inside: LevelCode | undefined;
  agree: boolean;
}

export interface PackageReport {
  formatVersion: number | undefined;
  /** Which of our certificates opened it. */
  openedWith: { subject: string; serial: string; type: 'ktri' | 'kari' } | undefined;
  /** 'valid' once the GCM tag verified. */
  tag: 'valid' | 'invalid' | 'not-reached';
  content: 'niem-body' | 'foreign' | undefined;
  /** Set for foreign content: it carried no metadata. */
  notice: 'foreign-content' | undefined;
  documents: OpenedDocument[];
  signedData: VerificationReport | undefined;
  levels: PackageLevels;
  revocation: 'not-checked';
  /** True when the files were committed to outDir. */
  committed: boolean;
  outDir: string;
}

/** An open that was refused after a report could be made (signatures or levels). */
export class PackageRefused extends NiemError {
  readonly report: PackageReport;
  constructor(error: NiemError, report: PackageReport) {
    super(error.kind, error.message, { cause: error });
    this.name = 'PackageRefused';
    this.report = report;
  }
}

/** Reads from `source` until `n` bytes are buffered or it ends; the rest stays unread. */
async function peek(
  iterator: AsyncIterator<Uint8Array>,
  n: number,
): Promise<{ prefix: Uint8Array; chunks: Uint8Array[]; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await iterator.next();
    if (r.done === true) {
      done = true;
      break;
    }
    chunks.push(Uint8Array.from(r.value)); // the views are reused by the reader: copy
    length += r.value.length;
  }
  return { prefix: Buffer.concat(chunks), chunks, done };
}

async function* replay(
  chunks: Uint8Array[],
  iterator: AsyncIterator<Uint8Array>,
  done: boolean,
): AsyncGenerator<Uint8Array> {
  yield* chunks;
  if (done) return;
  for (;;) {
    const r = await iterator.next();
    if (r.done === true) return;
    yield r.value;
  }
}

async function writeFileFrom(target: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let size = 0;
  await pipeline(
    Readable.from(
      (async function* () {
        for await (const c of chunks) {
          size += c.length;
          yield c;
        }
      })(),
    ),
    createWriteStream(target, { flags: 'wx', mode: 0o600 }),
  );
  return size;
}

function compareLevels(
  opened: OpenedEnvelope,
  report: VerificationReport,
  manifestLevel: LevelCode | undefined,
  kind: 'niem-body' | 'foreign',
): PackageLevels {
  const signers = report.signers.map((s) => s.level);
  const stated = [opened.level, ...signers, manifestLevel].filter(
    (l): l is LevelCode => l !== undefined,
  );
  const allSame = stated.every((l) => l === stated[0]);
  const complete =
    kind === 'foreign' ||
    (opened.level !== undefined &&
      manifestLevel !== undefined &&
      signers.every((l) => l !== undefined));
  const insideLevels = [...signers, manifestLevel].filter((l): l is LevelCode => l !== undefined);
  const inside =
    insideLevels.length > 0 && insideLevels.every((l) => l === insideLevels[0])
      ? insideLevels[0]
      : undefined;
  return {
    outside: opened.level,
    signers,
    manifest: manifestLevel,
    inside,
    agree: allSame && complete,
  };
}

/**
 * Moves every file of `from` into `to`, refusing to replace anything there: first checks
 * all targets are free, then links each (link fails on an existing name), and undoes the
 * links made if one fails.
 */
async function commit(from: string, to: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const exists = await lstat(path.join(to, name)).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new NiemError(
        'invalid-input',
        'a file of the package already exists in the output folder',
      );
    }
  }
  const done: string[] = [];
  try {
    for (const name of names) {
      await link(path.join(from, name), path.join(to, name));
      done.push(name);
    }
  } catch (err) {
    for (const name of done) await unlink(path.join(to, name)).catch(() => undefined);
    throw err;
  }
}

/** Opens the package at `options.path`; see the module comment. */
export async function openPackage(options: OpenPackageOptions): Promise<PackageReport> {
  if (options.trustAnchors.length === 0) {
    throw new NiemError('untrusted-signer', 'no trust anchors: a package cannot be verified');
  }
  const outDir = path.resolve(options.outDir);
  const outExisted = await lstat(outDir).then(
    () => true,
    () => false,
  );
  // The first folder this call creates (undefined when outDir existed): a failed open
  // removes the folders it made, from outDir up to this one, and nothing else.
  const firstCreated = await mkdir(outDir, { recursive: true });
  await sweepStalePartialDirs(outDir); // left by a killed open (SIGKILL cannot be caught)
  const partialDir = path.join(outDir, `.partial-${randomBytes(8).toString('hex')}`);
  await mkdir(partialDir, { mode: 0o700 });
  const createdParents: string[] = [];
  if (!outExisted && firstCreated !== undefined) {
    const top = path.resolve(firstCreated);
    for (let d = outDir; ; d = path.dirname(d)) {
      createdParents.push(d);
      if (d === top || path.dirname(d) === d) break;
    }
  }
  const untrack = trackPartial({ path: partialDir, kind: 'dir', createdParents });

  const report: PackageReport = {
    formatVersion: undefined,
    openedWith: undefined,
    tag: 'not-reached',
    content: undefined,
    notice: undefined,
    documents: [],
    signedData: undefined,
    levels: {
      outside: undefined,
      signers: [],
      manifest: undefined,
      inside: undefined,
      agree: false,
    },
    revocation: 'not-checked',
    committed: false,
    outDir,
  };
  const written: string[] = [];
  let manifestLevel: LevelCode | undefined;

  const onContent = async (chunks: AsyncIterable<Uint8Array>): Promise<void> => {
    const iterator = chunks[Symbol.asyncIterator]();
    const { prefix, chunks: head, done } = await peek(iterator, PEEK_BYTES);
    const stream = replay(head, iterator, done);
    if (detectBody(prefix) === 'foreign') {
      report.content = 'foreign';
      report.notice = 'foreign-content';
      const target = safeOutputPath(partialDir, FOREIGN_CONTENT_NAME);
      const size = await writeFileFrom(target, stream);
      written.push(FOREIGN_CONTENT_NAME);
      report.documents.push({
        name: FOREIGN_CONTENT_NAME,
        size,
        mediaType: 'application/octet-stream',
      });
      return;
    }
    report.content = 'niem-body';
    const body = await readNiemBody(stream);
    manifestLevel = body.manifest.securityLevel;
    await writeFile(safeOutputPath(partialDir, MANIFEST_NAME), body.manifestBytes, {
      flag: 'wx',
      mode: 0o600,
    });
    written.push(MANIFEST_NAME);
    for await (const doc of body.documents) {
      const target = safeOutputPath(partialDir, doc.name);
      await writeFileFrom(target, doc.body);
      written.push(doc.name);
      report.documents.push({
        name: doc.name,
        size: doc.size,
        mediaType: doc.mediaType,
        sha256: doc.sha256,
      });
    }
  };

  try {
    let innerError: unknown;
    let opened: OpenedEnvelope;
    try {
      opened = await openEnvelope(
        options.bytes ?? createReadStream(options.path, { highWaterMark: FILE_READ_BYTES }),
        {
          keys: options.keys,
          onPlaintext: async (plaintext) => {
            // The tag is checked after the inner readers finished; if they fail first
            // (a flipped bit garbles the body), read on so that the tag decides the kind.
            const source = plaintext[Symbol.asyncIterator]();
            const shield: AsyncIterable<Uint8Array> = {
              [Symbol.asyncIterator]: () => ({
                next: () => source.next(),
                return: () => Promise.resolve({ done: true, value: undefined }),
              }),
            };
            try {
              report.signedData = await verifySignedData(shield, {
                trustAnchors: options.trustAnchors,
                onContent,
                ...(options.now ? { now: options.now } : {}),
              });
            } catch (err) {
              innerError = err;
              for (;;) {
                const r = await source.next(); // throws `tampered` when the tag fails
                if (r.done === true) break;
              }
              throw err;
            }
            for (;;) {
              const r = await source.next();
              if (r.done === true) break;
            }
          },
        },
      );
    } catch (err) {
      if (innerError !== undefined && err !== innerError && err instanceof NiemError) {
        report.tag = err.kind === 'tampered' ? 'invalid' : report.tag;
      } else if (innerError !== undefined) {
        report.tag = 'valid'; // the tag verified; the content itself is at fault
      }
      throw err;
    }
    report.tag = 'valid';
    report.formatVersion = opened.formatVersion;
    report.openedWith = {
      subject: opened.recipient.certificate.certificate.subject.replace(/\n/g, ', '),
      serial: opened.recipient.certificate.certificate.serialNumber,
      type: opened.recipient.type,
    };
    const signed = report.signedData;
    if (signed === undefined || report.content === undefined) {
      throw new NiemError('internal', 'the signed content was not read');
    }
    report.levels = compareLevels(opened, signed, manifestLevel, report.content);
    try {
      assertVerified(signed);
      if (!report.levels.agree) {
        throw new NiemError(
          'malformed',
          'the levels disagree (outer label, signed labels, manifest.json)',
        );
      }
    } catch (err) {
      throw err instanceof NiemError ? new PackageRefused(err, report) : err;
    }
    await commit(partialDir, outDir, written);
    report.committed = true;
    return report;
  } finally {
    await rm(partialDir, { recursive: true, force: true });
    if (!report.committed && firstCreated !== undefined) {
      await removeCreatedFolders(outDir, path.resolve(firstCreated));
    }
    untrack();
  }
}

/** Removes `dir` and its parents up to `top`, each only while empty (rmdir never deletes content). */
async function removeCreatedFolders(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const removed = await rmdir(current).then(
      () => true,
      () => false,
    );
    if (!removed || current === top || path.dirname(current) === current) return;
  }
}
