// The facts a coverage history is rebuilt from (households, visit dates, status change dates) for
// every village at or under an area: compiled inside `queries` for each backend (see `queries.rs`).
// Reading raw visits is right here and nowhere else: current figures come from the tallies.

pub(super) async fn facts(store: &ThisStore, under: Option<AreaCode>) -> Result<HistoryFacts> {
    let mut tx = store.begin_snapshot().await?;
    let mut query =
        QueryBuilder::new("SELECT id, village_code, kk_count, received_at FROM households WHERE 1 = 1");
    push_area_range(&mut query, "village_code", under);
    let mut facts = HistoryFacts::default();
    for row in query.build().fetch_all(&mut *tx).await? {
        let village: String = row.try_get("village_code")?;
        let kk: i64 = row.try_get("kk_count")?;
        facts.households.push(HouseholdRow {
            id: row.try_get("id")?,
            village: code_of(&village)?,
            kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
            received_at: row.try_get("received_at")?,
        });
    }
    let mut query =
        QueryBuilder::new("SELECT id, household_id, visited_at, category FROM visits WHERE 1 = 1");
    push_area_range(&mut query, "village_code", under);
    for row in query.build().fetch_all(&mut *tx).await? {
        let category: String = row.try_get("category")?;
        facts.visits.push(VisitRow {
            id: row.try_get("id")?,
            household_id: row.try_get("household_id")?,
            visited_at: row.try_get("visited_at")?,
            category: category_of(&category)?,
        });
    }
    let mut query = QueryBuilder::new("SELECT village_code, to_status, at FROM status_history WHERE 1 = 1");
    push_area_range(&mut query, "village_code", under);
    query.push(" ORDER BY id");
    for row in query.build().fetch_all(&mut *tx).await? {
        let village: String = row.try_get("village_code")?;
        let status: String = row.try_get("to_status")?;
        facts.statuses.push(StatusRow {
            village: code_of(&village)?,
            status: VillageStatus::parse(&status)
                .ok_or_else(|| StoreError::corrupt(format!("status {status}")))?,
            at: row.try_get("at")?,
        });
    }
    tx.commit().await?;
    Ok(facts)
}
