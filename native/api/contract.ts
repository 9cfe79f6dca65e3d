/**
 * The contract: every method the UI may call and every event it may receive, each with
 * a runtime schema and the TypeScript type inferred from it. This one table drives the
 * Electron IPC gate, the preload, the test bridge and the native dispatcher: adding a
 * method is one entry here plus its handler.
 */
import { z } from 'zod';
import { BoxListParamsSchema, InboxPageSchema, OutboxPageSchema } from './boxes-contract.ts';
import {
  AddDocumentParamsSchema,
  DraftDetailSchema,
  DraftFieldsSchema,
  DraftIdSchema,
  DraftListParamsSchema,
  DraftPageSchema,
} from './drafts-contract.ts';
import { WireErrorSchema } from './errors.ts';
import {
  DirectoryListSchema,
  InboxChangedSchema,
  OutboxChangedSchema,
  OutboxDetailSchema,
  OutboxRefSchema,
  SealParamsSchema,
  SealResultSchema,
  SyncChangedSchema,
  SyncStateSchema,
} from './exchange-contract.ts';
import {
  ExportDocumentsParamsSchema,
  ExportDocumentsResultSchema,
  InboxDetailSchema,
  InboxRefSchema,
} from './inbox-open-contract.ts';

/** Opaque, stable id of a token: derived from its module path, manufacturer, model and serial. */
export const TokenIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'token id is 16 hex digits');

/** PIN as typed by the clerk. Never logged, never stored, dropped after the call. */
export const PinSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x20-\x7e]+$/, 'PIN is printable ASCII');

export const PinStateSchema = z.enum(['normal', 'count-low', 'final-try', 'locked']);

export const TokenInfoSchema = z
  .object({
    id: TokenIdSchema,
    label: z.string(),
    manufacturer: z.string(),
    model: z.string(),
    serial: z.string(),
    /** Absolute path of the PKCS#11 module that reported this token. */
    module: z.string(),
    slot: z.number().int().nonnegative(),
    pinState: PinStateSchema,
    /** The token has a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH). */
    protectedAuthPath: z.boolean(),
    /** The token's user PIN has never been set (CKF_USER_PIN_INITIALIZED clear). */
    pinInitialized: z.boolean(),
  })
  .strict();

export const IdentitySchema = z
  .object({
    commonName: z.string(),
    organization: z.string().nullable(),
    organizationalUnit: z.string().nullable(),
    /** Agency code (OrganId, e.g. 000.00.00.G22) from organizationIdentifier, when present. */
    organId: z.string().nullable(),
    subject: z.string(),
    issuer: z.string(),
    issuerCommonName: z.string().nullable(),
    /** Certificate serial number, upper-case hex without separators. */
    serialNumber: z.string(),
    /** Validity bounds, ISO 8601 UTC. */
    notBefore: z.string(),
    notAfter: z.string(),
    /** e.g. "RSA 3072", "EC P-384". */
    keyAlgorithm: z.string(),
    /** SHA-256 of the certificate DER, upper-case hex. */
    fingerprint: z.string(),
    /** CKA_ID shared by the certificate and its private key, hex. */
    keyId: z.string(),
    /** Problems a security reviewer must see (e.g. private key extractable or not sensitive). */
    warnings: z.array(z.string()),
  })
  .strict();

export const SessionSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('signed-out') }).strict(),
  z
    .object({
      state: z.literal('signed-in'),
      token: TokenInfoSchema,
      identity: IdentitySchema,
      /** When the session began, ISO 8601 UTC. */
      since: z.string(),
    })
    .strict(),
]);

export const LockReasonSchema = z.enum([
  'logout',
  'token-removed',
  'idle',
  'native-restarted',
  /** The vendor PKCS#11 module crashed its process; it was restarted. */
  'token-module-crashed',
]);

/**
 * The vault (the clerk's encrypted local store) as the UI sees it. `locked`: not signed in,
 * or the session ended (`reason`), or the vault could not be opened (`problem`). `absent`:
 * signed in, and the profile folder holds no vault yet (offer to initialise it). `open`:
 * unlocked with the signed-in token; `restored` when a damaged database was replaced by
 * the snapshot taken at `snapshotTime` (ISO 8601; later changes are lost).
 */
