//! What an area's figures are made of: counts of villages by data and status, and the household
//! (KK) counts of its summed [`Tally`] with every breakdown named for JSON.

use std::ops::AddAssign;

use odf_domain::{Category, LegacyCode, Ratio, Tally, VillageStatus};
use serde::Serialize;

/// Villages of an area, all of them from the places list, by data and by status.
///
/// Every status field counts villages whose (latest) status row says so; villages without a status
/// row count as `belum_dipicu`, so the seven status fields always sum to `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageCounts {
    /// Every desa, kelurahan and desa adat of the area: the denominator of % desa SBS.
    pub total: u32,
    /// Villages with at least one registered KK (a tally that sums to zero KK is no data).
    pub with_data: u32,
    /// Villages where every registered KK has access ([`Tally::is_full_access`]).
    pub full_access: u32,
    /// Villages counted as ODF ([`VillageStatus::counts_as_sbs`]: `sbs` and `slipped`): the numerator
    /// of % desa SBS.
    pub certified: u32,
    pub belum_dipicu: u32,
    pub dipicu: u32,
    pub klaim_sbs: u32,
    pub verifikasi: u32,
    pub sbs: u32,
    /// Certified villages where a later visit found open defecation: still counted, but at risk.
    pub slipped: u32,
    pub revoked: u32,
}

impl VillageCounts {
    /// The counts of one village with this status and tally.
    pub fn village(status: VillageStatus, tally: &Tally) -> VillageCounts {
        let mut counts = VillageCounts {
            total: 1,
            with_data: u32::from(tally.kk > 0),
            full_access: u32::from(tally.is_full_access()),
            certified: u32::from(status.counts_as_sbs()),
            ..VillageCounts::default()
        };
        *counts.status_mut(status) = 1;
        counts
    }

    /// The counts of `total` villages summed ahead (a store's per-level rows): `with_data` and
    /// `full_access` as [`VillageCounts::village`] counts them, `recorded` villages per status
    /// row; the `total` less the recorded ones have no status row and are `belum_dipicu`.
    pub(crate) fn summed(
        total: u32,
        with_data: u32,
        full_access: u32,
        recorded: impl IntoIterator<Item = (VillageStatus, u32)>,
    ) -> VillageCounts {
        let mut counts = VillageCounts { total, with_data, full_access, ..VillageCounts::default() };
        let mut with_row = 0;
        for (status, villages) in recorded {
            *counts.status_mut(status) += villages;
            with_row += villages;
            if status.counts_as_sbs() {
                counts.certified += villages;
            }
        }
        counts.belum_dipicu += total.saturating_sub(with_row);
        counts
    }

    /// Villages with this status.
    pub fn with_status(&self, status: VillageStatus) -> u32 {
        match status {
            VillageStatus::BelumDipicu => self.belum_dipicu,
            VillageStatus::Dipicu => self.dipicu,
            VillageStatus::KlaimSbs => self.klaim_sbs,
            VillageStatus::Verifikasi => self.verifikasi,
            VillageStatus::Sbs => self.sbs,
            VillageStatus::Slipped => self.slipped,
            VillageStatus::Revoked => self.revoked,
        }
    }

    fn status_mut(&mut self, status: VillageStatus) -> &mut u32 {
        match status {
            VillageStatus::BelumDipicu => &mut self.belum_dipicu,
            VillageStatus::Dipicu => &mut self.dipicu,
            VillageStatus::KlaimSbs => &mut self.klaim_sbs,
            VillageStatus::Verifikasi => &mut self.verifikasi,
            VillageStatus::Sbs => &mut self.sbs,
            VillageStatus::Slipped => &mut self.slipped,
            VillageStatus::Revoked => &mut self.revoked,
        }
    }

    pub fn without_data(&self) -> u32 {
        self.total - self.with_data
    }

    /// Certified villages at risk of losing the status (slipped).
    pub fn at_risk(&self) -> u32 {
        self.slipped
    }

    /// Whether every village is certified, and there is at least one: what makes a kabupaten/kota
    /// SBS.
    pub fn all_certified(&self) -> bool {
        self.total > 0 && self.certified == self.total
    }

    /// % desa SBS: certified villages ÷ all villages.
    pub fn desa_sbs(&self) -> Ratio {
        Ratio { numerator: i64::from(self.certified), denominator: i64::from(self.total) }
    }
}

