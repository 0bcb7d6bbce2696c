//! Recording offline: registering and editing a household, recording a visit, and sending a refused
//! record again. GPS warnings need the person's confirmation (or `--yes`).

use std::io::{BufRead, IsTerminal, Write};

use odf_client::i18n;
use odf_client::{HouseholdDraft, Saved, VisitDraft};
use odf_domain::GpsFlag;
use odf_mobile_api::{ChecklistDto, GpsDto};
use uuid::Uuid;

use crate::cli::{HouseholdAddArgs, HouseholdEditArgs, Lang, VisitArgs};
use crate::context::{Ctx, Outcome};
use crate::messages::{Failure, gps_flag, t};
use crate::output;

/// Asks the person to confirm a GPS warning on a terminal; anywhere else `--yes` is needed.
fn confirm(ctx: &Ctx, warnings: &[GpsFlag]) -> Result<bool, Failure> {
    let lang = ctx.lang;
    let listed: Vec<&str> = warnings.iter().map(|w| gps_flag(*w, lang)).collect();
    let listed = listed.join("; ");
    if ctx.json || !std::io::stdin().is_terminal() {
        return Err(Failure::Unconfirmed(format!(
            "{}: {listed}. {}",
            t(lang, i18n::NOT_SAVED),
            t(lang, i18n::RUN_AGAIN_WITH_YES)
        )));
    }
    eprintln!("{}: {listed}.", t(lang, i18n::WARNING));
    eprint!("{}", t(lang, i18n::SAVE_ANYWAY_PROMPT));
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| Failure::caused(t(lang, i18n::CANNOT_READ_INPUT), err))?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "ya" | "yes"))
}

fn gps(lat: Option<f64>, lng: Option<f64>) -> Option<GpsDto> {
    lat.zip(lng).map(|(lat, lng)| GpsDto { lat, lng })
}

/// Saves via `save`, asking for confirmation when the first try returns warnings.
async fn save_confirmed<T, F, Fut>(ctx: &Ctx, yes: bool, save: F) -> Result<(T, Vec<GpsFlag>), Failure>
where
    F: Fn(bool) -> Fut,
    Fut: Future<Output = Result<Saved<T>, odf_client::ClientError>>,
{
    let warnings = match save(yes).await? {
        Saved::Saved { record, warnings } => return Ok((record, warnings)),
        Saved::NeedsConfirmation { warnings } => warnings,
    };
    if !confirm(ctx, &warnings)? {
        return Err(Failure::Unconfirmed(t(ctx.lang, i18n::NOT_SAVED_SENTENCE).to_owned()));
    }
    match save(true).await? {
        Saved::Saved { record, warnings } => Ok((record, warnings)),
        Saved::NeedsConfirmation { .. } => {
            Err(Failure::Unconfirmed(t(ctx.lang, i18n::NOT_SAVED_SENTENCE).to_owned()))
        }
    }
}

pub(super) async fn household_add(ctx: &Ctx, args: HouseholdAddArgs) -> Outcome {
    let draft = HouseholdDraft {
        village: args.village,
        head_name: args.head,
        kk_count: args.kk,
        dusun: args.dusun,
        rw: args.rw,
        rt: args.rt,
        gps: gps(args.lat, args.lng),
    };
    let (household, warnings) =
        save_confirmed(ctx, args.yes, |accept| ctx.client.register_household(draft.clone(), accept)).await?;
    if ctx.json {
        return output::json(&serde_json::json!({ "id": household.id, "warnings": warnings }));
    }
    println!(
        "{} {} — {} ({} KK), {} {}",
        t(ctx.lang, i18n::HOUSEHOLD_SAVED),
        output::short_id(household.id),
        household.head_name,
        household.kk_count,
        t(ctx.lang, i18n::WORD_VILLAGE),
        household.village
    );
    println!("{} {}", t(ctx.lang, i18n::FULL_ID), household.id);
    output::after_save(ctx).await
}

