/**
 * `manifest.json`, the first member of every Niêm body: the package's metadata, named
 * after the edXML header (QCVN 102:2016) in camelCase, and the list of its documents.
 *
 * Shape decisions (docs/package-format.md repeats them):
 * - Required: `formatVersion` (1), `securityLevel` (explicit for every package,
 *   `thuong` included: a level is never inferred and has no default) and `documents`.
 *   The edXML groups (from, to, code, promulgationInfo, …) are optional as a whole —
 *   a package sealed from the CLI without `--meta` has none — but a group that is
 *   present must carry its required parts.
 * - Dates are ISO `yyyy-MM-dd` in JSON (the UI shows dd/MM/yyyy); instants (the
 *   "hỏa tốc hẹn giờ" deadline) are ISO date-times with an offset.
 * - Secret-only fields (protectionTerm, handlingMark, onlyNamedRecipient) are refused
 *   on a `thuong` package; `handlingMark` must be the level's envelope letter.
 * - Every object is strict (unknown keys refused), every string and list bounded,
 *   the whole file at most 1 MiB, duplicate JSON keys refused.
 * - Serialisation is canonical: keys sorted, strings NFC, two-space indent, final
 *   newline, UTF-8 without BOM.
 */
import { z } from 'zod';
import { NiemError } from '../api/errors.ts';
import { levelCodes, levels, urgencies, urgencyCodes } from './levels.ts';
import { MANIFEST_NAME, nameKey, unsafeNameReason } from './tar/names.ts';

export const MANIFEST_FORMAT_VERSION = 1;
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/**
 * Most documents in one package. The 1 MiB bound on the whole manifest also applies:
 * 4096 entries with ordinary names take about 0.8 MiB, so the count is the limit a clerk
 * meets first; a package with more files should be split (or its files zipped).
 */
export const MAX_DOCUMENTS = 4096;

// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f-\u009f]/u;
// eslint-disable-next-line no-control-regex
const controlCharsButNewlineTab = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

/** One line of text: 1–max characters, no control characters. */
const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !controlChars.test(s), { message: 'must not contain control characters' });

/** Text that may span lines (newline and tab allowed). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !controlCharsButNewlineTab.test(s), {
      message: 'must not contain control characters other than newline and tab',
    });

export const IsoDateSchema = z.iso.date();
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Agency code per Decision 20/2020/QĐ-TTg, e.g. `000.00.00.G22` (four dotted groups, 3.2.2.3, digits and capitals). */
export const OrganIdSchema = z
  .string()
  .regex(/^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$/, {
    message: 'must look like 000.00.00.G22',
  });

/** edXML From / To (Organization). */
export const OrganizationSchema = z.strictObject({
  organId: OrganIdSchema,
  organName: line(300),
  organizationInCharge: line(300).optional(),
  /** edXML OrganAdd. */
  address: line(500).optional(),
  email: z.email().max(254).optional(),
  telephone: z
    .string()
    .regex(/^[0-9+() .-]{3,50}$/, { message: 'digits, spaces and + ( ) . - only' })
    .optional(),
  fax: z
    .string()
    .regex(/^[0-9+() .-]{3,50}$/, { message: 'digits, spaces and + ( ) . - only' })
    .optional(),
  website: z
    .string()
    .max(500)
    .regex(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) address' })
    .optional(),
});

/** edXML Code: số (CodeNumber) and ký hiệu (CodeNotation), e.g. 7816 / VPCP-TTĐT. */
export const CodeSchema = z.strictObject({
  codeNumber: line(32),
  codeNotation: line(100).optional(),
});

export const PromulgationInfoSchema = z.strictObject({
  place: line(200).optional(),
  /** ISO yyyy-MM-dd. */
  promulgationDate: IsoDateSchema,
});

export const DocumentTypeSchema = z.strictObject({
  /** edXML Type: the numeric category (e.g. legal / administrative document). */
  type: z.number().int().min(0).max(99).optional(),
  /** e.g. "Công văn", "Quyết định". */
  typeName: line(200),
});

export const SignerInfoSchema = z.strictObject({
  /** Thẩm quyền ký, e.g. "TM.", "KT.", "TL.", "TUQ.". */
  competence: line(100).optional(),
  position: line(200),
  fullName: line(200),
});

export const OtherInfoSchema = z.strictObject({
  /** Độ khẩn; absent means no urgency mark. */
  priority: z.enum(urgencyCodes).optional(),
  /** Required with `hoa-toc-hen-gio`, refused otherwise. */
  priorityDeadline: IsoDateTimeSchema.optional(),
  sphereOfPromulgation: line(200).optional(),
  pageAmount: z.number().int().min(1).max(1_000_000).optional(),
  appendixes: z.array(line(500)).max(1000).optional(),
});

