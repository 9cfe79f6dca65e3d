/**
 * What a clerk or an inspector reads for each audit problem and for the report summary,
 * in Vietnamese (default) and English. Pure data with no imports, like
 * native/api/i18n/error-messages.ts; audit-text.ts fills the placeholders:
 * `{seq}`, `{lastSeq}`, `{originalSeq}`, `{originalLastSeq}`, `{entries}`, `{count}`,
 * `{coveredSeq}`, `{uncovered}`. `viRange`/`enRange` are used when a problem spans
 * several entries.
 */
export const auditProblemMessages = {
  'entry-edited': {
    vi: 'Mục nhật ký số {seq} đã bị sửa: nội dung không còn khớp với mã băm đã ghi.',
    en: 'Audit entry {seq} was edited: its contents no longer match its recorded hash.',
    viRange:
      'Các mục nhật ký từ số {seq} đến số {lastSeq} đã bị sửa: nội dung không còn khớp với mã băm đã ghi.',
    enRange:
      'Audit entries {seq} to {lastSeq} were edited: their contents no longer match their recorded hashes.',
  },
  'entry-inserted': {
    vi: 'Mục nhật ký số {seq} đã bị chèn thêm: chuỗi mã băm bỏ qua mục này (mục sau nối thẳng vào mục trước nó).',
    en: 'Audit entry {seq} was inserted: the hash chain skips it (the next entry links to the one before it).',
    viRange:
      'Các mục nhật ký từ số {seq} đến số {lastSeq} đã bị chèn thêm: chuỗi mã băm bỏ qua các mục này.',
    enRange: 'Audit entries {seq} to {lastSeq} were inserted: the hash chain skips them.',
  },
  'entry-replaced': {
    vi: 'Mục nhật ký số {seq} đã bị thay thế, hoặc bị sửa rồi tính lại mã băm: mục kế tiếp ghi nhận một mã băm khác cho nó.',
    en: 'Audit entry {seq} was replaced, or edited with its hash recomputed: the next entry recorded a different hash for it.',
    viRange:
      'Các mục nhật ký từ số {seq} đến số {lastSeq} đã bị thay thế, hoặc bị sửa rồi tính lại mã băm.',
    enRange:
      'Audit entries {seq} to {lastSeq} were replaced, or edited with their hashes recomputed.',
  },
  'entry-deleted': {
    vi: 'Mục nhật ký số {seq} đã bị xoá.',
    en: 'Audit entry {seq} was deleted.',
    viRange: 'Các mục nhật ký từ số {seq} đến số {lastSeq} đã bị xoá.',
    enRange: 'Audit entries {seq} to {lastSeq} were deleted.',
  },
  'entry-renumbered': {
    vi: 'Mục nhật ký số {seq} đã bị đánh số lại: khi ghi, mục này mang số {originalSeq}.',
    en: 'Audit entry {seq} was renumbered: it was written as entry {originalSeq}.',
    viRange:
      'Các mục nhật ký từ số {seq} đến số {lastSeq} đã bị đánh số lại: khi ghi, các mục này mang số từ {originalSeq} đến {originalLastSeq}.',
    enRange:
      'Audit entries {seq} to {lastSeq} were renumbered: they were written as entries {originalSeq} to {originalLastSeq}.',
  },
  'chain-broken': {
    vi: 'Mục nhật ký số {seq} không nối được vào chuỗi mã băm: mục này hoặc mục trước nó đã bị thay đổi.',
    en: 'Audit entry {seq} does not link into the hash chain: it or the entry before it was changed.',
    viRange:
      'Các mục nhật ký từ số {seq} đến số {lastSeq} không nối được vào chuỗi mã băm: các mục này hoặc mục trước chúng đã bị thay đổi.',
    enRange:
      'Audit entries {seq} to {lastSeq} do not link into the hash chain: they or the entry before them were changed.',
  },
  'checkpoint-signature-invalid': {
    vi: 'Chữ ký của điểm chốt nhật ký tại mục số {seq} không hợp lệ: điểm chốt đã bị sửa hoặc giả mạo.',
    en: 'The signature of the audit checkpoint at entry {seq} does not verify: the checkpoint was altered or forged.',
  },
  'checkpoint-untrusted': {
    vi: 'Điểm chốt nhật ký tại mục số {seq} được ký bằng một chứng thư số không được tin cậy (không phải của thiết bị ký số của cơ quan).',
    en: 'The audit checkpoint at entry {seq} is signed with a certificate that is not trusted (not one of the agency’s tokens).',
  },
  'checkpoint-mismatch': {
    vi: 'Nhật ký đã bị sửa rồi tính lại mã băm trong khoảng từ mục số {seq} đến mục số {lastSeq}: mục số {lastSeq} không còn khớp với điểm chốt đã ký.',
    en: 'The log was edited and its hashes recomputed between entries {seq} and {lastSeq}: entry {lastSeq} no longer matches its signed checkpoint.',
  },
  'checkpoint-missing': {
    vi: 'Điểm chốt đã ký tại mục số {seq} không còn trong cơ sở dữ liệu: nhật ký có thể đã bị đưa về một bản cũ hoặc các điểm chốt mới nhất đã bị xoá.',
    en: 'The signed checkpoint at entry {seq} is gone from the database: the log may have been rolled back to an older copy, or its newest checkpoints deleted.',
  },
} as const;

/** Summary lines of an audit report. */
export const auditSummaryMessages = {
  ok: {
    vi: 'Nhật ký toàn vẹn: {entries} mục, không phát hiện thay đổi nào.',
    en: 'The audit trail is intact: {entries} entries, no change found.',
  },
  broken: {
    vi: 'Nhật ký đã bị can thiệp: phát hiện {count} vấn đề trong {entries} mục.',
    en: 'The audit trail was tampered with: {count} problems found in {entries} entries.',
  },
  uncovered: {
    vi: '{uncovered} mục sau điểm chốt đã ký cuối cùng (mục số {coveredSeq}) chỉ được bảo vệ bằng chuỗi mã băm: nếu bị sửa rồi tính lại mã băm thì không thể phát hiện. Các mục này sẽ được chốt khi đăng xuất.',
    en: '{uncovered} entries after the last signed checkpoint (entry {coveredSeq}) are protected by the hash chain only: an edit with recomputed hashes there cannot be detected. They are checkpointed at logout.',
  },
  trustNotChecked: {
    vi: 'Chưa đối chiếu người ký các điểm chốt với chứng thư số tin cậy.',
    en: 'The signers of the checkpoints were not checked against trusted certificates.',
  },
  truncated: {
    vi: 'Còn nhiều vấn đề khác không được liệt kê.',
    en: 'More problems were found than are listed.',
  },
} as const;
