/**
 * The exchange platform's wire protocol (version 1): every route, every request and reply
 * body as a zod schema, and the signed statements (auth proof, receipt, notice) the two
 * sides exchange. The platform server (platform/) and the client (native/sync) both parse
 * with these schemas, so a reply that does not match is refused the same way everywhere.
 * docs/platform-api.yaml is the OpenAPI 3.1 text of the same contract; docs/exchange.md
 * explains the flows.
 *
 * Conventions
 * - JSON bodies, UTF-8, at most MAX_JSON_BYTES; binary bodies (chunks, packages) are
 *   `application/octet-stream`.
 * - Hashes are lowercase hex SHA-256 (64 characters); binary values in JSON are base64.
 * - Every route but the two auth routes needs `Authorization: Bearer <session token>`.
 * - Errors: any 4xx/5xx reply is `{ "error": { "code": ErrorCode, "message": string,
 *   ... } }`; `code` is stable, `message` is English detail for logs.
 */
import { z } from 'zod';
import { levelCodes } from '../seal/levels.ts';
import { OrganIdSchema } from '../seal/manifest.ts';

/** Path prefix of every route of protocol version 1. */
export const API_PREFIX = '/v1';

/** Largest JSON body either side accepts, in bytes. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** Largest signed statement (auth proof, receipt, notice), DER bytes. */
export const MAX_STATEMENT_BYTES = 64 * 1024;

/** Chunk size the platform offers unless configured otherwise (bytes). */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** Bounds of a chunk size a client accepts from a platform (bytes). */
export const MIN_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** Largest package the protocol carries (bytes): 64 GiB. */
export const MAX_PACKAGE_BYTES = 64 * 1024 ** 3;

/** Lifetime of a nonce and of a session, in seconds. */
export const NONCE_TTL_SECONDS = 120;
export const SESSION_TTL_SECONDS = 15 * 60;

/** The routes (method and path template); `{sha256}`, `{index}` are path parameters. */
export const routes = {
  challenge: { method: 'POST', path: '/v1/auth/challenge' },
  session: { method: 'POST', path: '/v1/auth/session' },
  directory: { method: 'GET', path: '/v1/directory' },
  startUpload: { method: 'POST', path: '/v1/uploads' },
  uploadStatus: { method: 'GET', path: '/v1/uploads/{sha256}' },
  putChunk: { method: 'PUT', path: '/v1/uploads/{sha256}/chunks/{index}' },
  completeUpload: { method: 'POST', path: '/v1/uploads/{sha256}/complete' },
  mailbox: { method: 'GET', path: '/v1/mailbox' },
  ack: { method: 'POST', path: '/v1/mailbox/ack' },
  download: { method: 'GET', path: '/v1/packages/{sha256}' },
  postNotice: { method: 'POST', path: '/v1/notices' },
  health: { method: 'GET', path: '/v1/health' },
} as const;

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');
export const LevelSchema = z.enum(levelCodes);
const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const StatementB64Schema = Base64Schema.max(Math.ceil(MAX_STATEMENT_BYTES / 3) * 4);
const IsoTimeSchema = z.iso.datetime({ offset: false });
/** A mailbox cursor: an opaque decimal string of at most 20 digits. */
export const CursorSchema = z.string().regex(/^[0-9]{1,20}$/);

/** Stable error codes of the platform; the client maps each to a vi/en message. */
export const errorCodes = [
  /** The request body or a parameter does not match the schema. */
  'bad-request',
  /** No session, an expired one, or a bad bearer token: authenticate again. */
  'unauthenticated',
  /** The auth proof failed: signature, chain, unknown or expired nonce, not in directory. */
  'auth-refused',
  /** The session's agency may not do this (not a recipient of the package, say). */
  'forbidden',
  /** No such package, upload or chunk. */
  'not-found',
  /** A chunk's bytes do not match its Content-Digest, or the package its SHA-256. */
  'digest-mismatch',
  /** A chunk index outside the upload, a wrong chunk length, a size that changed. */
  'conflict',
  /** The package's level is above what this platform is approved for. */
  'level-not-approved',
  /** A recipient agency is not cleared for the package's level. */
  'recipient-not-cleared',
  /** A recipient is not in the directory, or the package is not encrypted to it. */
  'recipient-unknown',
  /** The package is not a Niêm sealed package (the outer envelope does not parse). */
  'malformed-package',
  /** A notice is not validly signed by a clerk of the session's agency, or names another package. */
  'notice-refused',
  /** Body larger than allowed. */
  'too-large',
  /** Too many requests: retry after the Retry-After header's seconds. */
  'busy',
  /** Anything else; the message says what. */
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const ErrorReplySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(errorCodes),
    message: z.string().max(2000),
    /** The OrganId a recipient-* error is about. */
    organId: OrganIdSchema.optional(),
  }),
});
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