/** edXML ResponseFor: the document this one answers. */
export const ResponseForSchema = z.strictObject({
  organId: OrganIdSchema,
  code: line(150),
  promulgationDate: IsoDateSchema,
  documentId: line(100).optional(),
});

/** Thời hạn bảo vệ (Law on Protection of State Secrets 2018, art. 19–20) and its extension. */
export const ProtectionTermSchema = z
  .strictObject({
    /** Years from the date the level was decided; at most 30 / 20 / 10 by level. */
    years: z.number().int().min(1).max(30).optional(),
    /** The last day of protection. */
    until: IsoDateSchema.optional(),
    extension: z
      .strictObject({
        until: IsoDateSchema,
        decidedOn: IsoDateSchema.optional(),
      })
      .optional(),
  })
  .refine((t) => t.years !== undefined || t.until !== undefined, {
    message: 'needs years or until',
  });

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lower-case hex digits' });

export const DocumentNameSchema = z.string().superRefine((name, ctx) => {
  const reason = unsafeNameReason(name);
  if (reason !== null) {
    ctx.addIssue({
      code: 'custom',
      message: `unsafe file name: ${reason}`,
      params: { niem: 'unsafe-name' },
    });
  }
});

export const ManifestDocumentSchema = z.strictObject({
  name: DocumentNameSchema,
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: sha256Hex,
  mediaType: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/, {
      message: 'must be a media type such as application/pdf',
    }),
});

export const ManifestSchema = z
  .strictObject({
    formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
    /** Required for every package; chosen by a person, never inferred. */
    securityLevel: z.enum(levelCodes),
    from: OrganizationSchema.optional(),
    to: z.array(OrganizationSchema).min(1).max(1000).optional(),
    code: CodeSchema.optional(),
    promulgationInfo: PromulgationInfoSchema.optional(),
    documentType: DocumentTypeSchema.optional(),
    /** Trích yếu. Hidden in lists for Tuyệt mật until opened. */
    subject: text(2000).optional(),
    signerInfo: SignerInfoSchema.optional(),
    dueDate: IsoDateSchema.optional(),
    /** Nơi nhận, as written on the document. */
    toPlaces: z.array(line(500)).max(1000).optional(),
    otherInfo: OtherInfoSchema.optional(),
    responseFor: ResponseForSchema.optional(),
    protectionTerm: ProtectionTermSchema.optional(),
    /** The outer-envelope letter; must be the level's (A Tuyệt mật, B Tối mật, C Mật). */
    handlingMark: z.enum(['A', 'B', 'C']).optional(),
    /** "BẢN SAO SỐ n". */
    copyNumber: z.number().int().min(1).max(1_000_000).optional(),
    /** Số đăng ký sổ đi. */
    outgoingRegisterNumber: line(50).optional(),
    /** Số đăng ký sổ đến (set by a receiving agency when it forwards). */
    incomingRegisterNumber: line(50).optional(),
    /** "Chỉ người có tên mới được bóc bì". */
    onlyNamedRecipient: z.boolean().optional(),
    documents: z.array(ManifestDocumentSchema).max(MAX_DOCUMENTS),
  })
  .superRefine((m, ctx) => {
    const secret = m.securityLevel !== 'thuong';
    for (const key of ['protectionTerm', 'handlingMark', 'onlyNamedRecipient'] as const) {
      if (!secret && m[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'only allowed for a secret level' });
      }
    }
    const level = levels[m.securityLevel];
    if (secret && m.handlingMark !== undefined && m.handlingMark !== level.envelopeLetter) {
      ctx.addIssue({
        code: 'custom',
        path: ['handlingMark'],
        message: 'is not the letter of the level',
      });
    }
    const term = m.protectionTerm;
    if (secret && term?.years !== undefined && term.years > (level.maxProtectionYears ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['protectionTerm', 'years'],
        message: `exceeds ${level.maxProtectionYears} years for this level`,
      });
    }
    if (
      term?.until !== undefined &&
      term.extension !== undefined &&
      term.extension.until <= term.until
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['protectionTerm', 'extension', 'until'],
        message: 'must be after the protection term',
      });
    }
    const priority = m.otherInfo?.priority;
    const deadline = m.otherInfo?.priorityDeadline;
    if (priority !== undefined && urgencies[priority].needsDeadline && deadline === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['otherInfo', 'priorityDeadline'],
        message: 'is required for hỏa tốc hẹn giờ',
      });
    }
    if (deadline !== undefined && (priority === undefined || !urgencies[priority].needsDeadline)) {
      ctx.addIssue({
        code: 'custom',
        path: ['otherInfo', 'priorityDeadline'],
        message: 'only allowed for hỏa tốc hẹn giờ',
      });
    }
    const keys = new Set<string>([nameKey(MANIFEST_NAME)]);
    m.documents.forEach((d, i) => {
      const key = nameKey(d.name);
      if (keys.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['documents', i, 'name'],
          message:
            key === MANIFEST_NAME
              ? 'is reserved for the manifest'
              : 'repeats another document name (ignoring case)',
          params: { niem: 'unsafe-name' },
        });
      }
      keys.add(key);
    });
  });

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestDocument = z.infer<typeof ManifestDocumentSchema>;
export type Organization = z.infer<typeof OrganizationSchema>;

