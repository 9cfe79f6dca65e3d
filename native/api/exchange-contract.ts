/**
 * The exchange part of the contract: the cached agency directory as the recipient picker
 * shows it, sealing a draft from the app, one outbox package with its receipt and the
 * notices its recipients sent back, background sync, and the events that carry live
 * progress (`outbox.changed`, `inbox.changed`, `sync.changed`). Imported by contract.ts;
 * the renderer imports types only.
 */
import { z } from 'zod';
import {
  AgencyRefSchema,
  BusinessStatusSchema,
  OutboxItemSchema,
  RegisterNumberSchema,
  TransportStateSchema,
} from './boxes-contract.ts';
import { DraftIdSchema, LevelSchema } from './drafts-contract.ts';
import { WireErrorSchema } from './errors.ts';

/** An agency of the directory cached in the vault (the platform's, or imported). */
export const DirectoryAgencySchema = z
  .object({
    organId: z.string(),
    name: z.string(),
    /** The highest level the agency may receive. */
    clearance: LevelSchema,
    /** How a package's key reaches it: RSA-OAEP (hash) or ECDH. */
    keyTransport: z.enum(['oaep-sha256', 'oaep-sha1', 'ecdh']),
    /** When its last certificate expires (ISO 8601 UTC); null when it has none. */
    certificateValidUntil: z.string().nullable(),
    /** False when no certificate of it is valid now: nothing can be sealed for it. */
    sealable: z.boolean(),
  })
  .strict();

/** The cached directory, agencies in Vietnamese order of their names. */
export const DirectoryListSchema = z
  .object({
    agencies: z.array(DirectoryAgencySchema),
    /** When the cache last changed (ISO 8601 UTC); null when it is empty. */
    updatedAt: z.string().nullable(),
  })
  .strict();

export const SealParamsSchema = z.object({ id: DraftIdSchema }).strict();

/** A draft sealed into the outbox (the draft is gone; its package waits to leave). */
export const SealResultSchema = z
  .object({
    outboxId: z.number().int().positive(),
    /** SHA-256 of the sealed package, lower-case hex. */
    packageSha256: z.string(),
    /** Bytes of the sealed package. */
    bytes: z.number().int().nonnegative(),
    level: LevelSchema,
    /** The outgoing register number (sổ đi) it took. */
    register: RegisterNumberSchema,
    recipients: z.array(z.string()),
  })
  .strict();

/** The platform's receipt for an uploaded package, verified by the client when it came. */
export const ReceiptViewSchema = z
  .object({
    /** The platform's name for itself. */
    platform: z.string(),
    /** When the platform stored the whole package (ISO 8601 UTC). */
    receivedAt: z.string(),
    /** The package hash the receipt names (lower-case hex). */
    sha256: z.string(),
    size: z.number().int().nonnegative(),
    recipients: z.array(z.string()),
    /** The receipt's signature verified again against the trust anchors when it was shown. */
    verified: z.boolean(),
  })
  .strict();

/** A business status notice a recipient agency signed and sent back (01 arrived, 03 registered …). */
export const NoticeViewSchema = z
  .object({
    status: BusinessStatusSchema,
    from: AgencyRefSchema,
    /** When the recipient signed it (ISO 8601 UTC). */
    at: z.string(),
    /** With 02 (refused): the recipient's reason. */
    reason: z.string().nullable(),
    /** With 03: the recipient's incoming register number. */
    register: RegisterNumberSchema.nullable(),
  })
  .strict();

/** One outbox package as its detail panel shows it. */
export const OutboxDetailSchema = z
  .object({
    item: OutboxItemSchema,
    packageSha256: z.string(),
    receipt: ReceiptViewSchema.nullable(),
    /** Oldest first. */
    notices: z.array(NoticeViewSchema),
  })
  .strict();

export const OutboxRefSchema = z.object({ id: z.number().int().positive() }).strict();

/** Sync with the platform as the UI shows it. */
export const SyncStateSchema = z
  .object({
    /** False when the profile names no platform: sync is off, the app works offline. */
    configured: z.boolean(),
    /** The platform's address (`https://host:port`), when configured. */
    platform: z.string().nullable(),
    /** idle: waiting for the next round; running: a round is under way; stopped: vault locked. */
    phase: z.enum(['idle', 'running', 'stopped']),
    /** When the last round ended (ISO 8601 UTC), null before the first. */
    lastRunAt: z.string().nullable(),
    /** Why the last round failed (platform unreachable …); null when it went through. */
    lastError: WireErrorSchema.nullable(),
  })
  .strict();

/** Live progress of one outbox package (sync engine → UI). */
export const OutboxChangedSchema = z
  .object({
    id: z.number().int().positive(),
    state: TransportStateSchema,
    /** Bytes the platform holds so far (uploading), else null. */
    bytesDone: z.number().int().nonnegative().nullable(),
    bytesTotal: z.number().int().nonnegative().nullable(),
    /** With failed-retrying: the next attempt (ISO 8601 UTC). */
    nextAttemptAt: z.string().nullable(),
    /** With failed and failed-retrying: why. */
    error: WireErrorSchema.nullable(),
    /** With failed: what the clerk can do. */
    action: z.enum(['re-seal', 'tell-administrator', 'retry']).nullable(),
  })
  .strict();

/** Something arrived in (or changed in) the inbox; `id` null when several did. */
export const InboxChangedSchema = z.object({ id: z.number().int().positive().nullable() }).strict();

export const SyncChangedSchema = z.object({ state: SyncStateSchema }).strict();

export type DirectoryAgency = z.infer<typeof DirectoryAgencySchema>;
export type DirectoryList = z.infer<typeof DirectoryListSchema>;
export type SealResult = z.infer<typeof SealResultSchema>;
export type ReceiptView = z.infer<typeof ReceiptViewSchema>;
export type NoticeView = z.infer<typeof NoticeViewSchema>;
export type OutboxDetail = z.infer<typeof OutboxDetailSchema>;
export type SyncState = z.infer<typeof SyncStateSchema>;
export type OutboxChanged = z.infer<typeof OutboxChangedSchema>;
export type InboxChanged = z.infer<typeof InboxChangedSchema>;
