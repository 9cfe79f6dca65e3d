/**
 * Sealing a body that a competent person already signed (`niem sign`), with the
 * organisation's signature added (DOMAIN.md: a secret document carries both). Two passes
 * over the signed file, which is on disk:
 *
 *   1. verify it completely — every signature, the chain to the trust anchors, the ESS
 *      labels, the body (manifest first, every document's size and SHA-256) — and check
 *      that the level of every label and of the manifest is the level being sealed;
 *   2. stream its content again into a SignedData that keeps the first signers, their
 *      certificates and digest algorithms and adds the new signers, sealed as usual.
 *      The content must digest as in pass 1 (else `tampered`), and the file is verified
 *      again as it is read; the package is committed only when both held.
 */
import { createReadStream } from 'node:fs';
import { NiemError } from '../../api/errors.ts';
import { sealEnvelope } from '../envelope/index.ts';
import { levels, type LevelCode } from '../levels.ts';
import { FILE_READ_BYTES } from '../manifest-files.ts';
import type { Manifest } from '../manifest.ts';
import {
  assertVerified,
  signContent,
  verifySignedData,
  type SignedDataParts,
  type VerificationReport,
} from '../signed-data/index.ts';
import { readNiemBody } from '../tar/index.ts';
import { writePackageFile } from './package-file.ts';
import {
  recipientSummary,
  sealRecipients,
  type SealPackageOptions,
  type SealedPackage,
} from './seal-package.ts';

export interface SealSignedPackageOptions extends Pick<
  SealPackageOptions,
  'level' | 'signers' | 'certificates' | 'sender' | 'recipients' | 'out'
> {
  /** The signed body (`.p7s`) made by signPackage (`niem sign`). */
  signed: string;
  /** Root certificates (DER) the first signers must chain to; at least one. */
  trustAnchors: readonly Uint8Array[];
  /** Tests: the time for the chain checks and the new signing time. */
  now?: Date;
}

/** A sealed co-signed package, with the verification of the body it started from. */
export interface CosignedPackage extends SealedPackage {
  /** The report of the signed body as verified in pass 1 (its signers only). */
  body: VerificationReport;
}

function levelMismatch(what: string, found: LevelCode | undefined, level: LevelCode): NiemError {
  const name = found === undefined ? 'none' : levels[found].en;
  return new NiemError(
    'invalid-input',
    `${what} states the level ${name}, not ${levels[level].en}: seal it at its own level`,
  );
}

/** Reads a Niêm body to its end (every document's size and SHA-256 checked), writing nothing. */
async function checkBody(chunks: AsyncIterable<Uint8Array>): Promise<Manifest> {
  const body = await readNiemBody(chunks);
  for await (const document of body.documents) {
    for await (const chunk of document.body) void chunk;
  }
  return body.manifest;
}

/** Seals `signed` with the new signers added; see the module comment. */
export async function sealSignedPackage(
  options: SealSignedPackageOptions,
): Promise<CosignedPackage> {
  const { level } = options;
  const recipients = sealRecipients(options.sender, options.recipients);
  const read = () => createReadStream(options.signed, { highWaterMark: FILE_READ_BYTES });
  const verifyOptions = {
    trustAnchors: options.trustAnchors,
    ...(options.now ? { now: options.now } : {}),
  };

  // Pass 1: everything about the signed body, before anything is written.
  let parts: SignedDataParts | undefined;
  let manifest: Manifest | undefined;
  const body = await verifySignedData(read(), {
    ...verifyOptions,
    onContent: async (chunks) => {
      manifest = await checkBody(chunks);
    },
    onParts: (p) => (parts = p),
  });
  assertVerified(body);
  if (manifest === undefined || parts === undefined) {
    throw new NiemError('malformed', 'the signed body could not be read to its end');
  }
  for (const signer of body.signers) {
    if (signer.level !== level) throw levelMismatch('a signature of the body', signer.level, level);
  }
  if (manifest.securityLevel !== level) {
    throw levelMismatch('the manifest', manifest.securityLevel, level);
  }
  const existing = parts;

  // Pass 2: the same content, co-signed and sealed; committed once the file re-verified.
  let again: Promise<VerificationReport> | undefined;
  const inner = (async function* (): AsyncGenerator<Uint8Array> {
    let content!: AsyncIterable<Uint8Array>;
    let handed!: () => void;
    const ready = new Promise<void>((resolve) => (handed = resolve));
    let finished!: () => void;
    const consumed = new Promise<void>((resolve) => (finished = resolve));
    again = verifySignedData(read(), {
      ...verifyOptions,
      onContent: async (chunks) => {
        content = chunks;
        handed();
        await consumed;
      },
    });
    again.catch(() => handed()); // a failure before the content: surfaced below
    await ready;
    if (content === undefined) {
      await again; // throws why the content never came
      throw new NiemError('malformed', 'the signed body has no content');
    }
    try {
      yield* signContent({
        content,
        signers: options.signers,
        level,
        existing,
        ...(options.certificates ? { certificates: options.certificates } : {}),
        ...(options.now ? { signingTime: options.now } : {}),
      });
    } finally {
      finished();
    }
  })();
  const bytes = await writePackageFile(
    options.out,
    sealEnvelope({ inner, recipients, level }),
    async () => {
      const report = await (again as Promise<VerificationReport>);
      assertVerified(report);
      if (report.signers.length !== body.signers.length) {
        throw new NiemError('tampered', 'the signed body changed while it was being sealed');
      }
    },
  );
  return {
    path: options.out,
    manifest,
    recipients: recipientSummary(recipients),
    bytes,
    body,
  };
}
