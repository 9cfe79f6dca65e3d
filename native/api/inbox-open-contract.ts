/**
 * The inbox package as the clerk opens it: its verification report (the GCM tag, each
 * signer with the chain to the trust anchors, the level outside and inside), its documents
 * (kept encrypted in the vault, each with its hash status), its business status history,
 * and the export of documents to a folder the clerk names. Imported by contract.ts; the
 * renderer imports types only.
 */
import { z } from 'zod';
import { BusinessStatusSchema, InboxItemSchema } from './boxes-contract.ts';
import { LevelSchema } from './drafts-contract.ts';

export const InboxRefSchema = z.object({ id: z.number().int().positive() }).strict();

const Check = z.enum(['valid', 'invalid']);

/** One signer of the package as the report shows it. */
export const SignerViewSchema = z
  .object({
    commonName: z.string().nullable(),
    organization: z.string().nullable(),
    /** The OrganId in the certificate (organizationIdentifier). */
    organId: z.string().nullable(),
    /** Certificate serial, upper-case hex. */
    serialNumber: z.string().nullable(),
    /** As the signer stated it (ISO 8601 UTC). */
    signingTime: z.string().nullable(),
    signatureAlgorithm: z.string(),
    digestAlgorithm: z.string(),
    signature: Check,
    messageDigest: Check,
    signingCertificate: z.enum(['valid', 'mismatch', 'absent']),
    chain: z
      .object({
        status: z.enum(['valid', 'untrusted']),
        reason: z.string().nullable(),
        /** Serial numbers from the signer to the anchor. */
        path: z.array(z.string()),
      })
      .strict(),
    /** The level its signed label states. */
    level: LevelSchema.nullable(),
    verdict: z.enum(['valid', 'tampered', 'untrusted']),
    problems: z.array(z.string()),
  })
  .strict();

/** The verification report of an opened (or refused) package. */
export const VerificationViewSchema = z
  .object({
    /** valid: everything verified; else what failed first. */
    verdict: z.enum(['valid', 'tampered', 'untrusted', 'levels-disagree']),
    /** The content's GCM tag. */
    tag: z.enum(['valid', 'invalid', 'not-reached']),
    content: z.enum(['niem-body', 'foreign']).nullable(),
    /** Which certificate of the clerk's token opened it. */
    openedWith: z
      .object({ subject: z.string(), serial: z.string(), type: z.enum(['ktri', 'kari']) })
      .strict()
      .nullable(),
    levels: z
      .object({
        /** The label outside (authenticated by the tag). */
        outside: LevelSchema.nullable(),
        /** The signed level inside. */
        inside: LevelSchema.nullable(),
        /** manifest.json's level. */
        manifest: LevelSchema.nullable(),
        agree: z.boolean(),
      })
      .strict(),
    signers: z.array(SignerViewSchema),
    /** Revocation is not checked in this version (no CRL or OCSP on the LAN yet). */
    revocation: z.literal('not-checked'),
  })
  .strict();

/** A document of an opened package. */
export const InboxDocumentSchema = z
  .object({
    id: z.number().int().nonnegative(),
    name: z.string(),
    /** Bytes. */
    size: z.number().int().nonnegative(),
    mediaType: z.string().nullable(),
    /** SHA-256 the signed manifest states (lower-case hex). */
    sha256: z.string().nullable(),
    /** valid: the content matched the signed hash; unchecked: not read yet. */
    hash: z.enum(['valid', 'mismatch', 'unchecked']),
    /** Kept (encrypted) in the vault: it can be saved to a folder. */
    stored: z.boolean(),
  })
  .strict();

export const StatusHistoryEntrySchema = z
  .object({
    status: BusinessStatusSchema,
    /** ISO 8601 UTC. */
    at: z.string(),
    /** Who recorded it (`CN #serial`). */
    actor: z.string(),
    note: z.string().nullable(),
  })
  .strict();

/** One inbox package as its detail panel shows it. */
export const InboxDetailSchema = z
  .object({
    item: InboxItemSchema,
    packageSha256: z.string(),
    /** Null until the package was opened (or an open was refused). */
    report: VerificationViewSchema.nullable(),
    /** Empty until opened. */
    documents: z.array(InboxDocumentSchema),
    /** Oldest first. */
    history: z.array(StatusHistoryEntrySchema),
    /** Where "save to folder" proposes to write (the clerk may change it). */
    exportFolder: z.string(),
  })
  .strict();

export const ExportDocumentsParamsSchema = z
  .object({
    id: z.number().int().positive(),
    /** An absolute folder; created when missing. Existing files are never overwritten. */
    folder: z.string().min(1).max(4096),
    /** Document ids; all when absent. */
    documents: z.array(z.number().int().nonnegative()).max(10_000).optional(),
  })
  .strict();

export const ExportDocumentsResultSchema = z
  .object({
    folder: z.string(),
    /** The files written (absolute paths). */
    files: z.array(z.string()),
  })
  .strict();

export type SignerView = z.infer<typeof SignerViewSchema>;
export type VerificationView = z.infer<typeof VerificationViewSchema>;
export type InboxDocumentView = z.infer<typeof InboxDocumentSchema>;
export type StatusHistoryEntry = z.infer<typeof StatusHistoryEntrySchema>;
export type InboxDetail = z.infer<typeof InboxDetailSchema>;
export type ExportDocumentsParams = z.input<typeof ExportDocumentsParamsSchema>;
export type ExportDocumentsResult = z.infer<typeof ExportDocumentsResultSchema>;
