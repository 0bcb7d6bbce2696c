//! What the phone shows, computed from its own records and what it pulled: households and what each
//! still needs, villages, coverage (% KK akses with its parts and its date) and the sync status.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use odf_domain::coverage::latest_visits;
use odf_domain::{
    AreaCode, Category, Eligibility, Household, LegacyCode, VillageCoverage, VillageStatus, Visit,
};
use serde::Serialize;
use uuid::Uuid;

use crate::actions::{self, ActionView, OwnAction};
use crate::client::Client;
use crate::clock::ClockSkew;
use crate::error::Result;
use crate::store::outbox::{self, OutboxEntry, OutboxState, SyncState};
use crate::store::records;
use crate::store::{self, Key};

/// What a household still needs, from its latest visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// No visit yet.
    NeverVisited,
    /// The latest visit found open defecation: follow up.
    Babs,
    /// The latest visit found access.
    Ok,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LatestVisitView {
    pub id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub category: Category,
    pub legacy: LegacyCode,
    pub sanitarian: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdView {
    #[serde(flatten)]
    pub household: Household,
    /// `local` (registered on this phone) or `server` (pulled).
    pub origin: String,
    pub sync: SyncState,
    pub visits: usize,
    /// This phone's visits to the household not yet stored by the server.
    pub unsynced_visits: usize,
    pub latest_visit: Option<LatestVisitView>,
    pub need: Need,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageView {
    pub code: String,
    /// The village's name, once a pull brought it (a `place` change); `None` before.
    pub name: Option<String>,
    /// `desa`, `kelurahan` or `desa adat`, with the name.
    pub place_kind: Option<String>,
    /// The names of its kecamatan and kabupaten (or kota), with the name.
    pub kecamatan: Option<String>,
    pub kabupaten: Option<String>,
    /// A `VillageStatus` string, when the server sent one.
    pub status: Option<String>,
    pub status_since: Option<DateTime<Utc>>,
    /// The status with this phone's own village actions that a pull has not confirmed yet (a claim
    /// waiting to sync shows `klaim_sbs` here while `status` stays what the server said); `None`
    /// when there are none.
    pub local_status: Option<String>,
    /// Those actions, with where each stands (`pending`: waiting to sync; `synced`: taken by the
    /// server, not yet pulled back).
    pub unconfirmed_actions: Vec<ActionView>,
    pub has_boundary: bool,
    /// Listed in the user's assignment (from the last login).
    pub assigned: bool,
    pub houses: i64,
    pub kk: i64,
    pub kk_access: i64,
}

/// One village's "% KK akses" as the phone knows it, always with its parts and its date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageView {
    pub village: String,
    /// Always `kk_akses`: KK with access ÷ registered KK (by each household's latest visit).
    pub measure: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    /// `None` when no KK is registered (no data, never 0%).
    pub percent: Option<f64>,
    pub houses: i64,
    pub kk_never_visited: i64,
    pub kk_babs: i64,
    /// KK per legacy code (JSP, JSSP, SHARING, BABS) and per ladder rung.
    pub kk_by_legacy: BTreeMap<&'static str, i64>,
    pub kk_by_category: BTreeMap<&'static str, i64>,
    pub oldest_latest_visit: Option<DateTime<Utc>>,
    pub eligibility: Eligibility,
    /// When this was computed (the phone's clock).
    pub as_of: DateTime<Utc>,
    /// When the phone last pulled from the server: others' visits after this are not included.
    pub pulled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusView {
    pub username: Option<String>,
    pub server_url: Option<String>,
    pub logged_in: bool,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub device_id: String,
    pub app_version: &'static str,
    /// Records the server has not confirmed: `not_sent` + `sent_not_confirmed`.
    pub pending: u32,
    /// No push carried these yet.
    pub not_sent: u32,
    /// A push carried these but its answer was lost; the next sync confirms them.
    pub sent_not_confirmed: u32,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub conflicts: Vec<OutboxEntry>,
    pub rejected: Vec<OutboxEntry>,
    /// Village actions made on this phone and waiting to sync (refused ones are in `rejected` and
    /// `conflicts`, like refused visits).
    pub pending_village_actions: Vec<ActionView>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub pull_cursor: i64,
    pub clock: Option<ClockSkew>,
    /// The last measured clock offset is more than five minutes.
    pub clock_warning: bool,
}

fn need_of(latest: Option<&Visit>) -> Need {
    match latest {
        None => Need::NeverVisited,
        Some(v) if v.category.has_access() => Need::Ok,
        Some(_) => Need::Babs,
    }
}

impl Client {
    /// Households (all, or of one village) with their latest visit and what they still need.
    pub async fn households(&self, village: Option<AreaCode>) -> Result<Vec<HouseholdView>> {
        let rows = records::households(self.pool(), village).await?;
        let visits = records::visits(self.pool(), village).await?;
        let states = outbox::states(self.pool()).await?;
        let latest = latest_visits(&visits);
        let mut counts: HashMap<Uuid, (usize, usize)> = HashMap::new();
        for visit in &visits {
            let entry = counts.entry(visit.household_id).or_default();
            entry.0 += 1;
            if states.get(&visit.id).is_some_and(|e| e.state == OutboxState::Pending) {
                entry.1 += 1;
            }
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let id = row.household.id;
                let last = latest.get(&id).copied();
                let (visits, unsynced_visits) = counts.get(&id).copied().unwrap_or_default();
                HouseholdView {
                    sync: SyncState::of(id, &states),
                    origin: row.origin,
                    visits,
                    unsynced_visits,
                    latest_visit: last.map(|v| LatestVisitView {
                        id: v.id,
                        visited_at: v.visited_at,
                        category: v.category,
                        legacy: v.category.legacy(),
                        sanitarian: v.sanitarian.clone(),
                    }),
                    need: need_of(last),
                    household: row.household,
                }
            })
            .collect())
    }

    /// Villages the phone knows: assigned at login, pulled (status, boundary) or holding households.
    pub async fn villages(&self) -> Result<Vec<VillageView>> {
        let assigned: Vec<String> = self.user().await?.map(|u| u.villages).unwrap_or_default();
        let mut views: BTreeMap<String, VillageView> = BTreeMap::new();
        let blank = |code: &str| VillageView {
            code: code.to_owned(),
            name: None,
            place_kind: None,
            kecamatan: None,
            kabupaten: None,
            status: None,
            status_since: None,
            local_status: None,
            unconfirmed_actions: Vec::new(),
            has_boundary: false,
            assigned: assigned.iter().any(|a| a == code),
            houses: 0,
            kk: 0,
            kk_access: 0,
        };
        for code in &assigned {
            views.entry(code.clone()).or_insert_with(|| blank(code));
        }
        for row in records::villages(self.pool()).await? {
            let view = views.entry(row.code.clone()).or_insert_with(|| blank(&row.code));
            view.status = row.status;
            view.status_since = row.status_since;
            view.has_boundary = row.boundary.is_some();
            view.name = row.names.name;
            view.place_kind = row.names.place_kind;
            view.kecamatan = row.names.kecamatan;
            view.kabupaten = row.names.kabupaten;
        }
        for coverage in self.coverage(None).await? {
            let view = views.entry(coverage.village.clone()).or_insert_with(|| blank(&coverage.village));
            view.houses = coverage.houses;
            view.kk = coverage.denominator;
            view.kk_access = coverage.numerator;
        }
        let last_pull = actions::last_pull(self.pool()).await?;
        let mut unconfirmed: BTreeMap<String, Vec<OwnAction>> = BTreeMap::new();
        for action in actions::list(self.pool(), None).await? {
            if action.counts(last_pull) {
                unconfirmed.entry(action.village.clone()).or_default().push(action);
            }
        }
        for (code, own) in unconfirmed {
            let view = views.entry(code.clone()).or_insert_with(|| blank(&code));
            let server = view.status.as_deref().and_then(VillageStatus::parse);
            view.local_status = Some(actions::fold(server, &own).as_str().to_owned());
            view.unconfirmed_actions = own.iter().map(OwnAction::view).collect();
        }
        Ok(views.into_values().collect())
    }

    /// % KK akses per village (one village, or every village with households), from all households
    /// and visits on the phone: its own and pulled ones.
    pub async fn coverage(&self, village: Option<AreaCode>) -> Result<Vec<CoverageView>> {
        let rows = records::households(self.pool(), village).await?;
        let visits = records::visits(self.pool(), village).await?;
        let pulled_at = store::get_parsed(self.pool(), Key::LastPullAt).await?;
        let now = Utc::now();
        let mut by_village: BTreeMap<String, Vec<&Household>> = BTreeMap::new();
        for row in &rows {
            by_village.entry(row.household.village.to_string()).or_default().push(&row.household);
        }
        if let Some(code) = village {
            by_village.entry(code.to_string()).or_default();
        }
        let window = chrono::Duration::days(self.rules().await?.claim_window_days);
        Ok(by_village
            .into_iter()
            .map(|(code, households)| {
                let coverage = VillageCoverage::compute(households, &visits);
                let t = coverage.tally;
                let ratio = t.kk_akses();
                CoverageView {
                    village: code,
                    measure: "kk_akses",
                    numerator: ratio.numerator,
                    denominator: ratio.denominator,
                    percent: ratio.percent(),
                    houses: t.houses,
                    kk_never_visited: t.kk_never_visited(),
                    kk_babs: t.kk_babs(),
                    kk_by_legacy: LegacyCode::ALL.iter().map(|c| (c.as_str(), t.kk_in_legacy(*c))).collect(),
                    kk_by_category: Category::ALL.iter().map(|c| (c.as_str(), t.kk_in(*c))).collect(),
                    oldest_latest_visit: coverage.oldest_latest_visit,
                    eligibility: coverage.claim_eligibility(now, window),
                    as_of: now,
                    pulled_at,
                }
            })
            .collect())
    }

    /// Pending, refused and conflicting records, last sync and the clock warning.
    pub async fn status(&self) -> Result<StatusView> {
        let pool = self.pool();
        let (pending, oldest_pending_at) = outbox::pending_stats(pool).await?;
        let (not_sent, sent_not_confirmed) = outbox::waiting_counts(pool).await?;
        let clock = match (
            store::get_parsed::<_, i64>(pool, Key::ClockOffsetMs).await?,
            store::get_parsed::<_, DateTime<Utc>>(pool, Key::ClockCheckedAt).await?,
        ) {
            (Some(offset_ms), Some(checked_at)) => Some(ClockSkew { offset_ms, checked_at }),
            _ => None,
        };
        Ok(StatusView {
            username: self.username().await?,
            server_url: self.server_url().await?,
            logged_in: self.token().await?.is_some(),
            token_expires_at: self.token_expires_at().await?,
            device_id: self.device_id().to_owned(),
            app_version: crate::sync::APP_VERSION,
            pending,
            not_sent,
            sent_not_confirmed,
            oldest_pending_at,
            conflicts: outbox::list(pool, Some(OutboxState::Conflict)).await?,
            rejected: outbox::list(pool, Some(OutboxState::Rejected)).await?,
            pending_village_actions: actions::list(pool, None)
                .await?
                .iter()
                .filter(|a| a.sync.is_waiting())
                .map(OwnAction::view)
                .collect(),
            last_sync_at: store::get_parsed(pool, Key::LastSyncAt).await?,
            last_push_at: store::get_parsed(pool, Key::LastPushAt).await?,
            last_pull_at: store::get_parsed(pool, Key::LastPullAt).await?,
            pull_cursor: store::get_parsed(pool, Key::PullCursor).await?.unwrap_or(0),
            clock_warning: clock.is_some_and(|c| c.is_warning()),
            clock,
        })
    }
}
