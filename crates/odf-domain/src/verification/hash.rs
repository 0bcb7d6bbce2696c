//! The certified-data hash: SHA-256 over exactly the household data a verification decision was
//! based on, in a fixed text form, so anyone can recompute it later from the stored visits and prove
//! which data a certificate covers.
//!
//! The text is UTF-8, one record per line, each line ending in `\n` (no `\r`), fields separated by
//! one space; ids are lowercase hyphenated UUIDs; times are RFC 3339 in UTC with exactly six
//! fractional digits and `Z` (`2026-03-01T08:30:00.000000Z`, finer digits truncated); categories are
//! machine names ([`crate::Category::as_str`]):
//!
//! ```text
//! odf-verify certified-data v1
//! latest <household_id> <visit_id> <visited_at> <category>
//! latest <household_id> none
//! verification <household_id> <visit_id> <visited_at> <category> <checklist>
//! ```
//!
//! - the first line is [`CERTIFIED_DATA_HEADER`], so a later format can change the version;
//! - one `latest` line per household of the village, sorted by household id: its latest visit
//!   (greatest `(visited_at, id)`, the rule of [`crate::coverage::latest_visits`]) or `none`;
//! - one `verification` line per verification visit, sorted by household id then visit id, a visit
//!   listed twice counted once; `<checklist>` is seven characters in [`super::ChecklistItem::ALL`]
//!   order, `y` yes, `n` no, `-` not asked, because the checklist is part of what was decided on.
//!
//! The hash is the lowercase hex SHA-256 of that text. The JSON of these records is not used,
//! because nothing fixes the order or spelling of its fields.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ChecklistItem;
use crate::coverage::latest_visits;
use crate::household::Visit;

/// The first line of the hashed text.
pub const CERTIFIED_DATA_HEADER: &str = "odf-verify certified-data v1";

fn time(visit: &Visit) -> String {
    visit.visited_at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The text that is hashed. `household_ids` are every household of the village; `village_visits`
/// are their visits (any number per household; visits of other households are ignored);
/// `verification_visits` are the visits recorded during the verification.
pub fn certified_data_text<'a>(
    household_ids: impl IntoIterator<Item = Uuid>,
    village_visits: impl IntoIterator<Item = &'a Visit>,
    verification_visits: impl IntoIterator<Item = &'a Visit>,
) -> String {
    let households: BTreeSet<Uuid> = household_ids.into_iter().collect();
    let latest = latest_visits(village_visits);
    let mut text = String::new();
    text.push_str(CERTIFIED_DATA_HEADER);
    text.push('\n');
    // Writing to a String cannot fail, so the fmt::Results below are ignored.
    for id in &households {
        let _ = match latest.get(id) {
            Some(v) => writeln!(text, "latest {id} {} {} {}", v.id, time(v), v.category.as_str()),
            None => writeln!(text, "latest {id} none"),
        };
    }
    let verification: BTreeMap<(Uuid, Uuid), &Visit> =
        verification_visits.into_iter().map(|v| ((v.household_id, v.id), v)).collect();
    for ((household, id), v) in verification {
        let checklist: String = ChecklistItem::ALL
            .iter()
            .map(|item| match item.answer(&v.checklist) {
                Some(true) => 'y',
                Some(false) => 'n',
                None => '-',
            })
            .collect();
        let _ =
            writeln!(text, "verification {household} {id} {} {} {checklist}", time(v), v.category.as_str());
    }
    text
}

