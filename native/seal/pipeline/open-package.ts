/**
 * Opening a package (docs/package-format.md §10): openEnvelope streams the plaintext into
 * verifySignedData, whose content goes to readNiemBody (or, for content another tool
 * signed, to one `content.bin`), every file handed to a sink as it is read. The sink makes
 * the files final (`commit`) only when the GCM tag and every signature verified and the
 * levels (outer label, every signed label, manifest.securityLevel) agree; on any failure
 * it drops them. The default sink is a folder (./open-package-folder.ts: a fresh
 * `<outDir>/.partial-<random>` folder, moved into `outDir` at commit, nothing left in
 * `outDir` on failure); the vault gives its own (documents into encrypted blobs).
 */
import { createReadStream } from 'node:fs';
import { NiemError } from '../../api/errors.ts';
import type { RecipientKey } from '../cms-crypto/index.ts';
import { openEnvelope, type OpenedEnvelope } from '../envelope/index.ts';
import type { LevelCode } from '../levels.ts';
import { assertVerified, verifySignedData, type VerificationReport } from '../signed-data/index.ts';
import { BODY_PEEK_BYTES, FOREIGN_CONTENT_NAME, detectBody, readNiemBody } from '../tar/index.ts';
import { FILE_READ_BYTES } from '../manifest-files.ts';
import { openFolderSink } from './open-package-folder.ts';

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
  /** Where the documents and manifest.json go (created when missing); required without `sink`. */
  outDir?: string;
  /** Instead of a folder: where the files go (e.g. the vault's encrypted blobs). */
  sink?: OpenSink;
  /** Tests: the current time for the chain checks. */
  now?: Date;
}

/**
 * Where an open puts the package's files while it reads them. Nothing is final before
 * `commit`, which openPackage calls only once everything verified; `close` is always
 * called last, once.
 */
export interface OpenSink {
  /** Where the files end up, for the report (`PackageReport.outDir`): a folder, or a label. */
  readonly location: string;
  /** manifest.json's bytes (a Niêm body only), before any document. */
  manifest(bytes: Uint8Array): Promise<void>;
  /**
   * One file (a document, or `content.bin` for foreign content), read to its end before
   * the next one; resolves to the bytes taken. A Niêm document's content throws `tampered`
   * when it does not match its listed SHA-256. The chunks' memory may be reused once the
   * next is asked for: copy what is kept.
   */
  file(name: string, content: AsyncIterable<Uint8Array>): Promise<number>;
  /** Everything verified: make the files final. */
  commit(): Promise<void>;
  /** Last call: `committed` false means drop every file taken. */
  close(committed: boolean): Promise<void>;
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
  /** True when the files were committed to outDir (or the sink). */
  committed: boolean;
  /** The folder the files went to, or the sink's location. */
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

/** Opens the package at `options.path`; see the module comment. */
export async function openPackage(options: OpenPackageOptions): Promise<PackageReport> {
  if (options.trustAnchors.length === 0) {
    throw new NiemError('untrusted-signer', 'no trust anchors: a package cannot be verified');
  }
  let sink: OpenSink;
  if (options.sink !== undefined) {
    sink = options.sink;
  } else if (options.outDir !== undefined) {
    sink = await openFolderSink(options.outDir);
  } else {
    throw new NiemError('invalid-input', 'openPackage needs an output folder or a sink');
  }

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
    outDir: sink.location,
  };
  let manifestLevel: LevelCode | undefined;

  const onContent = async (chunks: AsyncIterable<Uint8Array>): Promise<void> => {
    const iterator = chunks[Symbol.asyncIterator]();
    const { prefix, chunks: head, done } = await peek(iterator, PEEK_BYTES);
    const stream = replay(head, iterator, done);
    if (detectBody(prefix) === 'foreign') {
      report.content = 'foreign';
      report.notice = 'foreign-content';
      const size = await sink.file(FOREIGN_CONTENT_NAME, stream);
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
    await sink.manifest(body.manifestBytes);
    for await (const doc of body.documents) {
      await sink.file(doc.name, doc.body);
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
    await sink.commit();
    report.committed = true;
    return report;
  } finally {
    await sink.close(report.committed);
  }
}
