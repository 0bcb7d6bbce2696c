//! Recording offline: registering a household and recording a visit, with the same validation as
//! the server (the wire conversions of `odf-mobile-api`, which call the domain's `validate`), a scope
//! check against the user's assignment, and GPS warnings that need a person's confirmation.

use chrono::{DateTime, Utc};
use odf_domain::HouseholdChanges;
use odf_domain::gps::{DEFAULT_MAX_DISTANCE_M, check_visit_point};
use odf_domain::household::DEFAULT_CLOCK_SKEW;
use odf_domain::{AreaCode, AreaRef, GeoPoint, GpsFlag, Household, Visit};
use odf_mobile_api::{ChecklistDto, GpsDto, HouseholdDto, VisitDto};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::store::records;

/// A household to register, as a person typed it (checked by [`Client::register_household`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdDraft {
    /// Village code, e.g. `74.04.81.2001`.
    pub village: String,
    pub head_name: String,
    pub kk_count: i64,
    pub dusun: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
    pub gps: Option<GpsDto>,
}

/// A visit to record (checked by [`Client::record_visit`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitDraft {
    pub household_id: Uuid,
    /// A ladder rung or a legacy code (JSP, JSSP, SHARING, BABS).
    pub category: String,
    pub checklist: ChecklistDto,
    pub gps: Option<GpsDto>,
    /// Lowercase hex SHA-256 of the photo.
    pub photo_sha256: Option<String>,
    /// Defaults to now (the phone's clock).
    pub visited_at: Option<DateTime<Utc>>,
}

/// The outcome of saving: saved (with any warnings the person already accepted), or not saved
/// because of warnings the person has not seen yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved<T> {
    Saved { record: T, warnings: Vec<GpsFlag> },
    NeedsConfirmation { warnings: Vec<GpsFlag> },
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

impl Client {
    /// Whether the user's assignment (from the last login) covers `village`. Before any login the
    /// phone cannot know, and the server will judge at push.
    pub(crate) async fn check_scope(&self, village: AreaCode) -> Result<()> {
        let Some(user) = self.user().await? else { return Ok(()) };
        let assigned: Vec<AreaCode> = user.villages.iter().filter_map(|v| AreaCode::parse(v).ok()).collect();
        let covered = if assigned.is_empty() {
            // `nasional` (a national admin) covers every village, as the server judges it.
            user.area.parse::<AreaRef>().is_ok_and(|area| area.contains(village.into()))
        } else {
            assigned.contains(&village)
        };
        if covered { Ok(()) } else { Err(ClientError::OutOfScope(village)) }
    }

    /// Registers a household made on this phone (UUID v7 made here). With a GPS point outside the
    /// village's pulled boundary it is saved only when `accept_warnings` is true.
    pub async fn register_household(
        &self,
        draft: HouseholdDraft,
        accept_warnings: bool,
    ) -> Result<Saved<Household>> {
        let dto = HouseholdDto {
            id: Uuid::now_v7(),
            village: draft.village.trim().to_owned(),
            head_name: draft.head_name.trim().to_owned(),
            kk_count: draft.kk_count,
            dusun: trimmed(draft.dusun),
            rw: trimmed(draft.rw),
            rt: trimmed(draft.rt),
            gps: draft.gps,
        };
        let household = dto.to_domain().map_err(ClientError::invalid)?;
        self.check_scope(household.village).await?;
        let mut warnings = Vec::new();
        if let Some(point) = household.gps {
            let boundary = records::boundary(self.pool(), household.village).await?;
            warnings = check_visit_point(point, boundary.as_ref(), None, DEFAULT_MAX_DISTANCE_M);
        }
        if !warnings.is_empty() && !accept_warnings {
            return Ok(Saved::NeedsConfirmation { warnings });
        }
        records::save_own_household(self.pool(), &household, Utc::now()).await?;
        Ok(Saved::Saved { record: household, warnings })
    }

