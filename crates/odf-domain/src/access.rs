//! Who may see what: a role and an area scope (code prefixes).

use serde::{Deserialize, Serialize};

use crate::area::AreaCode;

/// What a user does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Kabupaten health office: manages users and places, sees everything in scope.
    Admin,
    /// Records households and visits in assigned villages.
    Sanitarian,
    /// Kecamatan staff: verifies and certifies villages in scope.
    Verifier,
    /// Dashboards: reads aggregates only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Sanitarian, Role::Verifier, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sanitarian => "sanitarian",
            Role::Verifier => "verifier",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A set of areas: everything, or everything at or under any of the listed codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    Areas(Vec<AreaCode>),
}

impl Scope {
    pub fn covers(&self, code: AreaCode) -> bool {
        match self {
            Scope::All => true,
            Scope::Areas(areas) => areas.iter().any(|a| a.contains(code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_covers_its_areas_and_everything_under_them() {
        let code = |s: &str| AreaCode::parse(s).unwrap();
        let scope = Scope::Areas(vec![code("74.04.11"), code("74.71.01.1001")]);
        assert!(scope.covers(code("74.04.11.2002")));
        assert!(scope.covers(code("74.71.01.1001")));
        assert!(!scope.covers(code("74.71.01.1002")));
        assert!(!scope.covers(code("74.04")));
        assert!(Scope::All.covers(code("11")));
        assert_eq!(Role::parse("verifier"), Some(Role::Verifier));
    }
}
