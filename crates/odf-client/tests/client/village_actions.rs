//! Village actions recorded offline (trigger, claim, open a verification): local checks before
//! saving, the outbox entry written with the action, claim eligibility on the phone, and how the
//! push carries actions after the records made before them.

use crate::support::*;
use chrono::{Duration, Utc};
use odf_client::{Client, ClientError, OutboxState, SyncState, VerificationState, VisitDraft};
use odf_domain::{AreaCode, Eligibility};
use odf_mobile_api::verification::{PlanKind, UnitLevelDto};
use odf_mobile_api::{
    CommunityCriteriaDto, DecisionRequest, OutcomeDto, RecordKindDto, SamplingPlanDto, TeamMemberDto,
    VillageActionDto, VillageActionKind,
};

fn village() -> AreaCode {
    AreaCode::parse(VILLAGE).unwrap()
}

fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>) -> String {
    match result {
        Err(err @ (ClientError::Refused { .. } | ClientError::Invalid { .. })) => err.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn set_up(home: &std::path::Path) -> Client {
    let client = Client::open(home).await.unwrap();
    client.set_up("http://odf.example.invalid", "sani").await.unwrap();
    client
}

async fn db(home: &std::path::Path) -> sqlx::SqliteConnection {
    let url = format!("sqlite://{}", home.join("odf-client.sqlite").display());
    <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap()
}

async fn visit_at(client: &Client, household: uuid::Uuid, category: &str, days_ago: i64) {
    let draft = VisitDraft {
        household_id: household,
        category: category.to_owned(),
        visited_at: Some(Utc::now() - Duration::days(days_ago)),
        ..VisitDraft::default()
    };
    client.record_visit(draft, false).await.unwrap();
}

fn team(usernames: &[&str]) -> Vec<TeamMemberDto> {
    usernames
        .iter()
        .map(|u| TeamMemberDto { username: (*u).to_owned(), name: format!("Nama {u}"), position: None })
        .collect()
}

fn all_households() -> SamplingPlanDto {
    SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None }
}

#[tokio::test]
async fn an_action_is_saved_with_its_outbox_entry_and_shows_as_waiting_to_sync() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let yesterday = Utc::now().date_naive() - Duration::days(1);

    let id = client.trigger_village(village(), yesterday, Some("  di balai desa ".to_owned())).await.unwrap();

    assert_eq!(id.get_version_num(), 7);
    let outbox = client.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].kind, outbox[0].record_id), (RecordKindDto::VillageAction, id));
    let mut conn = db(home.path()).await;
    let payload: String = sqlx::query_scalar("SELECT payload FROM outbox WHERE record_id = $1")
        .bind(id.to_string())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let action: VillageActionDto = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        action.action,
        VillageActionKind::Trigger {
            village: VILLAGE.to_owned(),
            triggered_on: yesterday,
            note: Some("di balai desa".to_owned())
        }
    );
    let stored: String = sqlx::query_scalar("SELECT data FROM village_actions WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, payload, "the view and the outbox hold the same action");

    let villages = client.villages().await.unwrap();
    let view = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!((view.status.as_deref(), view.local_status.as_deref()), (None, Some("dipicu")));
    assert_eq!(view.unconfirmed_actions[0].sync, SyncState::Pending);
    assert_eq!(client.status().await.unwrap().pending_village_actions.len(), 1);

    // Refused before saving: a second triggering, a date in the future.
    assert_eq!(refused(client.trigger_village(village(), yesterday, None).await), "transition_not_allowed");
    let tomorrow = Utc::now().date_naive() + Duration::days(2);
    assert_eq!(refused(client.trigger_village(village(), tomorrow, None).await), "invalid_field");
    assert_eq!(client.outbox(None).await.unwrap().len(), 1, "nothing saved on refusal");
}

#[tokio::test]
async fn an_action_whose_outbox_entry_cannot_be_written_is_not_saved_at_all() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let mut conn = db(home.path()).await;
    sqlx::query(
        "CREATE TRIGGER full_disk BEFORE INSERT ON outbox WHEN NEW.kind = 'village_action' \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let result = client.trigger_village(village(), Utc::now().date_naive(), None).await;

    assert!(matches!(result, Err(ClientError::Db(_))), "{result:?}");
    let actions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM village_actions").fetch_one(&mut conn).await.unwrap();
    assert_eq!(actions, 0, "the action row was rolled back with the outbox entry");
    sqlx::query("DROP TRIGGER full_disk").execute(&mut conn).await.unwrap();
    assert!(client.trigger_village(village(), Utc::now().date_naive(), None).await.is_ok());
}

