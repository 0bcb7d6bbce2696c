//! Printing eligibility, verifications and certificates: plain text for people, `--json` for scripts.

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
    if value { t(lang, "ya", "yes") } else { t(lang, "tidak", "no") }
}

fn status_text(server: Option<&str>, local: Option<&str>, lang: Lang) -> String {
    let server = server.unwrap_or("belum_dipicu");
    match local {
        Some(local) if local != server => {
            format!("{server} → {local} ({})", t(lang, "menunggu konfirmasi server", "awaiting the server"))
        }
        _ => server.to_owned(),
    }
}

pub fn eligibility(ctx: &Ctx, v: &EligibilityView) -> Outcome {
    if ctx.json {
        return json(v);
    }
    let lang = ctx.lang;
    println!("{:<26} {}", t(lang, "Desa:", "Village:"), v.village);
    let status = status_text(v.status.as_deref(), Some(&v.local_status), lang);
    println!("{:<26} {status}", "Status:");
    println!("{:<26} {} ({})", t(lang, "Syarat klaim SBS:", "SBS claim:"), v.message, v.code);
    println!("{:<26} {} / {}", t(lang, "KK akses / KK:", "KK with access / KK:"), v.kk_access, v.kk);
    println!("{:<26} {} / {}", t(lang, "KK dikunjungi / KK:", "KK visited / KK:"), v.kk_visited, v.kk);
    let oldest = v.oldest_latest_visit.map_or_else(|| "-".to_owned(), time);
    println!(
        "{:<26} {oldest} ({} {} {})",
        t(lang, "Kunjungan terakhir tertua:", "Oldest latest visit:"),
        t(lang, "paling lama", "at most"),
        v.window_days,
        t(lang, "hari", "days")
    );
    println!("{:<26} {}", t(lang, "Klaim dapat diajukan:", "Claim allowed:"), yes_no(v.claim_allowed, lang));
    let pulled = v.pulled_at.map_or_else(|| t(lang, "belum pernah", "never").to_owned(), time);
    println!(
        "{}",
        match lang {
            Lang::Id => format!(
                "Menurut data di HP ini per {}; tarikan terakhir dari server: {pulled}.",
                time(v.as_of)
            ),
            Lang::En => format!("From the data on this device as of {}; last pull: {pulled}.", time(v.as_of)),
        }
    );
    Ok(())
}

fn state(state: VerificationState, lang: Lang) -> &'static str {
    match state {
        VerificationState::WaitingForSample => t(lang, "menunggu sampel (sync)", "waiting for sample (sync)"),
        VerificationState::Open => t(lang, "berjalan", "open"),
        VerificationState::Decided => t(lang, "diputuskan", "decided"),
        VerificationState::Refused => t(lang, "ditolak server", "refused by server"),
    }
}

fn outcome(outcome: OutcomeDto) -> &'static str {
    match outcome {
        OutcomeDto::Lulus => "Lulus",
        OutcomeDto::Gagal => "Gagal",
    }
}

fn pending(pending: bool, lang: Lang) -> &'static str {
    if pending { t(lang, " (belum terkirim)", " (not sent yet)") } else { "" }
}

pub fn verifications(ctx: &Ctx, views: &[VerificationView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, "Belum ada verifikasi di HP ini.", "No verifications on this device yet."));
        return Ok(());
    }
    println!(
        "{:<8}  {:<14}  {:<26}  {:<17}  {:>9}  {:<9}  {}",
        "ID",
        t(lang, "DESA", "VILLAGE"),
        "STATUS",
        t(lang, "DIBUKA", "OPENED"),
        t(lang, "DIKUNJUNGI", "VISITED"),
        t(lang, "KRITERIA", "CRITERIA"),
        t(lang, "KEPUTUSAN", "DECISION"),
    );
    for v in views {
        let opened = v.opened_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
        let decision = v.decision.as_ref().map_or_else(
            || "-".to_owned(),
            |d| format!("{}{}", outcome(d.outcome), pending(d.pending_sync, lang)),
        );
        println!(
            "{:<8}  {:<14}  {:<26}  {:<17}  {:>9}  {:<9}  {decision}",
            short_id(v.id),
            v.village,
            state(v.state, lang),
            opened,
            format!("{}/{}", v.visited, v.sampled),
            if v.community.is_some() { t(lang, "dicatat", "recorded") } else { "-" },
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
            t(lang, "menunggu sampel dari server", "waiting for the sample from the server")
        } else {
            t(lang, "kriteria masyarakat belum dicatat", "community criteria not recorded yet")
        };
        println!("{} -  ({why})", t(lang, "Saran aturan:", "Rules suggest:"));
        return;
    };
    println!("{} {}", t(lang, "Saran aturan:", "Rules suggest:"), outcome(s.outcome));
    for reason in &s.reasons {
        println!("  - {}", reason.message);
    }
}

