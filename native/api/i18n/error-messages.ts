/**
 * What a clerk reads for each error kind, in Vietnamese (default) and English.
 * Pure data with no imports: shared by the renderer (allowed by the layer rule for this
 * folder only) and the CLI, so each sentence exists once. Each message says what happened
 * and what to do. `{tries}` is replaced by the remaining PIN tries where known.
 */
export const errorMessages = {
  'pin-incorrect': {
    vi: 'Mã PIN không đúng. Hãy kiểm tra và nhập lại; thiết bị sẽ khoá sau một số lần nhập sai.',
    en: 'The PIN is incorrect. Check it and type it again; the token locks after several wrong PINs.',
  },
  'pin-locked': {
    vi: 'Mã PIN đã bị khoá trên thiết bị. Hãy liên hệ quản trị viên của cơ quan để mở khoá.',
    en: 'The PIN is locked on the token. Ask your agency administrator to unblock it.',
  },
  'pin-invalid': {
    vi: 'Mã PIN không đúng định dạng (độ dài hoặc ký tự). Chưa mất lượt nhập nào; hãy nhập lại.',
    en: 'The PIN has the wrong length or characters. No try was used; type it again.',
  },
  'token-absent': {
    vi: 'Không tìm thấy thiết bị ký số. Hãy cắm thiết bị vào máy rồi thử lại.',
    en: 'The token was not found. Insert the token and try again.',
  },
  'no-certificate': {
    vi: 'Thiết bị không có chứng thư số đi kèm khoá bí mật. Hãy liên hệ quản trị viên để cấp lại thiết bị.',
    en: 'The token holds no certificate for its private key. Ask your administrator to reissue the token.',
  },
  'not-signed-in': {
    vi: 'Phiên làm việc chưa được mở. Hãy đăng nhập bằng thiết bị ký số.',
    en: 'You are not signed in. Sign in with your token.',
  },
  'module-unavailable': {
    vi: 'Không nạp được thư viện PKCS#11 của thiết bị. Hãy kiểm tra đường dẫn thư viện trong cấu hình.',
    en: 'The token’s PKCS#11 library could not be loaded. Check the module path in the settings.',
  },
  'invalid-input': {
    vi: 'Dữ liệu gửi đi không hợp lệ nên không có thay đổi nào được thực hiện.',
    en: 'The request was not valid, so nothing was changed.',
  },
  timeout: {
    vi: 'Thao tác mất quá nhiều thời gian và đã bị dừng. Hãy thử lại.',
    en: 'The operation took too long and was stopped. Try again.',
  },
  'native-restarted': {
    vi: 'Thành phần xử lý thiết bị đã khởi động lại. Dữ liệu không bị mất; hãy đăng nhập lại.',
    en: 'The token service restarted. Nothing was lost; sign in again.',
  },
  internal: {
    vi: 'Đã xảy ra lỗi không mong muốn. Hãy thử lại; nếu lỗi lặp lại, hãy báo quản trị viên.',
    en: 'Something unexpected went wrong. Try again; if it happens again, tell your administrator.',
  },
} as const;

export const triesLeftMessages = {
  vi: 'Còn {tries} lần nhập.',
  en: '{tries} tries left.',
} as const;
