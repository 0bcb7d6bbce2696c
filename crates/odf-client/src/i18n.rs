//! The message catalogue of the client core and `odf-field`: every sentence a person reads, in
//! Indonesian and in English, under one name. A message is said wholly in the chosen language; a
//! technical cause (a library's error text, in English) goes on a separate detail line, never
//! inside the sentence. `{name}` marks a value filled in by [`Text::fill`].
//!
//! The test at the bottom fails when an entry lacks one language, when the two carry different
//! placeholders, or when one language's text holds the other's words.

use std::fmt::Display;

use odf_domain::{Category, Eligibility};
use odf_mobile_api::RecordKindDto;

/// The language of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// One message in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub key: &'static str,
    pub id: &'static str,
    pub en: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }

    /// The message with its `{name}` placeholders replaced by `values`.
    pub fn fill(&self, lang: Lang, values: &[(&str, &dyn Display)]) -> String {
        let mut text = self.get(lang).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }
}

/// Declares entries as `NAME = "Indonesian", "English";` and the list of them under `$list`.
macro_rules! catalogue {
    ($list:ident; $($name:ident = $id:literal, $en:literal;)*) => {
        $(pub const $name: Text = Text { key: stringify!($name), id: $id, en: $en };)*
        /// The entries of this part of the catalogue (see [`crate::i18n::all`]).
        pub const $list: &[Text] = &[$($name),*];
    };
}

mod field;
mod photos;
pub use field::*;
pub use photos::*;

/// Every entry of the catalogue, for the completeness test and for apps that ship their own
/// translations.
pub fn all() -> impl Iterator<Item = &'static Text> {
    CORE.iter().chain(FIELD).chain(PHOTOS)
}

