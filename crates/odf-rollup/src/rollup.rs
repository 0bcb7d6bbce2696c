//! [`Rollup`]: built once from the places list and the village inputs, then queried.
//!
//! The places list is sorted by code and a code sorts right before its descendants, so one forward
//! pass with a stack of the open ancestors sums every area: when an area's subtree ends, its totals
//! are added to its parent (the stack's new top) or to the nation. The same pass records where each
//! subtree ends, which lets [`Rollup::children`] hop from one child to the next without scanning the
//! grandchildren. Inputs are matched to places by binary search over a compact code array, with a
//! shortcut for inputs that arrive in code order (as a store's `ORDER BY` gives them).

use std::fmt;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, Level, Place, Tally, VillageStatus, Wilayah};
use serde::Serialize;

use crate::counts::VillageCounts;
use crate::figures::{AreaFigures, Header, RollupLevel, VillageDetail};
use crate::measure::{KksThresholds, Measure};

/// The name shown for the root above the provinces.
pub const NATIONAL_NAME: &str = "Indonesia";

/// One village's status input: the village, its status, and since when (as a store's
/// `VillageStatusRecord { village, status, since }` has it).
pub type StatusRow = (AreaCode, VillageStatus, Option<DateTime<Utc>>);

/// Defined in the domain (an account's area is one too); re-exported here where queries take it.
pub use odf_domain::AreaRef;

/// Which input a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Tally,
    Status,
}

/// Why an input row did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// The code is not in the places list (a stale code, or places not yet imported).
    UnknownArea,
    /// The code is a kecamatan or higher; inputs are per village.
    NotAVillage,
    /// Another status row for the same village is later (by `since`; on a tie, the later row wins).
    OlderStatus,
}

impl IgnoreReason {
    pub fn message(self) -> &'static str {
        match self {
            IgnoreReason::UnknownArea => "kode tidak ada di daftar wilayah (unknown area)",
            IgnoreReason::NotAVillage => "kode bukan desa/kelurahan (not a village)",
            IgnoreReason::OlderStatus => "ada status yang lebih baru untuk desa ini (a later status exists)",
        }
    }
}

/// An input row that did not count, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct IgnoredRow {
    pub code: AreaCode,
    pub input: InputKind,
    pub reason: IgnoreReason,
}

/// An area's figures summed ahead of time (a store's per-level rows, for [`Rollup::from_sums`]):
/// the sum of its village tallies, and how many of its villages have data (`kk > 0`) and full
/// access ([`Tally::is_full_access`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LevelSums {
    pub tally: Tally,
    pub with_data: u32,
    pub full_access: u32,
}

/// The sums kept per area.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    tally: Tally,
    villages: VillageCounts,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, other: Totals) {
        self.tally += other.tally;
        self.villages += other.villages;
    }
}

type StatusSince = (VillageStatus, Option<DateTime<Utc>>);

/// Every area's sums, from the villages up to the nation, for one date.
///
/// Borrows the places list (`'w`) rather than copying its ~90,000 names; the figures it returns
/// borrow the names from the same list.
pub struct Rollup<'w> {
    wilayah: &'w Wilayah,
    as_of: DateTime<Utc>,
    thresholds: KksThresholds,
    /// Parallel arrays in the places list's code order.
    places: Vec<&'w Place>,
    codes: Vec<AreaCode>,
    totals: Vec<Totals>,
    statuses: Vec<Option<StatusSince>>,
    /// Index one past the last descendant of each place.
    subtree_end: Vec<usize>,
    national: Totals,
    ignored: Vec<IgnoredRow>,
}