impl AddAssign for VillageCounts {
    fn add_assign(&mut self, other: VillageCounts) {
        self.total += other.total;
        self.with_data += other.with_data;
        self.full_access += other.full_access;
        self.certified += other.certified;
        for status in VillageStatus::ALL {
            *self.status_mut(status) += other.with_status(status);
        }
    }
}

/// The household side of an area: its summed [`Tally`] with the derived counts spelled out, so a
/// JSON reader needs no knowledge of the array order inside a tally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Households {
    /// Registered houses.
    pub houses: i64,
    /// Registered family units (KK): the denominator of % KK akses.
    pub kk: i64,
    pub kk_visited: i64,
    pub kk_never_visited: i64,
    /// KK whose latest visit found access: the numerator of % KK akses.
    pub kk_access: i64,
    /// KK whose latest visit found open defecation (either BABS rung).
    pub kk_babs: i64,
    /// KK per 2020-2024 ladder rung of the latest visit.
    pub kk_by_category: CategoryCounts,
    /// KK per legacy STBM code, derived from the rung.
    pub kk_by_legacy: LegacyCounts,
}

impl From<&Tally> for Households {
    fn from(t: &Tally) -> Households {
        let legacy = |code| t.kk_in_legacy(code);
        Households {
            houses: t.houses,
            kk: t.kk,
            kk_visited: t.kk_visited,
            kk_never_visited: t.kk_never_visited(),
            kk_access: t.kk_access,
            kk_babs: t.kk_babs(),
            kk_by_category: CategoryCounts {
                aman: t.kk_in(Category::Aman),
                layak_sendiri: t.kk_in(Category::LayakSendiri),
                layak_bersama: t.kk_in(Category::LayakBersama),
                belum_layak: t.kk_in(Category::BelumLayak),
                babs_tertutup: t.kk_in(Category::BabsTertutup),
                babs_terbuka: t.kk_in(Category::BabsTerbuka),
            },
            kk_by_legacy: LegacyCounts {
                jsp: legacy(LegacyCode::Jsp),
                jssp: legacy(LegacyCode::Jssp),
                sharing: legacy(LegacyCode::Sharing),
                babs: legacy(LegacyCode::Babs),
            },
        }
    }
}

/// KK per ladder rung; field names are the rungs' machine names ([`Category::as_str`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCounts {
    pub aman: i64,
    pub layak_sendiri: i64,
    pub layak_bersama: i64,
    pub belum_layak: i64,
    pub babs_tertutup: i64,
    pub babs_terbuka: i64,
}

/// KK per legacy STBM code (JSP, JSSP, SHARING, BABS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegacyCounts {
    pub jsp: i64,
    pub jssp: i64,
    pub sharing: i64,
    pub babs: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_village_counts_once_in_total_and_once_in_its_status() {
        let full = Tally::household(3, Some(Category::Aman));
        for status in VillageStatus::ALL {
            let counts = VillageCounts::village(status, &full);
            assert_eq!((counts.total, counts.with_data, counts.full_access), (1, 1, 1));
            let by_status: u32 = VillageStatus::ALL.into_iter().map(|s| counts.with_status(s)).sum();
            assert_eq!(by_status, 1);
            assert_eq!(counts.with_status(status), 1);
            assert_eq!(counts.certified, u32::from(status.counts_as_sbs()));
        }
        let empty = VillageCounts::village(VillageStatus::BelumDipicu, &Tally::default());
        assert_eq!((empty.with_data, empty.full_access, empty.without_data()), (0, 0, 1));
    }

    #[test]
    fn households_name_every_breakdown_of_the_tally() {
        let tally = Tally::household(2, Some(Category::BelumLayak))
            + Tally::household(1, Some(Category::BabsTertutup))
            + Tally::household(4, None);
        let h = Households::from(&tally);
        assert_eq!((h.houses, h.kk, h.kk_visited, h.kk_never_visited), (3, 7, 3, 4));
        assert_eq!((h.kk_access, h.kk_babs), (2, 1));
        assert_eq!((h.kk_by_category.belum_layak, h.kk_by_category.babs_tertutup), (2, 1));
        assert_eq!(h.kk_by_legacy, LegacyCounts { jsp: 0, jssp: 2, sharing: 0, babs: 1 });
    }
}
