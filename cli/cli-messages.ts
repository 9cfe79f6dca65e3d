/**
 * Text of the CLI itself (usage, prompts, table headings), Vietnamese and English.
 * Error kinds are translated with the shared catalog in native/api/i18n.
 */
import { errorMessages, triesLeftMessages } from '../native/api/i18n/error-messages.ts';
import type { WireError } from '../native/api/errors.ts';

export type Lang = 'vi' | 'en' | 'both';

export const cliMessages = {
  usage: {
    vi: `Cách dùng: niem <lệnh> [tuỳ chọn]

  niem token list [--json] [--module ĐƯỜNG_DẪN]
      Liệt kê các thiết bị ký số (token) đang cắm.
  niem token login --token NHÃN [--json] [--module ĐƯỜNG_DẪN]
      Đăng nhập token và in danh tính trên chứng thư số.
      Mã PIN lấy từ biến môi trường NIEM_PIN hoặc nhập ẩn trên terminal; không bao giờ từ dòng lệnh.
  niem token change-pin --token NHÃN [--module ĐƯỜNG_DẪN]
      Đổi mã PIN: PIN cũ từ NIEM_PIN, PIN mới từ NIEM_NEW_PIN, hoặc nhập ẩn (PIN mới nhập hai lần).
  niem seal --token NHÃN --to CHỨNG_THƯ.pem [--to …] --level thuong|mat|toi-mat|tuyet-mat
            [--meta META.json] [--chain CA.pem …] [--to-oaep-sha1 CHỨNG_THƯ.pem …] --out GÓI.p7m TỆP…
      Ký bằng token và niêm phong các tệp cho những người nhận (người gửi luôn là một người nhận).
      --to-oaep-sha1: người nhận RSA mà token không làm được RSA-OAEP SHA-256.
  niem sign --token NHÃN --level thuong|mat|toi-mat|tuyet-mat [--meta META.json] [--chain CA.pem …]
            --out THÂN.p7s TỆP…
      Người có thẩm quyền ký các tệp (chưa mã hoá); văn thư thêm chữ ký cơ quan khi niêm phong:
  niem seal --token NHÃN --signed THÂN.p7s --trust CA.pem [--trust …] --to CHỨNG_THƯ.pem [--to …]
            --level … --out GÓI.p7m
      Kiểm tra chữ ký đã có (chuỗi chứng thư, độ mật trùng khớp), thêm chữ ký của token này rồi niêm phong.
  niem open GÓI.p7m --token NHÃN --out THƯ_MỤC --trust CA.pem [--trust …] [--json]
      Mở gói tin, kiểm tra thẻ toàn vẹn, chữ ký, chuỗi chứng thư và độ mật; chỉ ghi tài liệu ra khi tất cả hợp lệ.
  niem inspect GÓI.p7m [--json]
      Xem độ mật, người nhận, kích thước, phiên bản định dạng mà không cần token.

  Thư viện PKCS#11: --module, nếu không thì NIEM_PKCS11_MODULE, nếu không thì cấu hình / vị trí đã biết.
  Ngôn ngữ: --lang vi|en (mặc định in cả hai).`,
    en: `Usage: niem <command> [options]

  niem token list [--json] [--module PATH]
      List the tokens that are plugged in.
  niem token login --token LABEL [--json] [--module PATH]
      Sign in to a token and print the identity of its certificate.
      The PIN comes from the NIEM_PIN environment variable or a hidden prompt on a terminal; never from argv.
  niem token change-pin --token LABEL [--module PATH]
      Change the PIN: old from NIEM_PIN, new from NIEM_NEW_PIN, or hidden prompts (the new one twice).
  niem seal --token LABEL --to CERT.pem [--to …] --level thuong|mat|toi-mat|tuyet-mat
            [--meta META.json] [--chain CA.pem …] [--to-oaep-sha1 CERT.pem …] --out PKG.p7m FILE…
      Sign with the token and seal the files for the recipients (the sender is always a recipient).
      --to-oaep-sha1: an RSA recipient whose token cannot do RSA-OAEP with SHA-256.
  niem sign --token LABEL --level thuong|mat|toi-mat|tuyet-mat [--meta META.json] [--chain CA.pem …]
            --out BODY.p7s FILE…
      The competent person signs the files (not encrypted); the clerk adds the organisation's signature when sealing:
  niem seal --token LABEL --signed BODY.p7s --trust CA.pem [--trust …] --to CERT.pem [--to …]
            --level … --out PKG.p7m
      Verify the signatures already there (chain, same level), add this token's signature, then seal.
  niem open PKG.p7m --token LABEL --out DIR --trust CA.pem [--trust …] [--json]
      Open a package: check the integrity tag, signatures, certificate chain and level; documents are written only when all pass.
  niem inspect PKG.p7m [--json]
      Show the level, recipients, size and format version, without a token.

  PKCS#11 module: --module, else NIEM_PKCS11_MODULE, else the settings file / known locations.
  Language: --lang vi|en (both by default).`,
  },
  pinFromArgv: {
    vi: 'Không nhận mã PIN trên dòng lệnh (lộ trong lịch sử và danh sách tiến trình). Hãy đặt NIEM_PIN hoặc nhập khi được hỏi.',
    en: 'A PIN is never taken from the command line (it leaks into history and the process list). Set NIEM_PIN or type it at the prompt.',
  },
  noPin: {
    vi: 'Chưa có mã PIN: hãy đặt biến NIEM_PIN hoặc chạy lệnh trên terminal để nhập ẩn.',
    en: 'No PIN: set NIEM_PIN or run the command on a terminal to type it hidden.',
  },
  noOldPin: {
    vi: 'Chưa có mã PIN của token cũ: hãy đặt biến NIEM_OLD_PIN hoặc chạy lệnh trên terminal để nhập ẩn.',
    en: 'No PIN for the old token: set NIEM_OLD_PIN or run the command on a terminal to type it hidden.',
  },
  pinPrompt: { vi: 'Mã PIN của token "{label}": ', en: 'PIN for token "{label}": ' },
  oldPinPrompt: { vi: 'Mã PIN hiện tại của "{label}": ', en: 'Current PIN of "{label}": ' },
  newPinPrompt: { vi: 'Mã PIN mới: ', en: 'New PIN: ' },
  newPinAgainPrompt: { vi: 'Nhập lại mã PIN mới: ', en: 'New PIN again: ' },
  newPinMismatch: {
    vi: 'Hai lần nhập mã PIN mới không giống nhau; mã PIN chưa được đổi.',
    en: 'The two new PINs differ; the PIN was not changed.',
  },
  pinChanged: {
    vi: 'Đã đổi mã PIN của token "{label}".',
    en: 'The PIN of token "{label}" was changed.',
  },
  usePinPad: {
    vi: 'Token "{label}" có bàn phím riêng: hãy nhập mã PIN trên thiết bị đọc.',
    en: 'Token "{label}" has its own keypad: type the PIN on the reader.',
  },
  pinWarning: {
    vi: 'Cảnh báo: {state}. Nhập sai thêm có thể khoá thiết bị.',
    en: 'Warning: {state}. More wrong PINs may lock the token.',
  },
  tokenNotFound: {
    vi: 'Không có token nào mang nhãn "{label}". Dùng "niem token list" để xem các token đang cắm.',
    en: 'No token is labelled "{label}". Use "niem token list" to see the tokens plugged in.',
  },
  tokenAmbiguous: {
    vi: 'Có nhiều token mang nhãn "{label}"; hãy chỉ định bằng số sê-ri hoặc mã token.',
    en: 'Several tokens are labelled "{label}"; name one by its serial or token id.',
  },
  noTokens: { vi: 'Không tìm thấy token nào.', en: 'No token found.' },
  moduleFailed: {
    vi: 'Cảnh báo: không nạp được thư viện PKCS#11 {path}: {reason}',
    en: 'Warning: the PKCS#11 module {path} could not be loaded: {reason}',
  },
  usageError: { vi: 'Lệnh không hợp lệ: {detail}', en: 'Invalid command: {detail}' },
  noTrustAnchors: {
    vi: 'Cần ít nhất một chứng thư gốc tin cậy (--trust CA.pem) để kiểm tra chữ ký; Niêm không tự tin cậy người ký nào.',
    en: 'At least one trust anchor (--trust CA.pem) is needed to check the signatures; Niêm never trusts a signer silently.',
  },
  badLevel: {
    vi: 'Độ mật phải là một trong thuong, mat, toi-mat, tuyet-mat (bắt buộc, không có mặc định).',
    en: 'The level must be one of thuong, mat, toi-mat, tuyet-mat (required, no default).',
  },
  fileUnreadable: {
    vi: 'Không đọc được tệp {path}: {reason}',
    en: 'Cannot read the file {path}: {reason}',
  },
  metaInvalid: {
    vi: 'Tệp siêu dữ liệu {path} không phải JSON hợp lệ.',
    en: 'The metadata file {path} is not valid JSON.',
  },
  sealed: {
    vi: 'Đã niêm phong {count} tệp vào {path} ({bytes} byte), độ mật {level}, cho {recipients} người nhận:',
    en: 'Sealed {count} file(s) into {path} ({bytes} bytes), level {level}, for {recipients} recipient(s):',
  },
  signedBody: {
    vi: 'Đã ký {count} tệp vào {path} ({bytes} byte), độ mật {level}. Tệp này chưa được mã hoá: hãy niêm phong bằng niem seal --signed.',
    en: 'Signed {count} file(s) into {path} ({bytes} bytes), level {level}. This file is not encrypted: seal it with niem seal --signed.',
  },
  cosigned: {
    vi: 'Đã thêm chữ ký vào thân đã ký bởi: {signers}.',
    en: 'Signature added to the body signed by: {signers}.',
  },
  signedWithFiles: {
    vi: 'Dùng --signed thì không kèm tệp: tài liệu đã nằm trong thân đã ký.',
    en: 'With --signed give no files: the documents are in the signed body.',
  },
  foreignNotice: {
    vi: 'Lưu ý: gói tin do công cụ khác tạo, không có siêu dữ liệu; nội dung được ghi thành một tệp content.bin.',
    en: 'Notice: the package was made by another tool and carries no metadata; its content was written as one file, content.bin.',
  },
  notStated: { vi: 'không ghi', en: 'not stated' },
  report: {
    vi: {
      package: 'Gói tin',
      formatVersion: 'Phiên bản định dạng',
      openedWith: 'Mở bằng chứng thư',
      tag: 'Thẻ toàn vẹn (GCM)',
      levelOutside: 'Độ mật bên ngoài',
      levelInside: 'Độ mật bên trong (đã ký)',
      levelManifest: 'Độ mật trong manifest.json',
      levelsAgree: 'Độ mật khớp nhau',
      signer: 'Người ký',
      organization: 'Tổ chức',
      serial: 'Số sê-ri chứng thư',
      signingTime: 'Thời điểm ký (do người ký khai)',
      signature: 'Chữ ký',
      signingCertificate: 'Ràng buộc chứng thư (ESS)',
      chain: 'Chuỗi chứng thư',
      validity: 'Hiệu lực tại thời điểm ký',
      keyUsage: 'Mục đích sử dụng khoá',
      revocation: 'Thu hồi',
      documents: 'Tài liệu',
      result: 'Kết quả',
      recipients: 'Người nhận',
      size: 'Kích thước',
      outDir: 'Đã ghi vào',
    },
    en: {
      package: 'Package',
      formatVersion: 'Format version',
      openedWith: 'Opened with certificate',
      tag: 'Integrity tag (GCM)',
      levelOutside: 'Level outside',
      levelInside: 'Level inside (signed)',
      levelManifest: 'Level in manifest.json',
      levelsAgree: 'Levels agree',
      signer: 'Signer',
      organization: 'Organisation',
      serial: 'Certificate serial',
      signingTime: 'Signing time (as stated by the signer)',
      signature: 'Signature',
      signingCertificate: 'Certificate binding (ESS)',
      chain: 'Certificate chain',
      validity: 'Valid at signing time',
      keyUsage: 'Key usage',
      revocation: 'Revocation',
      documents: 'Documents',
      result: 'Result',
      recipients: 'Recipients',
      size: 'Size',
      outDir: 'Written to',
    },
  },
  words: {
    vi: {
      valid: 'hợp lệ',
      invalid: 'KHÔNG hợp lệ',
      tampered: 'BỊ THAY ĐỔI',
      untrusted: 'KHÔNG tin cậy',
      'not-reached': 'chưa kiểm tra đến',
      absent: 'không có',
      mismatch: 'KHÔNG khớp',
      'not-checked': 'chưa kiểm tra',
      yes: 'có',
      no: 'KHÔNG',
      unverified: 'chưa xác thực cho đến khi mở',
      refused: 'BỊ TỪ CHỐI, không ghi tệp nào',
      opened: 'đã mở',
      bytes: 'byte',
    },
    en: {
      valid: 'valid',
      invalid: 'INVALID',
      tampered: 'TAMPERED',
      untrusted: 'UNTRUSTED',
      'not-reached': 'not reached',
      absent: 'absent',
      mismatch: 'MISMATCH',
      'not-checked': 'not checked',
      yes: 'yes',
      no: 'NO',
      unverified: 'unverified until opened',
      refused: 'REFUSED, nothing written',
      opened: 'opened',
      bytes: 'bytes',
    },
  },
  pinStates: {
    vi: {
      normal: 'bình thường',
      'count-low': 'đã nhập sai',
      'final-try': 'LẦN CUỐI',
      locked: 'ĐÃ KHOÁ',
    },
    en: {
      normal: 'normal',
      'count-low': 'wrong PINs entered',
      'final-try': 'FINAL TRY',
      locked: 'LOCKED',
    },
  },
  headings: {
    vi: ['Nhãn', 'Hãng', 'Kiểu', 'Số sê-ri', 'PIN', 'Thư viện'],
    en: ['Label', 'Manufacturer', 'Model', 'Serial', 'PIN', 'Module'],
  },
  identity: {
    vi: {
      commonName: 'Chủ thể',
      organization: 'Tổ chức',
      organizationalUnit: 'Đơn vị',
      organId: 'Mã định danh cơ quan',
      serialNumber: 'Số sê-ri chứng thư',
      issuer: 'Tổ chức cấp',
      validity: 'Hiệu lực',
      keyAlgorithm: 'Thuật toán khoá',
      token: 'Token',
      warnings: 'Cảnh báo',
    },
    en: {
      commonName: 'Subject',
      organization: 'Organisation',
      organizationalUnit: 'Unit',
      organId: 'Agency code (OrganId)',
      serialNumber: 'Certificate serial',
      issuer: 'Issuer',
      validity: 'Valid',
      keyAlgorithm: 'Key algorithm',
      token: 'Token',
      warnings: 'Warnings',
    },
  },
} as const;

export function fill(text: string, params: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Picks the language(s) of a bilingual message. */
export function say(
  message: { vi: string; en: string },
  lang: Lang,
  params?: Record<string, string | number>,
): string {
  if (lang === 'vi') return fill(message.vi, params);
  if (lang === 'en') return fill(message.en, params);
  return `${fill(message.vi, params)}\n${fill(message.en, params)}`;
}

/** The clerk-facing text of a wire error, with tries left when the token told. */
export function describeError(error: WireError, lang: Lang): string {
  const parts = (l: 'vi' | 'en'): string => {
    const base = errorMessages[error.kind][l];
    return error.triesLeft === undefined
      ? base
      : `${base} ${fill(triesLeftMessages[l], { tries: error.triesLeft })}`;
  };
  if (lang === 'vi') return parts('vi');
  if (lang === 'en') return parts('en');
  return `${parts('vi')}\n${parts('en')}`;
}
