//! The village status machine, from open defecation to a certified ODF village and back.
//!
//! ```text
//!  belum_dipicu --trigger--> dipicu --claim--> klaim_sbs --start_verification--> verifikasi
//!                              ^  ^               |                                |   |
//!                              |  +--withdraw-----+                   fail (Gagal) |   | pass (Lulus)
//!                              +-----------------------------------------------------+   v
//!                                                                                    sbs (ODF)
//!   slipped <--slip_detected-- sbs;  slipped --start_verification--> verifikasi (re-verification)
//!   sbs | slipped --revoke--> revoked;  revoked | slipped --claim--> klaim_sbs
//! ```
//!
//! Every change carries who, when and why; a change the machine does not allow is an error value.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::input::{FieldError, MAX_STATUS_REASON, check_optional_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VillageStatus {
    /// Not yet triggered.
    #[default]
    BelumDipicu,
    /// Triggered (pemicuan held); households being visited.
    Dipicu,
    /// SBS claimed, waiting for verification.
    KlaimSbs,
    /// A verification team is at work.
    Verifikasi,
    /// Verified and declared ODF.
    Sbs,
    /// Was ODF, a later visit found open defecation: at risk.
    Slipped,
    /// ODF status revoked.
    Revoked,
}

impl VillageStatus {
    pub const ALL: [VillageStatus; 7] = [
        VillageStatus::BelumDipicu,
        VillageStatus::Dipicu,
        VillageStatus::KlaimSbs,
        VillageStatus::Verifikasi,
        VillageStatus::Sbs,
        VillageStatus::Slipped,
        VillageStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VillageStatus::BelumDipicu => "belum_dipicu",
            VillageStatus::Dipicu => "dipicu",
            VillageStatus::KlaimSbs => "klaim_sbs",
            VillageStatus::Verifikasi => "verifikasi",
            VillageStatus::Sbs => "sbs",
            VillageStatus::Slipped => "slipped",
            VillageStatus::Revoked => "revoked",
        }
    }

    /// What people call the status, in Bahasa Indonesia and in English, for messages.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            VillageStatus::BelumDipicu => ("belum dipicu", "not yet triggered"),
            VillageStatus::Dipicu => ("sudah dipicu", "triggered"),
            VillageStatus::KlaimSbs => ("klaim SBS", "SBS claimed"),
            VillageStatus::Verifikasi => ("sedang diverifikasi", "under verification"),
            VillageStatus::Sbs => ("SBS (ODF)", "SBS (ODF)"),
            VillageStatus::Slipped => ("kembali BABS", "slipped back"),
            VillageStatus::Revoked => ("SBS dicabut", "SBS revoked"),
        }
    }

    pub fn parse(text: &str) -> Option<VillageStatus> {
        VillageStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Counted as ODF in % desa SBS. A slipped village keeps its certificate until it is revoked
    /// or re-verified, so it still counts; it is reported separately as at risk.
    pub fn counts_as_sbs(self) -> bool {
        matches!(self, VillageStatus::Sbs | VillageStatus::Slipped)
    }

    /// The status an allowed event leads to, or `None` when the event is not allowed here.
    pub fn next(self, event: EventKind) -> Option<VillageStatus> {
        use EventKind as E;
        use VillageStatus as S;
        match (self, event) {
            (S::BelumDipicu, E::Trigger) => Some(S::Dipicu),
            (S::Dipicu | S::Slipped | S::Revoked, E::Claim) => Some(S::KlaimSbs),
            (S::KlaimSbs, E::Withdraw) => Some(S::Dipicu),
            (S::KlaimSbs | S::Slipped, E::StartVerification) => Some(S::Verifikasi),
            (S::Verifikasi, E::Pass) => Some(S::Sbs),
            (S::Verifikasi, E::Fail) => Some(S::Dipicu),
            (S::Sbs, E::SlipDetected) => Some(S::Slipped),
            (S::Sbs | S::Slipped, E::Revoke) => Some(S::Revoked),
            _ => None,
        }
    }
}

impl fmt::Display for VillageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to the village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Trigger,
    Claim,
    Withdraw,
    StartVerification,
    Pass,
    Fail,
    SlipDetected,
    Revoke,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Trigger,
        EventKind::Claim,
        EventKind::Withdraw,
        EventKind::StartVerification,
        EventKind::Pass,
        EventKind::Fail,
        EventKind::SlipDetected,
        EventKind::Revoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Trigger => "trigger",
            EventKind::Claim => "claim",
            EventKind::Withdraw => "withdraw",
            EventKind::StartVerification => "start_verification",
            EventKind::Pass => "pass",
            EventKind::Fail => "fail",
            EventKind::SlipDetected => "slip_detected",
            EventKind::Revoke => "revoke",
        }
    }

    /// What people call the change, in Bahasa Indonesia and in English, for messages.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            EventKind::Trigger => ("Pemicuan", "Triggering"),
            EventKind::Claim => ("Klaim SBS", "An SBS claim"),
            EventKind::Withdraw => ("Penarikan klaim", "Withdrawing the claim"),
            EventKind::StartVerification => ("Memulai verifikasi", "Starting a verification"),
            EventKind::Pass => ("Keputusan Lulus", "A pass decision"),
            EventKind::Fail => ("Keputusan Gagal", "A fail decision"),
            EventKind::SlipDetected => ("Penandaan kembali BABS", "Marking a slip"),
            EventKind::Revoke => ("Pencabutan", "Revoking"),
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Events that must say why (a failure, a slip, a revocation, a withdrawal).
    pub fn needs_reason(self) -> bool {
        matches!(self, EventKind::Fail | EventKind::SlipDetected | EventKind::Revoke | EventKind::Withdraw)
    }
}

