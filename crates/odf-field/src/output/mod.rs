//! Printing the read views: plain tables for people, `--json` for scripts. Every figure says what it
//! measures, its numerator and denominator, and its date.

pub mod field;

use chrono::{DateTime, Local, Utc};
use odf_client::views::LatestVisitView;
use odf_client::{CoverageView, HouseholdView, Need, StatusView, SyncState, VillageView};
use serde::Serialize;
use uuid::Uuid;

use crate::cli::Lang;
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};

pub fn json<T: Serialize>(value: &T) -> Outcome {
    let text = serde_json::to_string_pretty(value).map_err(|err| Failure::Message(err.to_string()))?;
    println!("{text}");
    Ok(())
}

/// The last 8 characters of an id: the random end of a UUID v7, what a person types.
pub fn short_id(id: Uuid) -> String {
    let text = id.simple().to_string();
    text[text.len().saturating_sub(8)..].to_owned()
}

/// A time on the phone's own clock and zone.
pub fn time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%Y-%m-%d %H:%M %:z").to_string()
}

fn maybe_time(at: Option<DateTime<Utc>>, lang: Lang) -> String {
    at.map_or_else(|| t(lang, "belum pernah", "never").to_owned(), time)
}

fn percent(value: Option<f64>, lang: Lang) -> String {
    value.map_or_else(|| t(lang, "tidak ada data", "no data").to_owned(), |p| format!("{p:.1}%"))
}

fn need(need: Need, lang: Lang) -> &'static str {
    match need {
        Need::NeverVisited => t(lang, "belum dikunjungi", "never visited"),
        Need::Babs => t(lang, "BABS: perlu pendampingan", "open defecation: follow up"),
        Need::Ok => t(lang, "akses", "has access"),
    }
}

/// A record's state, as the client core's catalogue says it (a phone app says the same).
pub fn sync_state(state: &SyncState, lang: Lang) -> String {
    use odf_client::i18n;
    let lang = lang.into();
    match state {
        SyncState::Pending => i18n::STATE_NOT_SENT.get(lang).to_owned(),
        SyncState::SentNotConfirmed { .. } => i18n::STATE_SENT_NOT_CONFIRMED.get(lang).to_owned(),
        SyncState::Synced => i18n::STATE_STORED.get(lang).to_owned(),
        SyncState::Conflict { code, .. } => {
            i18n::STATE_CONFLICT.fill(lang, &[("reason", &code.as_deref().unwrap_or("?"))])
        }
        SyncState::Rejected { code, .. } => {
            i18n::STATE_REFUSED.fill(lang, &[("reason", &code.as_deref().unwrap_or("?"))])
        }
    }
}

/// The status as JSON, its times in the phone's own zone (as the text shows them).
fn status_json(s: &StatusView) -> Outcome {
    let mut value = serde_json::to_value(s).map_err(|err| Failure::Message(err.to_string()))?;
    if let Some(object) = value.as_object_mut() {
        for key in ["token_expires_at", "oldest_pending_at", "last_sync_at", "last_push_at", "last_pull_at"] {
            let local = object
                .get(key)
                .and_then(|v| v.as_str())
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
                .map(|at| at.with_timezone(&Local).to_rfc3339());
            if let Some(local) = local {
                object.insert(key.to_owned(), serde_json::Value::String(local));
            }
        }
    }
    json(&value)
}

fn latest(visit: Option<&LatestVisitView>) -> String {
    visit.map_or_else(
        || "-".to_owned(),
        |v| {
            format!("{} {} ({})", v.visited_at.with_timezone(&Local).format("%Y-%m-%d"), v.legacy, v.category)
        },
    )
}

pub fn households(ctx: &Ctx, views: &[HouseholdView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, "Belum ada rumah tangga di HP ini.", "No households on this device yet."));
        return Ok(());
    }
    println!(
        "{:<8}  {:<14}  {:<24}  {:>2}  {:<32}  {:<26}  {}",
        "ID",
        t(lang, "DESA", "VILLAGE"),
        t(lang, "KEPALA KELUARGA", "HEAD OF FAMILY"),
        "KK",
        t(lang, "KUNJUNGAN TERAKHIR", "LATEST VISIT"),
        t(lang, "PERLU", "NEEDS"),
        t(lang, "KIRIM", "SYNC"),
    );
    for view in views {
        let h = &view.household;
        println!(
            "{:<8}  {:<14}  {:<24}  {:>2}  {:<32}  {:<26}  {}",
            short_id(h.id),
            h.village.to_string(),
            truncate(&h.head_name, 24),
            h.kk_count,
            latest(view.latest_visit.as_ref()),
            need(view.need, lang),
            sync_state(&view.sync, lang),
        );
    }
    let never = views.iter().filter(|v| v.need == Need::NeverVisited).count();
    let babs = views.iter().filter(|v| v.need == Need::Babs).count();
    println!(
        "{} {}: {} {never}, BABS {babs}",
        views.len(),
        t(lang, "rumah", "houses"),
        t(lang, "belum dikunjungi", "never visited"),
    );
    Ok(())
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

