//! [`AreaFigures`]: everything the coverage API shows for one area, as one serialisable value.

use std::fmt;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, AreaKind, Level, Tally, VillageStatus};
use serde::{Deserialize, Serialize};

use crate::counts::{Households, VillageCounts};
use crate::measure::{Figure, KksThresholds, KksTier, Measure};

/// The five levels of the roll-up: the four of an area code, with the nation on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RollupLevel {
    Nasional,
    Provinsi,
    /// A kabupaten or a kota (see [`AreaFigures::kind`]).
    Kabupaten,
    Kecamatan,
    /// A desa, kelurahan or desa adat.
    Desa,
}

impl RollupLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RollupLevel::Nasional => "nasional",
            RollupLevel::Provinsi => "provinsi",
            RollupLevel::Kabupaten => "kabupaten",
            RollupLevel::Kecamatan => "kecamatan",
            RollupLevel::Desa => "desa",
        }
    }

    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            RollupLevel::Nasional => "Nasional",
            RollupLevel::Provinsi => "Provinsi",
            RollupLevel::Kabupaten => "Kabupaten/Kota",
            RollupLevel::Kecamatan => "Kecamatan",
            RollupLevel::Desa => "Desa/Kelurahan",
        }
    }
}

impl From<Level> for RollupLevel {
    fn from(level: Level) -> RollupLevel {
        match level {
            Level::Provinsi => RollupLevel::Provinsi,
            Level::Kabupaten => RollupLevel::Kabupaten,
            Level::Kecamatan => RollupLevel::Kecamatan,
            Level::Desa => RollupLevel::Desa,
        }
    }
}

impl fmt::Display for RollupLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a kabupaten/kota has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KabupatenSbs {
    /// Every village certified (and there is at least one): the kabupaten/kota is SBS.
    pub sbs: bool,
    /// The KKS tier reached by its % desa SBS, `None` below the lowest threshold or without villages.
    pub kks_tier: Option<KksTier>,
}

/// The status of one village, as its row said (or the default when there is no row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDetail {
    /// `belum_dipicu`, `dipicu`, `klaim_sbs`, `verifikasi`, `sbs`, `slipped` or `revoked`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: VillageStatus,
    /// When the village entered this status, when the row says.
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub since: Option<DateTime<Utc>>,
    /// `false` when no status row was given and `belum_dipicu` is the default.
    pub status_recorded: bool,
}

/// The figures of one area (or of the nation), stamped with the date they are for.
///
/// Built on demand from the roll-up's compact sums; `'w` is the lifetime of the places list, which
/// the name is borrowed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaFigures<'w> {
    /// `None` (JSON `null`) for the nation.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "74.04"))]
    pub code: Option<AreaCode>,
    pub name: &'w str,
    pub level: RollupLevel,
    /// Kabupaten or kota, desa, kelurahan or desa adat; `None` for the nation.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub kind: Option<AreaKind>,
    /// The end of the day the figures are for, in the area's time zone (or the moment they were
    /// read, for current figures).
    #[serde(with = "odf_domain::timestamp")]
    pub as_of: DateTime<Utc>,
    /// % KK akses.
    pub kk_akses: Figure,
    /// % desa SBS.
    pub desa_sbs: Figure,
    pub villages: VillageCounts,
    pub households: Households,
    /// The summed tally, for Rust callers; JSON gets the named breakdown in `households`.
    #[serde(skip)]
    pub tally: Tally,
    /// Only for a kabupaten/kota.
    pub kabupaten: Option<KabupatenSbs>,
    /// Only for a village.
    pub village: Option<VillageDetail>,
}

/// Where an area sits, without its numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'w> {
    pub code: Option<AreaCode>,
    pub name: &'w str,
    pub level: RollupLevel,
    pub kind: Option<AreaKind>,
}

impl<'w> AreaFigures<'w> {
    pub(crate) fn new(
        header: Header<'w>,
        tally: Tally,
        villages: VillageCounts,
        village: Option<VillageDetail>,
        as_of: DateTime<Utc>,
        thresholds: &KksThresholds,
    ) -> AreaFigures<'w> {
        let kk_akses = Figure::new(Measure::KkAkses, tally.kk_akses(), as_of);
        let desa_sbs = Figure::new(Measure::DesaSbs, villages.desa_sbs(), as_of);
        let kabupaten = (header.level == RollupLevel::Kabupaten).then(|| KabupatenSbs {
            sbs: villages.all_certified(),
            kks_tier: thresholds.tier(desa_sbs.percent),
        });
        AreaFigures {
            code: header.code,
            name: header.name,
            level: header.level,
            kind: header.kind,
            as_of,
            kk_akses,
            desa_sbs,
            villages,
            households: Households::from(&tally),
            tally,
            kabupaten,
            village,
        }
    }

    /// The figure of one measure.
    pub fn figure(&self, measure: Measure) -> &Figure {
        match measure {
            Measure::KkAkses => &self.kk_akses,
            Measure::DesaSbs => &self.desa_sbs,
        }
    }
}
