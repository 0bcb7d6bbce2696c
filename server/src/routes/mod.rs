//! One module per resource; each handler is annotated for the OpenAPI document (`crate::openapi`).

#[allow(unused_qualifications)] // as for `coverage` below
pub mod admin;
pub mod auth;
pub mod certificates;
// utoipa's expansion of `params(..., CoverageQuery)` spells out a path the lint calls redundant.
#[allow(unused_qualifications)]
pub mod coverage;
#[allow(unused_qualifications)] // as for `coverage` above
pub mod coverage_types;
pub mod docs;
pub mod export;
pub mod health;
pub mod notifications;
pub mod photos;
pub mod sync;
pub mod verifications;
pub mod villages;
#[allow(unused_qualifications)] // as for `coverage` above
pub mod visits_encode;
pub mod visits_export;