    /// Records a visit by the logged-in (or set-up) user. A point outside the village boundary or
    /// far from the household's registered point is saved only when `accept_warnings` is true.
    pub async fn record_visit(&self, draft: VisitDraft, accept_warnings: bool) -> Result<Saved<Visit>> {
        let sanitarian = self.username().await?.ok_or(ClientError::NoUser)?;
        let household = records::household(self.pool(), draft.household_id)
            .await?
            .ok_or_else(|| ClientError::UnknownHousehold(draft.household_id.to_string()))?
            .household;
        let now = Utc::now();
        let dto = VisitDto {
            id: Uuid::now_v7(),
            household_id: household.id,
            sanitarian,
            visited_at: draft.visited_at.unwrap_or(now),
            category: draft.category.trim().to_owned(),
            checklist: draft.checklist,
            gps: draft.gps,
            photo_sha256: trimmed(draft.photo_sha256).map(|h| h.to_ascii_lowercase()),
            device_id: self.device_id().to_owned(),
        };
        let visit = dto.to_domain(now, DEFAULT_CLOCK_SKEW).map_err(ClientError::invalid)?;
        let warnings = match visit.gps {
            Some(point) => self.gps_warnings(&household, point).await?,
            None => Vec::new(),
        };
        if !warnings.is_empty() && !accept_warnings {
            return Ok(Saved::NeedsConfirmation { warnings });
        }
        records::save_own_visit(self.pool(), &visit, now).await?;
        Ok(Saved::Saved { record: visit, warnings })
    }

    async fn gps_warnings(&self, household: &Household, point: GeoPoint) -> Result<Vec<GpsFlag>> {
        let boundary = records::boundary(self.pool(), household.village).await?;
        Ok(check_visit_point(point, boundary.as_ref(), household.gps, DEFAULT_MAX_DISTANCE_M))
    }

    /// Finds a household by its full id, or by an unambiguous start or end of it (at least 4
    /// characters), as a person would type it from a list.
    /// Edits a household's details (head of family, KK count, dusun/RW/RT, registered point) on this
    /// phone. Saved at once and queued; when another phone edited the same household meanwhile, the
    /// server merges field by field and keeps any clash for an admin, so nothing is lost.
    pub async fn edit_household(&self, id: Uuid, changes: HouseholdChanges) -> Result<Household> {
        if changes.is_empty() {
            return Err(ClientError::invalid(odf_mobile_api::RecordProblem {
                code: odf_mobile_api::ErrorCode::FieldMissing,
                field: "changes",
                message: "tidak ada perubahan (no changes)".to_owned(),
            }));
        }
        changes.validate().map_err(|err| {
            ClientError::invalid(odf_mobile_api::RecordProblem {
                code: odf_mobile_api::ErrorCode::InvalidField,
                field: "changes",
                message: err.to_string(),
            })
        })?;
        let current = records::household(self.pool(), id)
            .await?
            .ok_or_else(|| ClientError::UnknownHousehold(id.to_string()))?
            .household;
        self.check_scope(current.village).await?;
        let mut after = current;
        changes.apply_to(&mut after);
        let edit = odf_mobile_api::HouseholdEditDto {
            edit_id: Uuid::now_v7(),
            household_id: id,
            base_revision: records::household_revision(self.pool(), id).await?,
            edited_at: Utc::now(),
            changes: serde_json::to_value(&changes).map_err(ClientError::corrupt)?,
        };
        records::save_household_edit(self.pool(), &after, &edit, Utc::now()).await?;
        Ok(after)
    }

    pub async fn find_household(&self, text: &str) -> Result<Household> {
        let fragment = text.trim().to_ascii_lowercase();
        let unknown = || ClientError::UnknownHousehold(text.trim().to_owned());
        if let Ok(id) = Uuid::parse_str(&fragment) {
            return Ok(records::household(self.pool(), id).await?.ok_or_else(unknown)?.household);
        }
        // Only hex and dashes reach the LIKE pattern, so `%` and `_` cannot widen it.
        let valid = fragment.len() >= 4 && fragment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if !valid {
            return Err(unknown());
        }
        let matches = records::households_matching(self.pool(), &fragment).await?;
        match matches.as_slice() {
            [] => Err(unknown()),
            [id] => Ok(records::household(self.pool(), *id).await?.ok_or_else(unknown)?.household),
            _ => Err(ClientError::AmbiguousHousehold { fragment, count: matches.len() }),
        }
    }
}
