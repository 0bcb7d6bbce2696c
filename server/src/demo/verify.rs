//! The demo's way to ODF, done on phones as a kecamatan does it: the sanitarian triggers and claims
//! (eligibility computed on the phone), the lead verifier opens the verification, the three team
//! members visit the sampled households offline, and the lead records the community criteria and
//! the decision on the spot. Every step is a village action synced like visits.

use std::collections::HashMap;
use std::path::Path;

use odf_client::{Client, HttpTransport, OutboxState, SyncOptions, TokioSleeper, VisitDraft};
use odf_domain::AreaCode;
use odf_mobile_api::{
    ChecklistDto, CommunityCriteriaDto, CriterionDto, DecisionRequest, OutcomeDto, PlanKind, SamplingPlanDto,
    TeamMemberDto, UnitLevelDto,
};
use uuid::Uuid;

use super::campaign::{DEMO_PASSWORD, DemoError};

/// Why the demo's one failing village fails.
pub const GAGAL_REASON: &str =
    "Masih ada tinja terlihat di kebun; pemicuan ulang (visible faeces in gardens)";

/// A village the verification team checks, with what each household's latest visit found.
pub struct Candidate {
    pub village: AreaCode,
    pub found: HashMap<Uuid, String>,
    /// The community criteria fail here: the team decides Gagal.
    pub fails: bool,
}

/// The three verifiers of a kecamatan, each with a phone; the first leads.
pub struct VerificationTeam {
    phones: Vec<(String, Client)>,
}

pub fn member_names(lead: &str) -> [String; 3] {
    [lead.to_owned(), format!("{lead}b"), format!("{lead}c")]
}

const ALL_YES: ChecklistDto = ChecklistDto {
    closed_toilet: Some(true),
    safe_from_well: Some(true),
    strong_slab: Some(true),
    child_faeces_safe: Some(true),
    all_members_use: Some(true),
    water_and_soap: Some(true),
    no_faeces_around: Some(true),
};

pub(crate) async fn sync(phone: &Client, transport: &HttpTransport) -> Result<(), DemoError> {
    phone.sync(transport, &TokioSleeper, &SyncOptions::default(), &mut |_| {}).await?;
    // A demo step the server refused would make every figure after it wrong: stop and say why.
    if let Some(refused) = phone.outbox(None).await?.into_iter().find(|e| e.state != OutboxState::Pending) {
        return Err(DemoError::Other(format!(
            "server menolak {:?} {}: {} {}",
            refused.kind,
            refused.record_id,
            refused.code.unwrap_or_default(),
            refused.message.unwrap_or_default()
        )));
    }
    Ok(())
}

impl VerificationTeam {
    pub async fn sign_in(
        lead: &str,
        phones_dir: &Path,
        transport: &HttpTransport,
        base_url: &str,
    ) -> Result<VerificationTeam, DemoError> {
        let mut phones = Vec::new();
        for name in member_names(lead) {
            let phone = Client::open(&phones_dir.join(&name)).await?;
            phone.login(transport, base_url, &name, DEMO_PASSWORD).await?;
            phones.push((name, phone));
        }
        Ok(VerificationTeam { phones })
    }

    pub async fn close(self) {
        for (_, phone) in self.phones {
            phone.close().await;
        }
    }

    fn team(&self) -> Vec<TeamMemberDto> {
        self.phones
            .iter()
            .map(|(name, _)| TeamMemberDto {
                username: name.clone(),
                // Blank: the server prints the name on the account.
                name: String::new(),
                position: Some("Tim Verifikasi Kecamatan".to_owned()),
            })
            .collect()
    }

    /// Verifies every candidate; returns how many verification visits the team recorded.
    pub async fn verify(
        &self,
        candidates: &[Candidate],
        transport: &HttpTransport,
    ) -> Result<usize, DemoError> {
        let Some((_, lead)) = self.phones.first() else { return Ok(0) };
        let mut visits = 0;
        // In the office, with signal: the claims arrive, the verifications are opened and synced so
        // the server draws each sample.
        sync(lead, transport).await?;
        let mut opened = Vec::new();
        for (i, candidate) in candidates.iter().enumerate() {
            // Every household in small villages; two random RTs (2021 guidance) in the others.
            let plan = if candidate.found.len() <= 5 || i % 2 == 0 {
                SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None }
            } else {
                SamplingPlanDto { kind: PlanKind::RandomUnits, level: Some(UnitLevelDto::Rt), count: Some(2) }
            };
            opened.push(lead.open_verification(candidate.village, self.team(), plan).await?);
        }
        sync(lead, transport).await?;

        // In the village, offline: the members share out the sampled households and visit them.
        for (member, (_, phone)) in self.phones.iter().enumerate() {
            sync(phone, transport).await?;
            for (id, candidate) in opened.iter().zip(candidates) {
                let sample =
                    phone.verification(*id).await?.sample.map(|s| s.household_ids).unwrap_or_default();
                for household in sample.iter().skip(member).step_by(self.phones.len()) {
                    let category =
                        candidate.found.get(household).cloned().unwrap_or_else(|| "aman".to_owned());
                    let draft = VisitDraft {
                        household_id: *household,
                        category,
                        checklist: ALL_YES,
                        ..VisitDraft::default()
                    };
                    phone.record_visit(draft, true).await?;
                    visits += 1;
                }
            }
            sync(phone, transport).await?;
        }

        // On the spot: the criteria and the decision, then back in signal, the sync.
        sync(lead, transport).await?;
        for (id, candidate) in opened.iter().zip(candidates) {
            let criterion = |met: bool, note: &str| CriterionDto { met, note: Some(note.to_owned()) };
            let criteria = CommunityCriteriaDto {
                no_visible_faeces: if candidate.fails {
                    criterion(false, "tinja terlihat di kebun belakang dusun")
                } else {
                    criterion(true, "tidak ada tinja terlihat")
                },
                rules_and_sanctions: criterion(true, "peraturan desa tentang BABS"),
                monitoring: criterion(true, "kader memantau tiap bulan"),
            };
            lead.record_community(*id, criteria).await?;
            let decision = if candidate.fails {
                DecisionRequest {
                    outcome: OutcomeDto::Gagal,
                    reasons: vec![GAGAL_REASON.to_owned()],
                    issuer_name: None,
                    issuer_role: None,
                }
            } else {
                DecisionRequest {
                    outcome: OutcomeDto::Lulus,
                    reasons: Vec::new(),
                    issuer_name: None,
                    issuer_role: None,
                }
            };
            lead.decide_verification(*id, decision).await?;
        }
        sync(lead, transport).await?;
        Ok(visits)
    }
}
