/**
 * The outbox and inbox part of the contract: pages of sealed packages going out (with
 * their transport state and outgoing register number) and coming in (with their business
 * status and incoming register number), newest first. Subjects follow the vault's rule:
 * a Tuyệt mật subject is never listed in the outbox, and an inbox subject is known only
 * once the package was opened by its recipient. Imported by contract.ts; the renderer
 * imports types only.
 */
import { z } from 'zod';
import { LevelSchema, UrgencySchema } from './drafts-contract.ts';
import { WireErrorSchema } from './errors.ts';

/**
 * Transport states of an outgoing package (docs/exchange.md): queued, uploading (with
 * progress), sent (the platform's receipt held), delivered (a recipient's notice held),
 * failed-retrying (a next attempt is scheduled), failed (the clerk must act).
 */
export const TransportStateSchema = z.enum([
  'queued',
  'uploading',
  'sent',
  'delivered',
  'failed-retrying',
  'failed',
]);

/** Business statuses (DOMAIN.md): 01 arrived … 16 recall or update refused. */
export const BusinessStatusSchema = z.enum(['01', '02', '03', '04', '05', '06', '13', '15', '16']);

/** A register number (sổ đi / sổ đến): numbered from 1 each year. */
export const RegisterNumberSchema = z
  .object({ year: z.number().int(), number: z.number().int().positive() })
  .strict();

/** An agency as lists name it: its OrganId and, when known, its name. */
export const AgencyRefSchema = z
  .object({
    organId: z.string(),
    /** From the directory (or, for a sender, its verified manifest); null when unknown. */
    name: z.string().nullable(),
  })
  .strict();

export const BoxListParamsSchema = z
  .object({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(200).default(20),
  })
  .strict();

export const OutboxItemSchema = z
  .object({
    id: z.number().int().positive(),
    /** Null while hidden: a Tuyệt mật subject never shows in the outbox. */
    subject: z.string().nullable(),
    level: LevelSchema,
    urgency: UrgencySchema,
    recipients: z.array(AgencyRefSchema),
    transportState: TransportStateSchema,
    /** Sending attempts so far. */
    attempts: z.number().int().nonnegative(),
    /** Why the last attempt failed (failed, failed-retrying): a kind the UI translates. */
    error: WireErrorSchema.nullable(),
    /** With failed-retrying: when the next attempt is due (ISO 8601 UTC). */
    nextAttemptAt: z.string().nullable(),
    /** With failed: what the clerk can do (seal again, tell the administrator, retry). */
    action: z.enum(['re-seal', 'tell-administrator', 'retry']).nullable(),
    /** Bytes the platform acknowledged (uploading), of `size`. */
    bytesDone: z.number().int().nonnegative(),
    /** Bytes of the sealed package. */
    size: z.number().int().nonnegative(),
    /** The outgoing register number (sổ đi), taken when the draft was sealed. */
    register: RegisterNumberSchema.nullable(),
    /** When it was sealed, ISO 8601 UTC. */
    createdAt: z.string(),
  })
  .strict();

export const InboxItemSchema = z
  .object({
    id: z.number().int().positive(),
    /** Null until the package is opened (its subject is inside it). */
    subject: z.string().nullable(),
    /** True once the recipient opened (verified) the package. */
    opened: z.boolean(),
    /** The outer level until opened, then the verified level inside. */
    level: LevelSchema,
    /** Null until opened. */
    urgency: UrgencySchema.nullable(),
    /** Null until opened. */
    sender: AgencyRefSchema.nullable(),
    status: BusinessStatusSchema.nullable(),
    /** The incoming register number (sổ đến), taken at the first successful open. */
    register: RegisterNumberSchema.nullable(),
    /** ISO 8601 UTC. */
    receivedAt: z.string(),
    openedAt: z.string().nullable(),
  })
  .strict();

const page = <T extends z.ZodType>(item: T) =>
  z
    .object({
      items: z.array(item),
      offset: z.number().int().nonnegative(),
      limit: z.number().int().positive(),
      /** True when there are items after this page. */
      hasMore: z.boolean(),
    })
    .strict();

export const OutboxPageSchema = page(OutboxItemSchema);
export const InboxPageSchema = page(InboxItemSchema);

export type TransportState = z.infer<typeof TransportStateSchema>;
export type BusinessStatus = z.infer<typeof BusinessStatusSchema>;
export type RegisterNumberView = z.infer<typeof RegisterNumberSchema>;
export type AgencyRef = z.infer<typeof AgencyRefSchema>;
export type BoxListParams = z.input<typeof BoxListParamsSchema>;
export type OutboxItemView = z.infer<typeof OutboxItemSchema>;
export type InboxItemView = z.infer<typeof InboxItemSchema>;
export type OutboxPage = z.infer<typeof OutboxPageSchema>;
export type InboxPage = z.infer<typeof InboxPageSchema>;
