/**
 * The platform as the sync engine sees it: one interface, implemented over HTTPS by
 * ./platform-client.ts (every reply parsed with native/exchange/platform-wire.ts and
 * refused when it does not match). The engine (./sync-engine.ts) depends on this type
 * only. Errors are NiemErrors with the kinds below (native/api/errors.ts), never raw
 * network or JSON exceptions.
 *
 * Error kinds a caller meets:
 * - `platform-unreachable`: connection refused/reset/dropped, TLS handshake failure other
 *   than trust, a timeout, a 5xx or 503/`busy`: transient, retry later with backoff.
 * - `platform-untrusted`: the server certificate does not chain to the profile's trust
 *   anchors or does not match the host: not retried automatically.
 * - `platform-refused`: a 4xx with a platform error code (`detail.code`, and
 *   `detail.organId` when given): the request will not succeed as it is.
 * - `platform-bad-reply`: a reply that breaks the protocol (malformed JSON, wrong schema,
 *   wrong hash, a receipt whose signature, signer or content does not match): nothing
 *   from it is kept; retried later like a transient failure, and reported.
 * - `not-signed-in` / token kinds: the token could not sign the auth proof.
 */
import type { LevelCode } from '../seal/levels.ts';
import type { MailboxReply, ReceiptStatement, UploadStatus } from '../exchange/platform-wire.ts';

/** A receipt that verified: the statement and the signed DER to keep. */
export interface VerifiedReceipt {
  statement: ReceiptStatement;
  der: Uint8Array;
}

/** Progress of a transfer, in bytes. */
export type TransferProgress = (done: number, total: number) => void;

/** The directory reply: unchanged (304) or a new body with its ETag. */
export type DirectoryReply = { changed: false } | { changed: true; etag: string; body: Uint8Array };

export interface PackageSource {
  sha256: string;
  size: number;
  level: LevelCode;
  recipients: string[];
  /** Reads the package's bytes from `offset` to the end (the vault's blob, decrypted). */
  read(offset: number): AsyncIterable<Uint8Array>;
}

export interface PlatformApi {
  /** The platform origin (`https://host:port`), as configured. */
  readonly origin: string;
  /** Signs in (challenge, proof signed by the token, session); repeated when a session expires. */
  authenticate(): Promise<void>;
  directory(etag: string | undefined): Promise<DirectoryReply>;
  /**
   * Uploads `pkg` resuming from the chunks the platform already holds, each chunk with
   * its Content-Digest; returns the platform's receipt, verified: signed by a certificate
   * chaining to the trust anchors, naming this package's hash, size, level, recipients and
   * this clerk's agency. `signal` aborts (the engine stops or the app quits).
   */
  upload(
    pkg: PackageSource,
    progress: TransferProgress,
    signal?: AbortSignal,
  ): Promise<VerifiedReceipt>;
  /** Status of an upload (undefined: the platform does not know the package). */
  uploadStatus(sha256: string): Promise<UploadStatus | undefined>;
  mailbox(after: string | undefined, limit?: number): Promise<MailboxReply>;
  /**
   * Downloads a package from `offset` (a resumed download sends `Range: bytes=offset-`);
   * yields its bytes; the caller checks the whole SHA-256 at the end.
   */
  download(sha256: string, offset: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  ack(cursor: string): Promise<void>;
  /** Posts a signed notice (DER). */
  postNotice(der: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
