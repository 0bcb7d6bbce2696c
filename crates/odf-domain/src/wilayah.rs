//! The places tree (wilayah), built from CSV rows `kode,nama[,level,kind]`.
//!
//! The list of places is data, never hard-coded: codes have gaps and change when areas split. Rows are
//! kept in one code-sorted vector; since a code sorts right before its descendants, every subtree is
//! a contiguous slice found by binary search, so no per-node child lists are needed.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use crate::area::{AreaCode, AreaKind, Level};

/// One named place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub code: AreaCode,
    pub name: String,
    pub kind: AreaKind,
}

impl Place {
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

/// Why one CSV line was not taken into the tree.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RowProblem {
    #[error("baris rusak: {0} (malformed line)")]
    Malformed(String),
    #[error("{0}")]
    BadCode(#[from] crate::area::AreaCodeError),
    #[error("nama kosong (empty name)")]
    EmptyName,
    #[error("tingkat {given:?} tidak cocok dengan kode tingkat {implied} (level does not match the code)")]
    LevelMismatch { given: String, implied: Level },
    #[error("jenis wilayah {0:?} tidak dikenal (unknown kind)")]
    UnknownKind(String),
    #[error("kode {0} sudah ada di baris {1} (duplicate code)")]
    Duplicate(AreaCode, u64),
    #[error("induk {0} tidak ada (parent missing)")]
    MissingParent(AreaCode),
}

/// A problem with the line it was found on (1-based, the header being line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub problem: RowProblem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "baris {}: {}", self.line, self.problem)
    }
}

/// The result of reading a places CSV: the tree of every good row, and what was wrong with the rest.
#[derive(Debug)]
pub struct WilayahLoad {
    pub wilayah: Wilayah,
    pub errors: Vec<RowError>,
}

/// Counts of places per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub provinsi: usize,
    pub kabupaten: usize,
    pub kecamatan: usize,
    pub desa: usize,
}

/// The places tree.
#[derive(Debug, Clone, Default)]
pub struct Wilayah {
    places: Vec<Place>,
}

impl Wilayah {
    /// Reads `kode,nama[,level,kind]` rows. A header line is recognised by its first field `kode`.
    /// Rows whose parent is missing, duplicates and malformed lines are reported, not taken.
    pub fn from_csv(text: &str) -> WilayahLoad {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut rows: Vec<(u64, Place)> = Vec::new();
        let mut errors = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(err) => {
                    let line = err.position().map_or(0, csv::Position::line);
                    errors.push(RowError { line, problem: RowProblem::Malformed(err.to_string()) });
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            if line == 1 && record.get(0) == Some("kode") {
                continue;
            }
            if record.iter().all(str::is_empty) {
                continue;
            }
            match parse_row(&record) {
                Ok(place) => rows.push((line, place)),
                Err(problem) => errors.push(RowError { line, problem }),
            }
        }
        let wilayah = Wilayah::from_rows(rows, &mut errors);
        errors.sort_by_key(|e| e.line);
        WilayahLoad { wilayah, errors }
    }

    /// Builds the tree from places with their line numbers, reporting duplicates and orphans.
    fn from_rows(mut rows: Vec<(u64, Place)>, errors: &mut Vec<RowError>) -> Wilayah {
        rows.sort_by_key(|(line, place)| (place.code, *line));
        let mut places: Vec<Place> = Vec::with_capacity(rows.len());
        let mut first_line_of_last = 0;
        for (line, place) in rows {
            if places.last().is_some_and(|last| last.code == place.code) {
                errors
                    .push(RowError { line, problem: RowProblem::Duplicate(place.code, first_line_of_last) });
                continue;
            }
            // Sorted order puts every parent before its children, so a binary search over what is
            // already accepted finds it (and an orphan's children become orphans too).
            if let Some(parent) = place.code.parent()
                && places.binary_search_by_key(&parent, |p| p.code).is_err()
            {
                errors.push(RowError { line, problem: RowProblem::MissingParent(parent) });
                continue;
            }
            first_line_of_last = line;
            places.push(place);
        }
        Wilayah { places }
    }