#[tokio::test]
async fn eligibility_is_computed_on_the_phone_from_the_latest_visit_of_each_household() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let a = add_household(&client, "A").await; // 1 KK each (support::add_household)
    let b = add_household(&client, "B").await;
    let c = add_household(&client, "C").await;
    visit_at(&client, a, "JSP", 10).await;
    visit_at(&client, b, "BABS", 9).await;
    visit_at(&client, b, "sharing", 8).await;

    let view = client.village_eligibility(village()).await.unwrap();
    assert_eq!(view.eligibility, Eligibility::NotAllVisited { kk_never_visited: 1 });
    assert_eq!((view.kk, view.kk_visited, view.kk_access, view.houses), (3, 2, 2, 3));
    assert_eq!((view.code, view.eligible, view.window_days), ("not_all_visited", false, 183));
    assert_eq!(view.message, "1 KK belum pernah dikunjungi (families never visited)");
    assert_eq!(view.oldest_latest_visit.map(|t| (Utc::now() - t).num_days()), Some(10));

    visit_at(&client, c, "babs_terbuka", 1).await;
    let view = client.village_eligibility(village()).await.unwrap();
    assert_eq!(view.eligibility, Eligibility::NotAllAccess { kk_without_access: 1 });

    visit_at(&client, c, "JSSP", 0).await;
    let view = client.village_eligibility(village()).await.unwrap();
    assert_eq!((view.eligibility, view.kk_access), (Eligibility::Eligible, 3));
    assert!(!view.claim_allowed, "eligible, but the village was never triggered");

    // A household whose only visit is older than the claim window.
    let stale = add_household(&client, "D").await;
    visit_at(&client, stale, "JSP", 190).await;
    let view = client.village_eligibility(village()).await.unwrap();
    assert_eq!(view.eligibility, Eligibility::StaleVisits);
}

#[tokio::test]
async fn a_claim_is_refused_when_the_village_is_not_eligible_or_not_triggered() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let household = add_household(&client, "La Ode Hamid").await;

    let result = client.claim_village(village(), None).await;
    assert_eq!(refused(client.claim_village(village(), None).await), "not_eligible");
    let Err(err) = result else { panic!() };
    assert!(err.to_string().contains("1 KK belum pernah dikunjungi"), "{err}");

    add_visit(&client, household, "JSP").await;
    assert_eq!(refused(client.claim_village(village(), None).await), "transition_not_allowed");
    assert_eq!(client.outbox(None).await.unwrap().len(), 2, "only the household and the visit");

    client.trigger_village(village(), Utc::now().date_naive(), None).await.unwrap();
    client.claim_village(village(), Some("semua KK punya jamban".to_owned())).await.unwrap();
    let view = client.village_eligibility(village()).await.unwrap();
    assert_eq!(view.local_status, "klaim_sbs");
    assert_eq!(view.unconfirmed_actions.len(), 2);
}

#[tokio::test]
async fn actions_are_pushed_after_the_records_made_before_them_and_later_records_wait() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    server.publish("village_status", VILLAGE, serde_json::json!({"village": VILLAGE, "status": "dipicu"}));
    client.pull(&server, &odf_client::NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();
    let household = add_household(&client, "La Ode Hamid").await;
    add_visit(&client, household, "JSP").await;
    let claim = client.claim_village(village(), None).await.unwrap();
    let later = add_visit(&client, household, "aman").await;

    let (report, _) = sync(&client, &server, &options(2)).await;

    assert_eq!(report.unwrap().stored, 4);
    server.with(|s| {
        let shapes: Vec<(usize, usize, usize)> =
            s.pushes.iter().map(|p| (p.households.len(), p.visits.len(), p.village_actions.len())).collect();
        assert_eq!(shapes, [(1, 1, 0), (0, 0, 1), (0, 1, 0)]);
        assert_eq!(s.pushes[1].village_actions[0].id, claim);
        assert_eq!(s.pushes[2].visits[0].id, later);
        assert!(s.actions.contains_key(&claim));
    });
    assert!(client.outbox(None).await.unwrap().is_empty());
    // Taken by the server and a pull completed since: the village shows what the server says.
    let villages = client.villages().await.unwrap();
    let view = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!((view.status.as_deref(), view.local_status.as_ref()), (Some("dipicu"), None));
}

