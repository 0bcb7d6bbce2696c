//! Runtime text in the user's language, and the command's error type. Errors and sync states are
//! said by the client core's catalogue ([`odf_client::i18n`]), so a phone app and this command
//! tell the same thing; the command's own short texts are `t(lang, id, en)` pairs, checked against
//! the same rules by the test below.

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
    /// The message, in `lang` only.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Failure::Client(err) => err.message(lang.into()),
            Failure::Message(text) | Failure::Unconfirmed(text) => text.clone(),
        }
    }

    /// The technical cause, for a line of its own.
    pub fn detail(&self) -> Option<String> {
        match self {
            Failure::Client(err) => err.detail(),
            Failure::Message(_) | Failure::Unconfirmed(_) => None,
        }
    }

    /// A stable machine code, for `--json`: the client core's code, or one of this command's own.
    pub fn code(&self) -> &str {
        match self {
            Failure::Client(err) => err.code(),
            Failure::Message(_) => "command_failed",
            Failure::Unconfirmed(_) => "needs_confirmation",
        }
    }

    /// What `--json` prints on stdout when a command fails.
    pub fn json(&self, lang: Lang) -> serde_json::Value {
        serde_json::json!({
            "error": { "code": self.code(), "message": self.text(lang), "detail": self.detail() }
        })
    }
}

impl From<Lang> for odf_client::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Id => odf_client::Lang::Id,
            Lang::En => odf_client::Lang::En,
        }
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

#[cfg(test)]
mod tests {
    use odf_client::i18n::check_pair;

    /// Reads the `t(lang, "…", "…")` pairs of this crate's sources (the calls whose two texts are
    /// literals) and checks each as the catalogue's entries are checked.
    #[test]
    fn every_inline_pair_is_one_message_in_two_languages() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src];
        let mut pairs = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in text.split("t(").skip(1) {
                let mut literals = call.split('"');
                // `lang, "id", "en"`: the parts before, between and after the two literals.
                let (Some(head), Some(id), Some(comma), Some(en)) =
                    (literals.next(), literals.next(), literals.next(), literals.next())
                else {
                    continue;
                };
                let head = head.trim();
                if !(head.ends_with("lang,") && comma.trim() == ",") {
                    continue;
                }
                pairs.push((path.display().to_string(), id.to_owned(), en.to_owned()));
            }
        }
        assert!(pairs.len() > 100, "the scan found the pairs: {}", pairs.len());
        let problems: Vec<String> = pairs
            .iter()
            .filter_map(|(file, id, en)| check_pair(id, en).err().map(|p| format!("{file}: {p}")))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
