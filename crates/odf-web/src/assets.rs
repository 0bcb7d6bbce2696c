//! The one stylesheet and the one script, compiled into the binary (no CDN, works offline). Each is
//! served under a name carrying a hash of its content, so browsers may keep it for a year and still
//! get a new one the moment it changes.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
    name: &'static LazyLock<String>,
    href: &'static LazyLock<String>,
}

impl Asset {
    pub(crate) const fn new(
        content_type: &'static str,
        body: &'static str,
        name: &'static LazyLock<String>,
        href: &'static LazyLock<String>,
    ) -> Asset {
        Asset { content_type, body, name, href }
    }

    /// `dashboard.1a2b3c4d5e6f.css`.
    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }

    /// `/assets/dashboard.1a2b3c4d5e6f.css`.
    pub fn href(&self) -> &'static str {
        self.href.as_str()
    }
}

const CSS_BODY: &str = include_str!("../assets/dashboard.css");
const JS_BODY: &str = include_str!("../assets/dashboard.js");

/// `{stem}.{12 hex digits of the body's SHA-256}.{ext}`.
pub(crate) fn hashed_name(stem: &str, ext: &str, body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("{stem}.{}.{ext}", hex::encode(digest.get(..6).unwrap_or_default()))
}

pub(crate) fn hashed_href(name: &str) -> String {
    format!("/assets/{name}")
}

static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed_name("dashboard", "css", CSS_BODY));
static CSS_HREF: LazyLock<String> = LazyLock::new(|| hashed_href(&CSS_NAME));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed_name("dashboard", "js", JS_BODY));
static JS_HREF: LazyLock<String> = LazyLock::new(|| hashed_href(&JS_NAME));

pub static CSS: Asset = Asset::new("text/css; charset=utf-8", CSS_BODY, &CSS_NAME, &CSS_HREF);
pub static JS: Asset = Asset::new("text/javascript; charset=utf-8", JS_BODY, &JS_NAME, &JS_HREF);

/// The asset of a hashed name, as the pages link it.
pub fn by_name(name: &str) -> Option<&'static Asset> {
    [&CSS, &JS].into_iter().find(|a| a.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_found_by_their_hashed_names_only() {
        assert!(CSS.name().starts_with("dashboard.") && CSS.name().ends_with(".css"));
        assert_eq!(by_name(CSS.name()).map(|a| a.content_type), Some("text/css; charset=utf-8"));
        assert_eq!(by_name(JS.name()).map(|a| a.body.len()), Some(JS_BODY.len()));
        assert!(by_name("dashboard.css").is_none());
        assert_eq!(CSS.href(), format!("/assets/{}", CSS.name()));
    }
}
