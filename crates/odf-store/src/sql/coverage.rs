//! What coverage figures are read from ([`Coverage`]): per-village tallies, kept in the same
//! transaction as the visits (`apply_tally_deltas`), their recount from raw rows, and the facts
//! coverage histories are rebuilt from.

use odf_domain::coverage::is_later;

use super::*;

const TALLY_COLUMNS: &str = "houses, kk, kk_visited, kk_access, kk_aman, kk_layak_sendiri, kk_layak_bersama, \
     kk_belum_layak, kk_babs_tertutup, kk_babs_terbuka";

#[async_trait]
impl Coverage for ThisStore {
    async fn village_tally(&self, village: AreaCode) -> Result<Tally> {
        let row =
            sqlx::query(&format!("SELECT {TALLY_COLUMNS} FROM village_tallies WHERE village_code = $1"))
                .bind(village.to_string())
                .fetch_optional(self.reader())
                .await?;
        row.map_or(Ok(Tally::default()), |row| tally_from_row(&row))
    }

    async fn tallies(&self, under: Option<AreaCode>) -> Result<Vec<(AreaCode, Tally)>> {
        let select = format!("SELECT village_code, {TALLY_COLUMNS} FROM village_tallies WHERE 1 = 1");
        let rows = self.village_rows(select, under).await?;
        rows.iter().map(|(village, row)| Ok((*village, tally_from_row(row)?))).collect()
    }

    async fn area_sums(&self, under: Option<AreaCode>) -> Result<AreaSums> {
        let prefix = under.map_or_else(String::new, |area| area.to_string());
        // One level down: a province's code is 2 characters, a kabupaten's 5, a kecamatan's 8.
        let child_len = match prefix.len() {
            0 => 2,
            n => n + 3,
        };
        let select = format!(
            "SELECT prefix, {TALLY_COLUMNS}, villages_with_data, villages_full_access FROM area_tallies \
             WHERE prefix = $1 OR parent = $1"
        );
        let rows = sqlx::query(&select).bind(prefix).fetch_all(self.reader()).await?;
        let mut sums = Vec::with_capacity(rows.len());
        for row in &rows {
            let prefix: &str = row.try_get("prefix")?;
            let area = if prefix.is_empty() { None } else { Some(code_of(prefix)?) };
            sums.push((area, area_sum_from_row(row)?));
        }
        // The database counts the statuses per child, so the rows crossing over are per child.
        let mut query = QueryBuilder::new(format!(
            "SELECT substr(village_code, 1, {child_len}) AS child, status, COUNT(*) AS villages \
             FROM village_status WHERE 1 = 1"
        ));
        push_area_range(&mut query, "village_code", under);
        query.push(" GROUP BY substr(village_code, 1, ").push(child_len.to_string()).push("), status");
        let mut statuses = Vec::new();
        for row in query.build().fetch_all(self.reader()).await? {
            let child: &str = row.try_get("child")?;
            let status: &str = row.try_get("status")?;
            statuses.push((code_of(child)?, status_of(status)?, row.try_get("villages")?));
        }
        Ok(AreaSums { sums, statuses })
    }

    async fn recount(&self) -> Result<RecountReport> {
        let ((recounted, households, visits), stored, stored_areas) = self
            .snapshot(async |tx| {
                let recounted = recount_in(tx).await?;
                let stored_areas = stored_area_sums(tx).await?;
                let mut stored: BTreeMap<AreaCode, Tally> = BTreeMap::new();
                for row in sqlx::query(&format!("SELECT village_code, {TALLY_COLUMNS} FROM village_tallies"))
                    .fetch_all(&mut *tx)
                    .await?
                {
                    let village: String = row.try_get("village_code")?;
                    stored.insert(code_of(&village)?, tally_from_row(&row)?);
                }
                Ok((recounted, stored, stored_areas))
            })
            .await?;
        let area_differences = area_differences(&stored_areas, &area_sums_of(&recounted))?;
        let mut villages: Vec<AreaCode> = stored.keys().chain(recounted.keys()).copied().collect();
        villages.sort_unstable();
        villages.dedup();
        let differences = villages
            .iter()
            .filter_map(|village| {
                let stored = stored.get(village).copied().unwrap_or_default();
                let recounted = recounted.get(village).copied().unwrap_or_default();
                (stored != recounted).then_some(TallyDifference { village: *village, stored, recounted })
            })
            .collect();
        Ok(RecountReport {
            villages_checked: villages.len(),
            households,
            visits,
            differences,
            area_differences,
        })
    }

