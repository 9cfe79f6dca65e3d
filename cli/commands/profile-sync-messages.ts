/**
 * Text of `niem sync` and `niem trust`, Vietnamese and English: the run's summary, each
 * failed package with why and what to do, the platform's refusal codes, notices refused,
 * and the trust anchors. Error kinds use the shared catalog (native/api/i18n).
 */
export const syncMessages = {
  summary: {
    vi: 'Trục liên thông {platform}: đã gửi {sent} gói (có biên nhận), {delivered} gói đã đến nơi nhận, đã nhận {received} gói, {notices} thông báo.',
    en: 'Exchange platform {platform}: {sent} packages sent (receipt held), {delivered} delivered, {received} received, {notices} notices.',
  },
  directoryUpdated: {
    vi: 'Danh bạ cơ quan đã được cập nhật từ trục.',
    en: 'The agency directory was updated from the platform.',
  },
  requeued: {
    vi: 'Đã đưa {count} gói lỗi vào hàng chờ gửi lại.',
    en: 'Put {count} failed packages back in line.',
  },
  retrying: {
    vi: 'Mục {id}: lỗi tạm thời, lần thử tiếp theo từ {at} (hoặc ngay khi chạy với --retry-failed). {reason}',
    en: 'Item {id}: failed for now; next attempt from {at} (or at once with --retry-failed). {reason}',
  },
  failed: {
    vi: 'Mục {id}: gửi lỗi. {reason} Việc cần làm: {action}',
    en: 'Item {id}: failed. {reason} What to do: {action}',
  },
  actions: {
    vi: {
      're-seal':
        'sửa nơi nhận (hoặc cập nhật danh bạ) rồi niêm phong lại từ một dự thảo mới; gói này không gửi được như hiện tại.',
      'tell-administrator':
        'báo quản trị viên của cơ quan; khi đã khắc phục, chạy lại với --retry-failed.',
      retry: 'chạy lại với --retry-failed để gửi lại.',
    },
    en: {
      're-seal':
        'correct the recipients (or update the directory) and seal again from a new draft; this package cannot be sent as it is.',
      'tell-administrator':
        'tell your agency administrator; once fixed, run again with --retry-failed.',
      retry: 'run again with --retry-failed to send it again.',
    },
  },
  codes: {
    vi: {
      'level-not-approved': 'Trục liên thông không được phép chuyển văn bản ở độ mật này.',
      'recipient-not-cleared': 'Cơ quan nhận {organId} không được phép nhận văn bản ở độ mật này.',
      'recipient-unknown':
        'Cơ quan nhận {organId} không có trong danh bạ của trục, hoặc gói không được mã hoá cho cơ quan đó.',
      'malformed-package': 'Trục không nhận ra đây là gói tin niêm phong của Niêm.',
      forbidden: 'Trục không cho phép cơ quan của bạn thực hiện thao tác này.',
      'auth-refused':
        'Trục từ chối đăng nhập: chứng thư số của bạn không có trong danh bạ của trục hoặc không được tin cậy.',
      'too-large': 'Gói tin lớn hơn mức trục cho phép.',
      'bad-request': 'Trục cho rằng yêu cầu không hợp lệ.',
    },
    en: {
      'level-not-approved': 'The exchange platform is not approved for documents of this level.',
      'recipient-not-cleared': 'Recipient agency {organId} is not cleared for this level.',
      'recipient-unknown':
        'Recipient agency {organId} is not in the platform directory, or the package is not encrypted to it.',
      'malformed-package': 'The platform does not recognise this as a Niêm sealed package.',
      forbidden: 'The platform does not allow your agency to do this.',
      'auth-refused':
        'The platform refused the sign-in: your certificate is not in its directory or not trusted.',
      'too-large': 'The package is larger than the platform accepts.',
      'bad-request': 'The platform found the request invalid.',
    },
  },
  waiting: {
    vi: '{count} gói lỗi đang chờ bạn xử lý (xem niem outbox list; chạy lại với --retry-failed để gửi lại).',
    en: '{count} failed packages wait for you (see niem outbox list; run again with --retry-failed to send them again).',
  },
  noticesRefused: {
    vi: 'Đã từ chối {count} thông báo không hợp lệ (chữ ký giả, sai cơ quan hoặc không thuộc gói tin của bạn); không thông báo nào trong số đó được ghi nhận. Hãy báo người phụ trách bảo mật.',
    en: 'Refused {count} invalid notices (forged signature, wrong agency, or not about your packages); none of them was recorded. Tell your security officer.',
  },
  inboxFailed: {
    vi: 'Chưa nhận được gói tin {sha}: {reason} Lần đồng bộ sau sẽ nhận tiếp từ gói này.',
    en: 'Package {sha} could not be received: {reason} The next sync continues from it.',
  },
  stopped: {
    vi: 'Đồng bộ chưa xong: {reason}',
    en: 'The sync did not finish: {reason}',
  },
  aborted: { vi: 'Đồng bộ đã bị dừng giữa chừng.', en: 'The sync was stopped midway.' },
  noPlatform: {
    vi: 'Chưa có địa chỉ trục liên thông: hãy chỉ ra bằng --platform https://MÁY:CỔNG (địa chỉ được ghi nhớ cho các lần sau).',
    en: 'No exchange platform address yet: give it with --platform https://HOST:PORT (it is remembered afterwards).',
  },
  noTrust: {
    vi: 'Hồ sơ chưa có chứng thư gốc tin cậy: hãy thêm chứng thư của cơ quan chứng thực bằng niem trust add CA.pem hoặc --trust CA.pem.',
    en: 'The profile trusts no CA yet: add the certificate authority with niem trust add CA.pem or --trust CA.pem.',
  },
  noOrganId: {
    vi: 'Chứng thư số trên token không ghi mã cơ quan (organizationIdentifier), nên không đồng bộ được với trục.',
    en: 'The token certificate names no agency code (organizationIdentifier), so it cannot sync with the platform.',
  },
  trustAdded: {
    vi: 'Đã thêm {added} chứng thư gốc tin cậy ({present} đã có từ trước).',
    en: 'Added {added} trust anchors ({present} were already there).',
  },
  trustRemoved: {
    vi: 'Đã bỏ chứng thư gốc {sha256}.',
    en: 'Removed trust anchor {sha256}.',
  },
  trustNotFound: {
    vi: 'Hồ sơ không có chứng thư gốc {sha256}.',
    en: 'The profile has no trust anchor {sha256}.',
  },
  trustNotCa: {
    vi: 'Tệp {path} không phải chứng thư của một cơ quan chứng thực (CA); không có gì được thêm.',
    en: 'The file {path} is not a certificate authority (CA) certificate; nothing was added.',
  },
  trustHeadings: {
    vi: { sha256: 'SHA-256', subject: 'Chủ thể', notAfter: 'Hết hạn', addedAt: 'Ngày thêm' },
    en: { sha256: 'SHA-256', subject: 'Subject', notAfter: 'Expires', addedAt: 'Added' },
  },
} as const;
