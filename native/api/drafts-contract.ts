/**
 * The drafts part of the contract: schemas of the draft list, the draft editor's fields
 * and a draft's documents, with the limits the UI and the native side both enforce.
 * Imported by contract.ts (the methods table); the renderer imports types only.
 */
import { z } from 'zod';
import { levelCodes, urgencyCodes } from '../seal/levels.ts';

/** Largest document the UI may add in one call, in bytes (8 MiB). Larger files need streaming (not yet). */
export const DOCUMENT_MAX_BYTES = 8 * 1024 * 1024;

/** Length of the base64 text of DOCUMENT_MAX_BYTES bytes. */
const DOCUMENT_MAX_BASE64 = Math.ceil(DOCUMENT_MAX_BYTES / 3) * 4;

/** Confidentiality level codes (native/seal/levels.ts): thuong, mat, toi-mat, tuyet-mat. */
export const LevelSchema = z.enum(levelCodes);
/** Urgency codes: thuong (none), khan, thuong-khan, hoa-toc, hoa-toc-hen-gio. */
export const UrgencySchema = z.enum(urgencyCodes);

/** An agency code (OrganId, Decision 20/2020/QĐ-TTg), e.g. `000.00.00.G22`. */
export const OrganIdSchema = z
  .string()
  .regex(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/, 'OrganId looks like 000.00.00.G22');

/** The package metadata the editor sets now (edXML names in camelCase). */
export const DraftMetadataSchema = z
  .object({
    /** Số (CodeNumber), e.g. "7816". */
    codeNumber: z.string().max(32).optional(),
    /** Ký hiệu (CodeNotation), e.g. "VPCP-TTĐT". */
    codeNotation: z.string().max(64).optional(),
    /** The deadline of "Hỏa tốc hẹn giờ", ISO 8601; absent for any other urgency. */
    deadline: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** What the editor saves: the level has no default, a person always chooses it. */
export const DraftFieldsSchema = z
  .object({
    /** Trích yếu. */
    subject: z.string().trim().min(1).max(2000),
    level: LevelSchema,
    urgency: UrgencySchema.default('thuong'),
    recipients: z.array(OrganIdSchema).max(200),
    metadata: DraftMetadataSchema.default({}),
  })
  .strict()
  .refine((d) => (d.urgency === 'hoa-toc-hen-gio') === (d.metadata.deadline !== undefined), {
    message: 'a deadline goes with "hỏa tốc hẹn giờ", and only with it',
  });

export const DraftIdSchema = z.number().int().positive();

export const DraftSortSchema = z.enum(['updated', 'created', 'subject', 'level']);

export const DraftListParamsSchema = z
  .object({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(200).default(20),
    /** updated (default), created, subject (Vietnamese collation; hidden subjects last), level. */
    sort: DraftSortSchema.default('updated'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    /** Words searched in listed subjects and metadata (diacritics ignored); empty: no filter. */
    search: z.string().max(200).optional(),
  })
  .strict();

/** A draft as the list shows it. `subject` is null while it must stay hidden (Tuyệt mật). */
export const DraftSummarySchema = z
  .object({
    id: DraftIdSchema,
    subject: z.string().nullable(),
    level: LevelSchema,
    urgency: UrgencySchema,
    recipients: z.array(z.string()),
    documentCount: z.number().int().nonnegative(),
    /** ISO 8601 UTC. */
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();

export const DraftPageSchema = z
  .object({
    items: z.array(DraftSummarySchema),
    /** How many drafts match (all pages). */
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    limit: z.number().int().positive(),
  })
  .strict();

export const DraftDocumentSchema = z
  .object({
    id: z.number().int().positive(),
    name: z.string(),
    /** Bytes. */
    size: z.number().int().nonnegative(),
    /** SHA-256 of the content, lower-case hex. */
    sha256: z.string(),
    mediaType: z.string().nullable(),
  })
  .strict();

/** A draft opened in the editor: the subject is shown to the clerk who opens it. */
export const DraftDetailSchema = DraftSummarySchema.extend({
  subject: z.string(),
  metadata: DraftMetadataSchema,
  documents: z.array(DraftDocumentSchema),
}).strict();

export const AddDocumentParamsSchema = z
  .object({
    draftId: DraftIdSchema,
    /** The file's name; names a package member could not carry are refused (unsafe-name). */
    name: z.string().min(1).max(255),
    mediaType: z.string().max(255).optional(),
    /** The content, base64 (the same text crosses Electron IPC and the test bridge's JSON). */
    contentBase64: z.base64().max(DOCUMENT_MAX_BASE64 + 4),
  })
  .strict();

export type Level = z.infer<typeof LevelSchema>;
export type Urgency = z.infer<typeof UrgencySchema>;
export type DraftMetadata = z.infer<typeof DraftMetadataSchema>;
export type DraftFields = z.input<typeof DraftFieldsSchema>;
export type DraftSort = z.infer<typeof DraftSortSchema>;
export type DraftListParams = z.input<typeof DraftListParamsSchema>;
export type DraftSummaryView = z.infer<typeof DraftSummarySchema>;
export type DraftPage = z.infer<typeof DraftPageSchema>;
export type DraftDocumentView = z.infer<typeof DraftDocumentSchema>;
export type DraftDetailView = z.infer<typeof DraftDetailSchema>;
