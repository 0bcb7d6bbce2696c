//! Printing eligibility, verifications and certificates: plain text for people, `--json` for scripts.

use odf_client::i18n;
use odf_client::{
    CertificateStatus, CertificateView, EligibilityView, SignatureCheck, SyncState, VerificationState,
    VerificationView,
};
use odf_mobile_api::{CriterionDto, OutcomeDto};

use crate::cli::Lang;
use crate::context::{Ctx, Outcome};
use crate::messages::t;
use crate::output::{self, json, short_id, time};

fn yes_no(value: bool, lang: Lang) -> &'static str {
    if value { t(lang, i18n::YES) } else { t(lang, i18n::NO) }
}

fn status_text(server: Option<&str>, local: Option<&str>, lang: Lang) -> String {
    let server = server.unwrap_or("belum_dipicu");
    match local {
        Some(local) if local != server => {
            format!("{server} → {local} ({})", t(lang, i18n::AWAITING_SERVER))
        }
        _ => server.to_owned(),
    }
}

pub fn eligibility(ctx: &Ctx, v: &EligibilityView) -> Outcome {
    if ctx.json {
        return json(v);
    }
    let lang = ctx.lang;
    match &v.village_name {
        Some(name) => println!("{:<26} {name} ({})", t(lang, i18n::LABEL_VILLAGE), v.village),
        None => println!("{:<26} {}", t(lang, i18n::LABEL_VILLAGE), v.village),
    }
    let status = status_text(v.status.as_deref(), Some(&v.local_status), lang);
    println!("{:<26} {status}", "Status:");
    let why = i18n::eligibility(&v.eligibility, v.window_days, lang.into());
    println!("{:<26} {why} ({})", t(lang, i18n::LABEL_SBS_CLAIM), v.code);
    println!("{:<26} {} / {}", t(lang, i18n::LABEL_KK_ACCESS_OF_KK), v.kk_access, v.kk);
    println!("{:<26} {} / {}", t(lang, i18n::LABEL_KK_VISITED_OF_KK), v.kk_visited, v.kk);
    let oldest = v.oldest_latest_visit.map_or_else(|| "-".to_owned(), time);
    println!(
        "{:<26} {oldest} ({} {} {})",
        t(lang, i18n::LABEL_OLDEST_LATEST_VISIT),
        t(lang, i18n::AT_MOST),
        v.window_days,
        t(lang, i18n::DAYS)
    );
    println!("{:<26} {}", t(lang, i18n::LABEL_CLAIM_ALLOWED), yes_no(v.claim_allowed, lang));
    let pulled = v.pulled_at.map_or_else(|| t(lang, i18n::NEVER).to_owned(), time);
    let as_of = time(v.as_of);
    println!("{}", i18n::ELIGIBILITY_AS_OF.fill(lang.into(), &[("as_of", &as_of), ("pulled", &pulled)]));
    Ok(())
}

fn state(state: VerificationState, lang: Lang) -> &'static str {
    match state {
        VerificationState::WaitingForSample => t(lang, i18n::VERIFICATION_WAITING_FOR_SAMPLE),
        VerificationState::Open => t(lang, i18n::VERIFICATION_OPEN),
        VerificationState::Decided => t(lang, i18n::VERIFICATION_DECIDED),
        VerificationState::Refused => t(lang, i18n::VERIFICATION_REFUSED),
    }
}

fn outcome(outcome: OutcomeDto) -> &'static str {
    match outcome {
        OutcomeDto::Lulus => "Lulus",
        OutcomeDto::Gagal => "Gagal",
    }
}

fn pending(pending: bool, lang: Lang) -> &'static str {
    if pending { t(lang, i18n::SUFFIX_NOT_SENT) } else { "" }
}

