/**
 * Text of the vault (profile) commands, Vietnamese and English: usage, results, list
 * headings and the directory policy's refusals. Error kinds use the shared catalog.
 */
export const profileMessages = {
  usage: {
    vi: `Kho dữ liệu (hồ sơ) — mọi lệnh nhận --profile THƯ_MỤC (mặc định thư mục dữ liệu của ứng dụng),
--token NHÃN (bắt buộc, mã PIN từ NIEM_PIN hoặc nhập ẩn) và --lang vi|en:
  niem init --token NHÃN [--recovery CHỨNG_THƯ.pem]
  niem directory import DANH_BẠ.json
  niem draft create --subject TRÍCH_YẾU --level ĐỘ_MẬT --to MÃ_CQ [--to …] [--urgency khan|thuong-khan|hoa-toc] TỆP…
  niem draft list [--json]
  niem seal MÃ_DỰ_THẢO                 (niêm phong dự thảo vào hộp thư đi)
  niem outbox list [--json]
  niem outbox export MÃ --out GÓI.p7m
  niem inbox import GÓI.p7m
  niem inbox list [--json]
  niem inbox show MÃ [--json]          (thông tin, kết quả kiểm tra, tài liệu, lịch sử, thông báo)
  niem inbox export MÃ --out THƯ_MỤC   (ghi các tài liệu kho đang giữ ra thư mục)
  niem inbox refuse MÃ --reason LÝ_DO  (từ chối: trạng thái 02, thông báo đã ký gửi nơi gửi)
  niem inbox status MÃ 04|05|06 [--note GHI_CHÚ]   (phân công, đang xử lý, hoàn thành)
  niem open MÃ --out THƯ_MỤC [--trust CA.pem] [--json]   (MÃ trong hộp thư đến)
  niem sync --platform URL [--trust CA.pem …] [--retry-failed] [--json]
      Đồng bộ với trục liên thông: gửi hộp thư đi, nhận thông báo và gói tin (địa chỉ được ghi nhớ)
  niem trust add CA.pem | niem trust list [--json] | niem trust remove SHA256
  niem audit verify [--json]           (mã thoát 0: toàn vẹn, 1: có vấn đề)
  niem backup --out TỆP.tar            (bản sao mã hoá: cơ sở dữ liệu, tệp mã hoá, vault.key)
  niem restore TỆP.tar                 (vào một hồ sơ trống)
  niem rewrap --token NHÃN_MỚI --recovery-key KHOÁ_KHÔI_PHỤC.pem [--recovery CHỨNG_THƯ.pem]
  niem rewrap --token NHÃN_MỚI --old-token NHÃN_CŨ
      Chuyển kho sang token mới (khi mất hoặc thay token): mở kho bằng khoá khôi phục của cơ quan
      (tệp PEM; chứng thư khôi phục nằm trong tệp hoặc --recovery; mật khẩu của khoá, nếu có, từ
      NIEM_RECOVERY_PASSPHRASE hoặc nhập ẩn) hoặc bằng token cũ (PIN từ NIEM_OLD_PIN hoặc nhập ẩn),
      rồi khoá lại cho token mới (PIN từ NIEM_PIN), giữ chứng thư khôi phục. Token cũ không mở được nữa.`,
    en: `The vault (profile) — every command takes --profile DIR (default: the app's data folder),
--token LABEL (required; PIN from NIEM_PIN or a hidden prompt) and --lang vi|en:
  niem init --token LABEL [--recovery CERT.pem]
  niem directory import DIRECTORY.json
  niem draft create --subject TEXT --level LEVEL --to ORGANID [--to …] [--urgency khan|thuong-khan|hoa-toc] FILE…
  niem draft list [--json]
  niem seal DRAFT_ID                   (seals the draft into the outbox)
  niem outbox list [--json]
  niem outbox export ID --out PKG.p7m
  niem inbox import PKG.p7m
  niem inbox list [--json]
  niem inbox show ID [--json]          (details, verification, documents, history, notices)
  niem inbox export ID --out DIR       (writes the documents the vault keeps to a folder)
  niem inbox refuse ID --reason TEXT   (refused: status 02, a signed notice to the sender)
  niem inbox status ID 04|05|06 [--note TEXT]   (assigned, in progress, completed)
  niem open ID --out DIR [--trust CA.pem] [--json]   (ID in the inbox)
  niem sync --platform URL [--trust CA.pem …] [--retry-failed] [--json]
      Sync with the exchange platform: send the outbox, receive notices and packages (address remembered)
  niem trust add CA.pem | niem trust list [--json] | niem trust remove SHA256
  niem audit verify [--json]           (exit 0: intact, 1: problems)
  niem backup --out FILE.tar           (an encrypted copy: database, encrypted files, vault.key)
  niem restore FILE.tar                (into an empty profile)
  niem rewrap --token NEW_LABEL --recovery-key RECOVERY_KEY.pem [--recovery CERT.pem]
  niem rewrap --token NEW_LABEL --old-token OLD_LABEL
      Move the vault to a new token (a token lost or replaced): open it with the agency's
      recovery key (a PEM file; the recovery certificate in that file or --recovery; the key's
      passphrase, if any, from NIEM_RECOVERY_PASSPHRASE or a hidden prompt) or with the old token
      (PIN from NIEM_OLD_PIN or a hidden prompt), then lock it for the new token (PIN from NIEM_PIN),
      keeping the recovery certificate. The old token no longer opens it.`,
  },
  initialised: {
    vi: 'Đã tạo kho dữ liệu tại {profile}, khoá bởi token "{label}"{recovery}.',
    en: 'Created the vault in {profile}, locked by token "{label}"{recovery}.',
  },
  withRecovery: { vi: ' và chứng thư khôi phục', en: ' and the recovery certificate' },
  directoryImported: {
    vi: 'Đã nhập danh bạ: {added} cơ quan mới, {replaced} cơ quan được thay thế.',
    en: 'Directory imported: {added} new agencies, {replaced} replaced.',
  },
  directoryInvalid: {
    vi: 'Tệp danh bạ {path} không hợp lệ ({detail}). Không có gì được thay đổi.',
    en: 'The directory file {path} is invalid ({detail}). Nothing was changed.',
  },
  draftCreated: { vi: 'Đã tạo dự thảo số {id}.', en: 'Created draft {id}.' },
  sealedDraft: {
    vi: 'Đã niêm phong dự thảo {draft} vào hộp thư đi: mục {id}, sổ đi số {number}/{year}, độ mật {level}, {bytes} byte, SHA-256 {sha}.',
    en: 'Sealed draft {draft} into the outbox: item {id}, outgoing register no. {number}/{year}, level {level}, {bytes} bytes, SHA-256 {sha}.',
  },
  exported: {
    vi: 'Đã xuất gói tin của mục {id} ra {path} ({bytes} byte).',
    en: 'Exported the package of item {id} to {path} ({bytes} bytes).',
  },
  imported: {
    vi: 'Đã nhận gói tin vào hộp thư đến: mục {id}, độ mật ghi ngoài bì {level} (chưa kiểm tra), SHA-256 {sha}.',
    en: 'Received the package into the inbox: item {id}, outer level {level} (unverified until opened), SHA-256 {sha}.',
  },
  openedInbox: {
    vi: 'Đã mở mục {id}: vào sổ đến số {number}/{year}.',
    en: 'Opened item {id}: incoming register no. {number}/{year}.',
  },
  restoredSnapshot: {
    vi: 'Cơ sở dữ liệu bị hỏng đã được thay bằng bản chụp lúc {at}; các thay đổi sau thời điểm đó đã mất. Bản hỏng được giữ tại {kept}.',
    en: 'The damaged database was replaced by the snapshot of {at}; changes after that time are lost. The damaged copy is kept at {kept}.',
  },
  backedUp: {
    vi: 'Đã sao lưu kho (đã mã hoá) ra {path}: {files} tệp, {bytes} byte.',
    en: 'Backed up the vault (encrypted) to {path}: {files} files, {bytes} bytes.',
  },
  restored: {
    vi: 'Đã khôi phục kho từ {path} vào {profile} và kiểm tra bằng token.',
    en: 'Restored the vault from {path} into {profile} and checked it with the token.',
  },
  restoreNotEmpty: {
    vi: 'Thư mục hồ sơ {profile} không trống; chỉ khôi phục vào một hồ sơ trống.',
    en: 'The profile folder {profile} is not empty; a restore goes into an empty profile only.',
  },
  backupInvalid: {
    vi: 'Tệp {path} không phải bản sao lưu kho của Niêm ({detail}). Không có gì được ghi.',
    en: 'The file {path} is not a Niêm vault backup ({detail}). Nothing was written.',
  },
  outExists: {
    vi: 'Tệp {path} đã tồn tại; Niêm không ghi đè.',
    en: 'The file {path} already exists; Niêm never overwrites it.',
  },
  rewrapped: {
    vi: 'Đã chuyển kho tại {profile} sang token "{label}" (mở bằng {via}){recovery}. Token cũ không còn mở được kho này.',
    en: 'Moved the vault in {profile} to token "{label}" (opened with {via}){recovery}. The old token no longer opens it.',
  },
  viaRecoveryKey: { vi: 'khoá khôi phục', en: 'the recovery key' },
  viaOldToken: { vi: 'token "{label}"', en: 'token "{label}"' },
  keepsRecovery: {
    vi: '; chứng thư khôi phục vẫn mở được kho',
    en: '; the recovery certificate still opens it',
  },
  rewrapSource: {
    vi: 'Cần đúng một trong --recovery-key KHOÁ.pem hoặc --old-token NHÃN để mở kho trước khi chuyển.',
    en: 'Give exactly one of --recovery-key KEY.pem or --old-token LABEL to open the vault before moving it.',
  },
  rewrapSameToken: {
    vi: 'Token mới và token cũ là một ("{label}"); không có gì để chuyển.',
    en: 'The new and the old token are the same ("{label}"); there is nothing to move.',
  },
  rewrapNoKey: {
    vi: 'Token "{label}" không có khoá và chứng thư số để giải mã hoặc thoả thuận khoá, nên không thể khoá kho cho token này. Không có gì được thay đổi.',
    en: 'Token "{label}" holds no decryption or key-agreement key and certificate, so the vault cannot be locked for it. Nothing was changed.',
  },
  recoveryNoCertificate: {
    vi: 'Tệp khoá khôi phục {path} không kèm chứng thư khôi phục: hãy chỉ ra bằng --recovery CHỨNG_THƯ.pem.',
    en: 'The recovery key file {path} holds no recovery certificate: give it with --recovery CERT.pem.',
  },
  recoveryKeyUnreadable: {
    vi: 'Không đọc được khoá khôi phục trong {path}{why}. Không có gì được thay đổi.',
    en: 'Cannot read the recovery key in {path}{why}. Nothing was changed.',
  },
  recoveryWrongPassphrase: {
    vi: ' (sai mật khẩu của khoá?)',
    en: ' (wrong passphrase for the key?)',
  },
  recoveryPassphrasePrompt: {
    vi: 'Mật khẩu của khoá khôi phục {path}: ',
    en: 'Passphrase of the recovery key {path}: ',
  },
  noRecoveryPassphrase: {
    vi: 'Khoá khôi phục {path} được bảo vệ bằng mật khẩu: hãy đặt biến NIEM_RECOVERY_PASSPHRASE hoặc chạy lệnh trên terminal để nhập ẩn.',
    en: 'The recovery key {path} is protected by a passphrase: set NIEM_RECOVERY_PASSPHRASE or run the command on a terminal to type it hidden.',
  },
  oldPinPrompt: {
    vi: 'Mã PIN của token cũ "{label}": ',
    en: 'PIN for the old token "{label}": ',
  },
  badId: {
    vi: 'Mã "{id}" không hợp lệ (phải là số).',
    en: 'The id "{id}" is not valid (a number).',
  },
  badUrgency: {
    vi: 'Độ khẩn phải là một trong khan, thuong-khan, hoa-toc.',
    en: 'The urgency must be one of khan, thuong-khan, hoa-toc.',
  },
  refusedClearance: {
    vi: 'Không niêm phong: cơ quan {name} ({organId}) chỉ được nhận tới độ mật {clearance}, còn dự thảo có độ mật {level}. Không có gì được ghi.',
    en: 'Not sealed: agency {name} ({organId}) may receive up to {clearance}, and the draft is {level}. Nothing was written.',
  },
  refusedUnknown: {
    vi: 'Không niêm phong: cơ quan {organId} không có trong danh bạ. Không có gì được ghi; hãy nhập danh bạ có cơ quan này.',
    en: 'Not sealed: agency {organId} is not in the directory. Nothing was written; import a directory that lists it.',
  },
  refusedNoCertificate: {
    vi: 'Không niêm phong: danh bạ không có chứng thư số còn hiệu lực của cơ quan {name} ({organId}). Không có gì được ghi.',
    en: 'Not sealed: the directory holds no valid certificate of agency {name} ({organId}). Nothing was written.',
  },
  auditCheckpoint: {
    vi: 'Nhật ký kiểm tra đã được ký xác nhận tới mục {seq}.',
    en: 'The audit trail was signed up to entry {seq}.',
  },
  hiddenSubject: {
    vi: '[Tuyệt mật — mở gói để xem trích yếu]',
    en: '[Top secret — open the package to see the subject]',
  },
  unopenedSubject: {
    vi: '[chưa mở gói — mở gói để xem trích yếu]',
    en: '[not opened — open the package to see the subject]',
  },
  empty: { vi: '(trống)', en: '(empty)' },
  headings: {
    vi: {
      id: 'Mã',
      level: 'Độ mật',
      urgency: 'Độ khẩn',
      subject: 'Trích yếu',
      recipients: 'Nơi nhận',
      sender: 'Nơi gửi',
      documents: 'Số tệp',
      state: 'Trạng thái',
      register: 'Số sổ',
      date: 'Ngày',
    },
    en: {
      id: 'Id',
      level: 'Level',
      urgency: 'Urgency',
      subject: 'Subject',
      recipients: 'To',
      sender: 'From',
      documents: 'Files',
      state: 'State',
      register: 'Register',
      date: 'Date',
    },
  },
  transport: {
    vi: {
      queued: 'chờ gửi',
      uploading: 'đang gửi',
      sent: 'đã gửi (có biên nhận)',
      delivered: 'đã đến nơi nhận',
      'failed-retrying': 'lỗi tạm thời, sẽ thử lại',
      failed: 'gửi lỗi',
    },
    en: {
      queued: 'queued',
      uploading: 'uploading',
      sent: 'sent (receipt held)',
      delivered: 'delivered',
      'failed-retrying': 'failed, retrying',
      failed: 'failed',
    },
  },
  status: {
    vi: {
      '01': 'đã đến',
      '02': 'từ chối',
      '03': 'đã vào sổ',
      '04': 'phân công',
      '05': 'đang xử lý',
      '06': 'hoàn thành',
      '13': 'đề nghị thu hồi',
      '15': 'đồng ý thu hồi/cập nhật',
      '16': 'từ chối thu hồi/cập nhật',
    },
    en: {
      '01': 'arrived',
      '02': 'refused',
      '03': 'registered',
      '04': 'assigned',
      '05': 'in progress',
      '06': 'completed',
      '13': 'recall requested',
      '15': 'recall/update accepted',
      '16': 'recall/update refused',
    },
  },
} as const;
