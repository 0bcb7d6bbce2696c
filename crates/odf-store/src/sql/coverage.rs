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

    async fn recount(&self) -> Result<RecountReport> {
        let ((recounted, households, visits), stored) = self
            .snapshot(async |tx| {
                let recounted = recount_in(tx).await?;
                let mut stored: BTreeMap<AreaCode, Tally> = BTreeMap::new();
                for row in sqlx::query(&format!("SELECT village_code, {TALLY_COLUMNS} FROM village_tallies"))
                    .fetch_all(&mut *tx)
                    .await?
                {
                    let village: String = row.try_get("village_code")?;
                    stored.insert(code_of(&village)?, tally_from_row(&row)?);
                }
                Ok((recounted, stored))
            })
            .await?;
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
        Ok(RecountReport { villages_checked: villages.len(), households, visits, differences })
    }

    async fn history_facts(&self, under: Option<AreaCode>) -> Result<HistoryFacts> {
        self.snapshot(async |tx| history_facts_in(tx, under).await).await
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

/// Adds each village's summed delta to its tally row in one upsert per chunk of villages.
pub(super) async fn apply_tally_deltas(
    tx: &mut Tx,
    deltas: &BTreeMap<AreaCode, Tally>,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<(&AreaCode, &Tally)> = deltas.iter().collect();
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
            " ON CONFLICT (village_code) DO UPDATE SET {}, updated_at = excluded.updated_at",
            sums.join(", ")
        ));
        query.build().execute(&mut *tx).await?;
    }
    Ok(())
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
    let mut query = QueryBuilder::new("SELECT village_code, to_status, at FROM status_history WHERE 1 = 1");
    push_area_range(&mut query, "village_code", under);
    query.push(" ORDER BY id");
    for row in query.build().fetch_all(&mut *tx).await? {
        let village: String = row.try_get("village_code")?;
        let status: String = row.try_get("to_status")?;
        facts.statuses.push(StatusRow {
            village: code_of(&village)?,
            status: status_of(&status)?,
            at: row.try_get("at")?,
        });
    }
    Ok(facts)
}
