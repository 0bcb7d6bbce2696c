//! ODF verification of a village that has claimed SBS: the team, the sample, the decision, the
//! Berita Acara and the hash of the data the decision was based on. Pure: no IO, no clock.
//!
//! Vocabulary:
//! - the **team** (tim verifikasi): an odd number of people, 3 or more, none registered in the
//!   village being verified ([`TeamRules`], [`TeamMember`]);
//! - the **plan** ([`SamplingPlan`]): every household, or every household in randomly chosen
//!   **units** (dusun, RW or RT, the 2021 guidance); the **seed** makes the draw reproducible, so
//!   anyone with the same households, plan and seed re-derives the same [`Sample`];
//! - **verification visits**: visits recorded by the team during the verification, with the
//!   household checklist; the **community criteria** ([`CommunityCriteria`]) are recorded once;
//! - the **suggestion** ([`Suggestion`]) is what the rules say (Lulus or Gagal with concrete
//!   [`FailReason`]s); the **decision** ([`Decision`]) is what the verifier records, which may differ,
//!   and keeps the suggestion beside it;
//! - the **Berita Acara** ([`BeritaAcara`]): the signed minutes of the verification;
//! - the **certified-data hash** ([`certified_data_hash`]): SHA-256 over a documented text form of
//!   exactly the household data the decision was based on, so it can be recomputed later.

mod checklist;
mod decision;
mod hash;
mod minutes;
mod sampling;
mod team;

pub use checklist::ChecklistItem;
pub use decision::{
    CommunityCriteria, Criterion, Decision, FailReason, Outcome, Suggestion, suggest_decision,
};
pub use hash::{CERTIFIED_DATA_HEADER, certified_data_hash, certified_data_text};
pub use minutes::{BeritaAcara, HouseholdFinding, findings};
pub use sampling::{HouseholdUnits, Sample, SamplingPlan, SplitMix64, UnitLevel, draw_sample};
pub use team::{DEFAULT_MAX_TEAM, MIN_TEAM, TeamMember, TeamRules};

use thiserror::Error;

use crate::input::FieldError;

/// Why a verification step is refused. `code()` is the stable machine code used on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerificationError {
    #[error("nama pengguna anggota tim wajib diisi (team member username is required)")]
    MemberMissing,
    #[error("{0} tercantum lebih dari sekali dalam tim (team member listed twice)")]
    DuplicateMember(String),
    #[error(
        "{0} terdaftar di desa yang diverifikasi dan tidak boleh menjadi anggota tim (member is registered in the village)"
    )]
    MemberFromVillage(String),
    #[error("tim verifikasi paling sedikit {min} orang, ada {size} (team too small)")]
    TeamTooSmall { size: usize, min: usize },
    #[error("tim verifikasi paling banyak {max} orang, ada {size} (team too large)")]
    TeamTooLarge { size: usize, max: usize },
    #[error("jumlah anggota tim harus ganjil, ada {0} (team size must be odd)")]
    TeamSizeEven(usize),
    #[error("desa tidak memiliki rumah tangga terdaftar untuk diambil sampelnya (no households to sample)")]
    NoHouseholds,
    #[error("jumlah unit sampel harus 1 atau lebih (sample unit count must be at least 1)")]
    ZeroUnits,
    #[error("keputusan Gagal harus disertai alasan (a Gagal decision needs a reason)")]
    ReasonRequired,
    #[error(
        "keputusan berbeda dari saran aturan ({suggested}) harus disertai alasan (overriding the suggestion needs a reason)"
    )]
    OverrideReasonRequired { suggested: Outcome },
    /// A name, position, reason or note breaks the shared text rule.
    #[error(transparent)]
    Field(#[from] FieldError),
}

impl VerificationError {
    pub fn code(&self) -> &'static str {
        match self {
            VerificationError::MemberMissing => "team_member_missing",
            VerificationError::DuplicateMember(_) => "team_member_duplicate",
            VerificationError::MemberFromVillage(_) => "team_member_from_village",
            VerificationError::TeamTooSmall { .. } => "team_too_small",
            VerificationError::TeamTooLarge { .. } => "team_too_large",
            VerificationError::TeamSizeEven(_) => "team_size_even",
            VerificationError::NoHouseholds => "sample_no_households",
            VerificationError::ZeroUnits => "sample_zero_units",
            VerificationError::ReasonRequired => "decision_reason_required",
            VerificationError::OverrideReasonRequired { .. } => "decision_override_reason_required",
            VerificationError::Field(err) => err.code(),
        }
    }
}
