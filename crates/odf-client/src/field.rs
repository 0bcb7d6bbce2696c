//! Recording a village's way to ODF offline: triggering, claiming, opening a verification, the
//! community criteria and the decision. Each is a village action (`odf_mobile_api::field`) saved with
//! its outbox entry in one transaction and pushed like a visit.
//!
//! Before saving, the phone checks what it can with the rules the server runs (the status machine,
//! claim eligibility, team rules, the plan, the decision's reasons), against what it knows: pulled
//! data plus its own actions not yet confirmed by a pull. The server checks again when the action
//! arrives (who is registered in the village, the sample, the status by then), so a saved action can
//! still come back rejected; it then stays in the outbox with the server's reason.

use chrono::{DateTime, NaiveDate, Utc};
use odf_domain::{
    AreaCode, CommunityCriteria, Decision, Eligibility, EventKind, Role, TeamMember, TeamRules,
    VerificationError, VillageCoverage, suggest_decision,
};
use odf_mobile_api::{
    CommunityCriteriaDto, DecisionRequest, ErrorCode, RecordProblem, SamplingPlanDto, TeamMemberDto,
    VillageActionDto, VillageActionKind,
};
use serde::Serialize;
use uuid::Uuid;

use crate::actions::{self, ActionView, LocalStatus};
use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::store::records;
use crate::store::{self, Key};
use crate::verify::{self, Known, VerificationState};

/// Whether a village may claim SBS by the data on this phone (own and pulled households and visits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityView {
    pub village: String,
    /// The village's name, once a pull brought it.
    pub village_name: Option<String>,
    pub eligibility: Eligibility,
    /// `eligible`, `no_households`, `not_all_visited`, `not_all_access` or `stale_visits`.
    pub code: &'static str,
    pub message: String,
    pub eligible: bool,
    pub houses: i64,
    pub kk: i64,
    pub kk_visited: i64,
    pub kk_access: i64,
    pub oldest_latest_visit: Option<DateTime<Utc>>,
    /// Every latest visit must be at most this many days old.
    pub window_days: i64,
    /// The status the server last sent (`None`: never pulled, which the server treats as belum_dipicu).
    pub status: Option<String>,
    /// The status with this phone's own actions that are not yet confirmed by a pull.
    pub local_status: String,
    /// Eligible, and the local status allows a claim.
    pub claim_allowed: bool,
    /// This phone's own actions on the village that are not yet confirmed by a pull.
    pub unconfirmed_actions: Vec<ActionView>,
    pub as_of: DateTime<Utc>,
    /// When the phone last pulled: other phones' visits after this are not counted.
    pub pulled_at: Option<DateTime<Utc>>,
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn rules_refusal(err: &VerificationError) -> ClientError {
    ClientError::refused(err.code(), err.to_string())
}

fn not_a_village(village: AreaCode) -> ClientError {
    ClientError::invalid(RecordProblem {
        code: ErrorCode::NotAVillage,
        field: "village",
        message: format!("kode {village} bukan kode desa/kelurahan (not a village code)"),
    })
}

/// Refuses a step the village's status does not allow.
fn check_transition(
    village: AreaCode,
    status: &LocalStatus,
    event: EventKind,
    what: (&str, &str),
) -> Result<()> {
    if status.local.next(event).is_some() {
        return Ok(());
    }
    let local = status.local;
    let waiting = if status.unconfirmed.is_empty() {
        ""
    } else {
        " setelah tindakan di HP ini yang belum dikonfirmasi server"
    };
    Err(ClientError::refused(
        ErrorCode::TransitionNotAllowed.as_str(),
        format!(
            "status desa {village} {local}{waiting}; {} tidak diizinkan dari status ini ({} is not allowed from this status)",
            what.0, what.1
        ),
    ))
}

/// Refuses anything more on a verification that is decided (pulled) or has a decision waiting.
fn check_not_decided(known: &Known) -> Result<()> {
    match known.decision() {
        None => Ok(()),
        Some(d) if d.pending_sync => Err(ClientError::refused(
            "decision_pending",
            "keputusan verifikasi ini sudah dicatat di HP ini dan menunggu sync (a decision is already waiting to sync)",
        )),
        Some(_) => Err(ClientError::refused(
            ErrorCode::VerificationDecided.as_str(),
            "verifikasi ini sudah diputuskan (the verification is already decided)",
        )),
    }
}

impl Client {
    /// Refuses when the user's role (from the last login) is not one of `roles`. Before any login
    /// the phone cannot know, and the server will judge at push.
    async fn require_role(&self, roles: &[Role], what: (&str, &str)) -> Result<()> {
        self.username().await?.ok_or(ClientError::NoUser)?;
        let Some(user) = self.user().await? else { return Ok(()) };
        if Role::parse(&user.role).is_some_and(|role| roles.contains(&role)) {
            return Ok(());
        }
        let allowed = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("/");
        Err(ClientError::refused(
            ErrorCode::Forbidden.as_str(),
            format!(
                "hanya {allowed} yang boleh {}; peran Anda {} (only {allowed} may {})",
                what.0, user.role, what.1
            ),
        ))
    }

