//! The decision: what the rules suggest from the verification visits and the community criteria,
//! and what the verifier decides.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ChecklistItem, Sample, VerificationError};
use crate::category::Category;
use crate::coverage::latest_visits;
use crate::household::Visit;
use crate::input::{FieldError, MAX_FREE_TEXT, check_optional_text, check_text};
use crate::status::{EventKind, StatusEvent};

/// One community criterion, met or not, with what the team noted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Criterion {
    pub met: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// The community criteria, recorded once per verification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommunityCriteria {
    /// No visible faeces at former open defecation sites.
    pub no_visible_faeces: Criterion,
    /// The community has rules or sanctions against open defecation.
    pub rules_and_sanctions: Criterion,
    /// A mechanism to monitor that nobody returns to open defecation.
    pub monitoring: Criterion,
}

impl CommunityCriteria {
    /// The notes follow the shared text rule for free text.
    pub fn validate(&self) -> Result<(), FieldError> {
        for criterion in [&self.no_visible_faeces, &self.rules_and_sanctions, &self.monitoring] {
            check_optional_text("note", criterion.note.as_deref(), MAX_FREE_TEXT)?;
        }
        Ok(())
    }
}

/// The result of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Pass: the village is declared ODF.
    Lulus,
    /// Fail: the village returns to open, with the reasons.
    Gagal,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Lulus => "lulus",
            Outcome::Gagal => "gagal",
        }
    }

    /// The village status event this outcome triggers.
    pub fn event_kind(self) -> EventKind {
        match self {
            Outcome::Lulus => EventKind::Pass,
            Outcome::Gagal => EventKind::Fail,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Lulus => "Lulus",
            Outcome::Gagal => "Gagal",
        })
    }
}

/// A concrete reason the rules give for Gagal. `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FailReason {
    /// Sampled households with no verification visit.
    NotVisited {
        household_ids: Vec<Uuid>,
    },
    /// The household's latest verification visit found open defecation.
    OpenDefecation {
        household_id: Uuid,
        category: Category,
    },
    /// Checklist items answered no at the household's latest verification visit.
    ChecklistFailed {
        household_id: Uuid,
        items: Vec<ChecklistItem>,
    },
    VisibleFaeces,
    NoRulesOrSanctions,
    NoMonitoring,
}

impl FailReason {
    pub fn code(&self) -> &'static str {
        match self {
            FailReason::NotVisited { .. } => "not_visited",
            FailReason::OpenDefecation { .. } => "open_defecation",
            FailReason::ChecklistFailed { .. } => "checklist_failed",
            FailReason::VisibleFaeces => "visible_faeces",
            FailReason::NoRulesOrSanctions => "no_rules_or_sanctions",
            FailReason::NoMonitoring => "no_monitoring",
        }
    }
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::NotVisited { household_ids } => write!(
                f,
                "{} rumah tangga sampel belum dikunjungi (sampled households not visited)",
                household_ids.len()
            ),
            FailReason::OpenDefecation { household_id, category } => write!(
                f,
                "BABS ditemukan di rumah tangga {household_id}: {} (open defecation found)",
                category.label()
            ),
            FailReason::ChecklistFailed { household_id, items } => {
                let labels: Vec<&str> = items.iter().map(|i| i.label()).collect();
                write!(
                    f,
                    "daftar periksa tidak terpenuhi di rumah tangga {household_id}: {} (checklist failed)",
                    labels.join("; ")
                )
            }
            FailReason::VisibleFaeces => f.write_str("masih ada tinja terlihat (visible faeces)"),
            FailReason::NoRulesOrSanctions => {
                f.write_str("belum ada aturan atau sanksi masyarakat (no community rules or sanctions)")
            }
            FailReason::NoMonitoring => {
                f.write_str("belum ada mekanisme pemantauan (no monitoring mechanism)")
            }
        }
    }
}

/// What the rules say: Lulus exactly when there is no reason to fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub outcome: Outcome,
    pub reasons: Vec<FailReason>,
}