pub fn verification(ctx: &Ctx, v: &VerificationView) -> Outcome {
    if ctx.json {
        return json(v);
    }
    let lang = ctx.lang;
    println!("{:<18} {} ({})", t(lang, "Verifikasi:", "Verification:"), v.id, state(v.state, lang));
    println!("{:<18} {}", t(lang, "Desa:", "Village:"), v.village);
    let by = v.opened_by.as_deref().map(|b| format!(" {} {b}", t(lang, "oleh", "by"))).unwrap_or_default();
    println!("{:<18} {}{by}", t(lang, "Dibuka:", "Opened:"), time(v.opened_at));
    let team: Vec<String> = v
        .team
        .iter()
        .map(|m| if m.name.is_empty() { m.username.clone() } else { format!("{} ({})", m.name, m.username) })
        .collect();
    println!("{:<18} {}", t(lang, "Tim:", "Team:"), team.join(", "));
    if let Some(sample) = &v.sample {
        let units = if sample.units.is_empty() {
            t(lang, "semua rumah tangga", "every household").to_owned()
        } else {
            sample.units.join("; ")
        };
        println!("{:<18} {units} (seed {})", t(lang, "Sampel:", "Sample:"), sample.seed);
        println!("{:<18} {}/{}", t(lang, "Dikunjungi:", "Visited:"), v.visited, v.sampled);
        for h in &v.households {
            let head = h.head_name.as_deref().unwrap_or(t(lang, "(belum ada di HP)", "(not on this device)"));
            let place: Vec<&str> =
                [h.dusun.as_deref(), h.rw.as_deref(), h.rt.as_deref()].into_iter().flatten().collect();
            let found = match (&h.category, h.visited_by.as_deref()) {
                (Some(category), Some(by)) => {
                    let mut text = format!("{} ({by})", category.label());
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
                            t(lang, "tidak terpenuhi", "failed"),
                            items.join(", ")
                        ));
                    }
                    text
                }
                _ => t(lang, "belum dikunjungi", "not visited").to_owned(),
            };
            println!("  {:<8}  {:<24}  {:<20}  {found}", short_id(h.id), head, place.join("/"));
        }
    } else {
        println!("{:<18} {}", t(lang, "Sampel:", "Sample:"), t(lang, "menunggu sync", "waiting for sync"));
    }
    match &v.community {
        Some(c) => {
            println!(
                "{}{}",
                t(lang, "Kriteria masyarakat:", "Community criteria:"),
                pending(c.pending_sync, lang)
            );
            criterion_line(
                t(lang, "bebas tinja terlihat", "no visible faeces"),
                &c.criteria.no_visible_faeces,
                lang,
            );
            criterion_line(
                t(lang, "aturan/sanksi", "rules or sanctions"),
                &c.criteria.rules_and_sanctions,
                lang,
            );
            criterion_line(t(lang, "pemantauan", "monitoring"), &c.criteria.monitoring, lang);
        }
        None => println!("{} -", t(lang, "Kriteria masyarakat:", "Community criteria:")),
    }
    suggestion_lines(lang, v);
    match &v.decision {
        Some(d) => {
            println!(
                "{} {}{}",
                t(lang, "Keputusan:", "Decision:"),
                outcome(d.outcome),
                pending(d.pending_sync, lang)
            );
            for reason in &d.reasons {
                println!("  - {reason}");
            }
        }
        None => println!("{} -", t(lang, "Keputusan:", "Decision:")),
    }
    if let Some(id) = v.certificate_id {
        println!(
            "{} {id} ({})",
            t(lang, "Piagam:", "Certificate:"),
            t(lang, "lihat `odf-field certificates`", "see `odf-field certificates`")
        );
    }
    for a in v.actions.iter().filter(|a| !matches!(a.sync, SyncState::Synced)) {
        println!(
            "{} {} {}: {}",
            t(lang, "Tindakan HP ini:", "This device's action:"),
            a.kind,
            short_id(a.id),
            output::sync_state(&a.sync, lang)
        );
    }
    Ok(())
}

fn signature(check: SignatureCheck, lang: Lang) -> &'static str {
    match check {
        SignatureCheck::Valid => t(lang, "sah", "valid"),
        SignatureCheck::Invalid => t(lang, "TIDAK SAH", "INVALID"),
        SignatureCheck::Unreadable => t(lang, "tidak terbaca", "unreadable"),
    }
}

pub fn certificates(ctx: &Ctx, views: &[CertificateView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, "Belum ada piagam di HP ini.", "No certificates on this device yet."));
        return Ok(());
    }
    println!(
        "{:<20}  {:<14}  {:<18}  {:<10}  {:<22}  {:<8}  {}",
        t(lang, "NOMOR", "NUMBER"),
        t(lang, "DESA", "VILLAGE"),
        t(lang, "NAMA DESA", "VILLAGE NAME"),
        t(lang, "TANGGAL", "ISSUED"),
        t(lang, "PENERBIT", "ISSUER"),
        "STATUS",
        t(lang, "TANDA TANGAN", "SIGNATURE"),
    );
    for c in views {
        let status = match c.status {
            CertificateStatus::Valid => t(lang, "berlaku", "valid"),
            CertificateStatus::Revoked => t(lang, "dicabut", "revoked"),
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
            println!("  {} {reason}", t(lang, "Alasan pencabutan:", "Revoked because:"));
        }
    }
    Ok(())
}