// ---- auth -------------------------------------------------------------------------------

/** POST /v1/auth/challenge (no body) → 200. */
export const ChallengeReplySchema = z.strictObject({
  /** 32 random bytes, base64. */
  nonce: Base64Schema.length(44),
  expiresAt: IsoTimeSchema,
});
export type ChallengeReply = z.infer<typeof ChallengeReplySchema>;

/** POST /v1/auth/session body: the auth statement signed by the clerk's token. */
export const SessionRequestSchema = z.strictObject({ proof: StatementB64Schema });
export type SessionRequest = z.infer<typeof SessionRequestSchema>;

/** → 200. `token` is 32 random bytes base64url; use as `Authorization: Bearer`. */
export const SessionReplySchema = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  expiresAt: IsoTimeSchema,
  organId: OrganIdSchema,
});
export type SessionReply = z.infer<typeof SessionReplySchema>;

// ---- directory ----------------------------------------------------------------------------

/**
 * GET /v1/directory → 200 with the directory in the vault's import format
 * (native/vault/directory.ts: `{format: 'niem-directory', version: 1, agencies}`) and an
 * `ETag` header (quoted SHA-256 hex of the body); with `If-None-Match` equal to it, 304.
 * The client parses the body with the vault's own directory schema.
 */
export const ETagSchema = z.string().regex(/^"[0-9a-f]{64}"$/);

// ---- upload -------------------------------------------------------------------------------

/** POST /v1/uploads: declare a package (idempotent for the same sender and bytes). */
export const StartUploadRequestSchema = z.strictObject({
  sha256: Sha256HexSchema,
  size: z.int().min(1).max(MAX_PACKAGE_BYTES),
  /** The level the sender states; must equal the package's outer level. */
  level: LevelSchema,
  /** Recipient OrganIds, as sealed; each must be in the directory and cleared. */
  recipients: z.array(OrganIdSchema).min(1).max(500),
});
export type StartUploadRequest = z.infer<typeof StartUploadRequestSchema>;

/**
 * → 200 (201 when new). `received` lists the chunk indices the platform holds (ascending);
 * when `state` is `complete` the receipt is included and no chunk is needed.
 */
export const UploadStatusSchema = z.strictObject({
  sha256: Sha256HexSchema,
  size: z.int().min(1).max(MAX_PACKAGE_BYTES),
  chunkBytes: z.int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES),
  chunkCount: z.int().min(1),
  received: z.array(z.int().min(0)),
  state: z.enum(['open', 'complete']),
  receipt: StatementB64Schema.optional(),
});
export type UploadStatus = z.infer<typeof UploadStatusSchema>;

/**
 * GET /v1/uploads/{sha256} → 200 UploadStatus of an upload the session's agency sent (the
 * same reply as a start, without declaring anything); 404 `not-found` when there is none.
 */

/**
 * PUT /v1/uploads/{sha256}/chunks/{index}: body the chunk's bytes (exactly chunkBytes, the
 * last one the remainder), header `Content-Digest: sha-256=:<base64>:` (RFC 9530). A chunk
 * already held with the same digest is accepted again (204); with another digest, 409.
 * → 204 No Content.
 */
export const CONTENT_DIGEST_HEADER = 'content-digest';

/** POST /v1/uploads/{sha256}/complete (no body) → 200: the platform's signed receipt. */
export const CompleteReplySchema = z.strictObject({ receipt: StatementB64Schema });
export type CompleteReply = z.infer<typeof CompleteReplySchema>;

// ---- mailbox and delivery -----------------------------------------------------------------

/** One package waiting for the session's agency. */
export const PackageEntrySchema = z.strictObject({
  cursor: CursorSchema,
  kind: z.literal('package'),
  sha256: Sha256HexSchema,
  size: z.int().min(1).max(MAX_PACKAGE_BYTES),
  level: LevelSchema,
  sender: OrganIdSchema,
  at: IsoTimeSchema,
});

/** One notice relayed to the session's agency (about a package it sent). */
export const NoticeEntrySchema = z.strictObject({
  cursor: CursorSchema,
  kind: z.literal('notice'),
  /** The notice statement as its signer made it (base64 DER). */
  notice: StatementB64Schema,
  at: IsoTimeSchema,
});