pub fn villages(ctx: &Ctx, views: &[VillageView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!(
            "{}",
            t(
                lang,
                "Belum ada desa. Jalankan `odf-field login` lalu `odf-field pull`.",
                "No villages yet. Run `odf-field login`, then `odf-field pull`."
            )
        );
        return Ok(());
    }
    println!(
        "{:<14}  {:<13}  {:>5}  {:>5}  {:>14}  {:<5}  {:<5}  {}",
        t(lang, "DESA", "VILLAGE"),
        "STATUS",
        t(lang, "RUMAH", "HOUSES"),
        "KK",
        t(lang, "% KK AKSES", "% KK ACCESS"),
        t(lang, "BATAS", "BOUNDARY"),
        t(lang, "TUGAS", "ASSIGNED"),
        t(lang, "TINDAKAN HP INI", "THIS DEVICE'S ACTIONS"),
    );
    for v in views {
        let ratio = (v.kk > 0).then(|| 100.0 * int_f64(v.kk_access) / int_f64(v.kk));
        // The server's status; a step recorded here and not yet confirmed is shown beside it.
        let waiting = match (&v.local_status, v.unconfirmed_actions.is_empty()) {
            (Some(local), false) if Some(local) != v.status.as_ref() => {
                format!("→ {local} ({})", t(lang, "menunggu sync", "waiting to sync"))
            }
            (_, false) => t(lang, "menunggu sync", "waiting to sync").to_owned(),
            (_, true) => "-".to_owned(),
        };
        println!(
            "{:<14}  {:<13}  {:>5}  {:>5}  {:>14}  {:<5}  {:<5}  {waiting}",
            v.code,
            v.status.as_deref().unwrap_or("-"),
            v.houses,
            v.kk,
            percent(ratio, lang),
            if v.has_boundary { t(lang, "ada", "yes") } else { "-" },
            if v.assigned { t(lang, "ya", "yes") } else { "-" },
        );
    }
    Ok(())
}

/// Household counts stay far below 2^52, so the conversion is exact.
fn int_f64(n: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let value = n as f64;
    value
}