pub(super) async fn household_edit(ctx: &Ctx, args: HouseholdEditArgs) -> Outcome {
    let household = ctx.client.find_household(&args.household).await?;
    // An empty text clears an optional field.
    let unit = |value: Option<String>| value.map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
    let gps = match gps(args.lat, args.lng) {
        Some(point) => Some(Some(
            odf_domain::GeoPoint::new(point.lat, point.lng)
                .map_err(|err| Failure::caused(t(ctx.lang, i18n::INVALID_GPS), err))?,
        )),
        None => None,
    };
    let changes = odf_domain::HouseholdChanges {
        head_name: args.head,
        kk_count: args.kk,
        dusun: unit(args.dusun),
        rw: unit(args.rw),
        rt: unit(args.rt),
        gps,
    };
    let after = ctx.client.edit_household(household.id, changes).await?;
    if ctx.json {
        return output::json(&after);
    }
    println!(
        "{} {} — {} ({} KK)",
        t(ctx.lang, i18n::EDIT_SAVED),
        output::short_id(after.id),
        after.head_name,
        after.kk_count
    );
    output::after_save(ctx).await
}

/// Keeps the photo on this phone (uploaded at the next sync once its visit is stored) and gives
/// its name for the visit.
async fn keep_photo(ctx: &Ctx, path: &std::path::Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|err| {
        Failure::caused(format!("{} {}", t(ctx.lang, i18n::CANNOT_READ_PHOTO), path.display()), err)
    })?;
    Ok(ctx.client.keep_photo(&bytes).await?)
}

fn checklist(items: &[String], lang: Lang) -> Result<ChecklistDto, Failure> {
    let mut list = ChecklistDto::default();
    for item in items {
        let bad = || Failure::say(format!("{} {item:?}", t(lang, i18n::UNKNOWN_CHECK_VALUE)));
        let (name, answer) = item.split_once('=').ok_or_else(bad)?;
        let answer = match answer.trim().to_ascii_lowercase().as_str() {
            "ya" | "yes" | "y" | "1" | "true" => true,
            "tidak" | "no" | "n" | "t" | "0" | "false" => false,
            _ => return Err(bad()),
        };
        let slot = match name.trim() {
            "closed_toilet" => &mut list.closed_toilet,
            "safe_from_well" => &mut list.safe_from_well,
            "strong_slab" => &mut list.strong_slab,
            "child_faeces_safe" => &mut list.child_faeces_safe,
            "all_members_use" => &mut list.all_members_use,
            "water_and_soap" => &mut list.water_and_soap,
            "no_faeces_around" => &mut list.no_faeces_around,
            _ => return Err(bad()),
        };
        *slot = Some(answer);
    }
    Ok(list)
}

pub(super) async fn visit(ctx: &Ctx, args: VisitArgs) -> Outcome {
    let household = ctx.client.find_household(&args.household).await?;
    let draft = VisitDraft {
        household_id: household.id,
        category: args.category,
        checklist: checklist(&args.checks, ctx.lang)?,
        gps: gps(args.lat, args.lng),
        photo_sha256: match args.photo.as_deref() {
            Some(path) => Some(keep_photo(ctx, path).await?),
            None => None,
        },
        visited_at: None,
    };
    let (visit, warnings) =
        save_confirmed(ctx, args.yes, |accept| ctx.client.record_visit(draft.clone(), accept)).await?;
    if ctx.json {
        return output::json(
            &serde_json::json!({ "id": visit.id, "household_id": household.id, "warnings": warnings }),
        );
    }
    println!(
        "{} {} — {} ({}, {})",
        t(ctx.lang, i18n::VISIT_SAVED),
        household.head_name,
        i18n::category(visit.category, ctx.lang.into()),
        visit.category.legacy(),
        if visit.category.has_access() {
            t(ctx.lang, i18n::HAS_ACCESS)
        } else {
            t(ctx.lang, i18n::OPEN_DEFECATION)
        }
    );
    output::after_save(ctx).await
}

pub(super) async fn retry(ctx: &Ctx, record: &str) -> Outcome {
    let id = Uuid::parse_str(record.trim())
        .map_err(|_| Failure::say(format!("{} {record:?}", t(ctx.lang, i18n::INVALID_RECORD_ID))))?;
    ctx.client.requeue(id).await?;
    if !ctx.json {
        println!("{}", t(ctx.lang, i18n::RETRY_QUEUED));
    }
    Ok(())
}