    /// Saves `action` under `id` (UUID v7 made here) with its outbox entry.
    async fn save_action(
        &self,
        id: Uuid,
        village: AreaCode,
        verification_id: Option<Uuid>,
        action: VillageActionKind,
    ) -> Result<Uuid> {
        let action = VillageActionDto { id, recorded_at: Utc::now(), action };
        actions::save(self.pool(), &action, village, verification_id).await?;
        Ok(id)
    }

    /// Whether `village` may claim SBS now, computed on this phone with the server's rule.
    pub async fn village_eligibility(&self, village: AreaCode) -> Result<EligibilityView> {
        let rows = records::households(self.pool(), Some(village)).await?;
        let visits = records::visits(self.pool(), Some(village)).await?;
        let coverage = VillageCoverage::compute(rows.iter().map(|r| &r.household), &visits);
        let now = Utc::now();
        let window = chrono::Duration::days(self.rules().await?.claim_window_days);
        let eligibility = coverage.claim_eligibility(now, window);
        let status = actions::local_status(self.pool(), village).await?;
        let eligible = eligibility == Eligibility::Eligible;
        let t = coverage.tally;
        let village_name = records::place_names(self.pool(), &village.to_string()).await?.name;
        Ok(EligibilityView {
            village: village.to_string(),
            village_name,
            code: eligibility.code(),
            message: eligibility.message(window),
            eligible,
            houses: t.houses,
            kk: t.kk,
            kk_visited: t.kk_visited,
            kk_access: t.kk_access,
            oldest_latest_visit: coverage.oldest_latest_visit,
            window_days: window.num_days(),
            status: status.server.map(|s| s.as_str().to_owned()),
            local_status: status.local.as_str().to_owned(),
            claim_allowed: eligible && status.local.next(EventKind::Claim).is_some(),
            unconfirmed_actions: status.unconfirmed.iter().map(|a| a.view()).collect(),
            as_of: now,
            pulled_at: store::get_parsed(self.pool(), Key::LastPullAt).await?,
            eligibility,
        })
    }

    /// Records that the pemicuan (community triggering) was held on `triggered_on` (sanitarian or
    /// admin). Refused for a date in the future (in the village's time zone) or a village that is
    /// not `belum_dipicu` on this phone.
    pub async fn trigger_village(
        &self,
        village: AreaCode,
        triggered_on: NaiveDate,
        note: Option<String>,
    ) -> Result<Uuid> {
        self.require_role(&[Role::Sanitarian, Role::Admin], ("mencatat pemicuan", "record triggering"))
            .await?;
        if !village.is_village() {
            return Err(not_a_village(village));
        }
        self.check_scope(village).await?;
        if triggered_on > village.local_date(Utc::now()) {
            return Err(ClientError::invalid(RecordProblem {
                code: ErrorCode::InvalidField,
                field: "triggered_on",
                message: "tanggal pemicuan ada di masa depan (triggering date is in the future)".to_owned(),
            }));
        }
        let status = actions::local_status(self.pool(), village).await?;
        check_transition(village, &status, EventKind::Trigger, ("pemicuan", "triggering"))?;
        let note = trimmed(note);
        let code = village.to_string();
        let action = VillageActionKind::Trigger { village: code, triggered_on, note };
        self.save_action(Uuid::now_v7(), village, None, action).await
    }

    /// Claims SBS for `village` (sanitarian or admin): refused with `not_eligible` unless every
    /// household on this phone was visited recently and has access, and when the local status does
    /// not allow a claim (dipicu, slipped or revoked do).
    pub async fn claim_village(&self, village: AreaCode, note: Option<String>) -> Result<Uuid> {
        self.require_role(&[Role::Sanitarian, Role::Admin], ("mengajukan klaim SBS", "claim SBS")).await?;
        if !village.is_village() {
            return Err(not_a_village(village));
        }
        self.check_scope(village).await?;
        let eligibility = self.village_eligibility(village).await?;
        if !eligibility.eligible {
            return Err(ClientError::refused(ErrorCode::NotEligible.as_str(), eligibility.message));
        }
        let status = actions::local_status(self.pool(), village).await?;
        check_transition(village, &status, EventKind::Claim, ("klaim SBS", "a claim"))?;
        let note = trimmed(note);
        let code = village.to_string();
        self.save_action(Uuid::now_v7(), village, None, VillageActionKind::Claim { village: code, note })
            .await
    }

