/**
 * The files the CLI reads and writes for the clerk: checked before any token work (a
 * path that is not a readable regular file is refused with the path and the reason),
 * certificates (PEM, several blocks allowed, or DER), the --meta JSON, and new output
 * files, written through `<out>.partial` and never overwriting (the package pipeline's
 * writer, native/seal/pipeline/package-file.ts).
 */
import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { NiemError } from '../native/api/errors.ts';
import { writePackageFile } from '../native/seal/pipeline/package-file.ts';
import type { PackageMetadata } from '../native/seal/pipeline/index.ts';
import { cliMessages, say, type Lang } from './cli-messages.ts';
import { CommandFailure, failure, usage } from './token-prompt.ts';

const unreadable = (path: string, reason: string, lang: Lang): CommandFailure =>
  new CommandFailure(say(cliMessages.fileUnreadable, lang, { path, reason }), 1);

/** Refuses (before any token work) a path that is not a readable regular file. */
export async function assertReadableFile(path: string, lang: Lang): Promise<void> {
  let reason: string | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) reason = 'not a regular file';
    else await access(path, constants.R_OK);
  } catch (err) {
    reason = (err as Error).message;
  }
  if (reason !== undefined) throw unreadable(path, reason, lang);
}

/** The bytes of `path`; a file that cannot be read is a failure naming it. */
export async function readInputFile(path: string, lang: Lang): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw unreadable(path, (err as Error).message, lang);
  }
}

/** The text of the PEM blocks labelled `label` in `text`, as DER. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map(
    (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
}

/** Every certificate of a PEM file (several blocks allowed) or the one of a DER file. */
export async function readCertificates(path: string, lang: Lang): Promise<Uint8Array[]> {
  const data = await readInputFile(path, lang);
  const blocks = pemBlocks(data.toString('latin1'), 'CERTIFICATE');
  const ders = blocks.length > 0 ? blocks : [new Uint8Array(data)];
  for (const der of ders) {
    try {
      new X509Certificate(der);
    } catch (err) {
      throw failure(new NiemError('malformed', `${path}: not a certificate`, { cause: err }), lang);
    }
  }
  return ders;
}

/** The first certificate of `path` (see readCertificates). */
export async function readOneCertificate(path: string, lang: Lang): Promise<Uint8Array> {
  const [first] = await readCertificates(path, lang);
  if (first === undefined) throw usage(lang, path);
  return first;
}

/** The --meta file as package metadata (undefined without --meta). */
export async function readMetadata(
  path: string | undefined,
  lang: Lang,
): Promise<PackageMetadata | undefined> {
  if (path === undefined) return undefined;
  const text = (await readInputFile(path, lang)).toString('utf8');
  try {
    return JSON.parse(text) as PackageMetadata;
  } catch {
    throw new CommandFailure(say(cliMessages.metaInvalid, lang, { path }), 1);
  }
}

/**
 * Writes `chunks` to `out` through `out.partial`; never overwrites (an existing `out`,
 * or its `.partial` held by a running write, is refused with `exists`); nothing is left
 * on failure. Resolves with the bytes written.
 */
export async function writeNewFile(
  out: string,
  chunks: AsyncIterable<Uint8Array>,
  exists: CommandFailure,
): Promise<number> {
  try {
    return await writePackageFile(out, chunks);
  } catch (err) {
    const cause =
      err instanceof NiemError ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code === 'EEXIST') throw exists;
    throw err;
  }
}