    async fn history_facts(&self, under: Option<AreaCode>) -> Result<HistoryFacts> {
        self.snapshot(async |tx| history_facts_in(tx, under).await).await
    }

    async fn household_histories(
        &self,
        under: Option<AreaCode>,
        each: &mut (dyn for<'h> FnMut(&'h HouseholdRow, &'h [VisitRow]) + Send),
    ) -> Result<Vec<StatusRow>> {
        self.snapshot(async |tx| {
            households_with_visits_in(tx, under, each).await?;
            status_changes_in(tx, under).await
        })
        .await
    }

    async fn last_change_at(&self, under: Option<AreaCode>) -> Result<Option<DateTime<Utc>>> {
        let prefix = under.map_or_else(String::new, |area| area.to_string());
        let at = sqlx::query_scalar("SELECT last_change_at FROM area_freshness WHERE prefix = $1")
            .bind(prefix)
            .fetch_optional(self.reader())
            .await?;
        Ok(at)
    }
}

fn tally_from_row(row: &DbRow) -> Result<Tally> {
    Ok(Tally {
        houses: row.try_get("houses")?,
        kk: row.try_get("kk")?,
        kk_visited: row.try_get("kk_visited")?,
        kk_access: row.try_get("kk_access")?,
        kk_by_category: [
            row.try_get("kk_aman")?,
            row.try_get("kk_layak_sendiri")?,
            row.try_get("kk_layak_bersama")?,
            row.try_get("kk_belum_layak")?,
            row.try_get("kk_babs_tertutup")?,
            row.try_get("kk_babs_terbuka")?,
        ],
    })
}

/// Adds each village's summed delta to its tally row, and the same change to the per-level rows
/// of its kecamatan, kabupaten/kota, province and the nation (`area_tallies`): one upsert per
/// chunk of villages, then one per chunk of areas (a group of pushes usually touches a few
/// villages, so one statement). The village upsert returns the new tallies, so whether a village
/// gained or lost data or full access is known without reading it first.
pub(super) async fn apply_tally_deltas(
    tx: &mut Tx,
    deltas: &BTreeMap<AreaCode, Tally>,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<(&AreaCode, &Tally)> = deltas.iter().collect();
    // Sorted by prefix, so concurrent PostgreSQL writers lock the shared rows in one order.
    let mut areas: BTreeMap<String, AreaSum> = BTreeMap::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(format!(
            "INSERT INTO village_tallies (village_code, {TALLY_COLUMNS}, updated_at) "
        ));
        query.push_values(chunk, |mut row, (village, t)| {
            row.push_bind(village.to_string())
                .push_bind(t.houses)
                .push_bind(t.kk)
                .push_bind(t.kk_visited)
                .push_bind(t.kk_access);
            for count in t.kk_by_category {
                row.push_bind(count);
            }
            row.push_bind(now);
        });
        let sums: Vec<String> =
            TALLY_COLUMNS.split(", ").map(|c| format!("{c} = village_tallies.{c} + excluded.{c}")).collect();
        query.push(format!(
            " ON CONFLICT (village_code) DO UPDATE SET {}, updated_at = excluded.updated_at \
             RETURNING village_code, {TALLY_COLUMNS}",
            sums.join(", ")
        ));
        for row in query.build().fetch_all(&mut *tx).await? {
            let village = code_of(row.try_get("village_code")?)?;
            let after = tally_from_row(&row)?;
            let delta = deltas.get(&village).copied().unwrap_or_default();
            let mut change = AreaSum::of_village(after);
            let before = AreaSum::of_village(after - delta);
            change.villages_with_data -= before.villages_with_data;
            change.villages_full_access -= before.villages_full_access;
            change.tally = delta;
            *areas.entry(String::new()).or_default() += change;
            for ancestor in village.ancestors() {
                *areas.entry(ancestor.to_string()).or_default() += change;
            }
        }
    }
    let areas: Vec<(String, AreaSum)> =
        areas.into_iter().filter(|(_, sum)| *sum != AreaSum::default()).collect();
    for chunk in areas.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(format!(
            "INSERT INTO area_tallies (prefix, parent, {TALLY_COLUMNS}, villages_with_data, \
             villages_full_access) "
        ));
        query.push_values(chunk, |mut row, (prefix, sum)| {
            let t = &sum.tally;
            row.push_bind(prefix.clone())
                .push_bind(parent_prefix(prefix))
                .push_bind(t.houses)
                .push_bind(t.kk)
                .push_bind(t.kk_visited)
                .push_bind(t.kk_access);
            for count in t.kk_by_category {
                row.push_bind(count);
            }
            row.push_bind(sum.villages_with_data).push_bind(sum.villages_full_access);
        });
        let sums: Vec<String> = TALLY_COLUMNS
            .split(", ")
            .chain(["villages_with_data", "villages_full_access"])
            .map(|c| format!("{c} = area_tallies.{c} + excluded.{c}"))
            .collect();
        query.push(format!(" ON CONFLICT (prefix) DO UPDATE SET {}", sums.join(", ")));
        query.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// The prefix one level up: `''` (the nation) for a province, `None` for the nation. Codes have
/// fixed segment widths (2.2.2.4), as `area_tallies` and the migration filling it rely on.
fn parent_prefix(prefix: &str) -> Option<String> {
    match prefix.len() {
        0 => None,
        2 => Some(String::new()),
        n => prefix.get(..n - 3).map(str::to_owned),
    }
}

/// The per-level sums stored for every area, keyed by prefix (`''`: the nation).
async fn stored_area_sums(tx: &mut Tx) -> Result<BTreeMap<String, AreaSum>> {
    let select =
        format!("SELECT prefix, {TALLY_COLUMNS}, villages_with_data, villages_full_access FROM area_tallies");
    let mut stored = BTreeMap::new();
    for row in sqlx::query(&select).fetch_all(&mut *tx).await? {
        stored.insert(row.try_get("prefix")?, area_sum_from_row(&row)?);
    }
    Ok(stored)
}

fn area_sum_from_row(row: &DbRow) -> Result<AreaSum> {
    Ok(AreaSum {
        tally: tally_from_row(row)?,
        villages_with_data: row.try_get("villages_with_data")?,
        villages_full_access: row.try_get("villages_full_access")?,
    })
}

/// The per-level rows the village tallies `villages` add up to, keyed as `area_tallies` is.
fn area_sums_of(villages: &BTreeMap<AreaCode, Tally>) -> BTreeMap<String, AreaSum> {
    let mut areas: BTreeMap<String, AreaSum> = BTreeMap::new();
    for (village, tally) in villages {
        let sum = AreaSum::of_village(*tally);
        *areas.entry(String::new()).or_default() += sum;
        for ancestor in village.ancestors() {
            *areas.entry(ancestor.to_string()).or_default() += sum;
        }
    }
    areas
}

/// Where stored per-level sums and those of the recounted village tallies disagree. A row of
/// zeros and a missing row are the same (a village's last household may have moved away).
fn area_differences(
    stored: &BTreeMap<String, AreaSum>,
    recounted: &BTreeMap<String, AreaSum>,
) -> Result<Vec<AreaSumDifference>> {
    let mut prefixes: Vec<&String> = stored.keys().chain(recounted.keys()).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let mut differences = Vec::new();
    for prefix in prefixes {
        let stored = stored.get(prefix).copied().unwrap_or_default();
        let recounted = recounted.get(prefix).copied().unwrap_or_default();
        if stored != recounted {
            let area = if prefix.is_empty() { None } else { Some(code_of(prefix)?) };
            differences.push(AreaSumDifference { area, stored, recounted });
        }
    }
    Ok(differences)
}

/// Recomputes every village tally from raw rows, inside one consistent snapshot.
async fn recount_in(tx: &mut Tx) -> Result<(BTreeMap<AreaCode, Tally>, usize, usize)> {
    let mut households: HashMap<Uuid, (AreaCode, u16)> = HashMap::new();
    for row in sqlx::query("SELECT id, village_code, kk_count FROM households").fetch_all(&mut *tx).await? {
        let village: String = row.try_get("village_code")?;
        let kk: i64 = row.try_get("kk_count")?;
        households.insert(
            row.try_get("id")?,
            (code_of(&village)?, u16::try_from(kk).map_err(StoreError::corrupt)?),
        );
    }
    let mut latest: HashMap<Uuid, (DateTime<Utc>, Uuid, Category)> = HashMap::new();
    let rows =
        sqlx::query("SELECT id, household_id, visited_at, category FROM visits").fetch_all(&mut *tx).await?;
    let visits = rows.len();
    for row in rows {
        let id: Uuid = row.try_get("id")?;
        let household: Uuid = row.try_get("household_id")?;
        let at = time_of_micros(row.try_get("visited_at")?)?;
        let category = category_of_code(row.try_get("category")?)?;
        let newer =
            latest.get(&household).is_none_or(|(cur_at, cur_id, _)| is_later(at, id, *cur_at, *cur_id));
        if newer {
            latest.insert(household, (at, id, category));
        }
    }
    let mut tallies: BTreeMap<AreaCode, Tally> = BTreeMap::new();
    for (id, (village, kk)) in &households {
        *tallies.entry(*village).or_default() += Tally::household(*kk, latest.get(id).map(|(_, _, c)| *c));
    }
    Ok((tallies, households.len(), visits))
}

/// The facts a coverage history is rebuilt from, read in one snapshot. Reading raw visits is right
/// here and in `recount_in`, nowhere else: current figures come from the tallies.
async fn history_facts_in(tx: &mut Tx, under: Option<AreaCode>) -> Result<HistoryFacts> {
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
        facts.visits.push(VisitRow {
            id: row.try_get("id")?,
            household_id: row.try_get("household_id")?,
            visited_at: time_of_micros(row.try_get("visited_at")?)?,
            category: category_of_code(row.try_get("category")?)?,
        });
    }
    facts.statuses = status_changes_in(tx, under).await?;
    Ok(facts)
}