pub fn verifications(ctx: &Ctx, views: &[VerificationView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, i18n::NO_VERIFICATIONS_YET));
        return Ok(());
    }
    println!(
        "{:<8}  {:<30}  {:<26}  {:<17}  {:>9}  {:<9}  {}",
        "ID",
        t(lang, i18n::COLUMN_VILLAGE),
        "STATUS",
        t(lang, i18n::COLUMN_OPENED),
        t(lang, i18n::COLUMN_VISITED),
        t(lang, i18n::COLUMN_CRITERIA),
        t(lang, i18n::COLUMN_DECISION),
    );
    for v in views {
        let opened = v.opened_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
        let decision = v.decision.as_ref().map_or_else(
            || "-".to_owned(),
            |d| format!("{}{}", outcome(d.outcome), pending(d.pending_sync, lang)),
        );
        println!(
            "{:<8}  {:<30}  {:<26}  {:<17}  {:>9}  {:<9}  {decision}",
            short_id(v.id),
            match &v.village_name {
                Some(name) => format!("{} {name}", v.village),
                None => v.village.clone(),
            },
            state(v.state, lang),
            opened,
            format!("{}/{}", v.visited, v.sampled),
            if v.community.is_some() { t(lang, i18n::RECORDED) } else { "-" },
        );
    }
    Ok(())
}

fn criterion_line(label: &str, c: &CriterionDto, lang: Lang) {
    let note = c.note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
    println!("  {label:<34} {}{note}", yes_no(c.met, lang));
}

/// The rules' suggestion with its reasons, or why there is none yet.
pub fn suggestion_lines(lang: Lang, v: &VerificationView) {
    let Some(s) = &v.suggestion else {
        let why = if v.sample.is_none() {
            t(lang, i18n::WAITING_FOR_SAMPLE)
        } else {
            t(lang, i18n::COMMUNITY_NOT_RECORDED)
        };
        println!("{} -  ({why})", t(lang, i18n::LABEL_RULES_SUGGEST));
        return;
    };
    println!("{} {}", t(lang, i18n::LABEL_RULES_SUGGEST), outcome(s.outcome));
    for reason in &s.reasons {
        let households: Vec<String> = reason.household_ids.iter().map(|id| short_id(*id)).collect();
        let text = i18n::fail_reason(&reason.code, &households, lang.into());
        println!("  - {}", text.unwrap_or_else(|| reason.message.clone()));
    }
}

