//! A member of a verification team, as the verification and the certificate both name them (a leaf
//! module, so that `verification` and `certificate` need not import each other).

use odf_domain::TeamMember;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamMemberDto {
    /// The member's username in odf-verify.
    pub username: String,
    /// Full name as printed in the Berita Acara and on the certificate.
    pub name: String,
    /// Position (jabatan).
    #[serde(default)]
    pub position: Option<String>,
}

impl From<TeamMemberDto> for TeamMember {
    fn from(m: TeamMemberDto) -> TeamMember {
        TeamMember { username: m.username, name: m.name, position: m.position }
    }
}

impl From<&TeamMember> for TeamMemberDto {
    fn from(m: &TeamMember) -> TeamMemberDto {
        TeamMemberDto { username: m.username.clone(), name: m.name.clone(), position: m.position.clone() }
    }
}
