/**
 * Text of `niem platform …` (serve, init, admin), Vietnamese and English: usage, results
 * and refusals. Vietnamese unless `--lang en` (or NIEM_LANG=en).
 */
export const platformMessages = {
  usage: {
    vi: `Trục liên thông tham chiếu — mọi lệnh nhận --data THƯ_MỤC (thư mục dữ liệu của trục),
--database postgres://… (PostgreSQL; mặc định SQLite trong thư mục dữ liệu) và --lang vi|en:
  niem platform init --data THƯ_MỤC --trust CA.pem --tls-cert TLS.crt.pem --tls-key TLS.key.pem
                     --receipt-cert BIÊN_NHẬN.crt.pem --receipt-key BIÊN_NHẬN.key.pem
                     [--name TÊN] [--approved-level ĐỘ_MẬT] [--database URL]
      Chép chứng thư và khoá vào thư mục dữ liệu (khoá: quyền 0600), ghi platform.json, tạo cơ sở dữ liệu.
  niem platform serve --data THƯ_MỤC [--port N] [--host 127.0.0.1] [--origin https://TÊN:CỔNG …]
                      [--insecure-http-dev] [--log] [--json]
      Chạy trục (HTTPS) đến khi nhận SIGINT/SIGTERM. --insecure-http-dev: HTTP thường, chỉ để phát
      triển, chỉ trên địa chỉ loopback. --log: mỗi yêu cầu một dòng nhật ký trên stderr (không bao giờ
      có tiêu đề hay nội dung yêu cầu).
  niem platform admin --data THƯ_MỤC directory import DANH_BẠ.json
  niem platform admin --data THƯ_MỤC agency add --organ-id MÃ --name TÊN --clearance ĐỘ_MẬT
                      --key-transport oaep-sha256|oaep-sha1|ecdh
  niem platform admin --data THƯ_MỤC agency remove --organ-id MÃ
  niem platform admin --data THƯ_MỤC agency list [--json]
  niem platform admin --data THƯ_MỤC certificate add --organ-id MÃ CHỨNG_THƯ.pem
  niem platform admin --data THƯ_MỤC certificate remove SHA256
  niem platform admin --data THƯ_MỤC policy set [--approved-level ĐỘ_MẬT] [--name TÊN] [--chunk-bytes N]
  niem platform admin --data THƯ_MỤC policy show [--json]
  Độ mật: thuong, mat, toi-mat, tuyet-mat.`,
    en: `The reference exchange platform — every command takes --data DIR (the platform's data folder),
--database postgres://… (PostgreSQL; default SQLite in the data folder) and --lang vi|en:
  niem platform init --data DIR --trust CA.pem --tls-cert TLS.crt.pem --tls-key TLS.key.pem
                     --receipt-cert RECEIPT.crt.pem --receipt-key RECEIPT.key.pem
                     [--name NAME] [--approved-level LEVEL] [--database URL]
      Copy the certificates and keys into the data folder (keys: mode 0600), write platform.json, create the database.
  niem platform serve --data DIR [--port N] [--host 127.0.0.1] [--origin https://NAME:PORT …]
                      [--insecure-http-dev] [--log] [--json]
      Run the platform (HTTPS) until SIGINT/SIGTERM. --insecure-http-dev: plain HTTP, for development
      only, on a loopback address only. --log: one log line per request on stderr (never headers or
      bodies).
  niem platform admin --data DIR directory import DIRECTORY.json
  niem platform admin --data DIR agency add --organ-id ID --name NAME --clearance LEVEL
                      --key-transport oaep-sha256|oaep-sha1|ecdh
  niem platform admin --data DIR agency remove --organ-id ID
  niem platform admin --data DIR agency list [--json]
  niem platform admin --data DIR certificate add --organ-id ID CERT.pem
  niem platform admin --data DIR certificate remove SHA256
  niem platform admin --data DIR policy set [--approved-level LEVEL] [--name NAME] [--chunk-bytes N]
  niem platform admin --data DIR policy show [--json]
  Levels: thuong, mat, toi-mat, tuyet-mat.`,
  },
  missingOption: {
    vi: 'Thiếu tuỳ chọn {option}.',
    en: 'The option {option} is missing.',
  },
  badValue: {
    vi: 'Giá trị không hợp lệ cho {option}: {detail}',
    en: 'Invalid value for {option}: {detail}',
  },
  badLevel: {
    vi: 'Độ mật phải là một trong thuong, mat, toi-mat, tuyet-mat.',
    en: 'The level must be one of thuong, mat, toi-mat, tuyet-mat.',
  },
  notInitialised: {
    vi: 'Thư mục {dir} chưa phải thư mục dữ liệu của trục (không có platform.json). Hãy chạy "niem platform init" trước.',
    en: '{dir} is not a platform data folder (no platform.json). Run "niem platform init" first.',
  },
  badSettings: {
    vi: 'Tệp cấu hình {path} không hợp lệ: {detail}',
    en: 'The settings file {path} is invalid: {detail}',
  },
  fileUnreadable: {
    vi: 'Không đọc được tệp {path}: {reason}',
    en: 'Cannot read the file {path}: {reason}',
  },
  noCertificate: {
    vi: 'Tệp {path} không chứa chứng thư số nào đọc được.',
    en: 'The file {path} holds no readable certificate.',
  },
  keyMismatch: {
    vi: 'Khoá {key} không khớp với chứng thư {cert}.',
    en: 'The key {key} does not match the certificate {cert}.',
  },
  receiptUnusable: {
    vi: 'Không dùng được chứng thư ký biên nhận {cert}: {detail}',
    en: 'The receipt-signing certificate {cert} cannot be used: {detail}',
  },
  initialised: {
    vi: 'Đã khởi tạo trục "{name}" trong {dir} (độ mật cao nhất được phép: {level}; cơ sở dữ liệu: {database}).',
    en: 'Initialised platform "{name}" in {dir} (highest approved level: {level}; database: {database}).',
  },
  listening: {
    vi: 'Trục liên thông đang chạy tại {url}',
    en: 'The exchange platform is listening on {url}',
  },
  insecureWarning: {
    vi: 'CẢNH BÁO: HTTP thường, không mã hoá — chỉ dùng để phát triển.',
    en: 'WARNING: plain HTTP, not encrypted — for development only.',
  },
  noTls: {
    vi: 'Chưa có chứng thư và khoá TLS trong {dir}; trục không chạy HTTP thường nếu không có --insecure-http-dev.',
    en: 'No TLS certificate and key in {dir}; the platform does not run plain HTTP without --insecure-http-dev.',
  },
  stopped: { vi: 'Đã dừng trục.', en: 'The platform stopped.' },
  startFailed: {
    vi: 'Không khởi động được trục: {detail}',
    en: 'The platform could not start: {detail}',
  },
  storeFailed: {
    vi: 'Không mở được cơ sở dữ liệu của trục: {detail}',
    en: 'Cannot open the platform database: {detail}',
  },
  directoryImported: {
    vi: 'Đã nhập danh bạ: {added} cơ quan mới, {replaced} cơ quan được thay thế, {certificates} chứng thư.',
    en: 'Directory imported: {added} new agencies, {replaced} replaced, {certificates} certificates.',
  },
  directoryInvalid: {
    vi: 'Tệp danh bạ {path} không hợp lệ ({detail}). Không có gì được thay đổi.',
    en: 'The directory file {path} is invalid ({detail}). Nothing was changed.',
  },
  agencyAdded: { vi: 'Đã thêm cơ quan {organId}.', en: 'Added agency {organId}.' },
  agencyReplaced: {
    vi: 'Đã cập nhật cơ quan {organId} (giữ các chứng thư).',
    en: 'Updated agency {organId} (its certificates are kept).',
  },
  agencyRemoved: { vi: 'Đã xoá cơ quan {organId}.', en: 'Removed agency {organId}.' },
  agencyUnknown: {
    vi: 'Không có cơ quan {organId} trong danh bạ của trục.',
    en: 'There is no agency {organId} in the platform directory.',
  },
  certificateAdded: {
    vi: 'Đã thêm chứng thư {sha256} cho {organId}.',
    en: 'Added certificate {sha256} for {organId}.',
  },
  certificateAlready: {
    vi: 'Chứng thư {sha256} đã có cho {organId}.',
    en: 'Certificate {sha256} is already listed for {organId}.',
  },
  certificateRemoved: { vi: 'Đã xoá chứng thư {sha256}.', en: 'Removed certificate {sha256}.' },
  certificateUnknown: {
    vi: 'Không có chứng thư {sha256} trong danh bạ.',
    en: 'There is no certificate {sha256} in the directory.',
  },
  certificateRefused: {
    vi: 'Không thêm được chứng thư: {detail}',
    en: 'The certificate was not added: {detail}',
  },
  noAgencies: {
    vi: 'Danh bạ của trục chưa có cơ quan nào.',
    en: 'The platform directory is empty.',
  },
  agencyLine: {
    vi: '{organId}  {name}  (độ mật tối đa: {clearance}; {keyTransport}; {certificates} chứng thư)',
    en: '{organId}  {name}  (highest level: {clearance}; {keyTransport}; {certificates} certificates)',
  },
  policy: {
    vi: 'Tên trục: {name}\nĐộ mật cao nhất được phép: {level}\nKích thước mỗi phần tải lên: {chunkBytes} byte',
    en: 'Platform name: {name}\nHighest approved level: {level}\nUpload chunk size: {chunkBytes} bytes',
  },
  policyNothing: {
    vi: 'Không có gì để đặt: hãy cho --approved-level, --name hoặc --chunk-bytes.',
    en: 'Nothing to set: give --approved-level, --name or --chunk-bytes.',
  },
} as const;
