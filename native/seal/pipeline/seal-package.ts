/**
 * Sealing a package (docs/package-format.md): describe the documents (size, SHA-256,
 * media type: from files by a first pass, or as given by the vault), build manifest.json
 * with the explicit level, stream the tar body through signContent and sealEnvelope into
 * `<out>.partial`, and link it to `out` only when everything was written
 * (./package-file.ts). On any failure nothing remains. signPackage stops before the
 * envelope: a signed body to which ./cosign-package.ts adds the organisation's signature.
 */
import { NiemError } from '../../api/errors.ts';
import { recipientCertificate, type OaepHash, type SealRecipient } from '../cms-crypto/index.ts';
import { sealEnvelope } from '../envelope/index.ts';
import type { LevelCode } from '../levels.ts';
import {
  describeFile,
  fileContent,
  fileContentReusingBuffer,
  mediaTypeFor,
} from '../manifest-files.ts';
import { MANIFEST_FORMAT_VERSION, serializeManifest, type Manifest } from '../manifest.ts';
import { signContent, type SignerSpec } from '../signed-data/index.ts';
import { writeNiemBody, type TarContent } from '../tar/index.ts';
import { writePackageFile } from './package-file.ts';

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

/** A document given as a stream whose size and SHA-256 are known (e.g. from the vault). */
export interface DocumentSource {
  /** Safe single file name in the package (NFC). */
  name: string;
  /** Default: from the name's extension. */
  mediaType?: string;
  size: number;
  /** Lower-case hex; checked again while the content streams (a mismatch fails the seal). */
  sha256: string;
  /** Opens the content; called once, when its turn comes. */
  open: () => AsyncIterable<Uint8Array>;
}

export interface SealPackageOptions {
  /** The documents as files, in this order; each file's base name is its name in the package. */
  files?: readonly string[];
  /** Or the documents as sources (exactly one of files and documents). */
  documents?: readonly DocumentSource[];
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

/** The recipients as the envelope writes them: the sender first, duplicates dropped. */
export function sealRecipients(
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

/**
 * The documents of a package: manifest entries and the content of each, from files on
 * disk (described by a first pass that hashes them) or from sources whose size and
 * SHA-256 are already known (the vault records them when a document is added), which
 * need no first pass. Either way the body writer hashes each again as it streams it.
 */
export async function packageDocuments(
  files: readonly string[] | undefined,
  documents: readonly DocumentSource[] | undefined,
  consumer: 'encrypts-each-chunk' | 'keeps-chunks' = 'keeps-chunks',
): Promise<{ entries: Manifest['documents']; contents: TarContent[] }> {
  if ((files === undefined) === (documents === undefined)) {
    throw new NiemError('invalid-input', 'give either files or documents');
  }
  if (files !== undefined) {
    if (files.length === 0)
      throw new NiemError('invalid-input', 'a package needs at least one file');
    const entries = [];
    for (const file of files) entries.push(await describeFile(file));
    const content = consumer === 'encrypts-each-chunk' ? fileContentReusingBuffer : fileContent;
    return { entries, contents: files.map(content) };
  }
  const sources = documents as readonly DocumentSource[];
  if (sources.length === 0) {
    throw new NiemError('invalid-input', 'a package needs at least one document');
  }
  return {
    entries: sources.map((d) => ({
      name: d.name.normalize('NFC'),
      size: d.size,
      sha256: d.sha256,
      mediaType: d.mediaType ?? mediaTypeFor(d.name),
    })),
    contents: sources.map((d) => d.open),
  };
}

/** Who a package was sealed for, as the CLI and the vault show it. */
export function recipientSummary(
  recipients: readonly SealRecipient[],
): SealedPackage['recipients'] {
  return recipients.map((r) => ({
    subject: r.certificate.certificate.subject.replace(/\n/g, ', '),
    serial: r.certificate.certificate.serialNumber,
    keyType: r.certificate.keyType,
  }));
}

/** Seals the documents into `out`; see the module comment. */
export async function sealPackage(options: SealPackageOptions): Promise<SealedPackage> {
  const { manifest, recipients, chunks } = await sealPackageStream(options);
  const bytes = await writePackageFile(options.out, chunks);
  return { path: options.out, manifest, recipients: recipientSummary(recipients), bytes };
}

/** A package as a stream, for callers that store it themselves (the vault's blobs). */
export interface PackageStream {
  manifest: Manifest;
  /** As written (sender first). */
  recipients: SealRecipient[];
  /** The package's bytes; reading them runs the seal (an error ends the stream). */
  chunks: AsyncGenerator<Uint8Array, void>;
}

/**
 * The seal of sealPackage without the file: the manifest is built (and the documents
 * described) now; the chunks are produced as they are read. The caller commits what it
 * wrote only if the stream ended without error.
 */
export async function sealPackageStream(
  options: Omit<SealPackageOptions, 'out'>,
): Promise<PackageStream> {
  const recipients = sealRecipients(options.sender, options.recipients);
  // Every chunk of the body is encrypted before the next is read: one read buffer.
  const { manifest, signed: inner } = await signedBody(options, 'encrypts-each-chunk');
  return {
    manifest,
    recipients,
    chunks: sealEnvelope({ inner, recipients, level: options.level }),
  };
}

/** The manifest, and the SignedData of the body as a stream (produced as it is read). */
async function signedBody(
  options: SignPackageOptions | Omit<SealPackageOptions, 'out'>,
  consumer: 'encrypts-each-chunk' | 'keeps-chunks' = 'keeps-chunks',
): Promise<{ manifest: Manifest; signed: AsyncGenerator<Uint8Array, void> }> {
  const { entries, contents } = await packageDocuments(options.files, options.documents, consumer);
  const manifest = buildManifest(options.metadata, options.level, entries);
  const signed = signContent({
    content: writeNiemBody(manifest, contents),
    signers: options.signers,
    level: options.level,
    ...(options.certificates ? { certificates: options.certificates } : {}),
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
  });
  return { manifest, signed };
}

/** The signers of a signed body (`niem sign`): the package is sealed later. */
export type SignPackageOptions = Omit<SealPackageOptions, 'sender' | 'recipients'>;

/** What signPackage wrote. */
export interface SignedBody {
  path: string;
  manifest: Manifest;
  bytes: number;
}

/**
 * Signs the documents into a SignedData file (`.p7s`, BER, the tar body inside) without
 * sealing it: the competent person's signature, to which sealSignedPackage adds the
 * organisation's before encrypting. The file holds the documents in clear, like the
 * files it was made from: keep it where they are kept.
 */
export async function signPackage(options: SignPackageOptions): Promise<SignedBody> {
  const { manifest, signed } = await signedBody(options);
  const bytes = await writePackageFile(options.out, signed);
  return { path: options.out, manifest, bytes };
}