    /// Builds a tree from places already known to be good (fixtures, a store's areas).
    pub fn from_places(places: impl IntoIterator<Item = Place>) -> WilayahLoad {
        let rows = places.into_iter().enumerate().map(|(i, p)| (i as u64 + 1, p)).collect();
        let mut errors = Vec::new();
        let wilayah = Wilayah::from_rows(rows, &mut errors);
        WilayahLoad { wilayah, errors }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn get(&self, code: AreaCode) -> Option<&Place> {
        self.index_of(code).map(|i| &self.places[i])
    }

    pub fn name(&self, code: AreaCode) -> Option<&str> {
        self.get(code).map(|p| p.name.as_str())
    }

    pub fn contains(&self, code: AreaCode) -> bool {
        self.index_of(code).is_some()
    }

    /// Every place, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Place> {
        self.places.iter()
    }

    /// The places of one level across the whole tree.
    pub fn at_level(&self, level: Level) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(move |p| p.level() == level)
    }

    /// Everything strictly under `code`, in code order (empty for an unknown code).
    pub fn descendants(&self, code: AreaCode) -> &[Place] {
        let Some(start) = self.index_of(code) else {
            return &[];
        };
        let rest = &self.places[start + 1..];
        let len = rest.partition_point(|p| code.contains(p.code));
        &rest[..len]
    }

    /// The places one level under `code`.
    pub fn children(&self, code: AreaCode) -> impl Iterator<Item = &Place> {
        let child_level = code.level().depth();
        self.descendants(code).iter().filter(move |p| p.level().depth() == child_level + 1)
    }

    /// The top-level places (provinces).
    pub fn roots(&self) -> impl Iterator<Item = &Place> {
        self.at_level(Level::Provinsi)
    }

    /// Desa and kelurahan at or under `code`.
    pub fn villages_under(&self, code: AreaCode) -> impl Iterator<Item = &Place> {
        let own = self.get(code).filter(|p| p.code.is_village());
        own.into_iter().chain(self.descendants(code).iter().filter(|p| p.code.is_village()))
    }

    /// How many places of each level there are, in the whole tree.
    pub fn level_counts(&self) -> LevelCounts {
        let mut counts = LevelCounts::default();
        for place in &self.places {
            match place.level() {
                Level::Provinsi => counts.provinsi += 1,
                Level::Kabupaten => counts.kabupaten += 1,
                Level::Kecamatan => counts.kecamatan += 1,
                Level::Desa => counts.desa += 1,
            }
        }
        counts
    }

    fn index_of(&self, code: AreaCode) -> Option<usize> {
        self.places.binary_search_by_key(&code, |p| p.code).ok()
    }
}