/** A path as `documents[3].name`; keys cleaned of control characters and cut short. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += `${out === '' ? '' : '.'}${cleanKey(String(part))}`;
  }
  return out === '' ? '(top level)' : out;
}

function cleanKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = key.replace(/[\u0000-\u001f\u007f-\u009f]/gu, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `${formatPath(issue.path)}: unknown field(s) ${issue.keys.slice(0, 5).map(cleanKey).join(', ')}`;
  }
  // zod's own messages name the expected shape, never the received value.
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** The issues of a failed parse, as a message that names fields and never values. */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues;
  const shown = issues.slice(0, 5).map(describeIssue).join('; ');
  return issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown;
}

/** True when the JSON text has an object with the same key twice (which JSON.parse would hide). */
function hasDuplicateKey(json: string): boolean {
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const token = json.slice(i, j + 1);
      i = j + 1;
      let k = i;
      while (
        k < json.length &&
        (json[k] === ' ' || json[k] === '\n' || json[k] === '\r' || json[k] === '\t')
      )
        k++;
      if (json[k] === ':') {
        const keys = stack.at(-1);
        const key = JSON.parse(token) as string;
        if (keys instanceof Set) {
          if (keys.has(key)) return true;
          keys.add(key);
        }
      }
      continue;
    }
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    i++;
  }
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Parses and checks `manifest.json` bytes. Throws NiemError `malformed` (too large, not
 * UTF-8 JSON, duplicate keys, schema issues named by path) or `unsafe-name` (a document
 * name that fails the name rule, or clashes with another). Messages never carry values.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new NiemError('malformed', `manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  let value: unknown;
  let json: string;
  try {
    json = utf8.decode(bytes);
    value = JSON.parse(json);
  } catch {
    throw new NiemError('malformed', 'manifest.json is not UTF-8 JSON');
  }
  if (hasDuplicateKey(json)) throw new NiemError('malformed', 'manifest.json has a duplicate key');
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    const unsafe = result.error.issues.find(
      (issue) => issue.code === 'custom' && issue.params?.['niem'] === 'unsafe-name',
    );
    if (unsafe !== undefined) {
      throw new NiemError('unsafe-name', `manifest.json: ${describeIssue(unsafe)}`);
    }
    throw new NiemError('malformed', `manifest.json is not valid: ${describeIssues(result.error)}`);
  }
  return result.data;
}

function canonical(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/**
 * The canonical bytes of a manifest: checked against the schema, strings NFC, keys
 * sorted, two-space indent, final newline. Throws `invalid-input` when the manifest
 * is not valid (or `unsafe-name` for a bad document name) or the result is over 1 MiB.
 */
export function serializeManifest(manifest: Manifest): Uint8Array {
  const normalized = canonical(manifest);
  const result = ManifestSchema.safeParse(normalized);
  if (!result.success) {
    const unsafe = result.error.issues.find(
      (issue) => issue.code === 'custom' && issue.params?.['niem'] === 'unsafe-name',
    );
    if (unsafe !== undefined)
      throw new NiemError('unsafe-name', `manifest: ${describeIssue(unsafe)}`);
    throw new NiemError('invalid-input', `manifest is not valid: ${describeIssues(result.error)}`);
  }
  const bytes = encoder.encode(`${JSON.stringify(normalized, null, 2)}\n`);
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new NiemError('invalid-input', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  return bytes;
}

/**
 * The mtime Niêm writes in tar headers for a manifest: midnight of the promulgation date
 * in Vietnam (UTC+7), or 0 when there is none. Deterministic: the same manifest gives
 * the same archive.
 */
export function manifestMtime(manifest: Manifest): number {
  const date = manifest.promulgationInfo?.promulgationDate;
  if (date === undefined) return 0;
  const seconds = Date.parse(`${date}T00:00:00+07:00`) / 1000;
  return Number.isSafeInteger(seconds) && seconds > 0 && seconds <= 0o77777777777 ? seconds : 0;
}
