/**
 * What the platform checks when an upload completes, reading the assembled package from
 * the store as a stream (bounded memory, whatever the size): its SHA-256 (hashed off the
 * event loop's thread), that it is a Niêm sealed package whose outer envelope states the
 * declared level, that it has no trailing bytes, and that every declared recipient agency
 * has at least one of its directory certificates among the envelope's recipients (by
 * issuer and serial number, or subject key identifier). Then the signed receipt.
 */
import { NiemError } from '../../native/api/errors.ts';
import { ReceiptStatementSchema } from '../../native/exchange/platform-wire.ts';
import type { ReceiptStatement } from '../../native/exchange/platform-wire.ts';
import { signStatement } from '../../native/exchange/signed-statement.ts';
import {
  formatName,
  inspectEnvelope,
  type InspectedEnvelope,
  type InspectedRecipient,
} from '../../native/seal/envelope/index.ts';
import { ContentDigester, parseCertificate } from '../../native/seal/signed-data/index.ts';
import type { UploadRecord } from '../store/platform-store.ts';
import type { PlatformContext } from './server-context.ts';
import { refusal } from './server-errors.ts';

/** Hashes `source` as it is read, counting the bytes; the digest runs in a worker thread. */
class HashingReader {
  readonly #digester = new ContentDigester(['sha256'], 'auto');
  bytes = 0;

  async *tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      await this.#digester.update(chunk);
      this.bytes += chunk.length;
      yield chunk;
    }
  }

  async hex(): Promise<string> {
    const digest = (await this.#digester.digest()).get('sha256');
    return Buffer.from(digest ?? []).toString('hex');
  }

  async close(): Promise<void> {
    await this.#digester.close();
  }
}

/** SHA-256 hex of the held package from `offset` on, continuing `reader`. */
async function finishHash(
  context: PlatformContext,
  upload: UploadRecord,
  reader: HashingReader,
): Promise<string> {
  for await (const _chunk of reader.tap(context.store.readPackage(upload.sha256, reader.bytes))) {
    // hashed by tap
  }
  return reader.hex();
}

/** Whether a certificate (DER) is named by one of the envelope's recipients. */
export function addressedTo(der: Uint8Array, recipients: readonly InspectedRecipient[]): boolean {
  let cert;
  try {
    cert = parseCertificate(der);
  } catch {
    return false;
  }
  const issuer = formatName(cert.issuerDer);
  const serial = cert.serialHex.toLowerCase();
  const ski =
    cert.subjectKeyId === undefined ? undefined : Buffer.from(cert.subjectKeyId).toString('hex');
  return recipients.some(
    (r) =>
      (r.issuer !== undefined && r.issuer === issuer && r.serial?.toLowerCase() === serial) ||
      (r.subjectKeyIdentifier !== undefined && r.subjectKeyIdentifier.toLowerCase() === ski),
  );
}

/**
 * Reads the whole package once: SHA-256 and the outer envelope. Refusals:
 * `digest-mismatch` (the bytes are not the declared package), `malformed-package`
 * (not a Niêm package, or trailing bytes), `conflict` (the envelope states another level
 * than the one declared), `recipient-unknown` (a declared recipient is not addressed).
 */
export async function checkPackage(context: PlatformContext, upload: UploadRecord): Promise<void> {
  const reader = new HashingReader();
  let envelope: InspectedEnvelope | undefined;
  let failure: unknown;
  try {
    try {
      envelope = await inspectEnvelope(reader.tap(context.store.readPackage(upload.sha256, 0)));
    } catch (err) {
      failure = err;
    }
    const sha256 = await finishHash(context, upload, reader);
    if (sha256 !== upload.sha256 || reader.bytes !== upload.size) {
      throw refusal(
        'digest-mismatch',
        `the chunks held make ${reader.bytes} bytes with SHA-256 ${sha256}, not the declared package`,
      );
    }
  } finally {
    await reader.close();
  }
  if (envelope === undefined) {
    if (failure instanceof NiemError && failure.kind !== 'internal') {
      throw refusal('malformed-package', `not a sealed package: ${failure.message}`);
    }
    throw failure;
  }
  if (envelope.formatVersion === undefined) {
    throw refusal('malformed-package', 'not a Niêm sealed package (no format version)');
  }
  if (envelope.size !== upload.size) {
    throw refusal(
      'malformed-package',
      `the envelope ends at byte ${envelope.size} of ${upload.size}: trailing bytes`,
    );
  }
  if (envelope.level !== upload.level) {
    throw refusal(
      'conflict',
      `the envelope states level ${envelope.level ?? '(none)'}, the upload declared ${upload.level}`,
    );
  }
  const directory = await context.store.directory();
  for (const organId of upload.recipients) {
    const agency = directory.agencies.find((a) => a.organId === organId);
    if (agency === undefined) {
      throw refusal('recipient-unknown', `${organId} is no longer in the directory`, organId);
    }
    if (!agency.certificates.some((der) => addressedTo(der, envelope.recipients))) {
      throw refusal(
        'recipient-unknown',
        `the package is not encrypted to any certificate of ${organId}`,
        organId,
      );
    }
  }
}

/** The receipt statement of a package checked complete, signed with the platform's key. */
export async function signReceipt(
  context: PlatformContext,
  upload: UploadRecord,
  receivedAt: string,
): Promise<Buffer> {
  const config = await context.store.getConfig();
  const statement: ReceiptStatement = ReceiptStatementSchema.parse({
    type: 'niem-receipt',
    version: 1,
    sha256: upload.sha256,
    size: upload.size,
    level: upload.level,
    sender: upload.sender,
    senderCertificate: upload.senderCertificateSha256,
    recipients: upload.recipients,
    receivedAt,
    platform: config.platformName,
  });
  const der = await signStatement(context.receipt.signer, statement, {
    level: upload.level,
    ...(context.receipt.certificates ? { certificates: context.receipt.certificates } : {}),
    signingTime: new Date(receivedAt),
  });
  return Buffer.from(der);
}
