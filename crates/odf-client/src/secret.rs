//! The session token, wrapped so that it never reaches a log or a terminal by accident.

use std::fmt;

/// A bearer token from `POST /v1/auth/login`. `Debug` and `Display` print `***`; only
/// [`SessionToken::expose`] gives the text, for the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> SessionToken {
        SessionToken(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_prints_its_text() {
        let token = SessionToken::new("s3cret-token");
        assert_eq!(format!("{token:?}"), "SessionToken(***)");
        assert_eq!(format!("{token}"), "***");
        assert_eq!(token.expose(), "s3cret-token");
    }
}
