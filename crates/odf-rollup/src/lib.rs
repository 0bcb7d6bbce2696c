//! The Stop BABS roll-up: village figures summed up the Kemendagri hierarchy, desa/kelurahan →
//! kecamatan → kabupaten/kota → provinsi → nasional. Pure: no IO, no async, no database; the caller
//! hands in the places list, the per-village tallies and statuses, and the date the figures are for.
//!
//! Vocabulary:
//! - a *village* is a desa, kelurahan or desa adat: every place at the fourth level of an
//!   [`AreaCode`]. Every village of the places list ([`Wilayah`]) counts, with or without data;
//! - a village's [`Tally`] counts family units (KK) by the latest visit of each household; tallies
//!   add up, so an area's tally is the sum of its villages' tallies;
//! - a village's [`VillageStatus`] is `belum_dipicu` until a status row says otherwise; it is
//!   *certified* (ODF, SBS) when [`VillageStatus::counts_as_sbs`] says so: `sbs`, and `slipped`, which
//!   keeps its certificate until revoked and is reported separately as at risk;
//! - the two [`Measure`]s, never to be mixed up: **% KK akses** (KK with access ÷ registered KK) and
//!   **% desa SBS** (certified villages ÷ *all* villages of the area). Each comes as a [`Figure`] that
//!   names its measure, numerator, denominator and date; its percent is `None`, never 0%, when the
//!   denominator is zero;
//! - a kabupaten/kota is *SBS* when all of its villages are certified ([`KabupatenSbs`]), and its
//!   % desa SBS places it in a KKS award tier ([`KksTier`], thresholds in [`KksThresholds`]).
//!
//! [`Rollup::build`] sums everything in one pass over the code-sorted places list; queries
//! ([`Rollup::area`], [`Rollup::children`], [`Rollup::ranking`], ...) then return [`AreaFigures`],
//! serialisable with stable snake_case field names for the coverage API.
//!
//! [`AreaCode`]: odf_domain::AreaCode
//! [`Wilayah`]: odf_domain::Wilayah
//! [`Tally`]: odf_domain::Tally
//! [`VillageStatus`]: odf_domain::VillageStatus
//! [`VillageStatus::counts_as_sbs`]: odf_domain::VillageStatus::counts_as_sbs

#![forbid(unsafe_code)]

mod counts;
mod figures;
pub mod history;
mod measure;
mod monthly;
mod rollup;

pub use counts::{CategoryCounts, Households, LegacyCounts, VillageCounts};
pub use figures::{AreaFigures, KabupatenSbs, RollupLevel, VillageDetail};
pub use measure::{Figure, KksThresholds, KksTier, Measure, ThresholdError};
pub use monthly::MonthlySeries;
pub use rollup::{AreaRef, IgnoreReason, IgnoredRow, InputKind, LevelSums, NATIONAL_NAME, Rollup, StatusRow};
