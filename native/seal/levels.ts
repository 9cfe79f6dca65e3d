/**
 * Confidentiality levels (độ mật), urgency (độ khẩn) and the A/B/C envelope marks: the
 * vocabulary of DOMAIN.md as stable codes. Pure data and small functions; no imports.
 *
 * Codes are the contract (CLI `--level`, manifest.json, the ESS security label): never
 * rename one. A level is always chosen by a person: nothing here supplies a default.
 */

/** Level codes in rising order of harm. */
export const levelCodes = ['thuong', 'mat', 'toi-mat', 'tuyet-mat'] as const;
export type LevelCode = (typeof levelCodes)[number];

/** The codes of the three state-secret levels (everything but `thuong`). */
export type SecretLevelCode = Exclude<LevelCode, 'thuong'>;

/** The letter stamped on the outer envelope of a state secret (Circular 24/2020/TT-BCA, form 03). */
export type EnvelopeLetter = 'A' | 'B' | 'C';

export interface LevelInfo {
  readonly code: LevelCode;
  /** 0 for Thường, rising with the harm of disclosure: compare levels with this. */
  readonly rank: number;
  /** The red marking on every page and on the label; null for Thường (no marking). */
  readonly marking: string | null;
  /**
   * The ESS `Classification` value (RFC 2634 §5.4, ClassificationList style) put in the
   * security label under Niêm's policy OID:
   *   unclassified (1) = Thường — an explicit "not a state secret" decision, so not
   *                      `unmarked (0)`, which would mean nobody decided;
   *   confidential (3) = Mật; secret (4) = Tối mật; top-secret (5) = Tuyệt mật.
   * `restricted (2)` has no Vietnamese counterpart and is never produced or accepted.
   * The meaning is Niêm's policy; the numbers follow the ESS list so generic tools show
   * something sensible.
   */
  readonly essClassification: number;
  /**
   * The letter on the outer envelope: "A" for Tuyệt mật, "B" for Tối mật, "C" for Mật
   * (Circular 24/2020/TT-BCA, form 03); null for Thường.
   */
  readonly envelopeLetter: EnvelopeLetter | null;
  /**
   * The longest protection term in years (Law on Protection of State Secrets 2018,
   * art. 19: 30 / 20 / 10 years); null for Thường, which has none.
   */
  readonly maxProtectionYears: number | null;
  readonly vi: string;
  readonly en: string;
}

export const levels: { readonly [K in LevelCode]: LevelInfo & { readonly code: K } } = {
  thuong: {
    code: 'thuong',
    rank: 0,
    marking: null,
    essClassification: 1,
    envelopeLetter: null,
    maxProtectionYears: null,
    vi: 'Thường',
    en: 'Unclassified',
  },
  mat: {
    code: 'mat',
    rank: 1,
    marking: 'MẬT',
    essClassification: 3,
    envelopeLetter: 'C',
    maxProtectionYears: 10,
    vi: 'Mật',
    en: 'Confidential',
  },
  'toi-mat': {
    code: 'toi-mat',
    rank: 2,
    marking: 'TỐI MẬT',
    essClassification: 4,
    envelopeLetter: 'B',
    maxProtectionYears: 20,
    vi: 'Tối mật',
    en: 'Secret',
  },
  'tuyet-mat': {
    code: 'tuyet-mat',
    rank: 3,
    marking: 'TUYỆT MẬT',
    essClassification: 5,
    envelopeLetter: 'A',
    maxProtectionYears: 30,
    vi: 'Tuyệt mật',
    en: 'Top secret',
  },
};

export function isLevelCode(value: unknown): value is LevelCode {
  return typeof value === 'string' && (levelCodes as readonly string[]).includes(value);
}

/** True for Mật, Tối mật and Tuyệt mật. */
export function isSecretLevel(code: LevelCode): code is SecretLevelCode {
  return code !== 'thuong';
}

/** Negative when `a` is less harmful than `b`, 0 when equal, positive when more. */
export function compareLevels(a: LevelCode, b: LevelCode): number {
  return levels[a].rank - levels[b].rank;
}