export const MailboxEntrySchema = z.discriminatedUnion('kind', [
  PackageEntrySchema,
  NoticeEntrySchema,
]);
export type MailboxEntry = z.infer<typeof MailboxEntrySchema>;

/**
 * GET /v1/mailbox?after=CURSOR&limit=N (limit 1–500, default 100; `after` absent: after
 * the agency's acknowledged cursor) → 200, entries in ascending cursor order.
 */
export const MailboxReplySchema = z.strictObject({
  entries: z.array(MailboxEntrySchema).max(500),
  /** The acknowledged cursor the platform holds for the agency ("0" when none). */
  acked: CursorSchema,
  /** True when more entries follow the last one returned. */
  more: z.boolean(),
});
export type MailboxReply = z.infer<typeof MailboxReplySchema>;

/** POST /v1/mailbox/ack: everything up to `cursor` is stored by the client. → 204. */
export const AckRequestSchema = z.strictObject({ cursor: CursorSchema });
export type AckRequest = z.infer<typeof AckRequestSchema>;

/**
 * GET /v1/packages/{sha256}, optionally `Range: bytes=N-` → 200 or 206 with the bytes,
 * `Content-Length`, `ETag: "<sha256>"`. Only the sender agency and the recipients may read.
 */

// ---- notices ------------------------------------------------------------------------------

/** POST /v1/notices: a business-status notice signed by a clerk of the session's agency. → 202 (201 when new). */
export const PostNoticeRequestSchema = z.strictObject({ notice: StatementB64Schema });
export type PostNoticeRequest = z.infer<typeof PostNoticeRequestSchema>;

// ---- signed statements --------------------------------------------------------------------
// Each is JSON (UTF-8) carried as the eContent of a CMS SignedData (id-data) signed by its
// author (native/exchange/signed-statement.ts), so it can be kept and checked later, and
// `openssl cms -verify` reads it.

/** Signed by the clerk's token to open a session. */
export const AuthStatementSchema = z.strictObject({
  type: z.literal('niem-auth'),
  version: z.literal(1),
  /** The challenge's nonce, base64, as received. */
  nonce: Base64Schema.length(44),
  /** The platform origin the client connected to (`https://host:port`). */
  audience: z.string().min(1).max(512),
  at: IsoTimeSchema,
});
export type AuthStatement = z.infer<typeof AuthStatementSchema>;

/** Signed by the platform when an upload completes. */
export const ReceiptStatementSchema = z.strictObject({
  type: z.literal('niem-receipt'),
  version: z.literal(1),
  sha256: Sha256HexSchema,
  size: z.int().min(1).max(MAX_PACKAGE_BYTES),
  level: LevelSchema,
  sender: OrganIdSchema,
  /** SHA-256 hex of the sender clerk's certificate (DER) that authenticated the upload. */
  senderCertificate: Sha256HexSchema,
  recipients: z.array(OrganIdSchema).min(1).max(500),
  receivedAt: IsoTimeSchema,
  /** The platform's name for itself (configured), e.g. `truc-lien-thong.demo`. */
  platform: z.string().min(1).max(256),
});
export type ReceiptStatement = z.infer<typeof ReceiptStatementSchema>;

/** Business statuses a notice carries (DOMAIN.md). */
export const noticeStatuses = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;

/** Signed by a recipient clerk's token; relayed to the sender agency. */
export const NoticeStatementSchema = z.strictObject({
  type: z.literal('niem-notice'),
  version: z.literal(1),
  sha256: Sha256HexSchema,
  status: z.enum(noticeStatuses),
  /** The recipient agency that sends the notice. */
  from: OrganIdSchema,
  /** The sender agency of the package. */
  to: OrganIdSchema,
  at: IsoTimeSchema,
  /** Required with 02 (refused); free text, at most 2,000 characters. */
  reason: z.string().min(1).max(2000).optional(),
  /** With 03: the incoming register number. */
  register: z.strictObject({ year: z.int(), number: z.int().min(1) }).optional(),
});
export type NoticeStatement = z.infer<typeof NoticeStatementSchema>;

export const statementSchemas = {
  'niem-auth': AuthStatementSchema,
  'niem-receipt': ReceiptStatementSchema,
  'niem-notice': NoticeStatementSchema,
} as const;
export type StatementType = keyof typeof statementSchemas;
export type StatementOf<T extends StatementType> = z.infer<(typeof statementSchemas)[T]>;
