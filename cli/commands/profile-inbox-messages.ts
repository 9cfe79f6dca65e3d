/**
 * Text of the inbox commands (`niem inbox show|export|refuse|status`, `niem open ID`),
 * Vietnamese and English. Error kinds use the shared catalog.
 */
export const inboxMessages = {
  fields: {
    vi: {
      id: 'Mã',
      level: 'Độ mật',
      status: 'Trạng thái',
      register: 'Số đến',
      sender: 'Nơi gửi',
      received: 'Nhận lúc',
      opened: 'Mở lúc',
      subject: 'Trích yếu',
      sha: 'SHA-256 gói tin',
      verification: 'Kiểm tra',
      arrival: 'Qua trục liên thông',
      documents: 'Tài liệu',
      history: 'Lịch sử trạng thái',
      notices: 'Thông báo gửi nơi gửi',
    },
    en: {
      id: 'Id',
      level: 'Level',
      status: 'Status',
      register: 'Incoming no.',
      sender: 'From',
      received: 'Received',
      opened: 'Opened',
      subject: 'Subject',
      sha: 'Package SHA-256',
      verification: 'Verification',
      arrival: 'Through the platform',
      documents: 'Documents',
      history: 'Status history',
      notices: 'Notices to the sender',
    },
  },
  verdict: {
    vi: {
      verified:
        'hợp lệ (thẻ toàn vẹn, chữ ký, chuỗi chứng thư, mã băm từng tài liệu, độ mật thống nhất)',
      refused: 'không đạt',
      none: 'chưa kiểm tra (chưa mở gói)',
    },
    en: {
      verified:
        'valid (integrity tag, signatures, certificate chain, every document hash, one level)',
      refused: 'failed',
      none: 'not verified yet (not opened)',
    },
  },
  signedBy: { vi: 'ký bởi {name} ({org}): {verdict}', en: 'signed by {name} ({org}): {verdict}' },
  levelsLine: {
    vi: 'độ mật ngoài bì {outside}, bên trong {inside}',
    en: 'outer level {outside}, inside {inside}',
  },
  noDocuments: {
    vi: '(chưa có: tài liệu được giữ trong kho khi gói tin đã kiểm tra)',
    en: '(none yet: documents are kept in the vault once the package verified)',
  },
  fromFile: { vi: 'không (nhập từ tệp)', en: 'no (imported from a file)' },
  notice: {
    vi: { queued: 'chờ gửi', sent: 'đã gửi', refused: 'trục từ chối' },
    en: { queued: 'queued', sent: 'sent', refused: 'refused by the platform' },
  },
  exported: {
    vi: 'Đã xuất {count} tài liệu của mục {id} ra {path}.',
    en: 'Exported {count} documents of item {id} to {path}.',
  },
  notVerified: {
    vi: 'Mục {id} chưa được kiểm tra nên kho chưa giữ tài liệu: hãy mở gói trước (niem open {id} --out THƯ_MỤC --trust CA.pem).',
    en: 'Item {id} has not been verified, so the vault keeps no documents yet: open it first (niem open {id} --out DIR --trust CA.pem).',
  },
  refused: {
    vi: 'Đã từ chối mục {id} (trạng thái 02): {reason}',
    en: 'Refused item {id} (status 02): {reason}',
  },
  statusSet: {
    vi: 'Đã chuyển mục {id} sang trạng thái {status} ({name}).',
    en: 'Set item {id} to status {status} ({name}).',
  },
  noticeQueued: {
    vi: 'Thông báo đã ký đang chờ gửi tới nơi gửi ở lần đồng bộ tới (niem sync).',
    en: 'The signed notice waits to go to the sender at the next sync (niem sync).',
  },
  noNotice: {
    vi: 'Không có thông báo: gói tin này được nhập từ tệp, không qua trục liên thông.',
    en: 'No notice: this package was imported from a file, not received through the platform.',
  },
  reasonRequired: {
    vi: 'Hãy nêu lý do từ chối: --reason "LÝ DO".',
    en: 'Give the reason for the refusal: --reason "REASON".',
  },
  notAllowed: {
    vi: 'Không thể chuyển mục {id} từ trạng thái {from} sang {to}: trạng thái 02 chỉ trước khi phân công; 04, 05, 06 chỉ sau khi vào sổ (03) và không quay lại.',
    en: 'Item {id} cannot go from status {from} to {to}: 02 only before it is assigned; 04, 05, 06 only after it is registered (03), never backwards.',
  },
  unknownStatus: {
    vi: 'Trạng thái phải là 04 (phân công), 05 (đang xử lý) hoặc 06 (hoàn thành); để từ chối dùng niem inbox refuse.',
    en: 'The status must be 04 (assigned), 05 (in progress) or 06 (completed); to refuse use niem inbox refuse.',
  },
  noOrganId: {
    vi: 'Chứng thư ký của token không ghi mã cơ quan (organizationIdentifier), nên không ký được thông báo. Không có gì được thay đổi.',
    en: 'The token’s signing certificate states no agency code (organizationIdentifier), so no notice can be signed. Nothing was changed.',
  },
  openedKept: {
    vi: 'Đã mở mục {id} từ kho (gói tin đã được kiểm tra trước đó){register}.',
    en: 'Opened item {id} from the vault (the package was verified before){register}.',
  },
  registerSuffix: {
    vi: ': sổ đến số {number}/{year}',
    en: ': incoming register no. {number}/{year}',
  },
  openedRefused: {
    vi: 'Đã mở mục {id}; gói tin đã bị từ chối (02) nên không vào sổ.',
    en: 'Opened item {id}; the package was refused (02), so it is not registered.',
  },
} as const;