pub fn verification(ctx: &Ctx, v: &VerificationView) -> Outcome {
    if ctx.json {
        return json(v);
    }
    let lang = ctx.lang;
    println!("{:<18} {} ({})", t(lang, i18n::LABEL_VERIFICATION), v.id, state(v.state, lang));
    match &v.village_name {
        Some(name) => println!("{:<18} {name} ({})", t(lang, i18n::LABEL_VILLAGE), v.village),
        None => println!("{:<18} {}", t(lang, i18n::LABEL_VILLAGE), v.village),
    }
    let by = v.opened_by.as_deref().map(|b| format!(" {} {b}", t(lang, i18n::BY))).unwrap_or_default();
    println!("{:<18} {}{by}", t(lang, i18n::LABEL_OPENED), time(v.opened_at));
    let team: Vec<String> = v
        .team
        .iter()
        .map(|m| if m.name.is_empty() { m.username.clone() } else { format!("{} ({})", m.name, m.username) })
        .collect();
    println!("{:<18} {}", t(lang, i18n::LABEL_TEAM), team.join(", "));
    if let Some(sample) = &v.sample {
        let units = if sample.units.is_empty() {
            t(lang, i18n::EVERY_HOUSEHOLD).to_owned()
        } else {
            sample.units.join("; ")
        };
        println!("{:<18} {units} (seed {})", t(lang, i18n::LABEL_SAMPLE), sample.seed);
        println!("{:<18} {}/{}", t(lang, i18n::LABEL_VISITED), v.visited, v.sampled);
        for h in &v.households {
            let head = h.head_name.as_deref().unwrap_or(t(lang, i18n::NOT_ON_THIS_DEVICE));
            let place: Vec<&str> =
                [h.dusun.as_deref(), h.rw.as_deref(), h.rt.as_deref()].into_iter().flatten().collect();
            let found = match (&h.category, h.visited_by.as_deref()) {
                (Some(category), Some(by)) => {
                    let mut text = format!("{} ({by})", i18n::category(*category, lang.into()));
                    if !h.checklist_failures.is_empty() {
                        let items: Vec<&str> = h
                            .checklist_failures
                            .iter()
                            .map(|i| match lang {
                                Lang::Id => i.label(),
                                Lang::En => i.as_str(),
                            })
                            .collect();
                        text.push_str(&format!(
                            "; {}: {}",
                            t(lang, i18n::CHECKLIST_FAILED),
                            items.join(", ")
                        ));
                    }
                    text
                }
                _ => t(lang, i18n::NOT_VISITED).to_owned(),
            };
            println!("  {:<8}  {:<24}  {:<20}  {found}", short_id(h.id), head, place.join("/"));
        }
    } else {
        println!("{:<18} {}", t(lang, i18n::LABEL_SAMPLE), t(lang, i18n::WAITING_FOR_SYNC));
    }
    match &v.community {
        Some(c) => {
            println!("{}{}", t(lang, i18n::LABEL_COMMUNITY_CRITERIA), pending(c.pending_sync, lang));
            criterion_line(t(lang, i18n::NO_VISIBLE_FAECES), &c.criteria.no_visible_faeces, lang);
            criterion_line(t(lang, i18n::RULES_OR_SANCTIONS), &c.criteria.rules_and_sanctions, lang);
            criterion_line(t(lang, i18n::MONITORING), &c.criteria.monitoring, lang);
        }
        None => println!("{} -", t(lang, i18n::LABEL_COMMUNITY_CRITERIA)),
    }
    suggestion_lines(lang, v);
    match &v.decision {
        Some(d) => {
            println!(
                "{} {}{}",
                t(lang, i18n::LABEL_DECISION),
                outcome(d.outcome),
                pending(d.pending_sync, lang)
            );
            for reason in &d.reasons {
                println!("  - {reason}");
            }
        }
        None => println!("{} -", t(lang, i18n::LABEL_DECISION)),
    }
    if let Some(id) = v.certificate_id {
        println!("{} {id} ({})", t(lang, i18n::LABEL_CERTIFICATE), t(lang, i18n::SEE_CERTIFICATES));
    }
    for a in v.actions.iter().filter(|a| !matches!(a.sync, SyncState::Synced)) {
        println!(
            "{} {} {}: {}",
            t(lang, i18n::LABEL_DEVICE_ACTION),
            a.kind,
            short_id(a.id),
            output::sync_state(&a.sync, lang)
        );
    }
    Ok(())
}

fn signature(check: SignatureCheck, lang: Lang) -> &'static str {
    match check {
        SignatureCheck::Valid => t(lang, i18n::SIGNATURE_VALID),
        SignatureCheck::Invalid => t(lang, i18n::SIGNATURE_INVALID),
        SignatureCheck::Unreadable => t(lang, i18n::SIGNATURE_UNREADABLE),
    }
}

pub fn certificates(ctx: &Ctx, views: &[CertificateView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, i18n::NO_CERTIFICATES_YET));
        return Ok(());
    }
    println!(
        "{:<20}  {:<14}  {:<18}  {:<10}  {:<22}  {:<8}  {}",
        t(lang, i18n::COLUMN_NUMBER),
        t(lang, i18n::COLUMN_VILLAGE),
        t(lang, i18n::COLUMN_VILLAGE_NAME),
        t(lang, i18n::COLUMN_ISSUED),
        t(lang, i18n::COLUMN_ISSUER),
        "STATUS",
        t(lang, i18n::COLUMN_SIGNATURE),
    );
    for c in views {
        let status = match c.status {
            CertificateStatus::Valid => t(lang, i18n::CERTIFICATE_VALID),
            CertificateStatus::Revoked => t(lang, i18n::CERTIFICATE_REVOKED),
        };
        println!(
            "{:<20}  {:<14}  {:<18}  {:<10}  {:<22}  {:<8}  {} ({})",
            c.number,
            c.village,
            c.village_name,
            c.issued_on,
            format!("{}, {}", c.issuer_name, c.issuer_role),
            status,
            signature(c.signature, lang),
            c.public_key_fingerprint,
        );
        if let Some(reason) = &c.revocation_reason {
            println!("  {} {reason}", t(lang, i18n::LABEL_REVOKED_BECAUSE));
        }
    }
    Ok(())
}
