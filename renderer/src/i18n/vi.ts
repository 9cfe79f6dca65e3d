/**
 * Vietnamese message catalog: the default language of Niêm and the reference set of keys.
 * Every other catalog must have exactly these keys (see ./catalog.ts). Placeholders are
 * written `{name}` and must appear identically in every language.
 * Error-kind texts are not here: they live once in native/api/i18n/error-messages.ts.
 */
export const vi = {
  'app.name': 'Niêm',
  'app.tagline': 'Trao đổi văn bản mật',
  'app.title': 'Niêm — Đăng nhập',
  'app.loading': 'Đang khởi động…',

  'lang.switch': 'English',
  'lang.switchLabel': 'Chuyển giao diện sang tiếng Anh',

  'noHost.title': 'Không kết nối được với Niêm',
  'noHost.body':
    'Trang này chỉ hoạt động bên trong ứng dụng Niêm hoặc qua cầu nối thử nghiệm. Hãy mở ứng dụng Niêm.',

  'signIn.title': 'Đăng nhập bằng thiết bị ký số',
  'signIn.intro': 'Chọn thiết bị ký số (token) của cơ quan, rồi nhập mã PIN của thiết bị.',

  'tokens.heading': 'Thiết bị ký số',
  'tokens.refresh': 'Tìm lại thiết bị',
  'tokens.loading': 'Đang tìm thiết bị ký số…',
  'tokens.moduleFailed':
    'Không nạp được thư viện PKCS#11 {path} ({reason}). Các thiết bị dùng thư viện này sẽ không hiện ra; hãy báo quản trị viên.',
  'tokens.empty':
    'Không tìm thấy thiết bị ký số nào. Hãy cắm thiết bị vào máy rồi bấm “Tìm lại thiết bị”.',
  'tokens.model': 'Loại thiết bị',
  'tokens.manufacturer': 'Nhà sản xuất',
  'tokens.serial': 'Số sê-ri',
  'tokens.pinPad': 'Có bàn phím nhập mã PIN',

  'pinState.normal': 'Mã PIN sẵn sàng',
  'pinState.count-low': 'Đã nhập sai mã PIN trên thiết bị này. Hãy nhập thật cẩn thận.',
  'pinState.final-try': 'Chỉ còn một lần nhập: nếu sai, thiết bị sẽ bị khoá.',
  'pinState.locked':
    'Mã PIN của thiết bị đã bị khoá nên không thể đăng nhập. Hãy liên hệ quản trị viên của cơ quan để mở khoá.',
  'pinState.uninitialized':
    'Thiết bị chưa được đặt mã PIN nên không thể đăng nhập. Hãy liên hệ quản trị viên của cơ quan.',

  'pin.label': 'Mã PIN',
  'pin.hint': 'Mã PIN không được lưu lại. Niêm không bao giờ tự nhập thử mã PIN.',
  'pin.pad': 'Nhập mã PIN trên bàn phím của thiết bị đọc.',
  'pin.padHint':
    'Bấm “Đăng nhập”, rồi nhập mã PIN trên bàn phím của thiết bị đọc khi thiết bị yêu cầu. Mã PIN không đi qua máy tính.',
  'pin.padWaiting': 'Đang chờ nhập mã PIN trên thiết bị đọc…',
  'pin.finalTryWarning':
    'Chú ý: chỉ còn MỘT lần nhập mã PIN. Nếu lần này sai, thiết bị sẽ bị khoá và phải nhờ quản trị viên mở khoá. Nếu không chắc chắn, đừng nhập.',
  'pin.chooseToken': 'Hãy chọn một thiết bị ở trên trước.',
  'pin.submit': 'Đăng nhập',
  'pin.submitting': 'Đang đăng nhập…',
  'pin.forToken': 'Đăng nhập với thiết bị “{label}”',

  'identity.heading': 'Bạn đã đăng nhập',
  'identity.commonName': 'Tên chủ chứng thư',
  'identity.organization': 'Cơ quan',
  'identity.unit': 'Đơn vị',
  'identity.organId': 'Mã định danh cơ quan',
  'identity.serial': 'Số sê-ri chứng thư',
  'identity.issuer': 'Tổ chức cấp',
  'identity.validity': 'Hiệu lực',
  'identity.validityRange': 'từ {from} đến {to}',
  'identity.expired': 'Chứng thư số đã hết hạn.',
  'identity.notYetValid': 'Chứng thư số chưa đến ngày có hiệu lực.',
  'identity.keyAlgorithm': 'Thuật toán khoá',
  'identity.token': 'Thiết bị',
  'identity.since': 'Đăng nhập lúc',
  'identity.warnings': 'Cảnh báo',
  'identity.missing': 'Không có',
  'identity.logout': 'Đăng xuất',
  'identity.loggingOut': 'Đang đăng xuất…',

  'checkKey.run': 'Kiểm tra thiết bị',
  'checkKey.running': 'Đang ký thử trên thiết bị…',
  'checkKey.ok': 'Chữ ký thử đã được kiểm tra (thuật toán {algorithm}, {ms} ms).',
  'checkKey.mismatch':
    'Thiết bị đã ký nhưng chữ ký thử không khớp với chứng thư số (thuật toán {algorithm}). Đừng dùng thiết bị này để ký; hãy báo quản trị viên.',

  'changePin.open': 'Đổi mã PIN',
  'changePin.cancel': 'Thôi đổi mã PIN',
  'changePin.heading': 'Đổi mã PIN của thiết bị “{label}”',
  'changePin.old': 'Mã PIN hiện tại',
  'changePin.new': 'Mã PIN mới',
  'changePin.again': 'Nhập lại mã PIN mới',
  'changePin.rules':
    'Mã PIN mới gồm 1–64 ký tự ASCII in được (chữ không dấu, chữ số, ký hiệu) và phải khác mã PIN hiện tại. Thiết bị có thể có thêm yêu cầu riêng về độ dài.',
  'changePin.triesNote': 'Nhập sai mã PIN hiện tại sẽ mất một lượt nhập, như khi đăng nhập.',
  'changePin.pad':
    'Thiết bị này có bàn phím riêng: bấm “Đổi mã PIN”, rồi nhập mã PIN hiện tại và mã PIN mới trên bàn phím của thiết bị đọc khi được yêu cầu.',
  'changePin.submit': 'Đổi mã PIN',
  'changePin.submitting': 'Đang đổi mã PIN…',
  'changePin.padWaiting': 'Đang chờ nhập trên bàn phím của thiết bị đọc…',
  'changePin.done': 'Đã đổi mã PIN. Từ lần đăng nhập sau, hãy dùng mã PIN mới.',
  'changePin.mismatch':
    'Hai lần nhập mã PIN mới không giống nhau. Chưa có gì thay đổi và không mất lượt nhập nào; hãy nhập lại.',
  'changePin.sameAsOld':
    'Mã PIN mới phải khác mã PIN hiện tại. Chưa có gì thay đổi và không mất lượt nhập nào; hãy chọn mã PIN mới khác.',

  'lock.logout': 'Bạn đã đăng xuất.',
  'lock.token-removed':
    'Phiên làm việc đã đóng vì thiết bị ký số đã bị rút ra. Hãy cắm lại thiết bị và đăng nhập.',
  'lock.idle':
    'Phiên làm việc đã đóng vì không có thao tác trong một thời gian. Hãy đăng nhập lại.',
  'lock.native-restarted':
    'Phiên làm việc đã đóng vì thành phần xử lý thiết bị đã khởi động lại. Dữ liệu không bị mất; hãy đăng nhập lại.',
  'lock.token-module-crashed':
    'Phiên làm việc đã đóng vì thư viện của thiết bị ký số bị lỗi; Niêm đã khởi động lại thư viện. Dữ liệu không bị mất; hãy đăng nhập lại.',
  'lock.dismiss': 'Đóng thông báo',

  'vault.heading': 'Kho văn bản',
  'vault.loading': 'Đang mở kho văn bản…',
  'vault.openIn': 'Kho được mã hoá, mở bằng thiết bị ký số. Thư mục hồ sơ: {profile}',
  'vault.restored':
    'Kho dữ liệu bị hỏng và đã được khôi phục từ bản sao lưu lúc {time}. Các thay đổi sau thời điểm đó đã mất; hãy kiểm tra lại các dự thảo gần nhất.',
  'vault.locked': 'Kho văn bản đang khoá',
  'vault.lockedBody':
    'Các dự thảo và văn bản được mã hoá trên máy. Kho chỉ mở khi bạn đăng nhập bằng thiết bị ký số của mình.',
  'vault.lockedProblem': 'Không mở được kho văn bản.',
  'vault.absentTitle': 'Chưa có kho văn bản',
  'vault.absentBody':
    'Thư mục hồ sơ {profile} chưa có kho văn bản. Khởi tạo kho để lưu dự thảo; khoá của kho sẽ được bảo vệ bằng thiết bị ký số bạn đang dùng.',
  'vault.init': 'Khởi tạo kho văn bản',
  'vault.initialising': 'Đang khởi tạo kho…',

  'level.label': 'Độ mật',
  'level.thuong': 'Thường',
  'level.mat': 'Mật',
  'level.toi-mat': 'Tối mật',
  'level.tuyet-mat': 'Tuyệt mật',
  'level.hint': 'Bắt buộc chọn: độ mật do người soạn quyết định, Niêm không tự chọn.',
  'urgency.label': 'Độ khẩn',
  'urgency.thuong': 'Thường',
  'urgency.khan': 'Khẩn',
  'urgency.thuong-khan': 'Thượng khẩn',
  'urgency.hoa-toc': 'Hỏa tốc',
  'urgency.hoa-toc-hen-gio': 'Hỏa tốc hẹn giờ',

  'drafts.heading': 'Dự thảo',
  'drafts.new': 'Tạo dự thảo mới',
  'drafts.searchLabel': 'Tìm trong dự thảo',
  'drafts.searchHint': 'Tìm theo trích yếu, số, ký hiệu; có thể gõ không dấu.',
  'drafts.search': 'Tìm',
  'drafts.sortLabel': 'Sắp xếp theo',
  'drafts.sort.updated': 'Ngày sửa gần nhất',
  'drafts.sort.created': 'Ngày tạo',
  'drafts.sort.subject': 'Trích yếu (A–Z)',
  'drafts.sort.level': 'Độ mật',
  'drafts.directionLabel': 'Thứ tự',
  'drafts.direction.desc': 'Giảm dần',
  'drafts.direction.asc': 'Tăng dần',
  'drafts.loading': 'Đang tải danh sách…',
  'drafts.empty': 'Chưa có dự thảo nào.',
  'drafts.noMatch': 'Không có dự thảo nào khớp với “{search}”.',
  'drafts.col.subject': 'Trích yếu',
  'drafts.col.level': 'Độ mật',
  'drafts.col.urgency': 'Độ khẩn',
  'drafts.col.recipients': 'Nơi nhận',
  'drafts.col.documents': 'Tài liệu',
  'drafts.col.updated': 'Ngày sửa',
  'drafts.hiddenSubject': 'Trích yếu được ẩn (Tuyệt mật)',
  'drafts.open': 'Mở dự thảo: {subject}',
  'drafts.openHidden': 'Mở dự thảo Tuyệt mật số {id}',
  'drafts.range': '{from}–{to} trên {total} dự thảo',
  'drafts.previous': 'Trang trước',
  'drafts.next': 'Trang sau',
  'drafts.deleted': 'Đã xoá dự thảo.',

  'editor.newHeading': 'Dự thảo mới',
  'editor.editHeading': 'Sửa dự thảo',
  'editor.subject': 'Trích yếu',
  'editor.recipients': 'Nơi nhận (mã định danh cơ quan)',
  'editor.recipientsHint': 'Mỗi mã một dòng hoặc cách nhau bằng dấu phẩy, ví dụ 000.00.00.G22.',
  'editor.codeNumber': 'Số',
  'editor.codeNotation': 'Ký hiệu',
  'editor.deadline': 'Hạn (hỏa tốc hẹn giờ)',
  'editor.save': 'Lưu dự thảo',
  'editor.saving': 'Đang lưu…',
  'editor.saved': 'Đã lưu dự thảo vào kho.',
  'editor.close': 'Đóng',
  'editor.delete': 'Xoá dự thảo',
  'editor.confirmDelete': 'Bấm lần nữa để xoá hẳn dự thảo này',
  'editor.missingSubject': 'Hãy nhập trích yếu.',
  'editor.missingLevel': 'Hãy chọn độ mật (kể cả “Thường”).',
  'editor.badRecipients': 'Mã định danh không đúng dạng: {codes}. Ví dụ đúng: 000.00.00.G22.',
  'editor.missingDeadline': 'Hỏa tốc hẹn giờ cần có hạn (ngày và giờ).',
  'editor.invalid': 'Dự thảo chưa lưu được: hãy sửa các mục được đánh dấu.',
  'editor.created': 'Tạo lúc {date}',

  'documents.heading': 'Tài liệu đính kèm',
  'documents.pick': 'Chọn tệp…',
  'documents.drop': 'Hoặc kéo thả tệp vào đây.',
  'documents.limit': 'Mỗi tệp tối đa 8 MiB. Tệp lớn hơn chưa thêm được trong bản này.',
  'documents.pending': 'Sẽ được thêm khi lưu dự thảo',
  'documents.none': 'Chưa có tài liệu.',
  'documents.remove': 'Gỡ {name}',
  'documents.uploading': 'Đang thêm “{name}” vào kho…',
} as const satisfies Record<string, string>;
