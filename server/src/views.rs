//! Wire views of verification records: what the verification, certificate and village endpoints
//! answer, built from the store's records and the domain's rules.

use chrono::{DateTime, Utc};
use odf_domain::verification::findings;
use odf_domain::{AreaCode, Eligibility, StatusChange, Tally, VillageCoverage, suggest_decision};
use odf_mobile_api::{
    BeritaAcaraDto, CertificateDto, CommunityCriteriaDto, DecisionDto, EligibilityDto, FindingDto, SampleDto,
    StatusChangeDto, SuggestionDto, TeamMemberDto, VerificationDto,
};
use odf_store::{CertificateRecord, DecisionRecord, VerificationRecord};

use crate::app::AppState;
use crate::error::ApiResult;

/// Whether the village may claim SBS now, from the latest visit of each registered household.
pub async fn eligibility(state: &AppState, village: AreaCode) -> ApiResult<(Eligibility, EligibilityDto)> {
    let households = state.store().households_in(village).await?;
    let mut tally = Tally::default();
    let mut oldest: Option<DateTime<Utc>> = None;
    for stored in &households {
        let latest = stored.latest_visit;
        tally += Tally::household(stored.household.kk_count, latest.map(|l| l.category));
        if let Some(latest) = latest {
            oldest = Some(oldest.map_or(latest.visited_at, |o| o.min(latest.visited_at)));
        }
    }
    let window = state.config().claim_window;
    let coverage = VillageCoverage { tally, oldest_latest_visit: oldest };
    let result = coverage.claim_eligibility(Utc::now(), window);
    let dto = EligibilityDto {
        status: result.code().to_owned(),
        eligible: result == Eligibility::Eligible,
        kk: tally.kk,
        kk_visited: tally.kk_visited,
        kk_access: tally.kk_access,
        oldest_latest_visit: oldest,
        window_days: window.num_days(),
        message: result.message(window),
    };
    Ok((result, dto))
}

/// One change of `village`'s status, dated by the village's local day.
pub fn status_change_dto(village: AreaCode, change: &StatusChange) -> StatusChangeDto {
    StatusChangeDto {
        from: change.from.as_str().to_owned(),
        to: change.to.as_str().to_owned(),
        event: change.event.kind.as_str().to_owned(),
        actor: change.event.actor.clone(),
        date: village.local_date(change.event.at),
        at: change.event.at,
        reason: change.event.reason.clone(),
    }
}

pub fn certificate_dto(record: &CertificateRecord, public_url: &str) -> CertificateDto {
    let c = &record.signed.certificate;
    let revocation = record.revocation.as_ref();
    CertificateDto {
        id: c.id,
        number: c.number.to_string(),
        village: c.village_code.to_string(),
        village_name: c.village_name.clone(),
        kecamatan_name: c.kecamatan_name.clone(),
        kabupaten_name: c.kabupaten_name.clone(),
        issued_on: c.issued_on,
        issued_at: record.issued_at,
        issuer_name: c.issuer_name.clone(),
        issuer_role: c.issuer_role.clone(),
        team: c.team.iter().map(TeamMemberDto::from).collect(),
        verification_id: c.verification_id,
        data_hash: c.data_hash.clone(),
        public_key: record.signed.public_key.clone(),
        signature: record.signed.signature.clone(),
        status: if record.is_revoked() { "revoked" } else { "valid" }.to_owned(),
        revoked_at: revocation.map(|r| r.at),
        revoked_by: revocation.map(|r| r.by.clone()),
        revoke_reason: revocation.map(|r| r.reason.clone()),
        pdf_path: format!("/v1/certificates/{}.pdf", c.id),
        public_url: c.public_url(public_url),
    }
}

fn decision_dto(record: &DecisionRecord) -> DecisionDto {
    let d = &record.decision;
    DecisionDto {
        outcome: d.outcome.into(),
        reasons: d.reasons.clone(),
        suggestion: SuggestionDto::from(&d.suggestion),
        follows_suggestion: d.follows_suggestion(),
        decided_by: record.decided_by.clone(),
        decided_at: record.decided_at,
        data_hash: record.data_hash.clone(),
    }
}

/// The whole verification: findings from the verification visits so far, the rules' suggestion
/// (now, or at the decision), and once decided the Berita Acara and the certificate.
pub async fn verification_dto(
    state: &AppState,
    record: &VerificationRecord,
    village_name: &str,
) -> ApiResult<VerificationDto> {
    let visits = state.store().verification_visits(record.id).await?;
    let found: Vec<FindingDto> = findings(&record.sample, &visits).iter().map(FindingDto::from).collect();
    let community = record.community.as_ref().map(|c| CommunityCriteriaDto::from(&c.criteria));
    let suggestion = match (&record.decision, &record.community) {
        (Some(decided), _) => Some(SuggestionDto::from(&decided.decision.suggestion)),
        (None, Some(c)) => Some(SuggestionDto::from(&suggest_decision(&record.sample, &visits, &c.criteria))),
        (None, None) => None,
    };
    let team: Vec<TeamMemberDto> = record.team.iter().map(TeamMemberDto::from).collect();
    let decision = record.decision.as_ref().map(decision_dto);
    let berita_acara = match (&decision, &community, &record.decision) {
        (Some(decision), Some(community), Some(decided)) => Some(BeritaAcaraDto {
            verification_id: record.id,
            village: record.village.to_string(),
            village_name: village_name.to_owned(),
            date: record.village.local_date(decided.decided_at),
            team: team.clone(),
            sample: SampleDto::from(&record.sample),
            findings: found.clone(),
            community: community.clone(),
            decision: decision.clone(),
            data_hash: decided.data_hash.clone(),
        }),
        _ => None,
    };
    let certificate = match record.certificate_id {
        Some(id) => state.store().certificate(id).await?,
        None => None,
    };
    Ok(VerificationDto {
        id: record.id,
        village: record.village.to_string(),
        village_name: village_name.to_owned(),
        state: if record.is_open() { "open" } else { "decided" }.to_owned(),
        opened_by: record.opened_by.clone(),
        opened_at: record.opened_at,
        team,
        sample: SampleDto::from(&record.sample),
        community,
        findings: found,
        suggestion,
        decision,
        berita_acara,
        certificate: certificate.map(|c| certificate_dto(&c, &state.config().public_url)),
    })
}