#[tokio::test]
async fn a_refused_action_stays_in_the_outbox_with_the_servers_reason_and_stops_counting() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    add_visit(&client, household, "JSP").await;
    let trigger = client.trigger_village(village(), Utc::now().date_naive(), None).await.unwrap();
    let claim = client.claim_village(village(), None).await.unwrap();
    server.with(|s| s.refuse.insert(claim, "not_eligible".to_owned()));

    let (report, _) = sync(&client, &server, &options(200)).await;

    let report = report.unwrap();
    assert_eq!((report.stored, report.rejected), (3, 1));
    let sent: Vec<uuid::Uuid> = server.with(|s| s.pushes[0].village_actions.iter().map(|a| a.id).collect());
    assert_eq!(sent, [trigger, claim]);
    let status = client.status().await.unwrap();
    assert_eq!(status.rejected.len(), 1);
    assert_eq!(status.rejected[0].kind, RecordKindDto::VillageAction);
    assert_eq!(status.rejected[0].state, OutboxState::Rejected);
    assert_eq!(status.rejected[0].code.as_deref(), Some("not_eligible"));
    assert!(status.pending_village_actions.is_empty());
    let villages = client.villages().await.unwrap();
    let view = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!(view.local_status, None, "the refused claim no longer moves the status");
}

#[tokio::test]
async fn opening_a_verification_checks_role_team_plan_and_status_and_waits_for_the_sample() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let sanitarian = logged_in(home.path(), &server).await;
    let members = team(&["budi", "wati", "sani"]);
    let result = sanitarian.open_verification(village(), members.clone(), all_households()).await;
    assert_eq!(refused(result), "forbidden");
    sanitarian.close().await;

    let home = tempfile::tempdir().unwrap();
    server.with(|s| s.role = Some("verifier".to_owned()));
    let client = logged_in(home.path(), &server).await;
    let two = client.open_verification(village(), team(&["budi", "wati"]), all_households()).await;
    assert_eq!(refused(two), "team_too_small");
    let four = client.open_verification(village(), team(&["a", "b", "c", "d"]), all_households()).await;
    assert_eq!(refused(four), "team_size_even");
    let twice = client.open_verification(village(), team(&["budi", "Budi ", "wati"]), all_households()).await;
    assert_eq!(refused(twice), "team_member_duplicate");
    let no_level = SamplingPlanDto { kind: PlanKind::RandomUnits, level: None, count: Some(2) };
    assert_eq!(
        refused(client.open_verification(village(), members.clone(), no_level).await),
        "field_missing"
    );
    assert_eq!(
        refused(client.open_verification(village(), members.clone(), all_households()).await),
        "transition_not_allowed",
        "the village has not claimed"
    );
    server.publish("village_status", VILLAGE, serde_json::json!({"village": VILLAGE, "status": "klaim_sbs"}));
    client.pull(&server, &odf_client::NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();
    let plan = SamplingPlanDto { kind: PlanKind::RandomUnits, level: Some(UnitLevelDto::Rt), count: Some(3) };

    let id = client.open_verification(village(), members, plan).await.unwrap();

    let views = client.verifications(Some(village())).await.unwrap();
    assert_eq!(views.len(), 1);
    let view = &views[0];
    assert_eq!((view.id, view.state), (id, VerificationState::WaitingForSample));
    assert_eq!((view.plan, view.team.len(), view.sample.as_ref()), (plan, 3, None));
    assert_eq!(view.actions[0].sync, SyncState::Pending);
    // The community criteria can be recorded before the sample arrives; the decision cannot.
    client.record_community(id, CommunityCriteriaDto::default()).await.unwrap();
    let decide =
        DecisionRequest { outcome: OutcomeDto::Lulus, reasons: vec![], issuer_name: None, issuer_role: None };
    assert_eq!(refused(client.decide_verification(id, decide.clone()).await), "sample_not_pulled");
    let unknown = client.decide_verification(uuid::Uuid::now_v7(), decide).await;
    assert!(matches!(unknown, Err(ClientError::UnknownVerification(_))), "{unknown:?}");
    let villages = client.villages().await.unwrap();
    let village_view = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!(village_view.local_status.as_deref(), Some("verifikasi"));
}
