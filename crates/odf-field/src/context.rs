//! What every command runs with ([`Ctx`]) and returns ([`Outcome`]): a leaf module, so that the
//! commands and the printing of their results share it without importing each other.

use odf_client::Client;
use odf_client::i18n;
use odf_domain::AreaCode;

use crate::cli::Lang;
use crate::messages::{Failure, t};

pub type Outcome = Result<(), Failure>;

/// What every command gets: the open client, the language and the output mode.
pub struct Ctx {
    pub client: Client,
    pub lang: Lang,
    pub json: bool,
}

/// A village code typed on the command line.
pub fn parse_village(text: &str, lang: Lang) -> Result<AreaCode, Failure> {
    AreaCode::parse(text.trim())
        .map_err(|err| Failure::caused(format!("{} {text:?}", t(lang, i18n::INVALID_VILLAGE_CODE)), err))
}
