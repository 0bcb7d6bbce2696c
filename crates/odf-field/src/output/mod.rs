//! Printing the read views: plain tables for people, `--json` for scripts. Every figure says what it
//! measures, its numerator and denominator, and its date.

pub mod field;

use std::collections::BTreeMap;

use chrono::{DateTime, Local, Utc};
use odf_client::i18n;
use odf_client::views::LatestVisitView;
use odf_client::{CoverageView, HouseholdView, Need, OutboxEntry, StatusView, SyncState, VillageView};
use serde::Serialize;
use uuid::Uuid;

use crate::cli::Lang;
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, t};

pub fn json<T: Serialize>(value: &T) -> Outcome {
    let text = serde_json::to_string_pretty(value)
        .map_err(|err| Failure::Said(i18n::JSON_FAILED, Some(err.to_string())))?;
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
    at.map_or_else(|| t(lang, i18n::NEVER).to_owned(), time)
}

fn percent(value: Option<f64>, lang: Lang) -> String {
    value.map_or_else(|| t(lang, i18n::NO_DATA).to_owned(), |p| format!("{p:.1}%"))
}

fn need(need: Need, lang: Lang) -> &'static str {
    match need {
        Need::NeverVisited => t(lang, i18n::NEED_NEVER_VISITED),
        Need::Babs => t(lang, i18n::NEED_BABS),
        Need::Ok => t(lang, i18n::HAS_ACCESS),
    }
}

/// A record's state, as the client core's catalogue says it (a phone app says the same).
pub fn sync_state(state: &SyncState, lang: Lang) -> String {
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
    let mut value =
        serde_json::to_value(s).map_err(|err| Failure::Said(i18n::JSON_FAILED, Some(err.to_string())))?;
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

/// Village names by code, from the pulled `place` changes, for lists that show a village by code.
pub fn village_names(views: &[VillageView]) -> BTreeMap<String, String> {
    views.iter().filter_map(|v| Some((v.code.clone(), v.name.clone()?))).collect()
}

/// A village's pulled name, or `-` while the server has not sent it (the code is beside it).
fn name_or_dash<'a>(names: &'a BTreeMap<String, String>, code: &str) -> &'a str {
    names.get(code).map_or("-", String::as_str)
}

