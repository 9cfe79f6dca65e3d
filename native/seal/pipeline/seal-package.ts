/**
 * Sealing a package from files on disk (docs/package-format.md): describe the files
 * (size, SHA-256, media type), build manifest.json with the explicit level, stream the
 * tar body through signContent and sealEnvelope into `<out>.partial`, and link it to
 * `out` only when everything was written. On any failure nothing remains.
 */
import { createWriteStream } from 'node:fs';
import { link, rm, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NiemError } from '../../api/errors.ts';
import {
  PARTIAL_SUFFIX,
  recipientCertificate,
  type OaepHash,
  type SealRecipient,
} from '../cms-crypto/index.ts';
import { sealEnvelope } from '../envelope/index.ts';
import type { LevelCode } from '../levels.ts';
import { describeFile, fileContent } from '../manifest-files.ts';
import { MANIFEST_FORMAT_VERSION, serializeManifest, type Manifest } from '../manifest.ts';
import { signContent, type SignerSpec } from '../signed-data/index.ts';
import { writeNiemBody } from '../tar/index.ts';
import { sweepStalePartialFile, trackPartial } from './partial-files.ts';

/** The manifest fields a sealer supplies: everything but the documents and the level. */
export type PackageMetadata = Omit<Manifest, 'documents' | 'formatVersion' | 'securityLevel'> & {
  formatVersion?: number;
  /** When given, it must equal the level being sealed (never a second source of truth). */
  securityLevel?: LevelCode;
  documents?: undefined;
};

/** A recipient: its certificate (DER or PEM) and, for RSA, the OAEP hash its token can do. */
export interface PackageRecipient {
  certificate: Uint8Array | string;
  /** 'sha1' only for a recipient whose token lacks OAEP with SHA-256. Default 'sha256'. */
  oaepHash?: OaepHash;
}

export interface SealPackageOptions {
  /** The documents, in this order; each file's base name is its name in the package. */
  files: readonly string[];
  metadata?: PackageMetadata;
  /** Required and explicit, `thuong` included. */
  level: LevelCode;
  /** 1 to 16 signers (token or software). */
  signers: readonly SignerSpec[];
  /** Intermediate CA certificates (DER) to carry in the SignedData. */
  certificates?: readonly Uint8Array[];
  /** The sender's own decryption / key-agreement certificate: always a recipient. */
  sender: PackageRecipient;
  recipients: readonly PackageRecipient[];
  /** The package path; must not exist yet. */
  out: string;
  /** Tests: a fixed signing time. */
  signingTime?: Date;
}

export interface SealedPackage {
  path: string;
  manifest: Manifest;
  /** Recipients as written (sender first), by issuer and serial. */
  recipients: { subject: string; serial: string; keyType: 'rsa' | 'ec' }[];
  bytes: number;
}

/** The manifest of a seal: metadata + level + documents, checked by serializeManifest. */
export function buildManifest(
  metadata: PackageMetadata | undefined,
  level: LevelCode,
  documents: Manifest['documents'],
): Manifest {
  const meta = { ...(metadata ?? {}) };
  if (meta.securityLevel !== undefined && meta.securityLevel !== level) {
    throw new NiemError(
      'invalid-input',
      'the metadata states another securityLevel than the level being sealed',
    );
  }
  if (meta.formatVersion !== undefined && meta.formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new NiemError(
      'invalid-input',
      `manifest formatVersion must be ${MANIFEST_FORMAT_VERSION}`,
    );
  }
  if ('documents' in meta && meta.documents !== undefined) {
    throw new NiemError(
      'invalid-input',
      'the metadata must not list documents: they come from the files',
    );
  }
  const manifest = {
    ...meta,
    formatVersion: MANIFEST_FORMAT_VERSION,
    securityLevel: level,
    documents,
  } as Manifest;
  serializeManifest(manifest); // validates (invalid-input / unsafe-name)
  return manifest;
}

function sealRecipients(
  sender: PackageRecipient,
  others: readonly PackageRecipient[],
): SealRecipient[] {
  const out: SealRecipient[] = [];
  const seen = new Set<string>();
  for (const r of [sender, ...others]) {
    const certificate = recipientCertificate(r.certificate);
    const key = `${certificate.issuer.toString('hex')}/${certificate.serial.toString('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      certificate.keyType === 'rsa'
        ? { certificate, oaepHash: r.oaepHash ?? 'sha256' }
        : { certificate },
    );
  }
  return out;
}

/** Seals `files` into `out`; see the module comment. */
export async function sealPackage(options: SealPackageOptions): Promise<SealedPackage> {
  if (options.files.length === 0) {
    throw new NiemError('invalid-input', 'a package needs at least one file');
  }
  const recipients = sealRecipients(options.sender, options.recipients);
  const documents = [];
  for (const file of options.files) documents.push(await describeFile(file));
  const manifest = buildManifest(options.metadata, options.level, documents);
  const body = writeNiemBody(manifest, options.files.map(fileContent));
  const inner = signContent({
    content: body,
    signers: options.signers,
    level: options.level,
    ...(options.certificates ? { certificates: options.certificates } : {}),
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
  });
  const partial = options.out + PARTIAL_SUFFIX;
  let bytes = 0;
  let created = false;
  await sweepStalePartialFile(partial); // left by a killed seal (SIGKILL cannot be caught)
  let untrack: (() => void) | undefined;
  try {
    const output = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    output.on('open', () => {
      created = true;
      untrack = trackPartial({ path: partial, kind: 'file' });
    });
    await pipeline(
      Readable.from(sealEnvelope({ inner, recipients, level: options.level })),
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          yield chunk;
        }
      },
      output,
    );
    created = true;
    try {
      await link(partial, options.out); // never overwrites
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new NiemError('invalid-input', 'the output file already exists', { cause: err });
      }
      throw err;
    }
    await unlink(partial);
  } catch (err) {
    if (created) await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NiemError('invalid-input', `${partial} already exists (another seal running?)`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    untrack?.();
  }
  return {
    path: options.out,
    manifest,
    recipients: recipients.map((r) => ({
      subject: r.certificate.certificate.subject.replace(/\n/g, ', '),
      serial: r.certificate.certificate.serialNumber,
      keyType: r.certificate.keyType,
    })),
    bytes,
  };
}