pub fn coverage(ctx: &Ctx, views: &[CoverageView]) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    let Some(first) = views.first() else {
        println!("{}", t(lang, "Belum ada rumah tangga di HP ini.", "No households on this device yet."));
        return Ok(());
    };
    println!(
        "{} ({} {}; {} {})",
        t(lang, "% KK akses menurut data di HP ini", "% KK with access, from the data on this device"),
        t(lang, "per", "as of"),
        time(first.as_of),
        t(lang, "tarikan terakhir dari server:", "last pull from the server:"),
        maybe_time(first.pulled_at, lang),
    );
    println!(
        "{:<14}  {:>10}  {:>15}  {:>5}  {:>16}  {:>7}",
        t(lang, "DESA", "VILLAGE"),
        t(lang, "% KK AKSES", "% KK ACCESS"),
        t(lang, "KK AKSES / KK", "KK ACCESS / KK"),
        t(lang, "RUMAH", "HOUSES"),
        t(lang, "KK BLM DIKUNJUNGI", "KK NOT VISITED"),
        "KK BABS",
    );
    for c in views {
        print_coverage_row(
            &c.village,
            c.percent,
            c.numerator,
            c.denominator,
            c.houses,
            c.kk_never_visited,
            c.kk_babs,
            lang,
        );
    }
    if views.len() > 1 {
        let sum = |f: fn(&CoverageView) -> i64| views.iter().map(f).sum::<i64>();
        let (numerator, denominator) = (sum(|c| c.numerator), sum(|c| c.denominator));
        let ratio = (denominator > 0).then(|| 100.0 * int_f64(numerator) / int_f64(denominator));
        let label = t(lang, "Semua desa", "All villages");
        print_coverage_row(
            label,
            ratio,
            numerator,
            denominator,
            sum(|c| c.houses),
            sum(|c| c.kk_never_visited),
            sum(|c| c.kk_babs),
            lang,
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print_coverage_row(
    label: &str,
    ratio: Option<f64>,
    num: i64,
    den: i64,
    houses: i64,
    never: i64,
    babs: i64,
    lang: Lang,
) {
    println!(
        "{label:<14}  {:>10}  {:>15}  {houses:>5}  {never:>16}  {babs:>7}",
        percent(ratio, lang),
        format!("{num} / {den}"),
    );
}

pub fn status(ctx: &Ctx, s: &StatusView) -> Outcome {
    if ctx.json {
        return status_json(s);
    }
    let lang = ctx.lang;
    let none = t(lang, "(belum ada)", "(none)");
    println!("{:<22} {}", t(lang, "Pengguna:", "User:"), s.username.as_deref().unwrap_or(none));
    println!("{:<22} {}", "Server:", s.server_url.as_deref().unwrap_or(none));
    let session = if s.logged_in {
        match s.token_expires_at {
            Some(at) => format!("{} {}", t(lang, "aktif, berlaku s.d.", "active, valid until"), time(at)),
            None => t(lang, "aktif", "active").to_owned(),
        }
    } else {
        t(lang, "tidak ada (jalankan `odf-field login`)", "none (run `odf-field login`)").to_owned()
    };
    println!("{:<22} {session}", t(lang, "Sesi:", "Session:"));
    println!("{:<22} {}", t(lang, "Perangkat:", "Device:"), s.device_id);
    let oldest = s
        .oldest_pending_at
        .map(|at| format!(" ({} {})", t(lang, "tertua", "oldest"), time(at)))
        .unwrap_or_default();
    println!("{:<22} {}{oldest}", t(lang, "Belum dikonfirmasi:", "Not yet confirmed:"), s.pending);
    let states = [
        (odf_client::i18n::STATE_NOT_SENT, s.not_sent),
        (odf_client::i18n::STATE_SENT_NOT_CONFIRMED, s.sent_not_confirmed),
    ];
    for (state, count) in states {
        println!("{:<22} {count}", format!("  {}:", state.get(lang.into())));
    }
    if !s.pending_village_actions.is_empty() {
        let kinds: Vec<String> =
            s.pending_village_actions.iter().map(|a| format!("{} {}", a.kind, a.village)).collect();
        println!("{:<22} {}", t(lang, "  tindakan desa:", "  village actions:"), kinds.join(", "));
    }
    println!("{:<22} {}", t(lang, "Ditolak server:", "Rejected by server:"), s.rejected.len());
    for e in &s.rejected {
        println!(
            "  - {:?} {}: {} — {}",
            e.kind,
            e.record_id,
            e.code.as_deref().unwrap_or("?"),
            e.message.as_deref().unwrap_or("")
        );
    }
    println!("{:<22} {}", t(lang, "Konflik:", "Conflicts:"), s.conflicts.len());
    for e in &s.conflicts {
        println!("  - {:?} {}: {}", e.kind, e.record_id, e.message.as_deref().unwrap_or(""));
    }
    if !s.rejected.is_empty() || !s.conflicts.is_empty() {
        println!(
            "  {}",
            t(
                lang,
                "Perbaiki penyebabnya, lalu `odf-field retry ID` untuk mengirim lagi.",
                "Fix the cause, then `odf-field retry ID` to send again."
            )
        );
    }
    println!("{:<22} {}", t(lang, "Sinkron terakhir:", "Last sync:"), maybe_time(s.last_sync_at, lang));
    println!("{:<22} {}", t(lang, "Tarik terakhir:", "Last pull:"), maybe_time(s.last_pull_at, lang));
    match s.clock {
        Some(clock) if s.clock_warning => println!("{}", clock_warning(clock.phone_ahead_minutes(), lang)),
        Some(_) => println!(
            "{:<22} {}",
            t(lang, "Jam HP:", "Device clock:"),
            t(lang, "sesuai server", "matches the server")
        ),
        None => println!(
            "{:<22} {}",
            t(lang, "Jam HP:", "Device clock:"),
            t(lang, "belum diperiksa", "not checked yet")
        ),
    }
    Ok(())
}

pub fn clock_warning(ahead_minutes: i64, lang: Lang) -> String {
    let (id, en) = if ahead_minutes >= 0 {
        (format!("{ahead_minutes} menit lebih cepat dari"), format!("{ahead_minutes} minutes ahead of"))
    } else {
        let behind = ahead_minutes.saturating_neg();
        (format!("{behind} menit lebih lambat dari"), format!("{behind} minutes behind"))
    };
    match lang {
        Lang::Id => format!(
            "PERINGATAN: jam HP {id} server. Betulkan jam HP: waktu kunjungan dipakai saat verifikasi."
        ),
        Lang::En => format!(
            "WARNING: the device clock is {en} the server. Fix the clock: visit times are used at verification."
        ),
    }
}

/// After saving: how many records wait for `sync`, and the clock warning if the last check found one.
pub async fn after_save(ctx: &Ctx) -> Outcome {
    let status = ctx.client.status().await?;
    println!(
        "{} {}. {}",
        t(ctx.lang, "Belum terkirim:", "Waiting to be sent:"),
        status.pending,
        t(ctx.lang, "Jalankan `odf-field sync` saat ada sinyal.", "Run `odf-field sync` when online.")
    );
    if let Some(clock) = status.clock.filter(|_| status.clock_warning) {
        eprintln!("{}", clock_warning(clock.phone_ahead_minutes(), ctx.lang));
    }
    Ok(())
}