/// The lowercase hex SHA-256 of [`certified_data_text`].
pub fn certified_data_hash<'a>(
    household_ids: impl IntoIterator<Item = Uuid>,
    village_visits: impl IntoIterator<Item = &'a Visit>,
    verification_visits: impl IntoIterator<Item = &'a Visit>,
) -> String {
    let text = certified_data_text(household_ids, village_visits, verification_visits);
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::Category;
    use crate::household::Checklist;
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn visit(id: u128, household: u128, when: &str, category: Category) -> Visit {
        Visit {
            id: Uuid::from_u128(id),
            household_id: Uuid::from_u128(household),
            sanitarian: "sanitarian1".to_owned(),
            visited_at: at(when),
            category,
            checklist: Checklist::default(),
            gps: None,
            photo_sha256: None,
            device_id: "device-1".to_owned(),
        }
    }

    const H1: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0001;
    const H2: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0002;
    const H3: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0003;

    fn fixture() -> (Vec<Uuid>, Vec<Visit>, Vec<Visit>) {
        let households = vec![Uuid::from_u128(H3), Uuid::from_u128(H1), Uuid::from_u128(H2)];
        let village = vec![
            visit(
                0x0191_0000_0000_7000_8000_0000_0000_0011,
                H1,
                "2026-01-10T02:00:00Z",
                Category::BabsTerbuka,
            ),
            visit(
                0x0191_0000_0000_7000_8000_0000_0000_0012,
                H1,
                "2026-02-10T02:00:00.123456789Z",
                Category::Aman,
            ),
            visit(
                0x0191_0000_0000_7000_8000_0000_0000_0021,
                H2,
                "2026-02-11T03:04:05+08:00",
                Category::LayakBersama,
            ),
        ];
        let mut v1 = visit(
            0x0192_0000_0000_7000_8000_0000_0000_0031,
            H2,
            "2026-03-01T08:30:00Z",
            Category::LayakBersama,
        );
        v1.checklist =
            Checklist { closed_toilet: Some(true), strong_slab: Some(false), ..Checklist::default() };
        let v2 = visit(0x0192_0000_0000_7000_8000_0000_0000_0030, H1, "2026-03-01T09:00:00Z", Category::Aman);
        (households, village, vec![v1.clone(), v2, v1])
    }

    #[test]
    fn the_hashed_text_has_one_documented_line_per_record_in_id_order() {
        let (households, village, verification) = fixture();
        let text = certified_data_text(households, &village, &verification);
        let expected = "odf-verify certified-data v1\n\
            latest 01900000-0000-7000-8000-000000000001 01910000-0000-7000-8000-000000000012 2026-02-10T02:00:00.123456Z aman\n\
            latest 01900000-0000-7000-8000-000000000002 01910000-0000-7000-8000-000000000021 2026-02-10T19:04:05.000000Z layak_bersama\n\
            latest 01900000-0000-7000-8000-000000000003 none\n\
            verification 01900000-0000-7000-8000-000000000001 01920000-0000-7000-8000-000000000030 2026-03-01T09:00:00.000000Z aman -------\n\
            verification 01900000-0000-7000-8000-000000000002 01920000-0000-7000-8000-000000000031 2026-03-01T08:30:00.000000Z layak_bersama y-n----\n";
        assert_eq!(text, expected);
    }

    /// The expected value was computed outside Rust (`printf '...' | sha256sum` over the text above),
    /// so a change to the format or to the hashing shows up here.
    #[test]
    fn the_certified_data_hash_matches_a_fixed_value() {
        let (households, village, verification) = fixture();
        let hash = certified_data_hash(households, &village, &verification);
        assert_eq!(hash, "bb5d902721c73da4313877376ccbf188cbb1d49433729ddad04f0937b8a9d7c0");
    }

    #[test]
    fn the_hash_does_not_depend_on_input_order_and_changes_with_any_visit() {
        let (households, mut village, mut verification) = fixture();
        let before = certified_data_hash(households.clone(), &village, &verification);
        village.reverse();
        verification.reverse();
        let reordered: Vec<Uuid> = households.iter().rev().copied().collect();
        assert_eq!(certified_data_hash(reordered, &village, &verification), before);
        verification[1].checklist.water_and_soap = Some(true);
        assert_ne!(certified_data_hash(households, &village, &verification), before);
    }
}
