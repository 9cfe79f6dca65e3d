/**
 * Why a received package was refused, as the 02 notice tells the sender agency (in
 * Vietnamese: the notice's `reason`, and the note of the 02 history entry) and as the
 * clerk reads it in English. One code per cause a package itself can have; faults of
 * this workstation (token removed, vault locked, disk full) never refuse a package.
 */
import { NiemError } from '../api/errors.ts';
import { PackageRefused } from '../seal/pipeline/index.ts';

/** The causes of an automatic refusal (status 02) of a received package. */
export const refusalCodes = [
  'tampered',
  'untrusted-signer',
  'unsupported-signature',
  'levels-disagree',
  'malformed',
  'unsafe-name',
  'not-a-recipient',
  'sender-mismatch',
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/** A refusal: its code and the sentence in both languages. */
export interface Refusal {
  code: RefusalCode;
  vi: string;
  en: string;
}

const texts: Record<Exclude<RefusalCode, 'sender-mismatch'>, { vi: string; en: string }> = {
  tampered: {
    vi: 'Gói tin không toàn vẹn: đã bị thay đổi hoặc hư hỏng trên đường truyền (mã xác thực hoặc mã băm của tài liệu không khớp). Đề nghị gửi lại.',
    en: 'The package is not intact: it was changed or damaged on the way (its authentication tag or a document hash does not match). Please send it again.',
  },
  'untrusted-signer': {
    vi: 'Chữ ký số trên gói tin không được tin cậy: chứng thư số của người ký không thuộc hạ tầng khoá công khai được công nhận, đã hết hiệu lực hoặc không được phép ký.',
    en: 'The signature on the package is not trusted: the signer’s certificate is not from a recognised PKI, has expired or may not sign.',
  },
  'unsupported-signature': {
    vi: 'Chữ ký số trên gói tin ở dạng không được chấp nhận (thuật toán hoặc cấu trúc không hỗ trợ).',
    en: 'The signature on the package is in a form that is not accepted (unsupported algorithm or structure).',
  },
  'levels-disagree': {
    vi: 'Độ mật của gói tin không thống nhất: nhãn ngoài bì, nhãn trong chữ ký số và độ mật trong manifest.json khác nhau.',
    en: 'The package’s confidentiality levels disagree: the outer label, the signed labels and manifest.json differ.',
  },
  malformed: {
    vi: 'Gói tin không đúng định dạng gói tin niêm phong nên không đọc được.',
    en: 'The package does not follow the sealed package format and cannot be read.',
  },
  'unsafe-name': {
    vi: 'Gói tin chứa tên tệp không an toàn nên không được tiếp nhận.',
    en: 'The package holds an unsafe file name, so it was not accepted.',
  },
  'not-a-recipient': {
    vi: 'Gói tin không được gửi tới cơ quan này: không có khoá nhận nào của văn thư cơ quan trong danh sách người nhận.',
    en: 'The package is not addressed to this agency: none of the clerk’s keys is among its recipients.',
  },
};

/** The refusal of a package whose sender, as signed, is not the one the platform named. */
export function senderMismatch(signed: string, claimed: string): Refusal {
  return {
    code: 'sender-mismatch',
    vi: `Nơi gửi theo chữ ký số và manifest.json (${signed}) khác nơi gửi do trục liên thông báo (${claimed}); gói tin không được tiếp nhận.`,
    en: `The sender as signed (${signed}) is not the sender the platform named (${claimed}); the package was not accepted.`,
  };
}

/** The refusal `code` with its sentences. */
export function refusalOf(code: Exclude<RefusalCode, 'sender-mismatch'>): Refusal {
  return { code, ...texts[code] };
}

/**
 * The refusal an open's error means, or undefined when the error is not the package's
 * fault (token, vault, disk, cancellation…): those never refuse a package.
 */
export function refusalFor(err: unknown): Refusal | undefined {
  if (!(err instanceof NiemError)) return undefined;
  if (
    err instanceof PackageRefused &&
    err.kind === 'malformed' &&
    err.report.signedData?.verdict === 'valid' &&
    !err.report.levels.agree
  ) {
    return refusalOf('levels-disagree');
  }
  switch (err.kind) {
    case 'tampered':
      return refusalOf('tampered');
    case 'untrusted-signer':
    case 'unsupported-signature':
    case 'malformed':
    case 'unsafe-name':
    case 'not-a-recipient':
      return refusalOf(err.kind);
    default:
      return undefined;
  }
}
