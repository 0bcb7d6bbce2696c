//! The texts of the field app's screens and commands (`odf-field` now, the phone screen next):
//! labels, table headings, confirmations and summaries, each in Indonesian and English. Part of the
//! one catalogue of [`crate::i18n`], checked by the same test.

use super::Text;

catalogue! {
    FIELD;
    // Read views: households, villages, coverage, status, eligibility, verifications, certificates.
    YES = "ya", "yes";
    NO = "tidak", "no";
    AWAITING_SERVER = "menunggu konfirmasi server", "awaiting the server";
    LABEL_VILLAGE = "Desa:", "Village:";
    LABEL_SBS_CLAIM = "Syarat klaim SBS:", "SBS claim:";
    LABEL_KK_ACCESS_OF_KK = "KK akses / KK:", "KK with access / KK:";
    LABEL_KK_VISITED_OF_KK = "KK dikunjungi / KK:", "KK visited / KK:";
    LABEL_OLDEST_LATEST_VISIT = "Kunjungan terakhir tertua:", "Oldest latest visit:";
    AT_MOST = "paling lama", "at most";
    DAYS = "hari", "days";
    LABEL_CLAIM_ALLOWED = "Klaim dapat diajukan:", "Claim allowed:";
    NEVER = "belum pernah", "never";
    VERIFICATION_WAITING_FOR_SAMPLE = "menunggu sampel (sync)", "waiting for sample (sync)";
    VERIFICATION_OPEN = "berjalan", "open";
    VERIFICATION_DECIDED = "diputuskan", "decided";
    VERIFICATION_REFUSED = "ditolak server", "refused by server";
    SUFFIX_NOT_SENT = " (belum terkirim)", " (not sent yet)";
    NO_VERIFICATIONS_YET = "Belum ada verifikasi di HP ini.", "No verifications on this device yet.";
    COLUMN_VILLAGE = "DESA", "VILLAGE";
    COLUMN_OPENED = "DIBUKA", "OPENED";
    COLUMN_VISITED = "DIKUNJUNGI", "VISITED";
    COLUMN_CRITERIA = "KRITERIA", "CRITERIA";
    COLUMN_DECISION = "KEPUTUSAN", "DECISION";
    RECORDED = "dicatat", "recorded";
    WAITING_FOR_SAMPLE = "menunggu sampel dari server", "waiting for the sample from the server";
    COMMUNITY_NOT_RECORDED = "kriteria masyarakat belum dicatat", "community criteria not recorded yet";
    LABEL_RULES_SUGGEST = "Saran aturan:", "Rules suggest:";
    LABEL_VERIFICATION = "Verifikasi:", "Verification:";
    BY = "oleh", "by";
    LABEL_OPENED = "Dibuka:", "Opened:";
    LABEL_TEAM = "Tim:", "Team:";
    EVERY_HOUSEHOLD = "semua rumah tangga", "every household";
    LABEL_SAMPLE = "Sampel:", "Sample:";
    LABEL_VISITED = "Dikunjungi:", "Visited:";
    NOT_ON_THIS_DEVICE = "(belum ada di HP)", "(not on this device)";
    CHECKLIST_FAILED = "tidak terpenuhi", "failed";
    NOT_VISITED = "belum dikunjungi", "not visited";
    WAITING_FOR_SYNC = "menunggu sync", "waiting for sync";
    LABEL_COMMUNITY_CRITERIA = "Kriteria masyarakat:", "Community criteria:";
    NO_VISIBLE_FAECES = "bebas tinja terlihat", "no visible faeces";
    RULES_OR_SANCTIONS = "aturan/sanksi", "rules or sanctions";
    MONITORING = "pemantauan", "monitoring";
    LABEL_DECISION = "Keputusan:", "Decision:";
    LABEL_CERTIFICATE = "Piagam:", "Certificate:";
    SEE_CERTIFICATES = "lihat `odf-field certificates`", "see `odf-field certificates`";
    LABEL_DEVICE_ACTION = "Tindakan HP ini:", "This device's action:";
    SIGNATURE_VALID = "sah", "valid";
    SIGNATURE_INVALID = "TIDAK SAH", "INVALID";
    SIGNATURE_UNREADABLE = "tidak terbaca", "unreadable";
    NO_CERTIFICATES_YET = "Belum ada piagam di HP ini.", "No certificates on this device yet.";
    COLUMN_NUMBER = "NOMOR", "NUMBER";
    COLUMN_VILLAGE_NAME = "NAMA DESA", "VILLAGE NAME";
    COLUMN_ISSUED = "TANGGAL", "ISSUED";
    COLUMN_ISSUER = "PENERBIT", "ISSUER";
    COLUMN_SIGNATURE = "TANDA TANGAN", "SIGNATURE";
    CERTIFICATE_VALID = "berlaku", "valid";
    CERTIFICATE_REVOKED = "dicabut", "revoked";
    LABEL_REVOKED_BECAUSE = "Alasan pencabutan:", "Revoked because:";
    NO_DATA = "tidak ada data", "no data";
    NEED_NEVER_VISITED = "belum dikunjungi", "never visited";
    NEED_BABS = "BABS: perlu pendampingan", "open defecation: follow up";
    NO_HOUSEHOLDS_YET = "Belum ada rumah tangga di HP ini.", "No households on this device yet.";
    COLUMN_HEAD_OF_FAMILY = "KEPALA KELUARGA", "HEAD OF FAMILY";
    COLUMN_LATEST_VISIT = "KUNJUNGAN TERAKHIR", "LATEST VISIT";
    COLUMN_NEEDS = "PERLU", "NEEDS";
    COLUMN_SYNC = "KIRIM", "SYNC";
    HOUSES = "rumah", "houses";
    NO_VILLAGES_YET = "Belum ada desa. Jalankan `odf-field login` lalu `odf-field pull`.",
        "No villages yet. Run `odf-field login`, then `odf-field pull`.";
    COLUMN_HOUSES = "RUMAH", "HOUSES";
    COLUMN_KK_ACCESS_PERCENT = "% KK AKSES", "% KK ACCESS";
    COLUMN_BOUNDARY = "BATAS", "BOUNDARY";
    COLUMN_ASSIGNED = "TUGAS", "ASSIGNED";
    COLUMN_DEVICE_ACTIONS = "TINDAKAN HP INI", "THIS DEVICE'S ACTIONS";
    WAITING_TO_SYNC = "menunggu sync", "waiting to sync";
    HAS_BOUNDARY = "ada", "yes";
    COVERAGE_TITLE = "% KK akses menurut data di HP ini", "% KK with access, from the data on this device";
    AS_OF = "per", "as of";
    LAST_PULL_FROM_SERVER = "tarikan terakhir dari server:", "last pull from the server:";
    COLUMN_KK_ACCESS_OF_KK = "KK AKSES / KK", "KK ACCESS / KK";
    COLUMN_KK_NOT_VISITED = "KK BLM DIKUNJUNGI", "KK NOT VISITED";
    ALL_VILLAGES = "Semua desa", "All villages";
    NONE_YET = "(belum ada)", "(none)";
    LABEL_USER = "Pengguna:", "User:";
    SESSION_ACTIVE_UNTIL = "aktif, berlaku s.d.", "active, valid until";
    SESSION_ACTIVE = "aktif", "active";
    SESSION_NONE = "tidak ada (jalankan `odf-field login`)", "none (run `odf-field login`)";
    LABEL_SESSION = "Sesi:", "Session:";
    LABEL_DEVICE = "Perangkat:", "Device:";
    OLDEST = "tertua", "oldest";
    LABEL_NOT_CONFIRMED = "Belum dikonfirmasi:", "Not yet confirmed:";
    LABEL_VILLAGE_ACTIONS = "  tindakan desa:", "  village actions:";
    LABEL_REJECTED = "Ditolak server:", "Rejected by server:";
    LABEL_CONFLICTS = "Konflik:", "Conflicts:";
    FIX_THEN_RETRY = "Perbaiki penyebabnya, lalu `odf-field retry ID` untuk mengirim lagi.",
        "Fix the cause, then `odf-field retry ID` to send again.";
    LABEL_LAST_SYNC = "Sinkron terakhir:", "Last sync:";
    LABEL_LAST_PULL = "Tarik terakhir:", "Last pull:";
    LABEL_DEVICE_CLOCK = "Jam HP:", "Device clock:";
    CLOCK_MATCHES = "sesuai server", "matches the server";
    CLOCK_NOT_CHECKED = "belum diperiksa", "not checked yet";
    LABEL_WAITING_TO_BE_SENT = "Belum terkirim:", "Waiting to be sent:";
    RUN_SYNC_WHEN_ONLINE = "Jalankan `odf-field sync` saat ada sinyal.", "Run `odf-field sync` when online.";
    VERIFICATION_OPENED = "Verifikasi dibuka:", "Verification opened:";
    SAMPLE_DRAWN_BY_SERVER = "Sampel diundi server; jalankan `odf-field sync` untuk menerimanya.",
        "The server draws the sample; run `odf-field sync` to receive it.";
    COMMUNITY_SAVED = "Kriteria masyarakat tersimpan untuk verifikasi",
        "Community criteria saved for verification";
    DECISION_SAVED = "Keputusan tersimpan untuk verifikasi", "Decision saved for verification";
    NO_USER_DATA_FOLDER = "folder data pengguna tidak ditemukan; pakai --home FOLDER",
        "no user data folder; use --home DIR";
    NOT_SAVED = "Belum disimpan", "Not saved";
    RUN_AGAIN_WITH_YES = "Jalankan lagi dengan --yes untuk tetap menyimpan.",
        "Run again with --yes to save anyway.";
    WARNING = "Peringatan", "Warning";
    SAVE_ANYWAY_PROMPT = "Tetap simpan? [y/T] ", "Save anyway? [y/N] ";
    NOT_SAVED_SENTENCE = "Tidak disimpan.", "Not saved.";
    HOUSEHOLD_SAVED = "Rumah tangga tersimpan:", "Household saved:";
    WORD_VILLAGE = "desa", "village";
    FULL_ID = "Id lengkap:", "Full id:";
    EDIT_SAVED = "Perubahan tersimpan:", "Edit saved:";
    CANNOT_READ_PHOTO = "foto tidak dapat dibaca:", "cannot read photo:";
    UNKNOWN_CHECK_VALUE = "isian --check tidak dikenal:", "unknown --check value:";
    VISIT_SAVED = "Kunjungan tersimpan:", "Visit saved:";
    HAS_ACCESS = "akses", "has access";
    OPEN_DEFECATION = "BABS", "open defecation";
    INVALID_RECORD_ID = "id catatan tidak sah:", "invalid record id:";
    RETRY_QUEUED = "Catatan akan dikirim lagi pada `sync` berikutnya.",
        "The record will be sent again at the next `sync`.";
    PASSWORD_PROMPT = "Kata sandi: ", "Password: ";
    NO_TERMINAL_FOR_PASSWORD = "tidak ada terminal untuk meminta kata sandi; pakai --password-stdin",
        "no terminal to ask for the password; use --password-stdin";
    EMPTY_PASSWORD = "kata sandi kosong", "empty password";
    LOGGED_IN = "Login berhasil:", "Logged in:";
    AREA = "Wilayah:", "Area:";
    ASSIGNED_VILLAGES = "Desa tugas:", "Assigned villages:";
    RUN_PULL_AFTER_LOGIN = "Jalankan `odf-field pull` untuk mengambil data desa.",
        "Run `odf-field pull` to fetch your villages.";
    DATA_FOLDER_READY = "Folder data siap untuk", "Data folder set up for";
    RECORD_NOW_LOGIN_LATER = "Catatan bisa dibuat sekarang; jalankan `odf-field login` saat ada sinyal untuk mengirimnya.",
        "You can record now; run `odf-field login` when online to send the records.";
    LOGOUT_SERVER_UNREACHED = "Server tidak dapat dihubungi; sesi di server berakhir sendiri pada masa berlakunya.",
        "The server could not be reached; its session ends by itself when it expires.";
    LOGOUT_DONE = "Sesi dihapus dari HP ini. Catatan tetap tersimpan.",
        "Session removed from this device. Records are kept.";
    SENDING_RECORDS = "Mengirim catatan", "Sending records";
    FETCHING_CHANGES = "Mengambil perubahan", "Fetching changes";
    SOME_REFUSED_SEE_STATUS = "Ada catatan ditolak atau konflik: lihat `odf-field status`.",
        "Some records were rejected or conflict: see `odf-field status`.";
    INVALID_VILLAGE_CODE = "kode desa tidak sah", "invalid village code";
    ERROR = "Galat", "Error";
    GPS_OUTSIDE_VILLAGE = "titik GPS di luar batas desa", "GPS point outside the village boundary";
    GPS_FAR_FROM_HOUSEHOLD = "titik GPS lebih dari 200 m dari titik rumah yang terdaftar",
        "GPS point more than 200 m from the household's registered point";
    // Clock, eligibility and the sanitation ladder (in English: the JMP names).
    CLOCK_AHEAD = "PERINGATAN: jam HP {minutes} menit lebih cepat dari server. Betulkan jam HP: waktu kunjungan dipakai saat verifikasi.",
        "WARNING: the device clock is {minutes} minutes ahead of the server. Fix the clock: visit times are used at verification.";
    CLOCK_BEHIND = "PERINGATAN: jam HP {minutes} menit lebih lambat dari server. Betulkan jam HP: waktu kunjungan dipakai saat verifikasi.",
        "WARNING: the device clock is {minutes} minutes behind the server. Fix the clock: visit times are used at verification.";
    ELIGIBILITY_AS_OF = "Menurut data di HP ini per {as_of}; tarikan terakhir dari server: {pulled}.",
        "From the data on this device as of {as_of}; last pull: {pulled}.";
    ELIGIBLE = "Desa memenuhi syarat klaim SBS", "The village may claim SBS";
    NOT_ELIGIBLE_NO_HOUSEHOLDS = "Belum ada rumah tangga terdaftar", "No households registered";
    NOT_ELIGIBLE_NOT_ALL_VISITED = "{count} KK belum pernah dikunjungi", "{count} KK never visited";
    NOT_ELIGIBLE_NOT_ALL_ACCESS = "{count} KK belum memiliki akses jamban",
        "{count} KK without access to a toilet";
    NOT_ELIGIBLE_STALE_VISITS = "Ada rumah tangga yang kunjungan terakhirnya lebih dari {days} hari lalu",
        "Some households' latest visits are more than {days} days old";
    CATEGORY_AMAN = "Akses Aman", "Safely managed";
    CATEGORY_LAYAK_SENDIRI = "Akses Layak Sendiri", "Basic, own toilet";
    CATEGORY_LAYAK_BERSAMA = "Akses Layak Bersama", "Limited, shared toilet";
    CATEGORY_BELUM_LAYAK = "Akses Belum Layak", "Unimproved";
    CATEGORY_BABS_TERTUTUP = "BABS Tertutup", "Open defecation, enclosed";
    CATEGORY_BABS_TERBUKA = "BABS Terbuka", "Open defecation, in the open";
    // Commands: saved records, login, sync summaries and progress.
    SAVED_TRIGGER = "Pemicuan tersimpan", "Triggering saved";
    SAVED_CLAIM = "Klaim SBS tersimpan", "SBS claim saved";
    VERIFICATION_NOT_FOUND = "verifikasi {id} tidak ada di HP ini; lihat `odf-field verification list`",
        "no verification {id} on this device; see `odf-field verification list`";
    VERIFICATION_AMBIGUOUS = "id {id} cocok dengan {count} verifikasi; tulis lebih lengkap",
        "id {id} matches {count} verifications; type more of it";
    SERVER_REQUIRED = "--server wajib diisi pada login pertama", "--server is required at the first login";
    USERNAME_REQUIRED = "--username wajib diisi pada login pertama",
        "--username is required at the first login";
    SYNC_SENT_SUMMARY = "Terkirim: {stored} catatan tersimpan di server, {rejected} ditolak, {conflicts} konflik.",
        "Sent: {stored} records stored on the server, {rejected} rejected, {conflicts} conflicts.";
    SYNC_RECEIVED_SUMMARY = "Diterima: {changes} perubahan dalam {pages} halaman.",
        "Received: {changes} changes in {pages} pages.";
    SYNC_SKIPPED_CHANGES = "{count} perubahan tidak dapat dibaca versi ini dan dilewati.",
        "{count} changes could not be read by this version and were skipped.";
    PROGRESS_RETRYING = "Sinyal putus, coba lagi ({attempt}) dalam {seconds} dtk",
        "Connection lost, retry {attempt} in {seconds} s";
    PROGRESS_PULLING_PAGE = "Mengambil perubahan, halaman {page}", "Fetching changes, page {page}";
    CANNOT_READ_INPUT = "masukan tidak dapat dibaca", "the input could not be read";
    JSON_FAILED = "keluaran JSON tidak dapat dibuat", "the JSON output could not be made";
    INVALID_GPS = "titik GPS tidak sah", "invalid GPS point";
    // Values on the command line that do not read.
    INVALID_DATE = "tanggal {value} tidak sah; tulis TTTT-BB-HH, mis. 2026-03-02",
        "invalid date {value}; write YYYY-MM-DD, e.g. 2026-03-02";
    NOT_YES_OR_NO = "{value} bukan ya atau tidak", "{value} is neither yes nor no";
    INVALID_PLAN = "rencana {value} tidak sah; tulis all, atau dusun:N, rw:N, rt:N (mis. rt:3)",
        "invalid plan {value}; write all, or dusun:N, rw:N, rt:N (e.g. rt:3)";
    // The kinds of records a phone sends (`RecordKindDto`).
    KIND_HOUSEHOLD = "Rumah tangga", "Household";
    KIND_VISIT = "Kunjungan", "Visit";
    KIND_HOUSEHOLD_EDIT = "Perubahan rumah tangga", "Household edit";
    KIND_VILLAGE_ACTION = "Tindakan desa", "Village action";
    // Why the rules suggest Gagal (`ReasonDto::code`); `{households}` are short household ids.
    REASON_NOT_VISITED = "{count} rumah tangga sampel belum dikunjungi", "{count} sampled households not visited";
    REASON_OPEN_DEFECATION = "BABS ditemukan di rumah tangga {households}",
        "open defecation found in household {households}";
    REASON_CHECKLIST_FAILED = "daftar periksa tidak terpenuhi di rumah tangga {households}",
        "checklist failed in household {households}";
    REASON_VISIBLE_FAECES = "masih ada tinja terlihat", "visible faeces remain";
    REASON_NO_RULES = "belum ada aturan atau sanksi masyarakat", "no community rules or sanctions";
    REASON_NO_MONITORING = "belum ada mekanisme pemantauan", "no monitoring mechanism";
    // `odf-field ui`.
    UI_OPEN_ADDRESS = "Buka alamat ini di peramban HP (berlaku sampai program berhenti): {url}",
        "Open this address in the phone's browser (valid until the program stops): {url}";
    UI_CANNOT_LISTEN = "tampilan HP tidak dapat dijalankan di 127.0.0.1", "the phone screen cannot run on 127.0.0.1";
    UI_STOP_HINT = "Tekan Ctrl+C untuk berhenti.", "Press Ctrl+C to stop.";
}
