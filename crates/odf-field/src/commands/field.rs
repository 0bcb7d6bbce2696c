//! Running the commands of a village's way to ODF against the client core. All of them work
//! offline: the actions are saved with their outbox entry and sent at the next `sync`.

use odf_client::VerificationView;
use odf_client::i18n::{self, Text};
use odf_mobile_api::{CommunityCriteriaDto, CriterionDto, DecisionRequest, OutcomeDto, TeamMemberDto};
use uuid::Uuid;

use crate::cli::field::{
    ClaimArgs, CommunityArgs, DecideArgs, OpenArgs, OutcomeArg, TriggerArgs, VerificationCmd,
};
use crate::context::{Ctx, Outcome, parse_village};
use crate::messages::{Failure, t};
use crate::output;
use crate::output::field as field_out;

fn village_filter(ctx: &Ctx, village: Option<&str>) -> Result<Option<odf_domain::AreaCode>, Failure> {
    village.map(|v| parse_village(v, ctx.lang)).transpose()
}

pub async fn eligibility(ctx: &Ctx, village: &str) -> Outcome {
    let village = parse_village(village, ctx.lang)?;
    field_out::eligibility(ctx, &ctx.client.village_eligibility(village).await?)
}

/// After saving an action: its id, then how many records wait for `sync`.
async fn saved(ctx: &Ctx, what: Text, id: Uuid) -> Outcome {
    if ctx.json {
        return output::json(&serde_json::json!({ "id": id }));
    }
    println!("{}: {} ({})", t(ctx.lang, what), output::short_id(id), id);
    output::after_save(ctx).await
}

pub async fn trigger(ctx: &Ctx, args: TriggerArgs) -> Outcome {
    let village = parse_village(&args.village, ctx.lang)?;
    let id = ctx.client.trigger_village(village, args.date, args.note).await?;
    saved(ctx, i18n::SAVED_TRIGGER, id).await
}

pub async fn claim(ctx: &Ctx, args: ClaimArgs) -> Outcome {
    let village = parse_village(&args.village, ctx.lang)?;
    let id = ctx.client.claim_village(village, args.note).await?;
    saved(ctx, i18n::SAVED_CLAIM, id).await
}

pub async fn verification(ctx: &Ctx, cmd: VerificationCmd) -> Outcome {
    match cmd {
        VerificationCmd::Open(args) => open(ctx, args).await,
        VerificationCmd::List(args) => {
            let village = village_filter(ctx, args.village.as_deref())?;
            field_out::verifications(ctx, &ctx.client.verifications(village).await?)
        }
        VerificationCmd::Show(args) => {
            let id = find_verification(ctx, &args.id).await?;
            field_out::verification(ctx, &ctx.client.verification(id).await?)
        }
        VerificationCmd::Community(args) => community(ctx, args).await,
        VerificationCmd::Decide(args) => decide(ctx, args).await,
    }
}

/// `budi` or `budi=Budi Santoso`; a blank name is filled in by the server from the user record.
fn member(text: &str) -> TeamMemberDto {
    let (username, name) = text.split_once('=').unwrap_or((text, ""));
    TeamMemberDto { username: username.trim().to_owned(), name: name.trim().to_owned(), position: None }
}

async fn open(ctx: &Ctx, args: OpenArgs) -> Outcome {
    let village = parse_village(&args.village, ctx.lang)?;
    let team = args.team.iter().map(|m| member(m)).collect();
    let id = ctx.client.open_verification(village, team, args.plan).await?;
    if ctx.json {
        return output::json(&serde_json::json!({ "id": id }));
    }
    println!("{} {} ({id})", t(ctx.lang, i18n::VERIFICATION_OPENED), output::short_id(id));
    println!("{}", t(ctx.lang, i18n::SAMPLE_DRAWN_BY_SERVER));
    output::after_save(ctx).await
}

/// A verification by its full id, or by an unambiguous start or end of it (at least 4 characters).
async fn find_verification(ctx: &Ctx, text: &str) -> Result<Uuid, Failure> {
    let fragment = text.trim().to_ascii_lowercase();
    if let Ok(id) = Uuid::parse_str(&fragment) {
        return Ok(id);
    }
    let lang = ctx.lang;
    let views: Vec<VerificationView> =
        if fragment.len() >= 4 { ctx.client.verifications(None).await? } else { Vec::new() };
    let matches: Vec<Uuid> = views
        .iter()
        .map(|v| v.id)
        .filter(|id| {
            let (full, simple) = (id.to_string(), id.simple().to_string());
            full.starts_with(&fragment) || full.ends_with(&fragment) || simple.ends_with(&fragment)
        })
        .collect();
    let quoted = format!("{text:?}");
    match matches.as_slice() {
        [id] => Ok(*id),
        [] => Err(Failure::say(i18n::VERIFICATION_NOT_FOUND.fill(lang.into(), &[("id", &quoted)]))),
        _ => Err(Failure::say(
            i18n::VERIFICATION_AMBIGUOUS.fill(lang.into(), &[("id", &quoted), ("count", &matches.len())]),
        )),
    }
}

fn criterion(met: bool, own: Option<String>, shared: Option<&String>) -> CriterionDto {
    CriterionDto { met, note: own.or_else(|| shared.cloned()) }
}

async fn community(ctx: &Ctx, args: CommunityArgs) -> Outcome {
    let id = find_verification(ctx, &args.id).await?;
    let shared = args.catatan.as_ref();
    let criteria = CommunityCriteriaDto {
        no_visible_faeces: criterion(args.bebas_tinja, args.catatan_tinja, shared),
        rules_and_sanctions: criterion(args.aturan, args.catatan_aturan, shared),
        monitoring: criterion(args.pemantauan, args.catatan_pemantauan, shared),
    };
    let action = ctx.client.record_community(id, criteria).await?;
    if ctx.json {
        return output::json(&serde_json::json!({ "id": action, "verification_id": id }));
    }
    println!("{} {}", t(ctx.lang, i18n::COMMUNITY_SAVED), output::short_id(id));
    let view = ctx.client.verification(id).await?;
    field_out::suggestion_lines(ctx.lang, &view);
    output::after_save(ctx).await
}

async fn decide(ctx: &Ctx, args: DecideArgs) -> Outcome {
    let id = find_verification(ctx, &args.id).await?;
    let outcome = match args.outcome {
        OutcomeArg::Lulus => OutcomeDto::Lulus,
        OutcomeArg::Gagal => OutcomeDto::Gagal,
    };
    let request = DecisionRequest {
        outcome,
        reasons: args.reasons,
        issuer_name: args.issuer_name,
        issuer_role: args.issuer_role,
    };
    let action = ctx.client.decide_verification(id, request).await?;
    if ctx.json {
        return output::json(&serde_json::json!({ "id": action, "verification_id": id }));
    }
    let word = match outcome {
        OutcomeDto::Lulus => "Lulus",
        OutcomeDto::Gagal => "Gagal",
    };
    println!("{} {}: {word}", t(ctx.lang, i18n::DECISION_SAVED), output::short_id(id));
    output::after_save(ctx).await
}

pub async fn certificates(ctx: &Ctx, village: Option<&str>) -> Outcome {
    let village = village_filter(ctx, village)?;
    field_out::certificates(ctx, &ctx.client.certificates(village).await?)
}