export const VaultStateSchema = z.discriminatedUnion('state', [
  z
    .object({
      state: z.literal('locked'),
      reason: LockReasonSchema.nullable(),
      problem: WireErrorSchema.nullable(),
    })
    .strict(),
  z.object({ state: z.literal('absent'), profile: z.string() }).strict(),
  z
    .object({
      state: z.literal('open'),
      /** The profile folder (absolute path). */
      profile: z.string(),
      restored: z.object({ snapshotTime: z.string() }).strict().optional(),
    })
    .strict(),
]);

const NoParams = z.object({}).strict();
const DraftRef = z.object({ id: DraftIdSchema }).strict();

function method<P extends z.ZodType, R extends z.ZodType>(
  params: P,
  result: R,
  options: { timeoutMs: number; sensitive?: readonly string[] },
) {
  return {
    params,
    result,
    timeoutMs: options.timeoutMs,
    sensitive: options.sensitive ?? [],
  } as const;
}

/** A configured PKCS#11 module: loaded, or not with the reason. */
export const ModuleStatusSchema = z.discriminatedUnion('status', [
  z.object({ path: z.string(), status: z.literal('loaded') }).strict(),
  z.object({ path: z.string(), status: z.literal('failed'), reason: z.string() }).strict(),
]);

export const KeyCheckSchema = z
  .object({
    /** Signature algorithm used, e.g. "rsa-pss-sha256", "ecdsa-sha384". */
    algorithm: z.string(),
    /** The signature verified against the certificate's public key. */
    verified: z.boolean(),
    /** Time the token took to sign, in ms. */
    tokenMs: z.number().nonnegative(),
  })
  .strict();

export const PingSchema = z
  .object({
    pid: z.number().int(),
    /** Time since the native process started, in ms. */
    uptimeMs: z.number().nonnegative(),
  })
  .strict();

