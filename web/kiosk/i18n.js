// The kiosk's texts, Vietnamese first. Face labels come from the server's config.

const TEXT = {
  vi: {
    loading: "Đang khởi động…",
    "pair.title": "Ghép nối máy đánh giá",
    "pair.help":
      "Mở đường dẫn ghép nối (hoặc quét mã QR) mà cán bộ quản lý nhận được khi đăng ký máy, hoặc nhập mã ghép nối dưới đây.",
    "pair.token": "Mã ghép nối",
    "pair.submit": "Ghép nối",
    "pair.empty": "Nhập mã ghép nối (bắt đầu bằng mck_).",
    "pair.refused": "Mã này không hợp lệ hoặc máy đã bị thu hồi. Hãy xin cán bộ quản lý một mã mới.",
    "pair.offline": "Chưa kết nối được máy chủ; đang thử lại…",
    "pair.queue": "{n} phiếu đánh giá đang chờ gửi; chúng sẽ được gửi sau khi ghép nối.",
    "vote.question": "Ông/Bà có hài lòng với sự phục vụ của chúng tôi?",
    "vote.failed": "Chưa lưu được phiếu. Xin vui lòng chạm lại.",
    "code.open": "Đánh giá cho hồ sơ của tôi (nhập mã trên giấy hẹn)",
    "code.title": "Mã hồ sơ trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "code.label": "Mã hồ sơ",
    "code.submit": "Tiếp tục",
    "code.cancel": "Quay lại",
    "code.invalid": "Mã hồ sơ có dạng H56.01-261124-0001. Xin kiểm tra lại.",
    "code.banner": "Đánh giá cho hồ sơ {code}",
    "reason.question": "Điều gì làm Ông/Bà chưa hài lòng?",
    "reason.skip": "Bỏ qua",
    "reason.wait": "Thời gian chờ đợi lâu",
    "reason.attitude": "Thái độ phục vụ",
    "reason.guidance": "Hướng dẫn chưa rõ ràng",
    "reason.paperwork": "Yêu cầu giấy tờ chưa hợp lý",
    "thanks.title": "Xin cảm ơn Ông/Bà!",
    "thanks.body": "Ý kiến của Ông/Bà đã được ghi nhận.",
    "status.title": "Tình trạng máy đánh giá",
    "status.office": "Cơ quan",
    "status.pending": "Phiếu đang chờ gửi",
    "status.oldest": "Phiếu chờ lâu nhất",
    "status.last_sync": "Lần gửi thành công gần nhất",
    "status.next": "Lần gửi tiếp theo",
    "status.rejected": "Phiếu bị máy chủ từ chối",
    "status.storage": "Lưu trữ lâu dài",
    "status.version": "Phiên bản",
    "status.send": "Gửi ngay",
    "status.back": "Quay lại",
    "status.never": "chưa có",
    "status.none": "không có",
    "status.sending": "đang gửi",
    "status.in": "sau {s} giây",
    "status.unpaired": "chưa ghép nối",
    "status.persisted": "có",
    "status.not_persisted": "không (trình duyệt có thể xoá dữ liệu khi thiếu chỗ)",
    "status.insecure": "không: trang không chạy qua HTTPS, không mở được khi mất mạng",
    switch: "English",
  },
  en: {
    loading: "Starting…",
    "pair.title": "Pair this kiosk",
    "pair.help":
      "Open the pairing link (or scan its QR code) the manager received when registering this kiosk, or type the pairing token below.",
    "pair.token": "Pairing token",
    "pair.submit": "Pair",
    "pair.empty": "Type the pairing token (it starts with mck_).",
    "pair.refused": "This token is not valid or the kiosk was revoked. Ask the manager for a new one.",
    "pair.offline": "Cannot reach the server yet; retrying…",
    "pair.queue": "{n} votes are waiting; they will be sent once the kiosk is paired.",
    "vote.question": "How satisfied are you with our service?",
    "vote.failed": "The vote could not be saved. Please tap again.",
    "code.open": "Rate my own dossier (type the code on the receipt)",
    "code.title": "The dossier code on your receipt",
    "code.label": "Dossier code",
    "code.submit": "Continue",
    "code.cancel": "Back",
    "code.invalid": "A dossier code looks like H56.01-261124-0001. Please check it.",
    "code.banner": "Rating dossier {code}",
    "reason.question": "What was not satisfactory?",
    "reason.skip": "Skip",
    "reason.wait": "Long waiting time",
    "reason.attitude": "Staff attitude",
    "reason.guidance": "Unclear guidance",
    "reason.paperwork": "Unreasonable paperwork",
    "thanks.title": "Thank you!",
    "thanks.body": "Your opinion has been recorded.",
    "status.title": "Kiosk status",
    "status.office": "Office",
    "status.pending": "Votes waiting to be sent",
    "status.oldest": "Oldest waiting vote",
    "status.last_sync": "Last successful sync",
    "status.next": "Next attempt",
    "status.rejected": "Votes refused by the server",
    "status.storage": "Persistent storage",
    "status.version": "Version",
    "status.send": "Send now",
    "status.back": "Back",
    "status.never": "never",
    "status.none": "none",
    "status.sending": "sending",
    "status.in": "in {s} s",
    "status.unpaired": "not paired",
    "status.persisted": "yes",
    "status.not_persisted": "no (the browser may clear data when short of space)",
    "status.insecure": "no: the page is not served over HTTPS, it cannot open offline",
    switch: "Tiếng Việt",
  },
};

/** The fixed reasons offered after "unsatisfied", sent as their Vietnamese text. */
export const REASONS = ["reason.wait", "reason.attitude", "reason.guidance", "reason.paperwork"];

export function t(lang, key, vars = {}) {
  const text = TEXT[lang]?.[key] ?? TEXT.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Fills every `data-i18n` element of the page and sets the page's language. */
export function translate(lang) {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(lang, el.dataset.i18n);
  }
}
