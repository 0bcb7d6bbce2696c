//! Network faults, randomised and seeded (issue 17): many sessions of phones working offline and then
//! syncing through the proxy, which cuts a seeded share of the exchanges mid-request or
//! mid-response. Between sessions a phone app may be killed and restarted (its folder kept). In the
//! end the server holds every record the phones made exactly once, tallies equal a recount, and each
//! phone holds its own records with nothing pending or refused.
//!
//! `ODF_FAULT_SESSIONS` (default 20) and `ODF_FAULT_SEED` set the run; the long run is
//! `ODF_FAULT_SESSIONS=500 cargo test -p odf-e2e-tests --test e2e fault_sessions -- --nocapture`.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use odf_domain::verification::SplitMix64;
use odf_e2e_tests::server::{
    SAN_A, SAN_B, Server, VILLAGE_1, VILLAGE_2, VILLAGE_3, assert_recount_clean, holdings,
};
use odf_e2e_tests::{Cut, CutPlan, Phone, Proxy};
use uuid::Uuid;

const CATEGORIES: [&str; 5] = ["aman", "layak_sendiri", "JSP", "BABS", "babs_tertutup"];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A number below `below` from the sessions' own generator (the proxy draws its cuts from its seed).
fn draw(rng: &mut SplitMix64, below: u64) -> u64 {
    rng.below(below)
}

pub(crate) async fn seeded_fault_sessions_lose_and_double_nothing(server: Server) {
    let sessions = env_number("ODF_FAULT_SESSIONS", 20);
    let seed = env_number("ODF_FAULT_SEED", 17);
    let mut rng = SplitMix64::new(seed);
    let proxy = Proxy::start(&server.url).await.unwrap();
    // Two phones whose villages overlap (A: 1 and 2, B: 2 and 3).
    let mut phones = vec![
        (Phone::log_in(proxy.url(), SAN_A).await, [VILLAGE_1, VILLAGE_2]),
        (Phone::log_in(proxy.url(), SAN_B).await, [VILLAGE_2, VILLAGE_3]),
    ];
    let (mut households, mut visits) = (BTreeSet::<Uuid>::new(), BTreeSet::<Uuid>::new());
    let (mut restarts, mut runs, mut minute) = (0, 0, 0_i64);
    let started = Utc::now() - Duration::days(5);
    for session in 0..sessions {
        let which = usize::try_from(draw(&mut rng, 2)).unwrap();
        let (phone, villages) = &phones[which];
        // Offline: one or two new households, and one to three visits to known households.
        for _ in 0..=draw(&mut rng, 2) {
            let village = villages[usize::try_from(draw(&mut rng, 2)).unwrap()];
            let household = phone.register(village, &format!("Keluarga {session}"), 1).await;
            households.insert(household);
        }
        let known: Vec<Uuid> = phone.household_ids().await.into_iter().collect();
        for _ in 0..=draw(&mut rng, 3) {
            let household = known[usize::try_from(draw(&mut rng, known.len() as u64)).unwrap()];
            let category = CATEGORIES[usize::try_from(draw(&mut rng, 5)).unwrap()];
            minute += 1;
            visits.insert(phone.visit(household, category, started + Duration::minutes(minute)).await);
        }
        // Online through a bad network: 10 to 40 percent of the exchanges cut.
        let percent = 10 + draw(&mut rng, 31);
        proxy.set_plan(CutPlan::seeded(seed ^ session, percent, &[Cut::MidRequest, Cut::MidResponse]));
        runs += phones[which].0.sync_until_done(40).await.len();
        if draw(&mut rng, 4) == 0 {
            // The app is killed and restarted between sessions.
            let (phone, villages) = phones.swap_remove(which);
            phones.insert(which, (phone.reopen().await, villages));
            restarts += 1;
        }
    }
    // A last, clean sync of each phone brings the other's records in the shared village.
    proxy.set_plan(CutPlan::pass());
    for (phone, _) in &phones {
        phone.sync_until_done(3).await;
    }

    let held = holdings(&server.store, &[VILLAGE_1, VILLAGE_2, VILLAGE_3]).await;
    let lost =
        households.difference(&held.household_set()).count() + visits.difference(&held.visit_set()).count();
    let duplicated =
        (held.households.len() - held.household_set().len()) + (held.visits.len() - held.visit_set().len());
    let extra =
        held.household_set().difference(&households).count() + held.visit_set().difference(&visits).count();
    // Straight to stderr, past the harness's capture, so `.ci/run`'s log shows the figures.
    let line = format!(
        "network faults on {}: {sessions} sessions (seed {seed}), {} exchanges, {} cut, {runs} sync runs, {restarts} app \
         restarts, {} records, {lost} lost, {duplicated} duplicated",
        server.store.backend_name(),
        proxy.log().len(),
        proxy.cuts().len(),
        households.len() + visits.len(),
    );
    std::io::Write::write_all(&mut std::io::stderr(), format!("{line}\n").as_bytes()).unwrap();
    assert_eq!((lost, duplicated, extra), (0, 0, 0));
    assert_recount_clean(&server.store, households.len(), visits.len()).await;
    for (phone, _) in &phones {
        assert_eq!(phone.pending().await, 0);
        assert_eq!(phone.refused().await, vec![]);
    }
    assert!(!proxy.cuts().is_empty());
    assert_eq!(proxy.errors(), Vec::<String>::new());
    for (phone, _) in phones {
        phone.close().await;
    }
}