    /// Opens the verification of a claimed (or slipped) village (verifier). Returns the
    /// verification's id; the server draws the sample, which arrives with the next sync. The team
    /// is checked here for size, oddness and duplicates; who is registered in the village only the
    /// server knows.
    pub async fn open_verification(
        &self,
        village: AreaCode,
        team: Vec<TeamMemberDto>,
        plan: SamplingPlanDto,
    ) -> Result<Uuid> {
        self.require_role(&[Role::Verifier], ("membuka verifikasi", "open a verification")).await?;
        if !village.is_village() {
            return Err(not_a_village(village));
        }
        self.check_scope(village).await?;
        let team: Vec<TeamMemberDto> = team
            .into_iter()
            .map(|m| TeamMemberDto {
                username: m.username.trim().to_owned(),
                name: m.name.trim().to_owned(),
                position: trimmed(m.position),
            })
            .collect();
        let members: Vec<TeamMember> = team.iter().cloned().map(TeamMember::from).collect();
        let rules = TeamRules { max_size: self.rules().await?.team_max_size };
        rules.check(&members, std::iter::empty::<&str>()).map_err(|e| rules_refusal(&e))?;
        let plan = SamplingPlanDto::from_domain(plan.to_domain().map_err(ClientError::invalid)?);
        let status = actions::local_status(self.pool(), village).await?;
        check_transition(
            village,
            &status,
            EventKind::StartVerification,
            ("membuka verifikasi", "opening a verification"),
        )?;
        let code = village.to_string();
        // The action's id becomes the verification's, so the later steps can point at it offline.
        let id = Uuid::now_v7();
        let action = VillageActionKind::OpenVerification { village: code, team, plan };
        self.save_action(id, village, Some(id), action).await
    }

    async fn known_verification(&self, id: Uuid) -> Result<(Known, AreaCode)> {
        let known = verify::known(self.pool(), id).await?.ok_or(ClientError::UnknownVerification(id))?;
        if known.state() == VerificationState::Refused {
            return Err(ClientError::refused(
                "verification_refused",
                "server menolak pembukaan verifikasi ini; lihat `status` (the server refused to open this verification)",
            ));
        }
        let village = AreaCode::parse(&known.village).map_err(ClientError::corrupt)?;
        Ok((known, village))
    }

    /// Records the community criteria of a verification (verifier). A later recording replaces an
    /// earlier one until the decision.
    pub async fn record_community(
        &self,
        verification_id: Uuid,
        criteria: CommunityCriteriaDto,
    ) -> Result<Uuid> {
        self.require_role(&[Role::Verifier], ("mencatat kriteria masyarakat", "record community criteria"))
            .await?;
        let (known, village) = self.known_verification(verification_id).await?;
        check_not_decided(&known)?;
        let criteria = CommunityCriteria::from(criteria);
        // The shared text rule, as the server applies it: refused here rather than after a sync.
        criteria.validate().map_err(|e| ClientError::refused(e.code(), e.to_string()))?;
        let criteria = CommunityCriteriaDto::from(&criteria);
        let action = VillageActionKind::Community { verification_id, criteria };
        self.save_action(Uuid::now_v7(), village, Some(verification_id), action).await
    }

    /// Records Lulus or Gagal (verifier). The rules' suggestion is computed here from the
    /// verification visits on this phone and the community criteria: Gagal needs a reason, and so
    /// does deciding against the suggestion.
    pub async fn decide_verification(
        &self,
        verification_id: Uuid,
        decision: DecisionRequest,
    ) -> Result<Uuid> {
        self.require_role(&[Role::Verifier], ("memutuskan verifikasi", "decide a verification")).await?;
        let (known, village) = self.known_verification(verification_id).await?;
        check_not_decided(&known)?;
        let Some(sample) = known.sample()? else {
            return Err(ClientError::refused(
                "sample_not_pulled",
                "sampel verifikasi belum sampai di HP ini; jalankan sync dulu (the sample has not reached this phone: sync first)",
            ));
        };
        let community = known.community().ok_or_else(|| {
            ClientError::refused(
                ErrorCode::CommunityNotRecorded.as_str(),
                "kriteria masyarakat harus dicatat sebelum keputusan (record the community criteria first)",
            )
        })?;
        let (_, visits) = verify::village_records(self.pool(), &known.village).await?;
        let found = known.verification_visits(&sample, &visits);
        let suggestion = suggest_decision(&sample, &found, &CommunityCriteria::from(community.criteria));
        let decided = Decision::new(decision.outcome.into(), decision.reasons, suggestion)
            .map_err(|e| rules_refusal(&e))?;
        let request = DecisionRequest {
            outcome: decision.outcome,
            reasons: decided.reasons,
            issuer_name: trimmed(decision.issuer_name),
            issuer_role: trimmed(decision.issuer_role),
        };
        let action = VillageActionKind::Decision { verification_id, decision: request };
        self.save_action(Uuid::now_v7(), village, Some(verification_id), action).await
    }
}
