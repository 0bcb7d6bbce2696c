//! The demo, `odf-server demo`: it drives real phone client cores (`odf-client`) against this
//! server over the demo places (`odf-fixtures`). Behind the `demo` feature (on by default), so a
//! production build can leave the client and the fixtures out (`--no-default-features`).
//!
//! [`campaign`] seeds the places and accounts and runs the field campaign; [`run`] is what
//! `odf-server demo` does with it (a fresh database, the campaign, the report, then serving).

pub mod campaign;
mod run;
mod verify;

pub use campaign::{
    CampaignOptions, CampaignReport, DEMO_PASSWORD, DemoError, certificate_lines, rollup_lines, run_campaign,
    seed,
};
pub use run::{DemoOptions, run};