impl Suggestion {
    /// The reasons as sentences, e.g. to prefill the verifier's own reasons.
    pub fn reason_texts(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

/// Suggests Lulus or Gagal. Lulus needs every sampled household visited during the verification,
/// the latest verification visit of each finding access and no checklist item answered no, and all
/// three community criteria met. Visits to households outside the sample do not count.
pub fn suggest_decision(
    sample: &Sample,
    verification_visits: &[Visit],
    community: &CommunityCriteria,
) -> Suggestion {
    let latest = latest_visits(verification_visits);
    let mut reasons = Vec::new();
    let not_visited: Vec<Uuid> =
        sample.household_ids.iter().copied().filter(|id| !latest.contains_key(id)).collect();
    if !not_visited.is_empty() {
        reasons.push(FailReason::NotVisited { household_ids: not_visited });
    }
    for id in &sample.household_ids {
        let Some(visit) = latest.get(id) else { continue };
        if !visit.category.has_access() {
            reasons.push(FailReason::OpenDefecation { household_id: *id, category: visit.category });
        }
        let items = ChecklistItem::failures(&visit.checklist);
        if !items.is_empty() {
            reasons.push(FailReason::ChecklistFailed { household_id: *id, items });
        }
    }
    let community_reasons = [
        (community.no_visible_faeces.met, FailReason::VisibleFaeces),
        (community.rules_and_sanctions.met, FailReason::NoRulesOrSanctions),
        (community.monitoring.met, FailReason::NoMonitoring),
    ];
    reasons.extend(community_reasons.into_iter().filter(|(met, _)| !met).map(|(_, reason)| reason));
    let outcome = if reasons.is_empty() { Outcome::Lulus } else { Outcome::Gagal };
    Suggestion { outcome, reasons }
}

/// What the verifier decided, with the rules' suggestion kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// The verifier's reasons (for Gagal, or for deciding against the suggestion), trimmed.
    pub reasons: Vec<String>,
    pub suggestion: Suggestion,
}

impl Decision {
    /// Records the verifier's decision. Gagal needs a reason, and so does deciding against the
    /// suggestion, so that an override is always explained in the Berita Acara.
    pub fn new(
        outcome: Outcome,
        reasons: Vec<String>,
        suggestion: Suggestion,
    ) -> Result<Decision, VerificationError> {
        let reasons: Vec<String> =
            reasons.into_iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect();
        for reason in &reasons {
            check_text("reasons", reason, MAX_FREE_TEXT)?;
        }
        // Together they become the status change's reason, which has the same bound.
        if reasons.iter().map(|r| r.chars().count() + 2).sum::<usize>() > MAX_FREE_TEXT + 2 {
            return Err(FieldError::TooLong { field: "reasons", max: MAX_FREE_TEXT }.into());
        }
        if reasons.is_empty() {
            if outcome == Outcome::Gagal {
                return Err(VerificationError::ReasonRequired);
            }
            if outcome != suggestion.outcome {
                return Err(VerificationError::OverrideReasonRequired { suggested: suggestion.outcome });
            }
        }
        Ok(Decision { outcome, reasons, suggestion })
    }

    pub fn follows_suggestion(&self) -> bool {
        self.outcome == self.suggestion.outcome
    }

