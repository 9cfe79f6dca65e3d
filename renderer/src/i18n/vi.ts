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
  'tokens.empty':
    'Không tìm thấy thiết bị ký số nào. Hãy cắm thiết bị vào máy rồi bấm “Tìm lại thiết bị”.',
  'tokens.model': 'Loại thiết bị',
  'tokens.manufacturer': 'Nhà sản xuất',
  'tokens.serial': 'Số sê-ri',

  'pinState.normal': 'Mã PIN sẵn sàng',
  'pinState.count-low': 'Đã nhập sai mã PIN trên thiết bị này. Hãy nhập thật cẩn thận.',
  'pinState.final-try': 'Chỉ còn một lần nhập: nếu sai, thiết bị sẽ bị khoá.',
  'pinState.locked':
    'Mã PIN của thiết bị đã bị khoá nên không thể đăng nhập. Hãy liên hệ quản trị viên của cơ quan để mở khoá.',
  'pinState.uninitialized':
    'Thiết bị chưa được đặt mã PIN nên không thể đăng nhập. Hãy liên hệ quản trị viên của cơ quan.',

  'pin.label': 'Mã PIN',
  'pin.hint': 'Mã PIN không được lưu lại. Niêm không bao giờ tự nhập thử mã PIN.',
  'pin.pad':
    'Thiết bị này có bàn phím riêng: hãy nhập mã PIN trên bàn phím của thiết bị khi được yêu cầu.',
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

  'lock.logout': 'Bạn đã đăng xuất.',
  'lock.token-removed':
    'Phiên làm việc đã đóng vì thiết bị ký số đã bị rút ra. Hãy cắm lại thiết bị và đăng nhập.',
  'lock.idle':
    'Phiên làm việc đã đóng vì không có thao tác trong một thời gian. Hãy đăng nhập lại.',
  'lock.native-restarted':
    'Phiên làm việc đã đóng vì thành phần xử lý thiết bị đã khởi động lại. Dữ liệu không bị mất; hãy đăng nhập lại.',
  'lock.dismiss': 'Đóng thông báo',
} as const satisfies Record<string, string>;