/// An event with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    pub kind: EventKind,
    pub actor: String,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A recorded change of status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub from: VillageStatus,
    pub to: VillageStatus,
    pub event: StatusEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error(
        "{} tidak boleh dari status {} ({} is not allowed from status {})",
        .event.words().0, .from.words().0, .event.words().1, .from.words().1
    )]
    NotAllowed { from: VillageStatus, event: EventKind },
    #[error("{} harus disertai alasan ({} needs a reason)", .0.words().0, .0.words().1)]
    ReasonRequired(EventKind),
    #[error("pelaku perubahan wajib diisi (the actor is required)")]
    ActorRequired,
    #[error("waktu perubahan {at} lebih awal dari perubahan sebelumnya {previous} (out of order)")]
    OutOfOrder { at: DateTime<Utc>, previous: DateTime<Utc> },
    /// The reason breaks the shared text rule (control characters, too long...).
    #[error(transparent)]
    Field(#[from] FieldError),
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "transition_not_allowed",
            TransitionError::ReasonRequired(_) => "reason_required",
            TransitionError::ActorRequired => "actor_required",
            TransitionError::OutOfOrder { .. } => "transition_out_of_order",
            TransitionError::Field(err) => err.code(),
        }
    }
}

/// A village's status with its history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageState {
    pub status: VillageStatus,
    pub history: Vec<StatusChange>,
}

impl VillageState {
    /// Validates `event` against the current status and, when allowed, records it.
    pub fn apply(&mut self, event: &StatusEvent) -> Result<StatusChange, TransitionError> {
        let change = self.check(event)?;
        self.status = change.to;
        self.history.push(change.clone());
        Ok(change)
    }

    /// What `event` would do, without doing it.
    pub fn check(&self, event: &StatusEvent) -> Result<StatusChange, TransitionError> {
        if event.actor.trim().is_empty() {
            return Err(TransitionError::ActorRequired);
        }
        if event.kind.needs_reason() && event.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(TransitionError::ReasonRequired(event.kind));
        }
        check_optional_text("reason", event.reason.as_deref(), MAX_STATUS_REASON)?;
        if let Some(previous) = self.history.last().map(|c| c.event.at)
            && event.at < previous
        {
            return Err(TransitionError::OutOfOrder { at: event.at, previous });
        }
        let to = self
            .status
            .next(event.kind)
            .ok_or(TransitionError::NotAllowed { from: self.status, event: event.kind })?;
        Ok(StatusChange { from: self.status, to, event: event.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn event(kind: EventKind, minutes: i64) -> StatusEvent {
        let at = DateTime::<Utc>::from_timestamp(1_750_000_000 + minutes * 60, 0).unwrap_or_default();
        StatusEvent { kind, actor: "verifikator1".to_owned(), at, reason: Some("alasan".to_owned()) }
    }

    #[test]
    fn the_full_path_to_odf_and_back_is_allowed() {
        use EventKind::*;
        let mut state = VillageState::default();
        let path =
            [Trigger, Claim, StartVerification, Fail, Claim, StartVerification, Pass, SlipDetected, Revoke];
        for (i, kind) in path.into_iter().enumerate() {
            state.apply(&event(kind, i as i64)).unwrap();
        }
        assert_eq!(state.status, VillageStatus::Revoked);
        assert_eq!(state.history.len(), 9);
        assert_eq!(state.history[3].to, VillageStatus::Dipicu);
        assert_eq!(state.history[6].to, VillageStatus::Sbs);
    }

    #[test]
    fn illegal_transitions_are_errors_and_change_nothing() {
        let mut state = VillageState::default();
        let err = state.apply(&event(EventKind::Pass, 0)).unwrap_err();
        assert_eq!(err.code(), "transition_not_allowed");
        assert_eq!(state, VillageState::default());
    }

    #[test]
    fn event_names_round_trip_and_match_serde() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn a_revocation_needs_a_reason_and_an_actor() {
        let mut state = VillageState { status: VillageStatus::Sbs, history: vec![] };
        let mut revoke = event(EventKind::Revoke, 0);
        revoke.reason = Some("  ".to_owned());
        assert_eq!(state.apply(&revoke).unwrap_err().code(), "reason_required");
        revoke.reason = Some("BABS ditemukan".to_owned());
        revoke.actor = String::new();
        assert_eq!(state.apply(&revoke).unwrap_err().code(), "actor_required");
    }

    #[test]
    fn events_must_not_go_back_in_time() {
        let mut state = VillageState::default();
        state.apply(&event(EventKind::Trigger, 10)).unwrap();
        let mut claim = event(EventKind::Claim, 0);
        claim.at -= Duration::minutes(1);
        assert_eq!(state.apply(&claim).unwrap_err().code(), "transition_out_of_order");
    }

    fn any_event() -> impl Strategy<Value = EventKind> {
        proptest::sample::select(EventKind::ALL.to_vec())
    }

    proptest! {
        /// Whatever events arrive, the machine never panics, only moves along allowed edges, and its
        /// history replays to its status.
        #[test]
        fn random_event_streams_only_follow_allowed_edges(kinds in proptest::collection::vec(any_event(), 0..40)) {
            let mut state = VillageState::default();
            for (i, kind) in kinds.into_iter().enumerate() {
                let before = state.status;
                match state.apply(&event(kind, i as i64)) {
                    Ok(change) => prop_assert_eq!(Some(change.to), before.next(kind)),
                    Err(_) => {
                        prop_assert_eq!(before.next(kind), None);
                        prop_assert_eq!(state.status, before);
                    }
                }
            }
            let mut replay = VillageStatus::default();
            for change in &state.history {
                prop_assert_eq!(change.from, replay);
                replay = change.to;
            }
            prop_assert_eq!(replay, state.status);
        }
    }
}
