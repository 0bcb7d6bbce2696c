//! Runtime text in the user's language, and the command's error type. Every sentence comes from
//! the client core's one catalogue ([`odf_client::i18n`]), so a phone app and this command say the
//! same thing in the same words; this crate holds no text of its own outside the help of its
//! command line (Indonesian only, see `cli`). The test below keeps it that way.

use odf_client::ClientError;
use odf_client::i18n::{self, Text};
use odf_domain::GpsFlag;

use crate::cli::Lang;

/// The catalogue's `text` in `lang`.
pub fn t(lang: Lang, text: Text) -> &'static str {
    text.get(lang.into())
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    Client(ClientError),
    /// Already in the user's language, with the technical cause (a library's text) apart.
    Message {
        text: String,
        detail: Option<String>,
    },
    /// A catalogue text said in the language of the command when printed, with the technical
    /// cause apart (for code that does not know the language).
    Said(Text, Option<String>),
    /// Not saved: a warning the user has not confirmed (exit code 3).
    Unconfirmed(String),
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        Failure::Client(err)
    }
}

impl Failure {
    /// A failure said by `text` alone.
    pub fn say(text: impl Into<String>) -> Failure {
        Failure::Message { text: text.into(), detail: None }
    }

    /// A failure said by `text`, with its technical cause for the detail line.
    pub fn caused(text: impl Into<String>, cause: impl std::fmt::Display) -> Failure {
        Failure::Message { text: text.into(), detail: Some(cause.to_string()) }
    }

    /// The message, in `lang` only.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Failure::Client(err) => err.message(lang.into()),
            Failure::Message { text, .. } | Failure::Unconfirmed(text) => text.clone(),
            Failure::Said(text, _) => t(lang, *text).to_owned(),
        }
    }

    /// The technical cause, for a line of its own.
    pub fn detail(&self) -> Option<String> {
        match self {
            Failure::Client(err) => err.detail(),
            Failure::Message { detail, .. } | Failure::Said(_, detail) => detail.clone(),
            Failure::Unconfirmed(_) => None,
        }
    }

    /// A stable machine code, for `--json`: the client core's code, or one of this command's own.
    pub fn code(&self) -> &str {
        match self {
            Failure::Client(err) => err.code(),
            Failure::Message { .. } | Failure::Said(..) => "command_failed",
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
        GpsFlag::OutsideVillage => t(lang, i18n::GPS_OUTSIDE_VILLAGE),
        GpsFlag::FarFromHousehold => t(lang, i18n::GPS_FAR_FROM_HOUSEHOLD),
    }
}

#[cfg(test)]
mod tests {
    /// Every sentence of this crate comes from the catalogue, where the test of the client core
    /// checks that it exists in both languages without mixing them. This fails when a text is
    /// written inline again: a string literal beside a language (`t(lang, "…"`, a `match lang` arm
    /// or `Lang::Id =>`/`Lang::En =>` followed by a literal or a `format!`).
    #[test]
    fn no_text_is_written_outside_the_catalogue() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src];
        let mut found = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            // The command line's help is clap's, Indonesian only (see `cli`); this file is the rule.
            let name = path.display().to_string();
            if name.contains("/cli/") || name.ends_with("messages.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in [
                "lang, \"",
                "Lang::Id => \"",
                "Lang::En => \"",
                "Lang::Id => format!",
                "Lang::En => format!",
                "Lang::Id => println!",
                "Lang::En => println!",
                "Lang::Id => {",
                "Lang::En => {",
            ] {
                if flat.contains(needle) {
                    found.push(format!("{name}: {needle}"));
                }
            }
        }
        assert!(found.is_empty(), "inline texts: {found:#?}");
    }
}