/** The level an ESS classification value stands for, or undefined for any other value. */
export function levelFromEssClassification(value: number): LevelCode | undefined {
  return levelCodes.find((code) => levels[code].essClassification === value);
}

/** The level an outer-envelope letter stands for, or undefined. */
export function levelFromEnvelopeLetter(letter: string): SecretLevelCode | undefined {
  const code = levelCodes.find((c) => levels[c].envelopeLetter === letter);
  return code === undefined || code === 'thuong' ? undefined : code;
}

/** The summary (trích yếu) is hidden in lists and registers until an authorised person opens the package. */
export function hidesSubjectInLists(code: LevelCode): boolean {
  return code === 'tuyet-mat';
}

/** Urgency codes in rising order. `thuong` means no urgency mark. */
export const urgencyCodes = [
  'thuong',
  'khan',
  'thuong-khan',
  'hoa-toc',
  'hoa-toc-hen-gio',
] as const;
export type UrgencyCode = (typeof urgencyCodes)[number];

export interface UrgencyInfo {
  readonly code: UrgencyCode;
  readonly rank: number;
  /** The stamp text; null for no urgency. */
  readonly marking: string | null;
  /** "Hỏa tốc hẹn giờ" carries a deadline time; no other urgency does. */
  readonly needsDeadline: boolean;
  readonly vi: string;
  readonly en: string;
}

export const urgencies: { readonly [K in UrgencyCode]: UrgencyInfo & { readonly code: K } } = {
  thuong: {
    code: 'thuong',
    rank: 0,
    marking: null,
    needsDeadline: false,
    vi: 'Thường',
    en: 'Normal',
  },
  khan: { code: 'khan', rank: 1, marking: 'KHẨN', needsDeadline: false, vi: 'Khẩn', en: 'Urgent' },
  'thuong-khan': {
    code: 'thuong-khan',
    rank: 2,
    marking: 'THƯỢNG KHẨN',
    needsDeadline: false,
    vi: 'Thượng khẩn',
    en: 'Very urgent',
  },
  'hoa-toc': {
    code: 'hoa-toc',
    rank: 3,
    marking: 'HỎA TỐC',
    needsDeadline: false,
    vi: 'Hỏa tốc',
    en: 'Immediate',
  },
  'hoa-toc-hen-gio': {
    code: 'hoa-toc-hen-gio',
    rank: 4,
    marking: 'HỎA TỐC HẸN GIỜ',
    needsDeadline: true,
    vi: 'Hỏa tốc hẹn giờ',
    en: 'Immediate, by a set time',
  },
};

export function isUrgencyCode(value: unknown): value is UrgencyCode {
  return typeof value === 'string' && (urgencyCodes as readonly string[]).includes(value);
}

export function compareUrgencies(a: UrgencyCode, b: UrgencyCode): number {
  return urgencies[a].rank - urgencies[b].rank;
}

/** The A/B/C envelope marks with their labels (each stands for one secret level, see `levels`). */
export const envelopeLetters = ['A', 'B', 'C'] as const;

export const envelopeLetterLabels: {
  readonly [K in EnvelopeLetter]: { readonly level: SecretLevelCode; vi: string; en: string };
} = {
  A: { level: 'tuyet-mat', vi: 'Dấu chữ A (Tuyệt mật)', en: 'Letter A (Top secret)' },
  B: { level: 'toi-mat', vi: 'Dấu chữ B (Tối mật)', en: 'Letter B (Secret)' },
  C: { level: 'mat', vi: 'Dấu chữ C (Mật)', en: 'Letter C (Confidential)' },
};

/** The other stamps a secret package can carry, with their texts. */
export const secretStamps = {
  onlyNamedRecipient: {
    marking: 'CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ',
    vi: 'Chỉ người có tên mới được bóc bì',
    en: 'Only the named recipient may open',
  },
  declassified: { marking: 'GIẢI MẬT', vi: 'Giải mật', en: 'Declassified' },
  copyNumber: { marking: 'BẢN SAO SỐ {n}', vi: 'Bản sao số {n}', en: 'Copy no. {n}' },
} as const;
