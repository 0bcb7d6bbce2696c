//! How `visits` stores its values (migration 0010): integers and raw bytes instead of text, the
//! same on both backends so one SQL text and one decoder serve both. Every reader of `visits`
//! decodes with these: the store's queries on either backend (`sql/`) and the export's fast paths
//! (`sqlite_export`, `postgres_export`). See docs/ARCHITECTURE.md, "odf-store".

use chrono::{DateTime, Utc};
use odf_domain::{Category, Checklist, ChecklistItem};

use crate::{Result, StoreError};

/// A time as stored in `visits`: microseconds since the Unix epoch (the stored precision, see
/// `plan::normalize_time`; an `i64` of microseconds spans ±292,000 years).
pub(crate) fn micros_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub(crate) fn time_of_micros(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| StoreError::corrupt(format!("time {micros}")))
}

/// A category's stored code. Fixed numbers, not `Category::ALL`'s order: reordering the enum must
/// not change what stored rows mean.
pub(crate) fn category_code(category: Category) -> i32 {
    match category {
        Category::Aman => 1,
        Category::LayakSendiri => 2,
        Category::LayakBersama => 3,
        Category::BelumLayak => 4,
        Category::BabsTertutup => 5,
        Category::BabsTerbuka => 6,
    }
}

pub(crate) fn category_of_code(code: i32) -> Result<Category> {
    Ok(match code {
        1 => Category::Aman,
        2 => Category::LayakSendiri,
        3 => Category::LayakBersama,
        4 => Category::BelumLayak,
        5 => Category::BabsTertutup,
        6 => Category::BabsTerbuka,
        _ => return Err(StoreError::corrupt(format!("category code {code}"))),
    })
}

/// The checklist as one integer: for item `i` of `ChecklistItem::ALL`, bit `i` says it was asked
/// and bit `8 + i` that the answer was yes (so `None`, `Some(false)`, `Some(true)` are 0, 1, 257
/// for the first item). Migration 0010 computes the same from the JSON it replaces.
pub(crate) fn checklist_bits(checklist: &Checklist) -> i32 {
    let mut bits = 0;
    for (i, item) in ChecklistItem::ALL.into_iter().enumerate() {
        if let Some(yes) = item.answer(checklist) {
            bits |= 1 << i;
            if yes {
                bits |= 1 << (8 + i);
            }
        }
    }
    bits
}

pub(crate) fn checklist_of_bits(bits: i32) -> Result<Checklist> {
    if bits & !0x7f7f != 0 || (bits >> 8) & !bits & 0x7f != 0 {
        return Err(StoreError::corrupt(format!("checklist bits {bits:#x}")));
    }
    let answer = |i: usize| (bits & (1 << i) != 0).then_some(bits & (1 << (8 + i)) != 0);
    Ok(Checklist {
        closed_toilet: answer(0),
        safe_from_well: answer(1),
        strong_slab: answer(2),
        child_faeces_safe: answer(3),
        all_members_use: answer(4),
        water_and_soap: answer(5),
        no_faeces_around: answer(6),
    })
}

/// A photo hash as stored: its 32 bytes (the domain checked it is 64 lowercase hex characters, so
/// the lowercase hex of the bytes gives back the same text).
pub(crate) fn photo_bytes(hex_text: &str) -> Option<Vec<u8>> {
    hex::decode(hex_text).ok()
}

pub(crate) fn photo_hex(bytes: Option<&[u8]>) -> Result<Option<String>> {
    bytes.map(|bytes| photo_hex_in(bytes, &mut [0; 64]).map(str::to_owned)).transpose()
}

/// [`photo_hex`] written into `buf`, without a `String`: the exports' decoders hex one per row.
pub(crate) fn photo_hex_in<'b>(bytes: &[u8], buf: &'b mut [u8; 64]) -> Result<&'b str> {
    if bytes.len() != 32 {
        return Err(StoreError::corrupt(format!("photo hash of {} bytes", bytes.len())));
    }
    hex::encode_to_slice(bytes, buf).map_err(StoreError::corrupt)?;
    std::str::from_utf8(buf).map_err(StoreError::corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_checklist_survives_its_integer_form() {
        // All 3^7 answer combinations.
        for mut n in 0..3_usize.pow(7) {
            let mut answers = [None; 7];
            for answer in &mut answers {
                *answer = [None, Some(false), Some(true)][n % 3];
                n /= 3;
            }
            let [a, b, c, d, e, f, g] = answers;
            let checklist = Checklist {
                closed_toilet: a,
                safe_from_well: b,
                strong_slab: c,
                child_faeces_safe: d,
                all_members_use: e,
                water_and_soap: f,
                no_faeces_around: g,
            };
            let bits = checklist_bits(&checklist);
            assert_eq!(checklist_of_bits(bits).ok(), Some(checklist), "{bits:#x}");
        }
        // Migration 0010's arithmetic: item i asked no is 1 << i, asked yes 257 << i.
        let first_yes = Checklist { closed_toilet: Some(true), ..Checklist::default() };
        assert_eq!(checklist_bits(&first_yes), 257);
        let last_no = Checklist { no_faeces_around: Some(false), ..Checklist::default() };
        assert_eq!(checklist_bits(&last_no), 64);
        assert_eq!(ChecklistItem::ALL.len(), 7);
        // A yes on an item not asked, or bits beyond the seven items, are corrupt.
        assert!(checklist_of_bits(1 << 8).is_err());
        assert!(checklist_of_bits(1 << 7).is_err());
    }

    #[test]
    fn category_codes_are_fixed_and_distinct() {
        let codes: Vec<i32> = Category::ALL.iter().map(|c| category_code(*c)).collect();
        for (category, code) in Category::ALL.iter().zip(&codes) {
            assert_eq!(category_of_code(*code).ok(), Some(*category));
        }
        assert_eq!(category_code(Category::Aman), 1);
        assert_eq!(category_code(Category::BabsTerbuka), 6);
        assert!(category_of_code(0).is_err() && category_of_code(7).is_err());
    }

    #[test]
    fn times_and_photo_hashes_round_trip() {
        let at = crate::plan::normalize_time(Utc::now());
        assert_eq!(time_of_micros(micros_of(at)).ok(), Some(at));
        let hash = "0123456789abcdef".repeat(4);
        let bytes = photo_bytes(&hash);
        assert_eq!(bytes.as_ref().map(Vec::len), Some(32));
        assert_eq!(photo_hex(bytes.as_deref()).ok().flatten(), Some(hash));
        assert!(photo_hex(Some(&[1, 2, 3])).is_err());
        assert_eq!(photo_hex(None).ok(), Some(None));
        let bytes: Vec<u8> = (0..32).map(|i| i * 8).collect();
        let mut buf = [0; 64];
        assert_eq!(photo_hex_in(&bytes, &mut buf).ok(), Some(hex::encode(&bytes).as_str()));
    }
}
