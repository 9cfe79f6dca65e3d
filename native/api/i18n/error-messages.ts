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
  'token-removed': {
    vi: 'Thiết bị ký số đã bị rút ra hoặc mất kết nối nên phiên làm việc đã bị khoá. Hãy cắm lại thiết bị và đăng nhập lại.',
    en: 'The token was removed or lost its connection, so your session was locked. Insert the token and sign in again.',
  },
  'device-error': {
    vi: 'Thiết bị ký số báo lỗi khi thực hiện thao tác. Hãy thử lại; nếu vẫn lỗi, hãy rút thiết bị ra, cắm lại và đăng nhập lại.',
    en: 'The token reported an error during the operation. Try again; if it happens again, unplug the token, plug it back in and sign in again.',
  },
  'pin-expired': {
    vi: 'Mã PIN đã hết hạn hoặc phải được đổi. Hãy đổi mã PIN trước khi tiếp tục.',
    en: 'The PIN has expired or must be changed. Change the PIN before you continue.',
  },
  'new-pin-invalid': {
    vi: 'Mã PIN mới không đáp ứng yêu cầu của thiết bị (độ dài, ký tự hoặc quá dễ đoán). Mã PIN cũ vẫn giữ nguyên; hãy chọn mã PIN mới khác.',
    en: 'The new PIN does not meet the token’s rules (length, characters or too weak). The old PIN is unchanged; choose another new PIN.',
  },
  'pin-not-initialized': {
    vi: 'Mã PIN người dùng của thiết bị chưa được thiết lập. Hãy liên hệ quản trị viên để khởi tạo thiết bị.',
    en: 'The token’s user PIN has never been set. Ask your administrator to set up the token.',
  },
  'mechanism-unsupported': {
    vi: 'Thiết bị ký số không hỗ trợ thuật toán cần cho thao tác này. Hãy liên hệ quản trị viên; có thể cần thiết bị hoặc chứng thư số khác.',
    en: 'The token does not support the algorithm this operation needs. Ask your administrator; another token or certificate may be needed.',
  },
  'key-usage-mismatch': {
    vi: 'Thiết bị không có khoá và chứng thư số được phép dùng cho thao tác này (ký số, giải mã hoặc thoả thuận khoá). Hãy liên hệ quản trị viên để được cấp chứng thư phù hợp.',
    en: 'The token holds no key and certificate allowed for this operation (signing, decryption or key agreement). Ask your administrator for a suitable certificate.',
  },
  'token-busy': {
    vi: 'Thiết bị ký số đang bận với ứng dụng khác hoặc đã mở quá nhiều phiên. Hãy đóng các ứng dụng khác đang dùng thiết bị rồi thử lại.',
    en: 'The token is busy with another application or has too many sessions open. Close other applications that use the token and try again.',
  },
  'token-cancelled': {
    vi: 'Thao tác đã bị huỷ trên thiết bị (ví dụ nhấn Huỷ trên bàn phím của đầu đọc). Hãy thử lại nếu bạn muốn tiếp tục.',
    en: 'The operation was cancelled on the token (for example with Cancel on the reader’s keypad). Try again if you want to continue.',
  },
  'token-write-protected': {
    vi: 'Thiết bị ký số đang được chống ghi nên không thể lưu thay đổi. Hãy tắt chế độ chống ghi hoặc liên hệ quản trị viên.',
    en: 'The token is write-protected, so the change cannot be stored. Turn off write protection or ask your administrator.',
  },
  'token-unrecognized': {
    vi: 'Đầu đọc có thẻ nhưng thư viện PKCS#11 không nhận ra thẻ. Hãy kiểm tra thẻ đã cắm đúng chiều và thư viện của đúng nhà cung cấp đã được cấu hình.',
    en: 'The reader holds a card its PKCS#11 library does not recognise. Check that the card is inserted the right way and that the vendor’s library is configured.',
  },
  'decrypt-failed': {
    vi: 'Thiết bị không giải mã được dữ liệu: dữ liệu không được mã hoá cho chứng thư số này hoặc đã bị hỏng. Hãy đề nghị nơi gửi gửi lại.',
    en: 'The token could not decrypt the data: it was not encrypted for this certificate, or it is damaged. Ask the sender to send it again.',
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
  'token-module-crashed': {
    vi: 'Thư viện của thiết bị ký số bị lỗi và đã được khởi động lại. Dữ liệu không bị mất; hãy đăng nhập lại. Nếu lặp lại, hãy báo quản trị viên.',
    en: 'The token’s library crashed and was restarted. Nothing was lost; sign in again. If it happens again, tell your administrator.',
  },
  tampered: {
    vi: 'Gói tin không vượt qua kiểm tra toàn vẹn: nội dung đã bị thay đổi hoặc hư hỏng trên đường truyền. Không có tệp nào được ghi ra. Hãy đề nghị nơi gửi gửi lại và báo cho người phụ trách bảo mật.',
    en: 'The package failed its integrity check: it was changed or damaged on the way. Nothing was written. Ask the sender to send it again and tell your security officer.',
  },
  'not-a-recipient': {
    vi: 'Gói tin không được gửi cho chứng thư số trên thiết bị đang đăng nhập nên không thể mở. Hãy kiểm tra đã cắm đúng thiết bị; nếu đúng, hãy đề nghị nơi gửi gửi lại cho cơ quan của bạn.',
    en: 'The package is not addressed to the certificate on the signed-in token, so it cannot be opened. Check that you are using the right token; if so, ask the sender to send it to your agency.',
  },
  malformed: {
    vi: 'Gói tin không đúng định dạng hoặc đã bị hỏng nên không thể mở. Không có tệp nào được ghi ra; hãy đề nghị nơi gửi gửi lại.',
    en: 'The package is not in the expected format or is damaged, so it cannot be opened. No file was written; ask the sender to send it again.',
  },
  'untrusted-signer': {
    vi: 'Chữ ký số trên gói tin không được tin cậy: chứng thư số của người ký không do cơ quan chứng thực được tin cậy cấp, đã hết hạn khi ký, hoặc không được phép dùng để ký. Không có tệp nào được giữ lại. Hãy báo cho người phụ trách bảo mật.',
    en: 'The signature on the package is not trusted: the signer’s certificate was not issued by a trusted authority, had expired at signing time, or does not allow signing. No file was kept. Tell your security officer.',
  },
  'unsupported-signature': {
    vi: 'Gói tin được ký theo cách Niêm không chấp nhận (thiếu thuộc tính được ký, nội dung tách rời hoặc thuật toán không được hỗ trợ). Không có tệp nào được giữ lại; hãy đề nghị nơi gửi ký và gửi lại.',
    en: 'The package is signed in a way Niêm does not accept (no signed attributes, detached content or an unsupported algorithm). No file was kept; ask the sender to sign it again and resend it.',
  },
  'unsafe-name': {
    vi: 'Có tệp mang tên không an toàn (có thể bị ghi ra ngoài thư mục đích hoặc không dùng được trên Windows) nên thao tác đã bị từ chối và không có tệp nào được ghi ra. Nếu đang niêm phong, hãy đổi tên tệp rồi thử lại; nếu đang mở gói tin, hãy đề nghị nơi gửi đổi tên tệp và gửi lại.',
    en: 'A file has an unsafe name (it could be written outside the chosen folder or is unusable on Windows), so the operation was refused and no file was written. If you are sealing, rename the file and try again; if you are opening a package, ask the sender to rename the file and send it again.',
  },
  'vault-locked': {
    vi: 'Kho dữ liệu đã được khoá (đã đăng xuất, quá thời gian không dùng hoặc thiết bị đã bị rút ra). Hãy cắm thiết bị và đăng nhập lại.',
    en: 'The vault is locked (you signed out, were idle too long, or the token was removed). Insert the token and sign in again.',
  },
  'vault-key-mismatch': {
    vi: 'Thiết bị (hoặc khoá khôi phục) này không mở được kho dữ liệu của hồ sơ này. Không có gì bị thay đổi. Hãy kiểm tra đã cắm đúng thiết bị; nếu thiết bị đã được thay, hãy nhờ quản trị viên dùng khoá khôi phục để chuyển kho sang thiết bị mới.',
    en: 'This token (or recovery key) cannot open this profile’s vault. Nothing was changed. Check that you are using the right token; if the token was replaced, ask your administrator to move the vault to the new token with the recovery key.',
  },
  'vault-corrupt': {
    vi: 'Dữ liệu của kho (cơ sở dữ liệu hoặc một tệp mã hoá) bị hỏng và không có bản sao lưu tự động còn nguyên vẹn để khôi phục. Tệp bị hỏng được giữ lại, không bị xoá. Hãy báo quản trị viên để khôi phục từ bản sao lưu của cơ quan.',
    en: 'The vault’s data (its database or an encrypted file) is damaged and no intact automatic snapshot could replace it. The damaged file is kept, not deleted. Tell your administrator so it can be restored from the agency’s backup.',
  },
  'vault-in-use': {
    vi: 'Kho dữ liệu của hồ sơ này đang được một cửa sổ hoặc tiến trình Niêm khác mở. Hãy đóng phiên đó rồi thử lại.',
    en: 'This profile’s vault is open in another Niêm window or process. Close it and try again.',
  },
  'vault-too-new': {
    vi: 'Kho dữ liệu được tạo bởi phiên bản Niêm mới hơn phiên bản đang chạy. Không có gì bị thay đổi; hãy cập nhật Niêm rồi mở lại.',
    en: 'The vault was written by a newer version of Niêm than this one. Nothing was changed; update Niêm and open it again.',
  },
  'vault-exists': {
    vi: 'Thư mục hồ sơ đã có kho dữ liệu nên không tạo kho mới đè lên. Hãy mở kho hiện có, hoặc chọn một thư mục hồ sơ khác.',
    en: 'The profile folder already holds a vault, so a new one was not created over it. Open the existing vault, or choose another profile folder.',
  },
  'vault-not-found': {
    vi: 'Thư mục hồ sơ chưa có kho dữ liệu (thiếu tệp khoá hoặc tệp cơ sở dữ liệu). Hãy khởi tạo kho bằng thiết bị ký số, hoặc chọn đúng thư mục hồ sơ.',
    en: 'The profile folder holds no vault (the key file or the database is missing). Set up the vault with your token, or choose the right profile folder.',
  },
  'disk-full': {
    vi: 'Ổ đĩa đã đầy nên không ghi được dữ liệu. Phần đang ghi đã được huỷ, không có gì bị ghi dở. Hãy giải phóng dung lượng ổ đĩa rồi thử lại.',
    en: 'The disk is full, so the data could not be written. What was being written was discarded; nothing is half-written. Free some disk space and try again.',
  },
  'not-found': {
    vi: 'Không tìm thấy mục được yêu cầu (dự thảo, gói tin hoặc tài liệu) trong kho dữ liệu. Hãy làm mới danh sách rồi chọn lại.',
    en: 'The item asked for (draft, package or document) is not in the vault. Refresh the list and choose again.',
  },
  'not-authorised': {
    vi: 'Cơ quan nhận không được phép nhận văn bản ở độ mật này (theo danh bạ cơ quan). Chưa có gì được niêm phong; hãy bỏ cơ quan đó khỏi danh sách nhận hoặc cập nhật danh bạ.',
    en: 'A recipient agency is not cleared to receive documents of this level (per the agency directory). Nothing was sealed; remove that agency from the recipients or update the directory.',
  },
  'recipient-unknown': {
    vi: 'Cơ quan nhận không có trong danh bạ, hoặc danh bạ không có chứng thư số của cơ quan đó. Chưa có gì được niêm phong; hãy nhập danh bạ cập nhật rồi thử lại.',
    en: 'A recipient agency is not in the directory, or the directory holds no certificate for it. Nothing was sealed; import an updated directory and try again.',
  },
  'already-imported': {
    vi: 'Gói tin này đã có trong kho (cùng mã băm SHA-256) nên không nhập lại.',
    en: 'This package is already in the vault (same SHA-256), so it was not imported again.',
  },
  'audit-broken': {
    vi: 'Nhật ký kiểm tra có dấu hiệu bị sửa, chèn hoặc xoá. Hãy báo ngay cho quản trị viên an ninh; không tự sửa kho dữ liệu.',
    en: 'The audit trail shows entries edited, inserted or deleted. Tell your security administrator at once; do not repair the vault yourself.',
  },
  'document-too-large': {
    vi: 'Tệp quá lớn để thêm vào dự thảo (tối đa 8 MiB mỗi tệp). Chưa có gì được thêm; hãy chọn tệp nhỏ hơn hoặc chia nhỏ tài liệu.',
    en: 'The file is too large to add to the draft (at most 8 MiB per file). Nothing was added; choose a smaller file or split the document.',
  },
  'document-exists': {
    vi: 'Dự thảo đã có một tài liệu cùng tên. Chưa có gì được thêm; hãy đổi tên tệp hoặc xoá tài liệu kia trước.',
    en: 'The draft already has a document with this name. Nothing was added; rename the file or remove the other document first.',
  },
  'output-exists': {
    vi: 'Thư mục đã chọn đã có một tệp trùng tên với tệp cần ghi; Niêm không bao giờ ghi đè. Chưa có gì được ghi; hãy chọn thư mục khác hoặc chuyển tệp kia đi.',
    en: 'The chosen folder already holds a file with the name of one to be written; Niêm never overwrites. Nothing was written; choose another folder or move the other file away.',
  },
  'platform-unreachable': {
    vi: 'Không kết nối được trục liên thông. Gói tin vẫn nằm an toàn trong hộp thư đi và sẽ được gửi lại tự động khi kết nối trở lại.',
    en: 'The exchange platform cannot be reached. The package stays safe in the outbox and is sent again automatically when the connection is back.',
  },
  'platform-untrusted': {
    vi: 'Chứng thư của trục liên thông không được tin cậy (không thuộc hạ tầng khoá công khai của cơ quan hoặc sai địa chỉ). Không có gì được gửi; hãy báo quản trị viên.',
    en: "The exchange platform's certificate is not trusted (not from the agency PKI, or for another address). Nothing was sent; tell your administrator.",
  },
  'platform-refused': {
    vi: 'Trục liên thông từ chối yêu cầu. Xem lý do kèm theo; gói tin không bị thay đổi.',
    en: 'The exchange platform refused the request. See the reason given; the package was not changed.',
  },
  'platform-bad-reply': {
    vi: 'Trục liên thông trả lời sai giao thức (dữ liệu hỏng, sai mã băm hoặc biên nhận có chữ ký không hợp lệ). Không có gì được ghi nhận; sẽ thử lại sau. Nếu lặp lại, hãy báo quản trị viên.',
    en: 'The exchange platform sent a reply that breaks the protocol (damaged data, wrong hash or a receipt with an invalid signature). Nothing was recorded; it will be tried again. If it repeats, tell your administrator.',
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