catalogue! {
    CORE;
    // Errors of the client core (`ClientError`).
    LOCAL_STORAGE = "penyimpanan lokal HP bermasalah", "the phone's local storage failed";
    DATA_FOLDER = "folder data {path} tidak dapat dipakai", "the data folder {path} cannot be used";
    UNKNOWN_HOUSEHOLD = "rumah tangga {id} tidak ada di HP ini", "no household {id} on this phone";
    AMBIGUOUS_HOUSEHOLD = "id {id} cocok dengan {count} rumah tangga; tulis lebih lengkap",
        "id {id} matches {count} households; type more of it";
    OUT_OF_SCOPE = "desa {village} di luar wilayah tugas Anda", "village {village} is outside your assignment";
    NO_USER = "belum ada pengguna di folder data ini; login dulu", "no user set up in this data folder; log in first";
    OTHER_USER = "folder data ini milik {existing}, bukan {requested}; pakai folder data lain",
        "this data folder belongs to {existing}, not {requested}; use another data folder";
    NOT_LOGGED_IN = "belum login; login dulu (catatan tetap tersimpan di HP)",
        "not logged in; log in first (records stay on this phone)";
    SESSION_EXPIRED = "sesi berakhir atau dicabut; login lagi (catatan tetap tersimpan di HP)",
        "session expired or revoked; log in again (records stay on this phone)";
    SERVER_REFUSED = "server menolak permintaan ({status} {code})", "the server refused the request ({status} {code})";
    SYNC_UNREACHABLE = "server tidak dapat dihubungi setelah {attempts} percobaan; catatan tetap tersimpan, sync lagi saat ada sinyal",
        "server unreachable after {attempts} attempts; records are kept, sync again when online";
    SYNC_UNCONFIRMED = "{count} catatan sudah dikirim tetapi jawaban server belum diterima; sync berikutnya akan mengonfirmasinya",
        "{count} records were sent but the server's answer did not arrive; the next sync confirms them";
    LOGIN_UNREACHABLE = "server tidak dapat dihubungi, login belum terkirim; coba login lagi saat ada sinyal",
        "server unreachable, the login was not sent; try to log in again when online";
    LOGIN_UNCONFIRMED = "jawaban login terputus: server mungkin sudah menerima login, tetapi HP ini tidak menerima sesinya; login lagi untuk melanjutkan sesi yang sama",
        "the login's answer was cut off: the server may have accepted the login, but this phone did not receive the session; log in again to resume the same session";
    BAD_RESPONSE = "jawaban server tidak dapat dibaca; coba lagi nanti", "the server's answer could not be read; try again later";
    BAD_SERVER_URL = "alamat server {url} tidak sah; contoh: https://odf.dinkes.example",
        "invalid server address {url}; e.g. https://odf.dinkes.example";
    CORRUPT = "data lokal rusak", "corrupt local data";
    NOT_IN_OUTBOX = "catatan {id} tidak ada di kotak keluar", "record {id} is not in the outbox";
    UNKNOWN_VERIFICATION = "verifikasi {id} tidak ada di HP ini; jalankan sync", "no verification {id} on this phone; run a sync";
    SYNC_RUNNING = "sync lain sedang berjalan di folder data ini; tunggu sampai selesai",
        "another sync of this data folder is running; wait until it ends";
    WRONG_CREDENTIALS = "nama pengguna atau kata sandi salah; periksa lalu coba login lagi",
        "wrong username or password; check them and log in again";
    DETAIL = "rincian", "detail";
    // The states of a record between the phone and the server (`SyncState`).
    STATE_NOT_SENT = "belum terkirim", "not sent";
    STATE_SENT_NOT_CONFIRMED = "terkirim, belum dikonfirmasi", "sent, not confirmed";
    STATE_STORED = "tersimpan di server", "stored on the server";
    STATE_REFUSED = "ditolak: {reason}", "refused: {reason}";
    STATE_CONFLICT = "konflik: {reason}", "conflict: {reason}";
    // Sync progress.
    WAITING_FOR_OTHER_SYNC = "menunggu sync lain selesai", "waiting for another sync to end";
    // A record or an action the rules refuse on this phone (`ClientError::Invalid`, `Refused`), by
    // code (shown after the text, `[code]`); the rule's own text goes on the detail line.
    INVALID_FIELD = "isian `{field}` tidak sah [{code}]", "invalid `{field}` [{code}]";
    INVALID_NO_CHANGES = "tidak ada perubahan; sebutkan isian yang diubah", "no changes; name a field to change";
    REFUSED = "aturan tidak mengizinkan langkah ini", "the rules do not allow this step";
    REFUSED_FORBIDDEN = "peran Anda tidak boleh melakukan langkah ini", "your role may not take this step";
    REFUSED_TRANSITION = "status desa saat ini tidak mengizinkan langkah ini",
        "the village's current status does not allow this step";
    REFUSED_NOT_ELIGIBLE = "desa belum memenuhi syarat klaim SBS; periksa kelayakannya",
        "the village may not claim SBS yet; check its eligibility";
    REFUSED_DECISION_PENDING = "keputusan verifikasi ini sudah dicatat dan menunggu sync",
        "a decision on this verification is already waiting to sync";
    REFUSED_DECIDED = "verifikasi ini sudah diputuskan", "this verification is already decided";
    REFUSED_VERIFICATION_REFUSED = "server menolak pembukaan verifikasi ini; lihat status",
        "the server refused to open this verification; see the status";
    REFUSED_SAMPLE_NOT_PULLED = "sampel verifikasi belum sampai di HP ini; jalankan sync dulu",
        "the verification's sample has not reached this phone; sync first";
    REFUSED_COMMUNITY_NOT_RECORDED = "kriteria masyarakat harus dicatat sebelum keputusan",
        "record the community criteria before deciding";
    REFUSED_REASON_REQUIRED = "keputusan ini wajib disertai alasan", "this decision needs a reason";
}

/// The text of a refusal of the rules with this code, when it has its own ([`REFUSED`] otherwise).
pub fn refusal(code: &str) -> Option<Text> {
    Some(match code {
        "forbidden" => REFUSED_FORBIDDEN,
        "transition_not_allowed" => REFUSED_TRANSITION,
        "not_eligible" => REFUSED_NOT_ELIGIBLE,
        "decision_pending" => REFUSED_DECISION_PENDING,
        "verification_decided" => REFUSED_DECIDED,
        "verification_refused" => REFUSED_VERIFICATION_REFUSED,
        "sample_not_pulled" => REFUSED_SAMPLE_NOT_PULLED,
        "community_not_recorded" => REFUSED_COMMUNITY_NOT_RECORDED,
        "decision_reason_required" | "decision_override_reason_required" => REFUSED_REASON_REQUIRED,
        _ => return None,
    })
}

