/**
 * What the platform keeps, behind one interface with two implementations: embedded SQLite
 * (./sqlite-store.ts, the default: one file in the data folder) and PostgreSQL
 * (./postgres-store.ts, `--database postgres://…`, where several platform instances share
 * one database). Everything an instance must agree on with another lives here: the
 * directory, nonces, sessions, uploads with their chunks, mailboxes, notices, receipts.
 * Secrets of an instance (TLS and receipt keys) are files of its data folder, not here.
 *
 * Rules every implementation keeps (test/platform/store-contract.ts runs the same tests
 * against both):
 * - Every method is atomic; a failure changes nothing.
 * - Mailbox cursors are per agency, strictly increasing, and become visible in cursor order
 *   (a reader that saw cursor n never later finds a new entry below n), also with several
 *   instances writing at once.
 * - Idempotence: putChunk of a chunk already held with the same digest is 'same'; completing
 *   a complete upload returns the stored receipt; a notice with the same (package, from,
 *   status) is stored once.
 * - Hashes are lowercase hex; times ISO 8601 UTC strings; bytes Buffers.
 */
import type { LevelCode } from '../../native/seal/levels.ts';

/** Platform-wide settings (admin commands change them). */
export interface PlatformConfig {
  /** The highest level this platform is approved to carry. */
  approvedLevel: LevelCode;
  /** The name the platform gives itself in receipts. */
  platformName: string;
  /** Chunk size offered to new uploads (bytes). */
  chunkBytes: number;
}

/** How a package's content key reaches an agency (as the vault's directory says). */
export type KeyTransport = 'oaep-sha256' | 'oaep-sha1' | 'ecdh';

export interface AgencyRecord {
  organId: string;
  name: string;
  /** The highest level the agency may receive. */
  clearance: LevelCode;
  keyTransport: KeyTransport;
}

export interface CertificateRecord {
  organId: string;
  /** DER. */
  der: Buffer;
  /** SHA-256 hex of der. */
  sha256: string;
}

/** The directory as the platform serves it, and a revision bumped by every change. */
export interface DirectorySnapshot {
  revision: number;
  agencies: (AgencyRecord & { certificates: Buffer[] })[];
}

export interface SessionRecord {
  organId: string;
  /** SHA-256 hex of the clerk certificate that authenticated. */
  certificateSha256: string;
  expiresAt: string;
}

export interface UploadRecord {
  sha256: string;
  size: number;
  level: LevelCode;
  sender: string;
  senderCertificateSha256: string;
  recipients: string[];
  chunkBytes: number;
  state: 'open' | 'complete';
  /** The signed receipt (DER) once complete. */
  receipt: Buffer | null;
  createdAt: string;
  completedAt: string | null;
}

export type NewUpload = Omit<UploadRecord, 'state' | 'receipt' | 'createdAt' | 'completedAt'>;

export type ChunkResult = 'stored' | 'same' | 'conflict';

export type MailboxEntryRecord =
  | {
      cursor: string;
      kind: 'package';
      sha256: string;
      size: number;
      level: LevelCode;
      sender: string;
      at: string;
    }
  | { cursor: string; kind: 'notice'; notice: Buffer; at: string };

export interface NewNotice {
  sha256: string;
  /** The recipient agency that signed it. */
  from: string;
  /** The sender agency it is relayed to. */
  to: string;
  status: string;
  /** The signed statement, DER. */
  der: Buffer;
}

export interface PlatformStore {
  /** Creates the schema if missing (idempotent, safe with several instances starting). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  getConfig(): Promise<PlatformConfig>;
  setConfig(change: Partial<PlatformConfig>): Promise<PlatformConfig>;

  /** Adds or replaces an agency (its certificates are kept). */
  putAgency(agency: AgencyRecord): Promise<'added' | 'replaced'>;
  /** Removes an agency and its certificates; false when there was none. */
  removeAgency(organId: string): Promise<boolean>;
  getAgency(organId: string): Promise<AgencyRecord | undefined>;
  /** Adds a clerk certificate to an agency; false when already there. */
  addCertificate(organId: string, der: Buffer): Promise<boolean>;
  removeCertificate(sha256: string): Promise<boolean>;
  findCertificate(sha256: string): Promise<CertificateRecord | undefined>;
  directory(): Promise<DirectorySnapshot>;

  /** Records a fresh nonce (base64) valid until expiresAt. */
  putNonce(nonce: string, expiresAt: string): Promise<void>;
  /** Deletes the nonce and says whether it existed and had not expired at `now`: single use. */
  takeNonce(nonce: string, now: string): Promise<boolean>;

  /** Stores a session under the SHA-256 hex of its bearer token (never the token). */
  putSession(tokenSha256: string, session: SessionRecord): Promise<void>;
  /** The live session of a token hash at `now`, else undefined. */
  getSession(tokenSha256: string, now: string): Promise<SessionRecord | undefined>;
  /**
   * Deletes expired nonces and sessions, and open uploads started more than
   * OPEN_UPLOAD_MAX_AGE_MS before `now` with their chunks; returns how many rows.
   */
  sweep(now: string): Promise<number>;

  getUpload(sha256: string): Promise<UploadRecord | undefined>;
  /** Creates the upload, or returns the existing one unchanged (same sha256). */
  createUpload(upload: NewUpload, now: string): Promise<UploadRecord>;
  /** Stores chunk `index` (digest: SHA-256 hex of bytes). */
  putChunk(sha256: string, index: number, digest: string, bytes: Buffer): Promise<ChunkResult>;
  /** Indices of the chunks held, ascending. */
  chunkIndices(sha256: string): Promise<number[]>;
  /** The package's bytes from `offset` to its end, chunk by chunk (held chunks only). */
  readPackage(sha256: string, offset: number): AsyncIterable<Buffer>;
  /**
   * Marks the upload complete with its receipt and puts one package entry into each
   * recipient's mailbox, in one transaction. When already complete, returns the record as
   * it is (the stored receipt) and adds nothing.
   */
  completeUpload(sha256: string, receipt: Buffer, now: string): Promise<UploadRecord>;

  /** Entries of `organId`'s mailbox after `after` (exclusive), ascending, at most `limit`. */
  mailbox(organId: string, after: string, limit: number): Promise<MailboxEntryRecord[]>;
  /** The acknowledged cursor ("0" when none). */
  ackedCursor(organId: string): Promise<string>;
  /** Moves the acknowledged cursor forward (never back); refuses a cursor beyond the last entry. */
  ack(organId: string, cursor: string): Promise<void>;

  /** Stores a notice and puts it into `to`'s mailbox; 'same' when already stored. */
  addNotice(notice: NewNotice, now: string): Promise<'stored' | 'same'>;
}