fn parse_row(record: &csv::StringRecord) -> Result<Place, RowProblem> {
    if record.len() < 2 || record.len() > 4 {
        return Err(RowProblem::Malformed(format!(
            "{} kolom, harus 2 sampai 4 (kode,nama[,level,kind]) ({} columns, expected 2-4)",
            record.len(),
            record.len()
        )));
    }
    let code = AreaCode::parse(&record[0])?;
    let name = &record[1];
    if name.is_empty() {
        return Err(RowProblem::EmptyName);
    }
    if let Some(level) = record.get(2).filter(|s| !s.is_empty())
        && Level::parse(level) != Some(code.level())
    {
        return Err(RowProblem::LevelMismatch { given: level.to_owned(), implied: code.level() });
    }
    let kind = match record.get(3).filter(|s| !s.is_empty()) {
        None => code.implied_kind(),
        Some(text) => {
            let kind = AreaKind::parse(text).ok_or_else(|| RowProblem::UnknownKind(text.to_owned()))?;
            if kind.level() != code.level() {
                return Err(RowProblem::LevelMismatch { given: text.to_owned(), implied: code.level() });
            }
            kind
        }
    };
    Ok(Place { code, name: name.to_owned(), kind })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    const SAMPLE: &str = "kode,nama,level,kind
74,Sulawesi Tenggara,provinsi,provinsi
74.04,Kabupaten Buton,kabupaten,kabupaten
74.04.11,Pasarwajo,kecamatan,kecamatan
74.04.11.1005,Wakoko,desa,kelurahan
74.04.11.2002,Waangu-angu,desa,desa
74.71,Kota Kendari,kabupaten,kota
74.71.01,Mandonga
74.71.01.1001,\"Korumba, Lama\"
";

    #[test]
    fn a_small_tree_answers_children_descendants_villages_and_names() {
        let load = Wilayah::from_csv(SAMPLE);
        assert!(load.errors.is_empty(), "{:?}", load.errors);
        let tree = load.wilayah;
        assert_eq!(tree.len(), 8);
        let kabupaten: Vec<_> = tree.children(code("74")).map(|p| p.code).collect();
        assert_eq!(kabupaten, vec![code("74.04"), code("74.71")]);
        assert_eq!(tree.descendants(code("74.04")).len(), 3);
        assert_eq!(tree.villages_under(code("74")).count(), 3);
        assert_eq!(tree.villages_under(code("74.04.11.2002")).count(), 1);
        assert_eq!(tree.name(code("74.71.01.1001")), Some("Korumba, Lama"));
        assert_eq!(tree.get(code("74.71.01")).map(|p| p.kind), Some(AreaKind::Kecamatan));
        assert_eq!(tree.get(code("74.04.11.1005")).map(|p| p.kind), Some(AreaKind::Kelurahan));
        assert_eq!(tree.level_counts(), LevelCounts { provinsi: 1, kabupaten: 2, kecamatan: 2, desa: 3 });
        assert!(tree.descendants(code("75")).is_empty());
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_numbers() {
        let text = "kode,nama
74,Sulawesi Tenggara
74.04,Buton
74.04,Buton lagi
74.99.01,Tanpa induk
74.99.01.2001,Cucu tanpa induk
7x,Rusak
74.05,
74.06,Konawe,kecamatan
\"74.07,Unterminated
";
        let load = Wilayah::from_csv(text);
        let lines: Vec<u64> = load.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7, 8, 9, 10], "{:?}", load.errors);
        assert!(matches!(load.errors[0].problem, RowProblem::Duplicate(_, 3)));
        assert!(matches!(load.errors[1].problem, RowProblem::MissingParent(p) if p == code("74.99")));
        assert!(matches!(load.errors[2].problem, RowProblem::MissingParent(_)));
        assert!(matches!(load.errors[3].problem, RowProblem::BadCode(_)));
        assert!(matches!(load.errors[4].problem, RowProblem::EmptyName));
        assert!(matches!(load.errors[5].problem, RowProblem::LevelMismatch { .. }));
        assert_eq!(load.wilayah.len(), 2);
        assert!(load.errors[0].to_string().starts_with("baris 4: "));
    }

    proptest! {
        #[test]
        fn descendants_are_exactly_the_contained_codes(
            picks in proptest::collection::vec((1u8..4, 1u8..4, 1u8..4, 1u16..4), 1..60)
        ) {
            // Build a random, complete tree (every ancestor present) from random village paths.
            let mut lines = Vec::new();
            for (p, k, c, d) in &picks {
                lines.push(format!("{p:02},P"));
                lines.push(format!("{p:02}.{k:02},K"));
                lines.push(format!("{p:02}.{k:02}.{c:02},C"));
                lines.push(format!("{p:02}.{k:02}.{c:02}.{:04},D", 2000 + d));
            }
            let mut unique = lines.clone();
            unique.sort();
            unique.dedup();
            let load = Wilayah::from_csv(&lines.join("\n"));
            prop_assert_eq!(load.errors.len(), lines.len() - unique.len());
            let tree = load.wilayah;
            prop_assert_eq!(tree.len(), unique.len());
            for place in tree.iter() {
                let brute: Vec<AreaCode> = tree.iter()
                    .filter(|q| q.code != place.code && place.code.contains(q.code))
                    .map(|q| q.code).collect();
                let fast: Vec<AreaCode> = tree.descendants(place.code).iter().map(|q| q.code).collect();
                prop_assert_eq!(fast, brute);
                for child in tree.children(place.code) {
                    prop_assert_eq!(child.code.parent(), Some(place.code));
                }
            }
        }
    }
}