/// Why a village may or may not claim SBS, in `lang` (the domain's [`Eligibility`]).
pub fn eligibility(eligibility: &Eligibility, window_days: i64, lang: Lang) -> String {
    match eligibility {
        Eligibility::Eligible => ELIGIBLE.get(lang).to_owned(),
        Eligibility::NoHouseholds => NOT_ELIGIBLE_NO_HOUSEHOLDS.get(lang).to_owned(),
        Eligibility::NotAllVisited { kk_never_visited } => {
            NOT_ELIGIBLE_NOT_ALL_VISITED.fill(lang, &[("count", kk_never_visited)])
        }
        Eligibility::NotAllAccess { kk_without_access } => {
            NOT_ELIGIBLE_NOT_ALL_ACCESS.fill(lang, &[("count", kk_without_access)])
        }
        Eligibility::StaleVisits => NOT_ELIGIBLE_STALE_VISITS.fill(lang, &[("days", &window_days)]),
    }
}

/// Why the rules suggest Gagal, by the reason's code (`ReasonDto::code`) and the households it
/// names (short ids); `None` for a code this version does not know (show the reason's own text).
pub fn fail_reason(code: &str, households: &[String], lang: Lang) -> Option<String> {
    let count = households.len();
    let households = households.join(", ");
    let text = match code {
        "not_visited" => return Some(REASON_NOT_VISITED.fill(lang, &[("count", &count)])),
        "open_defecation" => REASON_OPEN_DEFECATION,
        "checklist_failed" => REASON_CHECKLIST_FAILED,
        "visible_faeces" => REASON_VISIBLE_FAECES,
        "no_rules_or_sanctions" => REASON_NO_RULES,
        "no_monitoring" => REASON_NO_MONITORING,
        _ => return None,
    };
    Some(text.fill(lang, &[("households", &households)]))
}

/// The kind of a record a phone sends.
pub fn record_kind(kind: RecordKindDto, lang: Lang) -> &'static str {
    match kind {
        RecordKindDto::Household => KIND_HOUSEHOLD,
        RecordKindDto::Visit => KIND_VISIT,
        RecordKindDto::HouseholdEdit => KIND_HOUSEHOLD_EDIT,
        RecordKindDto::VillageAction => KIND_VILLAGE_ACTION,
    }
    .get(lang)
}

/// A rung of the sanitation ladder: the national (Indonesian) name, or the JMP name in English.
pub fn category(category: Category, lang: Lang) -> &'static str {
    match category {
        Category::Aman => CATEGORY_AMAN,
        Category::LayakSendiri => CATEGORY_LAYAK_SENDIRI,
        Category::LayakBersama => CATEGORY_LAYAK_BERSAMA,
        Category::BelumLayak => CATEGORY_BELUM_LAYAK,
        Category::BabsTertutup => CATEGORY_BABS_TERTUTUP,
        Category::BabsTerbuka => CATEGORY_BABS_TERBUKA,
    }
    .get(lang)
}

/// Words that mark a text as English or as Indonesian, for the mixing test (and for an app's own
/// translations). Chosen among words that are never the same in both languages.
pub const ENGLISH_WORDS: &[&str] = &[
    "the",
    "and",
    "not",
    "error",
    "request",
    "network",
    "sending",
    "unreachable",
    "response",
    "records",
    "record",
    "again",
    "sent",
    "send",
    "run",
    "log",
    "is",
    "was",
    "of",
    "to",
    "on",
    "this",
    "phone",
    "answer",
    "server's",
    "when",
    "online",
    "failed",
    "invalid",
    "unreadable",
    "first",
    "stored",
];
pub const INDONESIAN_WORDS: &[&str] = &[
    "tidak",
    "dan",
    "belum",
    "sudah",
    "jawaban",
    "catatan",
    "lagi",
    "dapat",
    "dihubungi",
    "terkirim",
    "tersimpan",
    "ditolak",
    "yang",
    "ini",
    "di",
    "ke",
    "dari",
    "untuk",
    "dengan",
    "saat",
    "ada",
    "sinyal",
    "percobaan",
    "rusak",
    "desa",
    "rumah",
    "tangga",
    "berakhir",
    "kirim",
    "galat",
    "menolak",
];

