//! The one list of what travels between phones and the server, with the names used on the wire:
//! [`RecordKindDto`], what a phone pushes (one list per kind in a [`crate::PushRequest`]), and
//! [`ChangeKindDto`], what a pull brings back (the `kind` of a [`crate::ChangeDto`]).
//!
//! Everything that needs a kind's name (the phone's outbox table, the server's metrics, decoding a
//! pulled change) goes through `as_str` and `parse` here, so a new kind is named in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKindDto {
    Household,
    Visit,
    HouseholdEdit,
    VillageAction,
}

impl RecordKindDto {
    /// Every kind, in the order the server applies and answers a push's lists.
    pub const ALL: [RecordKindDto; 4] = [
        RecordKindDto::Household,
        RecordKindDto::Visit,
        RecordKindDto::HouseholdEdit,
        RecordKindDto::VillageAction,
    ];

    /// The wire name (the same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKindDto::Household => "household",
            RecordKindDto::Visit => "visit",
            RecordKindDto::HouseholdEdit => "household_edit",
            RecordKindDto::VillageAction => "village_action",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKindDto> {
        RecordKindDto::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// What a pulled change holds. The wire keeps `ChangeDto::kind` a string so that an older phone can
/// skip a kind a newer server sends; [`ChangeKindDto::parse`] says `None` for those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKindDto {
    Household,
    Visit,
    VillageStatus,
    Boundary,
    Verification,
    Certificate,
    /// A village's names ([`crate::PlaceChangeDto`]).
    Place,
}

impl ChangeKindDto {
    pub const ALL: [ChangeKindDto; 7] = [
        ChangeKindDto::Household,
        ChangeKindDto::Visit,
        ChangeKindDto::VillageStatus,
        ChangeKindDto::Boundary,
        ChangeKindDto::Verification,
        ChangeKindDto::Certificate,
        ChangeKindDto::Place,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKindDto::Household => "household",
            ChangeKindDto::Visit => "visit",
            ChangeKindDto::VillageStatus => "village_status",
            ChangeKindDto::Boundary => "boundary",
            ChangeKindDto::Verification => "verification",
            ChangeKindDto::Certificate => "certificate",
            ChangeKindDto::Place => "place",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKindDto> {
        ChangeKindDto::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A kind name this version does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown kind {:?}", self.0)
    }
}

impl std::error::Error for UnknownKind {}

macro_rules! text_impls {
    ($kind:ty) => {
        impl fmt::Display for $kind {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $kind {
            type Err = UnknownKind;

            fn from_str(text: &str) -> Result<Self, UnknownKind> {
                <$kind>::parse(text).ok_or_else(|| UnknownKind(text.to_owned()))
            }
        }
    };
}

text_impls!(RecordKindDto);
text_impls!(ChangeKindDto);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_kind_names_are_serdes_and_parse_back() {
        for kind in RecordKindDto::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(kind.as_str().parse::<RecordKindDto>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(RecordKindDto::parse("boundary"), None);
    }

    #[test]
    fn change_kind_names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for kind in ChangeKindDto::ALL {
            assert!(seen.insert(kind.as_str()), "{kind} twice");
            assert_eq!(kind.as_str().parse::<ChangeKindDto>(), Ok(kind));
        }
        assert_eq!("household_edit".parse::<ChangeKindDto>(), Err(UnknownKind("household_edit".to_owned())));
    }
}