pub fn households(ctx: &Ctx, views: &[HouseholdView], names: &BTreeMap<String, String>) -> Outcome {
    if ctx.json {
        return json(&views);
    }
    let lang = ctx.lang;
    if views.is_empty() {
        println!("{}", t(lang, i18n::NO_HOUSEHOLDS_YET));
        return Ok(());
    }
    println!(
        "{:<8}  {:<14}  {:<20}  {:<24}  {:>2}  {:<32}  {:<26}  {}",
        "ID",
        t(lang, i18n::COLUMN_VILLAGE),
        t(lang, i18n::COLUMN_VILLAGE_NAME),
        t(lang, i18n::COLUMN_HEAD_OF_FAMILY),
        "KK",
        t(lang, i18n::COLUMN_LATEST_VISIT),
        t(lang, i18n::COLUMN_NEEDS),
        t(lang, i18n::COLUMN_SYNC),
    );
    for view in views {
        let h = &view.household;
        let village = h.village.to_string();
        println!(
            "{:<8}  {:<14}  {:<20}  {:<24}  {:>2}  {:<32}  {:<26}  {}",
            short_id(h.id),
            village,
            truncate(name_or_dash(names, &village), 20),
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
        t(lang, i18n::HOUSES),
        t(lang, i18n::NEED_NEVER_VISITED),
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
        println!("{}", t(lang, i18n::NO_VILLAGES_YET));
        return Ok(());
    }
    println!(
        "{:<14}  {:<24}  {:<13}  {:>5}  {:>5}  {:>14}  {:<5}  {:<5}  {}",
        t(lang, i18n::COLUMN_VILLAGE),
        t(lang, i18n::COLUMN_VILLAGE_NAME),
        "STATUS",
        t(lang, i18n::COLUMN_HOUSES),
        "KK",
        t(lang, i18n::COLUMN_KK_ACCESS_PERCENT),
        t(lang, i18n::COLUMN_BOUNDARY),
        t(lang, i18n::COLUMN_ASSIGNED),
        t(lang, i18n::COLUMN_DEVICE_ACTIONS),
    );
    for v in views {
        let ratio = (v.kk > 0).then(|| 100.0 * int_f64(v.kk_access) / int_f64(v.kk));
        // The server's status; a step recorded here and not yet confirmed is shown beside it.
        let waiting = match (&v.local_status, v.unconfirmed_actions.is_empty()) {
            (Some(local), false) if Some(local) != v.status.as_ref() => {
                format!("→ {local} ({})", t(lang, i18n::WAITING_TO_SYNC))
            }
            (_, false) => t(lang, i18n::WAITING_TO_SYNC).to_owned(),
            (_, true) => "-".to_owned(),
        };
        println!(
            "{:<14}  {:<24}  {:<13}  {:>5}  {:>5}  {:>14}  {:<5}  {:<5}  {waiting}",
            v.code,
            truncate(v.name.as_deref().unwrap_or("-"), 24),
            v.status.as_deref().unwrap_or("-"),
            v.houses,
            v.kk,
            percent(ratio, lang),
            if v.has_boundary { t(lang, i18n::HAS_BOUNDARY) } else { "-" },
            if v.assigned { t(lang, i18n::YES) } else { "-" },
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
        println!("{}", t(lang, i18n::NO_HOUSEHOLDS_YET));
        return Ok(());
    };
    println!(
        "{} ({} {}; {} {})",
        t(lang, i18n::COVERAGE_TITLE),
        t(lang, i18n::AS_OF),
        time(first.as_of),
        t(lang, i18n::LAST_PULL_FROM_SERVER),
        maybe_time(first.pulled_at, lang),
    );
    println!(
        "{:<14}  {:>10}  {:>15}  {:>5}  {:>16}  {:>7}",
        t(lang, i18n::COLUMN_VILLAGE),
        t(lang, i18n::COLUMN_KK_ACCESS_PERCENT),
        t(lang, i18n::COLUMN_KK_ACCESS_OF_KK),
        t(lang, i18n::COLUMN_HOUSES),
        t(lang, i18n::COLUMN_KK_NOT_VISITED),
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
        let label = t(lang, i18n::ALL_VILLAGES);
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
    let none = t(lang, i18n::NONE_YET);
    println!("{:<22} {}", t(lang, i18n::LABEL_USER), s.username.as_deref().unwrap_or(none));
    println!("{:<22} {}", "Server:", s.server_url.as_deref().unwrap_or(none));
    let session = if s.logged_in {
        match s.token_expires_at {
            Some(at) => format!("{} {}", t(lang, i18n::SESSION_ACTIVE_UNTIL), time(at)),
            None => t(lang, i18n::SESSION_ACTIVE).to_owned(),
        }
    } else {
        t(lang, i18n::SESSION_NONE).to_owned()
    };
    println!("{:<22} {session}", t(lang, i18n::LABEL_SESSION));
    println!("{:<22} {}", t(lang, i18n::LABEL_DEVICE), s.device_id);
    let oldest = s
        .oldest_pending_at
        .map(|at| format!(" ({} {})", t(lang, i18n::OLDEST), time(at)))
        .unwrap_or_default();
    println!("{:<22} {}{oldest}", t(lang, i18n::LABEL_NOT_CONFIRMED), s.pending);
    let states = [(i18n::STATE_NOT_SENT, s.not_sent), (i18n::STATE_SENT_NOT_CONFIRMED, s.sent_not_confirmed)];
    for (state, count) in states {
        println!("{:<22} {count}", format!("  {}:", state.get(lang.into())));
    }
    if !s.pending_village_actions.is_empty() {
        let kinds: Vec<String> =
            s.pending_village_actions.iter().map(|a| format!("{} {}", a.kind, a.village)).collect();
        println!("{:<22} {}", t(lang, i18n::LABEL_VILLAGE_ACTIONS), kinds.join(", "));
    }
    println!("{:<22} {}", t(lang, i18n::LABEL_REJECTED), s.rejected.len());
    for entry in &s.rejected {
        refused_record(entry, lang);
    }
    println!("{:<22} {}", t(lang, i18n::LABEL_CONFLICTS), s.conflicts.len());
    for entry in &s.conflicts {
        refused_record(entry, lang);
    }
    if !s.rejected.is_empty() || !s.conflicts.is_empty() {
        println!("  {}", t(lang, i18n::FIX_THEN_RETRY));
    }
    println!("{:<22} {}", t(lang, i18n::LABEL_LAST_SYNC), maybe_time(s.last_sync_at, lang));
    println!("{:<22} {}", t(lang, i18n::LABEL_LAST_PULL), maybe_time(s.last_pull_at, lang));
    match s.clock {
        Some(clock) if s.clock_warning => println!("{}", clock_warning(clock.phone_ahead_minutes(), lang)),
        Some(_) => println!("{:<22} {}", t(lang, i18n::LABEL_DEVICE_CLOCK), t(lang, i18n::CLOCK_MATCHES)),
        None => println!("{:<22} {}", t(lang, i18n::LABEL_DEVICE_CLOCK), t(lang, i18n::CLOCK_NOT_CHECKED)),
    }
    Ok(())
}

/// A record the server refused: its code, and the server's own text (in both languages, as the
/// API writes it) on a detail line of its own.
fn refused_record(entry: &OutboxEntry, lang: Lang) {
    let kind = i18n::record_kind(entry.kind, lang.into());
    println!("  - {kind} {}: {}", entry.record_id, entry.code.as_deref().unwrap_or("?"));
    if let Some(message) = entry.message.as_deref().filter(|m| !m.is_empty()) {
        println!("    {}: {message}", t(lang, i18n::DETAIL));
    }
}

pub fn clock_warning(ahead_minutes: i64, lang: Lang) -> String {
    let (text, minutes) = if ahead_minutes >= 0 {
        (i18n::CLOCK_AHEAD, ahead_minutes)
    } else {
        (i18n::CLOCK_BEHIND, ahead_minutes.saturating_neg())
    };
    text.fill(lang.into(), &[("minutes", &minutes)])
}

/// After saving: how many records wait for `sync`, and the clock warning if the last check found one.
pub async fn after_save(ctx: &Ctx) -> Outcome {
    let status = ctx.client.status().await?;
    println!(
        "{} {}. {}",
        t(ctx.lang, i18n::LABEL_WAITING_TO_BE_SENT),
        status.pending,
        t(ctx.lang, i18n::RUN_SYNC_WHEN_ONLINE)
    );
    if let Some(clock) = status.clock.filter(|_| status.clock_warning) {
        eprintln!("{}", clock_warning(clock.phone_ahead_minutes(), ctx.lang));
    }
    Ok(())
}
