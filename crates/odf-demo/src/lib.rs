//! The odf-verify demo, kept out of the production server: it drives real phone client cores
//! (`odf-client`) against a real server (`odf-server`) over the demo places (`odf-fixtures`).
//!
//! [`campaign`] seeds the places and accounts and runs the field campaign; [`run`] is what
//! `cargo run -p odf-demo` does with it (a fresh database, the campaign, the report, then serving).

#![forbid(unsafe_code)]

pub mod campaign;
mod run;
mod verify;

pub use campaign::{
    CampaignOptions, CampaignReport, DEMO_PASSWORD, DemoError, certificate_lines, rollup_lines, run_campaign,
    seed,
};
pub use run::{DemoOptions, run};