/// The status changes of the villages at or under `under`, oldest first.
async fn status_changes_in(tx: &mut Tx, under: Option<AreaCode>) -> Result<Vec<StatusRow>> {
    let mut query = QueryBuilder::new("SELECT village_code, to_status, at FROM status_history WHERE 1 = 1");
    push_area_range(&mut query, "village_code", under);
    query.push(" ORDER BY id");
    let mut statuses = Vec::new();
    for row in query.build().fetch_all(&mut *tx).await? {
        let village: String = row.try_get("village_code")?;
        let status: String = row.try_get("to_status")?;
        statuses.push(StatusRow {
            village: code_of(&village)?,
            status: status_of(&status)?,
            at: row.try_get("at")?,
        });
    }
    Ok(statuses)
}

/// Every household at or under `under` with its visits recorded there, handed to `each` one
/// household at a time. The rows are streamed, ordered by village then household, so what is held
/// is one household's visits (SQLite sorts within a village only, walking `households_village`).
async fn households_with_visits_in(
    tx: &mut Tx,
    under: Option<AreaCode>,
    each: &mut (dyn for<'h> FnMut(&'h HouseholdRow, &'h [VisitRow]) + Send),
) -> Result<()> {
    use futures_util::TryStreamExt as _;
    let mut query = QueryBuilder::new(
        "SELECT h.id, h.village_code, h.kk_count, h.received_at, v.id AS visit_id, v.visited_at, v.category \
         FROM households h LEFT JOIN visits v ON v.household_id = h.id",
    );
    push_area_range(&mut query, "v.village_code", under);
    query.push(" WHERE 1 = 1");
    push_area_range(&mut query, "h.village_code", under);
    query.push(" ORDER BY h.village_code, h.id");
    let mut rows = query.build().fetch(&mut *tx);
    let mut current: Option<HouseholdRow> = None;
    let mut visits: Vec<VisitRow> = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let id: Uuid = row.try_get("id")?;
        if current.is_none_or(|household| household.id != id) {
            if let Some(household) = current.take() {
                each(&household, &visits);
            }
            visits.clear();
            let village: String = row.try_get("village_code")?;
            let kk: i64 = row.try_get("kk_count")?;
            current = Some(HouseholdRow {
                id,
                village: code_of(&village)?,
                kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
                received_at: row.try_get("received_at")?,
            });
        }
        if let Some(visit_id) = row.try_get::<Option<Uuid>, _>("visit_id")? {
            let at: Option<i64> = row.try_get("visited_at")?;
            let category: Option<i32> = row.try_get("category")?;
            visits.push(VisitRow {
                id: visit_id,
                household_id: id,
                visited_at: time_of_micros(at.ok_or_else(|| StoreError::corrupt("visit without a time"))?)?,
                category: category_of_code(
                    category.ok_or_else(|| StoreError::corrupt("visit without a category"))?,
                )?,
            });
        }
    }
    if let Some(household) = current {
        each(&household, &visits);
    }
    Ok(())
}
