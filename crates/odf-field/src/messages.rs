//! Runtime text in the user's language, and the command's error type. The client core's messages
//! are bilingual ("Indonesian (English)"); here the common ones are said in one language.

use odf_client::ClientError;
use odf_domain::GpsFlag;

use crate::cli::Lang;

/// Picks the text for `lang`.
pub fn t<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    Client(ClientError),
    /// Already in the user's language.
    Message(String),
    /// Not saved: a warning the user has not confirmed (exit code 3).
    Unconfirmed(String),
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        Failure::Client(err)
    }
}

impl Failure {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Failure::Client(err) => client_error(err, lang),
            Failure::Message(text) | Failure::Unconfirmed(text) => text.clone(),
        }
    }
}

fn client_error(err: &ClientError, lang: Lang) -> String {
    use ClientError as E;
    match (err, lang) {
        (E::Invalid { problem }, _) => format!("{} ({}): {}", problem.field, problem.code, problem.message),
        (E::UnknownHousehold(id), Lang::Id) => {
            format!("rumah tangga {id:?} tidak ada di HP ini; lihat `odf-field households`")
        }
        (E::UnknownHousehold(id), Lang::En) => {
            format!("no household {id:?} on this device; see `odf-field households`")
        }
        (E::AmbiguousHousehold { fragment, count }, Lang::Id) => {
            format!("id {fragment:?} cocok dengan {count} rumah tangga; tulis lebih lengkap")
        }
        (E::AmbiguousHousehold { fragment, count }, Lang::En) => {
            format!("id {fragment:?} matches {count} households; type more of it")
        }
        (E::OutOfScope(village), Lang::Id) => format!("desa {village} di luar wilayah tugas Anda"),
        (E::OutOfScope(village), Lang::En) => format!("village {village} is outside your assignment"),
        (E::NoUser, Lang::Id) => {
            "belum ada pengguna di folder data ini; jalankan `odf-field login` dulu".to_owned()
        }
        (E::NoUser, Lang::En) => "no user set up in this data folder; run `odf-field login` first".to_owned(),
        (E::OtherUser { existing, requested }, Lang::Id) => {
            format!("folder data ini milik {existing}, bukan {requested}; pakai folder lain dengan --home")
        }
        (E::OtherUser { existing, requested }, Lang::En) => {
            format!("this data folder belongs to {existing}, not {requested}; use another one with --home")
        }
        (E::NotLoggedIn, Lang::Id) => {
            "belum login; jalankan `odf-field login` (catatan tetap tersimpan di HP)".to_owned()
        }
        (E::NotLoggedIn, Lang::En) => {
            "not logged in; run `odf-field login` (records stay on this device)".to_owned()
        }
        (E::SessionExpired, Lang::Id) => {
            "sesi berakhir; jalankan `odf-field login` lagi (catatan tetap tersimpan di HP)".to_owned()
        }
        (E::SessionExpired, Lang::En) => {
            "session expired; run `odf-field login` again (records stay on this device)".to_owned()
        }
        (E::Server { status, code, message }, Lang::Id) => {
            format!("server menolak ({status} {code}): {message}")
        }
        (E::Server { status, code, message }, Lang::En) => {
            format!("server refused ({status} {code}): {message}")
        }
        (E::Unreachable { attempts, last }, Lang::Id) => format!(
            "server tidak dapat dihubungi setelah {attempts} percobaan ({last}); catatan tetap tersimpan, coba `sync` lagi saat ada sinyal"
        ),
        (E::Unreachable { attempts, last }, Lang::En) => format!(
            "server unreachable after {attempts} attempts ({last}); records are kept, run `sync` again when online"
        ),
        (E::BadServerUrl(url), Lang::Id) => {
            format!("alamat server {url:?} tidak sah; contoh: https://odf.dinkes.example")
        }
        (E::BadServerUrl(url), Lang::En) => {
            format!("invalid server URL {url:?}; e.g. https://odf.dinkes.example")
        }
        (E::UnknownVerification(id), Lang::Id) => {
            format!(
                "verifikasi {id} tidak ada di HP ini; jalankan `odf-field sync` atau lihat `odf-field verification list`"
            )
        }
        (E::UnknownVerification(id), Lang::En) => {
            format!(
                "no verification {id} on this device; run `odf-field sync` or see `odf-field verification list`"
            )
        }
        (E::Refused { code, message }, _) => format!("{message} [{code}]"),
        (other, _) => other.to_string(),
    }
}

pub fn gps_flag(flag: GpsFlag, lang: Lang) -> &'static str {
    match flag {
        GpsFlag::OutsideVillage => {
            t(lang, "titik GPS di luar batas desa", "GPS point outside the village boundary")
        }
        GpsFlag::FarFromHousehold => t(
            lang,
            "titik GPS lebih dari 200 m dari titik rumah yang terdaftar",
            "GPS point more than 200 m from the household's registered point",
        ),
    }
}
