//! One module per resource; each handler is annotated for the OpenAPI document (`crate::openapi`).

pub mod auth;
pub mod docs;
pub mod health;
pub mod sync;