    /// The village status event for this decision (pass or fail), its reason the verifier's reasons.
    pub fn status_event(&self, actor: &str, at: DateTime<Utc>) -> StatusEvent {
        let reason = (!self.reasons.is_empty()).then(|| self.reasons.join("; "));
        StatusEvent { kind: self.outcome.event_kind(), actor: actor.to_owned(), at, reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::Checklist;
    use crate::household::tests::{household, visit};
    use crate::verification::SamplingPlan;

    fn all_yes() -> Checklist {
        Checklist {
            closed_toilet: Some(true),
            safe_from_well: Some(true),
            strong_slab: Some(true),
            child_faeces_safe: Some(true),
            all_members_use: Some(true),
            water_and_soap: Some(true),
            no_faeces_around: Some(true),
        }
    }

    fn criteria(met: bool) -> CommunityCriteria {
        let c = Criterion { met, note: None };
        CommunityCriteria { no_visible_faeces: c.clone(), rules_and_sanctions: c.clone(), monitoring: c }
    }

    fn sample_of(ids: &[Uuid]) -> Sample {
        let mut household_ids = ids.to_vec();
        household_ids.sort();
        Sample { plan: SamplingPlan::AllHouseholds, seed: 1, units: vec![], household_ids }
    }

    #[test]
    fn every_sampled_household_with_access_and_all_criteria_met_suggests_lulus() {
        let (a, b) = (household("74.04.11.2002"), household("74.04.11.2002"));
        let now = Utc::now();
        let mut va = visit(&a, Category::Aman, now);
        va.checklist = all_yes();
        // Unanswered checklist items are not failures.
        let vb = visit(&b, Category::LayakBersama, now);
        let suggestion = suggest_decision(&sample_of(&[a.id, b.id]), &[va, vb], &criteria(true));
        assert_eq!(suggestion, Suggestion { outcome: Outcome::Lulus, reasons: vec![] });
    }

    #[test]
    fn gagal_is_suggested_with_one_concrete_reason_per_problem() {
        let (a, b, c, d) = (
            household("74.04.11.2002"),
            household("74.04.11.2002"),
            household("74.04.11.2002"),
            household("74.04.11.2002"),
        );
        let now = Utc::now();
        let mut early = visit(&a, Category::BabsTerbuka, now - chrono::Duration::hours(1));
        early.checklist = all_yes();
        // Only the latest verification visit of a household counts.
        let late = visit(&a, Category::Aman, now);
        let babs = visit(&b, Category::BabsTertutup, now);
        let mut slab = visit(&c, Category::LayakSendiri, now);
        slab.checklist.strong_slab = Some(false);
        let mut community = criteria(true);
        community.no_visible_faeces.met = false;
        let sample = sample_of(&[a.id, b.id, c.id, d.id]);
        let suggestion = suggest_decision(&sample, &[early, late, babs, slab], &community);
        assert_eq!(suggestion.outcome, Outcome::Gagal);
        let codes: Vec<&str> = suggestion.reasons.iter().map(FailReason::code).collect();
        // Households are reported in id order; b and c were made in that order, so b comes first.
        assert!(b.id < c.id);
        assert_eq!(codes, ["not_visited", "open_defecation", "checklist_failed", "visible_faeces"]);
        let texts = suggestion.reason_texts();
        assert_eq!(texts[0], "1 rumah tangga sampel belum dikunjungi (sampled households not visited)");
        assert!(texts[1].starts_with(&format!("BABS ditemukan di rumah tangga {}", b.id)));
        assert!(texts[2].contains("lantai jamban kuat"));
        assert!(texts[3].starts_with("masih ada tinja terlihat"));
    }

    #[test]
    fn visits_outside_the_sample_do_not_count() {
        let (a, outsider) = (household("74.04.11.2002"), household("74.04.11.2002"));
        let v = visit(&outsider, Category::BabsTerbuka, Utc::now());
        let suggestion = suggest_decision(&sample_of(&[a.id]), &[v], &criteria(true));
        assert_eq!(suggestion.reasons, vec![FailReason::NotVisited { household_ids: vec![a.id] }]);
    }

    #[test]
    fn gagal_needs_a_reason_and_an_override_needs_one_too() {
        let lulus = Suggestion { outcome: Outcome::Lulus, reasons: vec![] };
        let gagal = Suggestion { outcome: Outcome::Gagal, reasons: vec![FailReason::NoMonitoring] };
        let err = Decision::new(Outcome::Gagal, vec!["  ".to_owned()], lulus.clone()).unwrap_err();
        assert_eq!(err.code(), "decision_reason_required");
        let err = Decision::new(Outcome::Lulus, vec![], gagal.clone()).unwrap_err();
        assert_eq!(err.code(), "decision_override_reason_required");
        let overridden =
            Decision::new(Outcome::Lulus, vec![" pemantauan sudah berjalan ".to_owned()], gagal).unwrap();
        assert!(!overridden.follows_suggestion());
        assert_eq!(overridden.reasons, ["pemantauan sudah berjalan"]);
        let pass = Decision::new(Outcome::Lulus, vec![], lulus).unwrap();
        let event = pass.status_event("verifikator1", Utc::now());
        assert_eq!((event.kind, event.reason), (EventKind::Pass, None));
    }

    #[test]
    fn outcomes_and_reasons_serialise_with_stable_names() {
        assert_eq!(serde_json::to_string(&Outcome::Gagal).unwrap(), "\"gagal\"");
        let json = serde_json::to_string(&FailReason::VisibleFaeces).unwrap();
        assert_eq!(json, r#"{"code":"visible_faeces"}"#);
    }

    #[test]
    fn reasons_and_notes_follow_the_text_rule() {
        let gagal = Suggestion { outcome: Outcome::Gagal, reasons: vec![FailReason::NoMonitoring] };
        let thirty = vec!["r".repeat(100_000); 30];
        let err = Decision::new(Outcome::Gagal, thirty, gagal.clone()).unwrap_err();
        assert_eq!(err.code(), "field_too_long");
        let many = vec!["r".repeat(100); 30];
        assert_eq!(Decision::new(Outcome::Gagal, many, gagal.clone()).unwrap_err().code(), "field_too_long");
        let err = Decision::new(Outcome::Gagal, vec!["a\u{202E}b".to_owned()], gagal).unwrap_err();
        assert_eq!(err.code(), "field_bad_character");
        let mut noted = criteria(true);
        noted.monitoring.note = Some("n".repeat(100_000));
        assert_eq!(noted.validate().unwrap_err().code(), "field_too_long");
        assert_eq!(criteria(true).validate(), Ok(()));
    }
}
