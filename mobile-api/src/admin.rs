//! `GET /v1/admin/conflicts` and `POST /v1/admin/conflicts/{id}/resolve`: the household edit
//! conflicts an admin reviews.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConflictDto {
    pub id: Uuid,
    pub household_id: Uuid,
    pub village: String,
    pub edit_id: Uuid,
    /// The fields both edits changed.
    pub fields: Vec<String>,
    /// The values stored now.
    #[schema(value_type = Object)]
    pub kept: serde_json::Value,
    /// The values that lost.
    #[schema(value_type = Object)]
    pub other: serde_json::Value,
    #[serde(with = "odf_domain::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// `kept` or `other` once resolved.
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// Keep the stored values.
    Kept,
    /// Apply the values that lost, as a new revision.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResolveConflictRequest {
    pub keep: Keep,
}
