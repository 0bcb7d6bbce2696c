// Village actions pushed from phones: each is applied in the same transaction as its receipt in
// `village_actions`, so a push replayed after a lost answer finds the receipt and changes nothing.
// Compiled inside `queries` for each backend (see `queries.rs`); the effects are the same functions
// the REST endpoints' store methods use.

/// The stored content hash of an action, if it was applied.
pub(super) async fn receipt_hash(tx: &mut Tx, id: Uuid) -> Result<Option<String>> {
    let hash: Option<String> = sqlx::query_scalar("SELECT content_hash FROM village_actions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(hash)
}

pub(super) async fn apply(
    tx: &mut Tx,
    receipt: VillageActionReceipt,
    effect: VillageEffect,
    now: DateTime<Utc>,
) -> Result<VillageActionOutcome> {
    if let Some(stored) = receipt_hash(tx, receipt.id).await? {
        return Ok(if stored == receipt.content_hash {
            VillageActionOutcome::Duplicate
        } else {
            VillageActionOutcome::Conflict
        });
    }
    match effect {
        VillageEffect::Status { village, event } => {
            status::apply_in(tx, village, event).await?;
        }
        VillageEffect::Open(new) => {
            verify::open(tx, new, now).await?;
        }
        VillageEffect::Community { verification_id, criteria, actor, observed_at } => {
            verify::record_community(tx, verification_id, criteria, &actor, observed_at, now).await?;
        }
        VillageEffect::Decide(input) => {
            verify::decide(tx, *input, now).await?;
        }
    }
    sqlx::query(
        "INSERT INTO village_actions (id, kind, actor, content_hash, recorded_at, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(receipt.id)
    .bind(&receipt.kind)
    .bind(&receipt.actor)
    .bind(&receipt.content_hash)
    .bind(plan::normalize_time(receipt.recorded_at))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(VillageActionOutcome::Applied)
}
