/**
 * The directory step of a run: the platform's directory, asked with the ETag last cached
 * (304: nothing to do), is imported into the vault (native/vault/directory.ts) so the
 * clerk can seal offline. The platform is not trusted with it: every certificate must be
 * issued by one of the profile's trust anchors (signature checked), otherwise a platform
 * could slip in a key of its own and read what is sealed "for" an agency. A reply that
 * fails is refused whole (`platform-bad-reply`) and changes nothing.
 */
import { X509Certificate } from 'node:crypto';
import { NiemError } from '../api/errors.ts';
import { getSyncState, importDirectory, parseDirectory, setDirectoryEtag } from '../vault/index.ts';
import type { SyncContext } from './sync-context.ts';

function certificateDer(text: string): Buffer {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return Buffer.from((pem ? (pem[1] ?? '') : text).replace(/\s+/g, ''), 'base64');
}

/** Throws `platform-bad-reply` unless every certificate of `text` is issued by an anchor. */
export function checkDirectoryCertificates(text: string, anchors: readonly Uint8Array[]): void {
  let directory;
  try {
    directory = parseDirectory(text);
  } catch (err) {
    throw new NiemError(
      'platform-bad-reply',
      `the platform's directory: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const issuers = anchors.map((der) => new X509Certificate(der));
  for (const agency of directory.agencies) {
    for (const text of agency.certificates) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(certificateDer(text));
      } catch (err) {
        throw new NiemError(
          'platform-bad-reply',
          `directory: ${agency.organId}: unreadable certificate`,
          {
            cause: err,
          },
        );
      }
      const issued = issuers.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
      if (!issued) {
        throw new NiemError(
          'platform-bad-reply',
          `directory: a certificate of ${agency.organId} is not issued by a trust anchor of this profile`,
        );
      }
    }
  }
}

/** Refreshes the cached directory; true when it changed. */
export async function refreshDirectory(context: SyncContext): Promise<boolean> {
  const { vault, platform } = context;
  const etag = getSyncState(vault).directoryEtag ?? undefined;
  const reply = await platform.directory(etag);
  if (!reply.changed) return false;
  const text = Buffer.from(reply.body).toString('utf8');
  checkDirectoryCertificates(text, context.trustAnchors());
  try {
    importDirectory(vault, text);
  } catch (err) {
    if (err instanceof NiemError && err.kind === 'invalid-input') {
      throw new NiemError('platform-bad-reply', `the platform's ${err.message}`, { cause: err });
    }
    throw err;
  }
  setDirectoryEtag(vault, reply.etag);
  return true;
}
