//! The verification team: an odd number of people (3 or more, at most a configurable maximum), each
//! listed once, none registered in the village being verified, so the team is independent of it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::VerificationError;
use crate::input::{MAX_PERSON_TEXT, check_optional_text, check_text};

/// The smallest team allowed.
pub const MIN_TEAM: usize = 3;
/// The default largest team (DOMAIN: 3-5 people).
pub const DEFAULT_MAX_TEAM: usize = 5;

/// One member of the verification team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// The member's username in odf-verify.
    pub username: String,
    /// Full name, as printed in the Berita Acara and on the certificate.
    pub name: String,
    /// Position (jabatan), e.g. "Sanitarian Puskesmas Pasarwajo".
    #[serde(default)]
    pub position: Option<String>,
}

/// Size limits for a team. The minimum is fixed at [`MIN_TEAM`]; the maximum is configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRules {
    pub max_size: usize,
}

impl Default for TeamRules {
    fn default() -> Self {
        TeamRules { max_size: DEFAULT_MAX_TEAM }
    }
}

/// Usernames are compared trimmed and without regard to case: "Budi" and "budi " are the same person
/// as far as independence is concerned, whatever the login system allows.
fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

impl TeamRules {
    /// Checks `members` against the rules. `registered_in_village` are the usernames registered in
    /// (resident of, or assigned to) the village being verified; none of them may be on the team.
    /// Problems with a member (missing, listed twice, from the village) are reported before the size.
    pub fn check<S: AsRef<str>>(
        &self,
        members: &[TeamMember],
        registered_in_village: impl IntoIterator<Item = S>,
    ) -> Result<(), VerificationError> {
        let residents: HashSet<String> =
            registered_in_village.into_iter().map(|u| normalise(u.as_ref())).collect();
        let mut seen = HashSet::new();
        for member in members {
            let username = normalise(&member.username);
            if username.is_empty() {
                return Err(VerificationError::MemberMissing);
            }
            // Printed on the Berita Acara and the certificate: checked when the team is formed, so
            // that a verification is never opened with a team that cannot be certified.
            check_text("team.username", &member.username, MAX_PERSON_TEXT)?;
            // A blank name is allowed here: the server fills it from the member's account.
            check_optional_text("team.name", Some(&member.name), MAX_PERSON_TEXT)?;
            check_optional_text("team.position", member.position.as_deref(), MAX_PERSON_TEXT)?;
            if residents.contains(&username) {
                return Err(VerificationError::MemberFromVillage(member.username.trim().to_owned()));
            }
            if !seen.insert(username) {
                return Err(VerificationError::DuplicateMember(member.username.trim().to_owned()));
            }
        }
        let size = members.len();
        if size < MIN_TEAM {
            return Err(VerificationError::TeamTooSmall { size, min: MIN_TEAM });
        }
        if size > self.max_size {
            return Err(VerificationError::TeamTooLarge { size, max: self.max_size });
        }
        if size.is_multiple_of(2) {
            return Err(VerificationError::TeamSizeEven(size));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn team(usernames: &[&str]) -> Vec<TeamMember> {
        usernames
            .iter()
            .map(|u| TeamMember { username: (*u).to_owned(), name: format!("Nama {u}"), position: None })
            .collect()
    }

    const NOBODY: [&str; 0] = [];

    #[test]
    fn a_team_of_three_or_five_outsiders_is_accepted() {
        let rules = TeamRules::default();
        assert_eq!(rules.check(&team(&["a", "b", "c"]), ["sanitarian1"]), Ok(()));
        assert_eq!(rules.check(&team(&["a", "b", "c", "d", "e"]), NOBODY), Ok(()));
    }

    #[test]
    fn a_team_must_be_odd_and_within_the_size_limits() {
        let rules = TeamRules::default();
        assert_eq!(rules.check(&team(&["a", "b"]), NOBODY).unwrap_err().code(), "team_too_small");
        assert_eq!(rules.check(&team(&["a", "b", "c", "d"]), NOBODY).unwrap_err().code(), "team_size_even");
        let seven = team(&["a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(rules.check(&seven, NOBODY).unwrap_err().code(), "team_too_large");
        assert_eq!(TeamRules { max_size: 7 }.check(&seven, NOBODY), Ok(()));
    }

    #[test]
    fn a_member_registered_in_the_village_is_refused_whatever_the_case() {
        let err = TeamRules::default().check(&team(&["a", "Sanitarian1", "c"]), ["sanitarian1"]).unwrap_err();
        assert_eq!(err, VerificationError::MemberFromVillage("Sanitarian1".to_owned()));
        assert_eq!(err.code(), "team_member_from_village");
        assert!(err.to_string().contains("terdaftar di desa"));
    }

    #[test]
    fn a_member_listed_twice_or_without_a_username_is_refused() {
        let rules = TeamRules::default();
        let err = rules.check(&team(&["a", "b", "A "]), NOBODY).unwrap_err();
        assert_eq!(err.code(), "team_member_duplicate");
        assert_eq!(rules.check(&team(&["a", " ", "c"]), NOBODY).unwrap_err().code(), "team_member_missing");
    }

    #[test]
    fn member_names_and_positions_follow_the_text_rule() {
        let rules = TeamRules::default();
        let mut members = team(&["a", "b", "c"]);
        members[1].position = Some("Staf\u{7}".to_owned());
        assert_eq!(rules.check(&members, NOBODY).unwrap_err().code(), "field_bad_character");
        let mut members = team(&["a", "b", "c"]);
        members[2].name = "N".repeat(200_000);
        assert_eq!(rules.check(&members, NOBODY).unwrap_err().code(), "field_too_long");
    }
}
