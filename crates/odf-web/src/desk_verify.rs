//! The verification desk's working pages (issue 16, verification part): a village's desk page
//! (open a verification, its verifications, its certificates with download and revocation), a
//! verification's page (the sample and who visited it, the community criteria, the rules'
//! suggestion and the decision) and the printable Berita Acara. The server fills these views from
//! the API's own records and rules (the same `verification_dto`, the same store reads); the
//! templates only print them. Every form is a plain POST carrying the session's CSRF token.

use crate::desk_words::DeskWords;
use crate::view::Layout;

/// A refusal of a form, as the API gives it: its stable code and its bilingual message.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

/// A kecamatan verifier offered for the team.
#[derive(Debug, Clone)]
pub struct VerifierChoice {
    pub username: String,
    pub name: String,
    pub checked: bool,
    pub position: String,
}

/// The form opening a verification (claimed or slipped village, verifier role).
#[derive(Debug, Clone)]
pub struct OpenForm {
    /// The village slipped back: this is a verification again.
    pub again: bool,
    pub team_rule: String,
    pub verifiers: Vec<VerifierChoice>,
    /// `all_households` or `random_units`.
    pub plan: String,
    /// `dusun`, `rw` or `rt`.
    pub level: String,
    pub count: String,
}

/// One verification of the village, linking to its page.
#[derive(Debug, Clone)]
pub struct VerificationLine {
    pub id: String,
    pub href: String,
    pub opened: String,
    pub opened_by: String,
    pub open: bool,
    /// `Lulus`/`Gagal` once decided.
    pub outcome: Option<String>,
    pub visited: String,
    pub sample: String,
}

/// One certificate, with its PDF (the API's own route) and, while valid, the revocation form.
#[derive(Debug, Clone)]
pub struct CertificateLine {
    pub id: String,
    pub number: String,
    pub issued: String,
    pub revoked: bool,
    /// "dicabut 29 November 2026: reason".
    pub revocation: Option<String>,
    pub pdf_href: String,
    pub pdf_file: String,
    pub check_href: String,
    /// Where the revocation form posts, when the reader may revoke it.
    pub revoke_action: Option<String>,
}

#[derive(Debug)]
pub struct DeskVillageView {
    pub layout: Layout,
    pub w: &'static DeskWords,
    pub csrf: String,
    pub refusal: Option<Refusal>,
    pub code: String,
    pub name: String,
    pub status: String,
    pub status_code: String,
    pub village_href: String,
    pub open_action: String,
    pub open_form: Option<OpenForm>,
    /// Why there is no form (the status, or a role that only reads).
    pub open_hint: Option<&'static str>,
    pub verifications: Vec<VerificationLine>,
    pub certificates: Vec<CertificateLine>,
    /// Kept in the revocation form after a refusal.
    pub revoke_reason: String,
}

/// One sampled household with the team's latest visit to it.
#[derive(Debug, Clone)]
pub struct SampleRow {
    pub household_id: String,
    pub head_name: String,
    pub place: String,
    pub kk: String,
    pub visited: bool,
    /// "ver2, 29 November 2026 10:00".
    pub visit: String,
    /// The ladder rung found, with failed checklist items.
    pub found: String,
    pub access: bool,
    /// Whether the visit has a photo and whether the server holds it yet (also the picture's alt text).
    pub photo: String,
    /// The photo itself, once uploaded (`/v1/photos/{sha256}`).
    pub photo_href: Option<String>,
}

/// One community criterion, as recorded or as the form shows it.
#[derive(Debug, Clone)]
pub struct CriterionRow {
    /// The form field's name: `no_visible_faeces`, `rules_and_sanctions`, `monitoring`.
    pub field: &'static str,
    pub label: &'static str,
    pub met: bool,
    pub note: String,
}

/// The rules' suggestion or the recorded decision.
#[derive(Debug, Clone)]
pub struct OutcomeView {
    /// `lulus` or `gagal`.
    pub code: String,
    pub text: &'static str,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DecidedView {
    pub outcome: OutcomeView,
    pub follows: bool,
    pub by: String,
    pub at: String,
    pub data_hash: String,
}

/// The decision form's values (kept after a refusal).
#[derive(Debug, Clone, Default)]
pub struct DecisionForm {
    pub outcome: String,
    pub reasons: String,
    pub issuer_name: String,
    pub issuer_role: String,
}

#[derive(Debug, Clone)]
pub struct TeamLine {
    pub name: String,
    pub username: String,
    pub position: String,
}

#[derive(Debug)]
pub struct DeskVerificationView {
    pub layout: Layout,
    pub w: &'static DeskWords,
    pub csrf: String,
    pub refusal: Option<Refusal>,
    pub id: String,
    pub code: String,
    pub name: String,
    pub desk_href: String,
    pub open: bool,
    pub opened: String,
    pub opened_by: String,
    pub team: Vec<TeamLine>,
    pub plan: String,
    pub seed: String,
    pub units: String,
    pub sample: Vec<SampleRow>,
    pub visited: String,
    pub sample_size: String,
    pub community: Vec<CriterionRow>,
    /// "Recorded by ver, …" once recorded.
    pub community_recorded: Option<String>,
    pub community_action: Option<String>,
    pub suggestion: Option<OutcomeView>,
    pub decision_action: Option<String>,
    pub decision_form: DecisionForm,
    pub decided: Option<DecidedView>,
    pub minutes_href: Option<String>,
    pub certificate: Option<CertificateLine>,
    /// Kept in the revocation form after a refusal.
    pub revoke_reason: String,
}

/// The printable Berita Acara of a decided verification.
#[derive(Debug)]
pub struct MinutesView {
    pub layout: Layout,
    pub w: &'static DeskWords,
    pub id: String,
    pub code: String,
    pub name: String,
    pub kecamatan: String,
    pub kabupaten: String,
    pub date: String,
    pub team: Vec<TeamLine>,
    pub plan: String,
    pub seed: String,
    pub units: String,
    pub sample: Vec<SampleRow>,
    pub community: Vec<CriterionRow>,
    pub suggestion: OutcomeView,
    pub decided: DecidedView,
    pub certificate_number: Option<String>,
    pub back_href: String,
}