fn words(text: &str) -> Vec<String> {
    // Placeholders, commands in backquotes and addresses are not words of either language.
    let mut depth = 0_i32;
    let cleaned: String = text
        .chars()
        .map(|c| {
            match c {
                '{' | '`' if depth == 0 => depth = 1,
                '}' | '`' if depth == 1 => {
                    depth = 0;
                    return ' ';
                }
                _ => {}
            }
            if depth > 0 { ' ' } else { c }
        })
        .collect();
    cleaned
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> =
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
    names.sort_unstable();
    names
}

/// Why a pair of texts is not one message in two languages, if it is not.
pub fn check_pair(id: &str, en: &str) -> Result<(), String> {
    if id.trim().is_empty() || en.trim().is_empty() {
        return Err(format!("one language is missing: id {id:?}, en {en:?}"));
    }
    if placeholders(id) != placeholders(en) {
        return Err(format!("different placeholders: id {id:?}, en {en:?}"));
    }
    if let Some(word) = words(id).into_iter().find(|w| ENGLISH_WORDS.contains(&w.as_str())) {
        return Err(format!("English word {word:?} in the Indonesian text {id:?}"));
    }
    if let Some(word) = words(en).into_iter().find(|w| INDONESIAN_WORDS.contains(&w.as_str())) {
        return Err(format!("Indonesian word {word:?} in the English text {en:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages_without_mixing_them() {
        let mut problems = Vec::new();
        for text in all() {
            if let Err(problem) = check_pair(text.id, text.en) {
                problems.push(format!("{}: {problem}", text.key));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        let mut keys: Vec<_> = all().map(|t| t.key).collect();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "a key used twice");
    }

    #[test]
    fn the_check_catches_a_missing_language_and_mixed_texts() {
        assert!(check_pair("", "not sent").is_err());
        assert!(check_pair("belum terkirim", " ").is_err());
        assert!(check_pair("jaringan: error sending request", "network: error sending request").is_err());
        assert!(
            check_pair("server answered none", "jawaban server tidak dapat dibaca (unreadable)").is_err()
        );
        assert!(check_pair("desa {village}", "village {code}").is_err(), "placeholders differ");
        assert!(check_pair("jalankan `odf-field sync`", "run `odf-field sync`").is_ok());
    }

    #[test]
    fn reasons_and_eligibility_are_said_in_the_chosen_language() {
        let two = ["1a2b3c4d".to_owned(), "5e6f7a8b".to_owned()];
        assert_eq!(fail_reason("not_visited", &two, Lang::En).unwrap(), "2 sampled households not visited");
        assert_eq!(
            fail_reason("open_defecation", &two[..1], Lang::Id).unwrap(),
            "BABS ditemukan di rumah tangga 1a2b3c4d"
        );
        assert!(fail_reason("a_future_code", &two, Lang::En).is_none());
        let stale = eligibility(&Eligibility::StaleVisits, 183, Lang::En);
        assert_eq!(stale, "Some households' latest visits are more than 183 days old");
        assert_eq!(category(Category::BelumLayak, Lang::Id), "Akses Belum Layak");
        assert_eq!(record_kind(RecordKindDto::Visit, Lang::Id), "Kunjungan");
    }

    #[test]
    fn placeholders_are_filled_in_the_chosen_language() {
        let text = OUT_OF_SCOPE.fill(Lang::En, &[("village", &"3201010001")]);
        assert_eq!(text, "village 3201010001 is outside your assignment");
        let text = OUT_OF_SCOPE.fill(Lang::Id, &[("village", &"3201010001")]);
        assert_eq!(text, "desa 3201010001 di luar wilayah tugas Anda");
    }
}