impl<'w> Rollup<'w> {
    /// Sums `tallies` and `statuses` per village and up every level, for the date `as_of`.
    ///
    /// Every village of `wilayah` counts, with or without inputs; a village without a status row is
    /// `belum_dipicu`. Several tally rows for one village are added up (tallies are additive); of
    /// several status rows the one with the latest `since` counts (`None` is oldest; on a tie the
    /// later row). Rows for unknown or non-village codes are listed by [`Rollup::ignored`].
    pub fn build(
        wilayah: &'w Wilayah,
        tallies: impl IntoIterator<Item = (AreaCode, Tally)>,
        statuses: impl IntoIterator<Item = StatusRow>,
        as_of: DateTime<Utc>,
    ) -> Rollup<'w> {
        Rollup::over(wilayah, wilayah.iter().collect(), tallies, statuses, as_of)
    }

    /// Like [`Rollup::build`], over only `under`'s subtree (and its ancestors) instead of every
    /// place of the country: the cost of a kecamatan's roll-up is then its own villages, not the
    /// ~90,000 places of the national list. `under` and everything below it have the same figures
    /// as in the full roll-up; its ancestors and the nation sum this subtree only, and inputs
    /// outside it are ignored as unknown. `None` is the full roll-up.
    pub fn build_within(
        wilayah: &'w Wilayah,
        under: Option<AreaCode>,
        tallies: impl IntoIterator<Item = (AreaCode, Tally)>,
        statuses: impl IntoIterator<Item = StatusRow>,
        as_of: DateTime<Utc>,
    ) -> Rollup<'w> {
        let Some(root) = under else {
            return Rollup::build(wilayah, tallies, statuses, as_of);
        };
        let mut places: Vec<&'w Place> =
            root.ancestors().into_iter().filter_map(|a| wilayah.get(a)).collect();
        places.extend(wilayah.get(root));
        places.extend(wilayah.descendants(root));
        Rollup::over(wilayah, places, tallies, statuses, as_of)
    }

    /// The roll-up of `at` and its children only, from sums kept per level (a store's per-level
    /// rows) instead of every village tally: what [`Rollup::get`], [`Rollup::children`] and
    /// [`Rollup::ranking`] of `at` need, at a cost that follows the children, not the villages.
    ///
    /// `sums` holds `at`'s own sums and its children's (`None`: the nation; rows of other areas
    /// are ignored, and a child without a row has none); `statuses` how many villages of each child
    /// have each recorded status. Every village still counts: village totals come from the places
    /// list, and villages without a status row are `belum_dipicu`. Only for `at` above the
    /// kecamatan (whose children are villages: use [`Rollup::build_within`]); nothing below the
    /// children has figures, and `at`'s ancestors and the nation show `at`'s, as in
    /// [`Rollup::build_within`].
    pub fn from_sums(
        wilayah: &'w Wilayah,
        at: AreaRef,
        sums: impl IntoIterator<Item = (Option<AreaCode>, LevelSums)>,
        statuses: impl IntoIterator<Item = (AreaCode, VillageStatus, u32)>,
        as_of: DateTime<Utc>,
    ) -> Rollup<'w> {
        // Ancestors, then the area itself (`head`), then its children, in code order.
        type Under<'a> = Box<dyn Iterator<Item = &'a Place> + 'a>;
        let (places, head, villages): (Vec<&'w Place>, Option<usize>, Under<'w>) = match at {
            AreaRef::Nasional => (wilayah.roots().collect(), None, Box::new(wilayah.iter())),
            AreaRef::Code(code) => {
                let mut places: Vec<&'w Place> =
                    code.ancestors().into_iter().filter_map(|a| wilayah.get(a)).collect();
                let head = wilayah.get(code).map(|place| {
                    places.push(place);
                    places.len() - 1
                });
                places.extend(wilayah.children(code));
                (places, head, Box::new(wilayah.descendants(code).iter()))
            }
        };
        let codes: Vec<AreaCode> = places.iter().map(|p| p.code).collect();
        let n = places.len();
        let first_child = head.map_or(0, |h| h + 1);
        let child_of = |code: AreaCode| {
            let children = codes.get(first_child..).unwrap_or_default();
            children.binary_search(&code).ok().map(|i| first_child + i)
        };

        // Villages per child: both lists are in code order, so one forward walk.
        let mut totals = vec![0_u32; n];
        let mut all_villages = 0;
        let mut child = first_child;
        for village in villages.filter(|p| p.code.is_village()) {
            while child < n && !codes[child].contains(village.code) {
                child += 1;
            }
            if child < n {
                totals[child] += 1;
            }
            all_villages += 1;
        }
        let mut given = vec![LevelSums::default(); n];
        let mut own = LevelSums::default();
        for (area, summed) in sums {
            match area {
                None if at == AreaRef::Nasional => own = summed,
                Some(code) if at == AreaRef::Code(code) => own = summed,
                Some(code) => {
                    if let Some(i) = child_of(code) {
                        given[i] = summed;
                    }
                }
                None => {}
            }
        }
        let mut recorded: Vec<Vec<(VillageStatus, u32)>> = vec![Vec::new(); n];
        let mut own_recorded = Vec::new();
        for (code, status, villages) in statuses {
            if let Some(i) = child_of(code) {
                recorded[i].push((status, villages));
                own_recorded.push((status, villages));
            }
        }

        let counts = |total, sums: &LevelSums, recorded: Vec<(VillageStatus, u32)>| Totals {
            tally: sums.tally,
            villages: VillageCounts::summed(total, sums.with_data, sums.full_access, recorded),
        };
        let whole = counts(all_villages, &own, own_recorded);
        let mut all = vec![whole; n];
        for (i, slot) in all.iter_mut().enumerate().skip(first_child) {
            *slot = counts(totals[i], &given[i], std::mem::take(&mut recorded[i]));
        }
        let mut subtree_end = vec![n; n];
        for (i, end) in subtree_end.iter_mut().enumerate().skip(first_child) {
            *end = i + 1;
        }
        Rollup {
            wilayah,
            as_of,
            thresholds: KksThresholds::default(),
            places,
            codes,
            totals: all,
            statuses: vec![None; n],
            subtree_end,
            national: whole,
            ignored: Vec::new(),
        }
    }

    /// The one pass of both constructors over `places` (code-sorted, ancestors before descendants).
    fn over(
        wilayah: &'w Wilayah,
        places: Vec<&'w Place>,
        tallies: impl IntoIterator<Item = (AreaCode, Tally)>,
        statuses: impl IntoIterator<Item = StatusRow>,
        as_of: DateTime<Utc>,
    ) -> Rollup<'w> {
        let codes: Vec<AreaCode> = places.iter().map(|p| p.code).collect();
        let n = places.len();
        let mut totals = vec![Totals::default(); n];
        let mut village_statuses: Vec<Option<StatusSince>> = vec![None; n];
        let mut ignored = Vec::new();

        let mut hint = 0;
        for (code, tally) in tallies {
            match village_index(&codes, code, &mut hint) {
                Ok(i) => totals[i].tally += tally,
                Err(reason) => ignored.push(IgnoredRow { code, input: InputKind::Tally, reason }),
            }
        }
        let mut hint = 0;
        for (code, status, since) in statuses {
            let i = match village_index(&codes, code, &mut hint) {
                Ok(i) => i,
                Err(reason) => {
                    ignored.push(IgnoredRow { code, input: InputKind::Status, reason });
                    continue;
                }
            };
            let older = IgnoredRow { code, input: InputKind::Status, reason: IgnoreReason::OlderStatus };
            match village_statuses[i] {
                Some((_, kept_since)) if kept_since > since => ignored.push(older),
                kept => {
                    if kept.is_some() {
                        ignored.push(older);
                    }
                    village_statuses[i] = Some((status, since));
                }
            }
        }

        let mut subtree_end = vec![n; n];
        let mut national = Totals::default();
        // The open ancestors of the current place, province first; at most four deep.
        let mut open: Vec<usize> = Vec::with_capacity(4);
        for i in 0..=n {
            // Close every open area that does not contain place i (all of them at the end).
            while let Some(&top) = open.last() {
                if i < n && codes[top].contains(codes[i]) {
                    break;
                }
                open.pop();
                subtree_end[top] = i;
                let done = totals[top];
                match open.last() {
                    Some(&parent) => totals[parent] += done,
                    None => national += done,
                }
            }
            if i < n {
                if codes[i].is_village() {
                    let status = village_statuses[i].map(|(s, _)| s).unwrap_or_default();
                    totals[i].villages = VillageCounts::village(status, &totals[i].tally);
                }
                open.push(i);
            }
        }

        Rollup {
            wilayah,
            as_of,
            thresholds: KksThresholds::default(),
            places,
            codes,
            totals,
            statuses: village_statuses,
            subtree_end,
            national,
            ignored,
        }
    }

    /// The same roll-up judged against other KKS thresholds (the sums do not change).
    pub fn with_kks_thresholds(mut self, thresholds: KksThresholds) -> Rollup<'w> {
        self.thresholds = thresholds;
        self
    }

    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    pub fn kks_thresholds(&self) -> KksThresholds {
        self.thresholds
    }

    pub fn wilayah(&self) -> &'w Wilayah {
        self.wilayah
    }

    /// Input rows that did not count, in input order (tallies first, then statuses).
    pub fn ignored(&self) -> &[IgnoredRow] {
        &self.ignored
    }

    /// The nation: every province summed.
    pub fn national(&self) -> AreaFigures<'w> {
        let header = Header { code: None, name: NATIONAL_NAME, level: RollupLevel::Nasional, kind: None };
        let t = &self.national;
        AreaFigures::new(header, t.tally, t.villages, None, self.as_of, &self.thresholds)
    }

    /// One area of the places list, or `None` when the code is not in it.
    pub fn area(&self, code: AreaCode) -> Option<AreaFigures<'w>> {
        self.index_of(code).map(|i| self.figures_at(i))
    }

    /// The nation or one area.
    pub fn get(&self, at: impl Into<AreaRef>) -> Option<AreaFigures<'w>> {
        match at.into() {
            AreaRef::Nasional => Some(self.national()),
            AreaRef::Code(code) => self.area(code),
        }
    }

    /// The areas one level down (the provinces, for the nation), in code order. Empty for a
    /// village and for a code not in the places list; ask [`Rollup::get`] to tell those apart.
    pub fn children(&self, at: impl Into<AreaRef>) -> Vec<AreaFigures<'w>> {
        let Some((mut next, end)) = self.children_span(at.into()) else {
            return Vec::new();
        };
        let mut children = Vec::new();
        while next < end {
            children.push(self.figures_at(next));
            next = self.subtree_end[next];
        }
        children
    }

    /// The children ranked by one measure: highest percent first, areas without data (`None`)
    /// last, ties in code order.
    pub fn ranking(&self, at: impl Into<AreaRef>, by: Measure) -> Vec<AreaFigures<'w>> {
        let mut children = self.children(at);
        children.sort_by(|a, b| {
            let (pa, pb) = (a.figure(by).percent, b.figure(by).percent);
            let by_percent = match (pa, pb) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            by_percent.then(a.code.cmp(&b.code))
        });
        children
    }

    /// Every area of `level` at or under `at` (e.g. every kabupaten/kota of the nation, every
    /// village of a kecamatan for a map), in code order.
    pub fn within(&self, at: impl Into<AreaRef>, level: Level) -> Vec<AreaFigures<'w>> {
        let (start, end) = match at.into() {
            AreaRef::Nasional => (0, self.places.len()),
            AreaRef::Code(code) => match self.index_of(code) {
                Some(i) => (i, self.subtree_end[i]),
                None => return Vec::new(),
            },
        };
        (start..end).filter(|&i| self.codes[i].level() == level).map(|i| self.figures_at(i)).collect()
    }

    /// The index range of `at`'s descendants, or `None` for an unknown code.
    fn children_span(&self, at: AreaRef) -> Option<(usize, usize)> {
        match at {
            AreaRef::Nasional => Some((0, self.places.len())),
            AreaRef::Code(code) => self.index_of(code).map(|i| (i + 1, self.subtree_end[i])),
        }
    }

    fn index_of(&self, code: AreaCode) -> Option<usize> {
        self.codes.binary_search(&code).ok()
    }

    fn figures_at(&self, i: usize) -> AreaFigures<'w> {
        let place = self.places[i];
        let header = Header {
            code: Some(place.code),
            name: place.name.as_str(),
            level: place.level().into(),
            kind: Some(place.kind),
        };
        let village = place.code.is_village().then(|| {
            let recorded = self.statuses[i];
            VillageDetail {
                status: recorded.map(|(s, _)| s).unwrap_or_default(),
                since: recorded.and_then(|(_, since)| since),
                status_recorded: recorded.is_some(),
            }
        });
        let t = &self.totals[i];
        AreaFigures::new(header, t.tally, t.villages, village, self.as_of, &self.thresholds)
    }
}

/// The index of a village code in `codes`. Inputs usually arrive in code order, so the few places
/// after the previous match (`hint`: the next village, or one behind a new kecamatan or kabupaten
/// row) are tried before a binary search.
fn village_index(codes: &[AreaCode], code: AreaCode, hint: &mut usize) -> Result<usize, IgnoreReason> {
    if !code.is_village() {
        return Err(IgnoreReason::NotAVillage);
    }
    let near = codes.get(*hint..).unwrap_or_default().iter().take(4).position(|&c| c == code);
    let found = match near {
        Some(offset) => *hint + offset,
        None => codes.binary_search(&code).map_err(|_| IgnoreReason::UnknownArea)?,
    };
    *hint = found + 1;
    Ok(found)
}

impl fmt::Debug for Rollup<'_> {
    /// A summary: the full sums of ~90,000 areas are no use in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rollup")
            .field("as_of", &self.as_of)
            .field("areas", &self.places.len())
            .field("villages", &self.national.villages.total)
            .field("ignored", &self.ignored.len())
            .field("thresholds", &self.thresholds)
            .finish_non_exhaustive()
    }
}