export const methods = {
  'tokens.list': method(NoParams, z.array(TokenInfoSchema), { timeoutMs: 15_000 }),
  /** The configured PKCS#11 modules and whether each loaded (why not, when it did not). */
  'tokens.modules': method(NoParams, z.array(ModuleStatusSchema), { timeoutMs: 15_000 }),
  /** `pin: null` signs in on a token with a PIN pad (the clerk types on the reader). */
  'session.login': method(
    z.object({ token: TokenIdSchema, pin: PinSchema.nullable() }).strict(),
    SessionSchema,
    { timeoutMs: 120_000, sensitive: ['pin'] },
  ),
  'session.logout': method(NoParams, SessionSchema, { timeoutMs: 15_000 }),
  'session.current': method(NoParams, SessionSchema, { timeoutMs: 5_000 }),
  /** Reports clerk activity; postpones the idle lock. Returns when the lock would fall (ISO). */
  'session.touch': method(NoParams, z.object({ idleLockAt: z.string().nullable() }).strict(), {
    timeoutMs: 5_000,
  }),
  /** Signs a random challenge with the token and verifies it: "does my token work?". */
  'session.checkKey': method(NoParams, KeyCheckSchema, { timeoutMs: 60_000 }),
  /** Changes the user PIN (C_SetPIN). Nulls on a PIN-pad token: both are typed on the pad. */
  'token.changePin': method(
    z
      .object({ token: TokenIdSchema, oldPin: PinSchema.nullable(), newPin: PinSchema.nullable() })
      .strict(),
    z.object({ changed: z.literal(true) }).strict(),
    { timeoutMs: 120_000, sensitive: ['oldPin', 'newPin'] },
  ),
  /** The vault's state (locked, absent, open). */
  'vault.state': method(NoParams, VaultStateSchema, { timeoutMs: 5_000 }),
  /** Creates the vault in the profile folder for the signed-in token's certificate (and the recovery one). */
  'vault.init': method(NoParams, VaultStateSchema, { timeoutMs: 60_000 }),
  /** A page of drafts, sorted, optionally filtered by search words. */
  'drafts.list': method(DraftListParamsSchema, DraftPageSchema, { timeoutMs: 15_000 }),
  'drafts.get': method(DraftRef, DraftDetailSchema, { timeoutMs: 15_000 }),
  'drafts.create': method(DraftFieldsSchema, DraftDetailSchema, { timeoutMs: 15_000 }),
  /** Replaces the editor's fields of a draft (other metadata keys are kept). */
  'drafts.update': method(
    z.object({ id: DraftIdSchema, fields: DraftFieldsSchema }).strict(),
    DraftDetailSchema,
    { timeoutMs: 15_000 },
  ),
  'drafts.delete': method(DraftRef, z.object({ deleted: z.literal(true) }).strict(), {
    timeoutMs: 30_000,
  }),
  /** Adds a small document (up to DOCUMENT_MAX_BYTES) to a draft; large files need streaming (later). */
  'drafts.addDocument': method(AddDocumentParamsSchema, DraftDetailSchema, { timeoutMs: 60_000 }),
  'drafts.removeDocument': method(
    z.object({ draftId: DraftIdSchema, documentId: z.number().int().positive() }).strict(),
    DraftDetailSchema,
    { timeoutMs: 30_000 },
  ),
  /** A page of the outbox (sealed packages waiting to leave), newest first. */
  'outbox.list': method(BoxListParamsSchema, OutboxPageSchema, { timeoutMs: 15_000 }),
  /** A page of the inbox (received packages), newest first. */
  'inbox.list': method(BoxListParamsSchema, InboxPageSchema, { timeoutMs: 15_000 }),
  /** The agency directory cached in the vault, with each agency's clearance. */
  'directory.list': method(NoParams, DirectoryListSchema, { timeoutMs: 15_000 }),
  /** Seals a draft with the signed-in token into the outbox (refused by the directory's policy). */
  'drafts.seal': method(SealParamsSchema, SealResultSchema, { timeoutMs: 600_000 }),
  /** One outbox package with its receipt and the recipients' notices. */
  'outbox.get': method(OutboxRefSchema, OutboxDetailSchema, { timeoutMs: 15_000 }),
  /** One inbox package: its report (once opened), documents and status history. */
  'inbox.get': method(InboxRefSchema, InboxDetailSchema, { timeoutMs: 15_000 }),
  /** Opens (verifies) an inbox package from the vault with the token; its documents stay in the vault. */
  'inbox.open': method(InboxRefSchema, InboxDetailSchema, { timeoutMs: 600_000 }),
  /** Saves an opened package's documents to a folder the clerk chose. */
  'inbox.exportDocuments': method(ExportDocumentsParamsSchema, ExportDocumentsResultSchema, {
    timeoutMs: 600_000,
  }),
  /** Sync with the platform: configured or not, running, last round. */
  'sync.state': method(NoParams, SyncStateSchema, { timeoutMs: 5_000 }),
  /** Starts a sync round now (answers at once; progress comes as events). */
  'sync.now': method(NoParams, SyncStateSchema, { timeoutMs: 15_000 }),
  /** Liveness of the native process; never waits behind token work. */
  'native.ping': method(NoParams, PingSchema, { timeoutMs: 5_000 }),
} as const;

export const events = {
  'tokens.changed': z.object({ tokens: z.array(TokenInfoSchema) }).strict(),
  'session.locked': z.object({ reason: LockReasonSchema }).strict(),
  /** The vault was opened, initialised or locked (its keys dropped). */
  'vault.changed': z.object({ state: VaultStateSchema }).strict(),
  /** An outbox package moved (state, upload progress, next attempt, error). */
  'outbox.changed': OutboxChangedSchema,
  /** A package arrived in the inbox or an inbox item changed. */
  'inbox.changed': InboxChangedSchema,
  /** Sync started, ended a round, or stopped. */
  'sync.changed': SyncChangedSchema,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
/** What a caller passes (schema input: fields with defaults may be left out). */
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export type TokenInfo = z.infer<typeof TokenInfoSchema>;
export type Identity = z.infer<typeof IdentitySchema>;
export type Session = z.infer<typeof SessionSchema>;
export type PinState = z.infer<typeof PinStateSchema>;
export type LockReason = z.infer<typeof LockReasonSchema>;
export type KeyCheck = z.infer<typeof KeyCheckSchema>;
export type ModuleStatus = z.infer<typeof ModuleStatusSchema>;
export type VaultState = z.infer<typeof VaultStateSchema>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
