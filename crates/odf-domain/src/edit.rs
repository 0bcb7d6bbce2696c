//! Household edits made on phones, and how an edit based on an older revision is merged.
//!
//! Two phones may edit the same household offline. Each edit names the revision it was made on
//! (`base_revision`). An edit on the current revision applies whole. A *stale* edit (on an older
//! revision) is merged field by field: fields nobody changed since its base apply; fields changed
//! since its base *overlap*. For an overlapping field the later edit (by `edited_at`) wins and the
//! other value is kept in a conflict for an admin to look at. Nothing is silently lost.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::gps::GeoPoint;
use crate::household::{
    Household, MAX_KK_PER_HOUSE, MAX_NAME_LEN, MAX_UNIT_LEN, RecordError, optional_text, require_text,
};

/// A household field that can be edited. The village cannot: moving a household between villages
/// is a new registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdField {
    HeadName,
    KkCount,
    Dusun,
    Rw,
    Rt,
    Gps,
}

impl HouseholdField {
    pub const ALL: [HouseholdField; 6] = [
        HouseholdField::HeadName,
        HouseholdField::KkCount,
        HouseholdField::Dusun,
        HouseholdField::Rw,
        HouseholdField::Rt,
        HouseholdField::Gps,
    ];
}

/// `Some(None)` for an explicit JSON `null` (clear the field), `None` when the key is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// New values for some fields; an absent field is unchanged, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HouseholdChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kk_count: Option<u16>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dusun: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub rw: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub rt: Option<Option<String>>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub gps: Option<Option<GeoPoint>>,
}

impl HouseholdChanges {
    pub fn fields(&self) -> Vec<HouseholdField> {
        HouseholdField::ALL.into_iter().filter(|f| self.has(*f)).collect()
    }

    pub fn has(&self, field: HouseholdField) -> bool {
        match field {
            HouseholdField::HeadName => self.head_name.is_some(),
            HouseholdField::KkCount => self.kk_count.is_some(),
            HouseholdField::Dusun => self.dusun.is_some(),
            HouseholdField::Rw => self.rw.is_some(),
            HouseholdField::Rt => self.rt.is_some(),
            HouseholdField::Gps => self.gps.is_some(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields().is_empty()
    }

    /// These changes restricted to `fields`.
    pub fn only(&self, fields: &[HouseholdField]) -> HouseholdChanges {
        let keep = |f: HouseholdField| fields.contains(&f);
        HouseholdChanges {
            head_name: self.head_name.clone().filter(|_| keep(HouseholdField::HeadName)),
            kk_count: self.kk_count.filter(|_| keep(HouseholdField::KkCount)),
            dusun: self.dusun.clone().filter(|_| keep(HouseholdField::Dusun)),
            rw: self.rw.clone().filter(|_| keep(HouseholdField::Rw)),
            rt: self.rt.clone().filter(|_| keep(HouseholdField::Rt)),
            gps: self.gps.filter(|_| keep(HouseholdField::Gps)),
        }
    }

    /// The household's current values of `fields`, as changes (to keep or restore them).
    pub fn current(household: &Household, fields: &[HouseholdField]) -> HouseholdChanges {
        let all = HouseholdChanges {
            head_name: Some(household.head_name.clone()),
            kk_count: Some(household.kk_count),
            dusun: Some(household.dusun.clone()),
            rw: Some(household.rw.clone()),
            rt: Some(household.rt.clone()),
            gps: Some(household.gps),
        };
        all.only(fields)
    }

    pub fn apply_to(&self, household: &mut Household) {
        if let Some(v) = &self.head_name {
            household.head_name.clone_from(v);
        }
        if let Some(v) = self.kk_count {
            household.kk_count = v;
        }
        if let Some(v) = &self.dusun {
            household.dusun.clone_from(v);
        }
        if let Some(v) = &self.rw {
            household.rw.clone_from(v);
        }
        if let Some(v) = &self.rt {
            household.rt.clone_from(v);
        }
        if let Some(v) = self.gps {
            household.gps = v;
        }
    }

    /// The same rules as a new household: applying these changes must leave a valid one.
    pub fn validate(&self) -> Result<(), RecordError> {
        if let Some(name) = &self.head_name {
            require_text("head_name", name, MAX_NAME_LEN)?;
        }
        if self.kk_count.is_some_and(|k| k == 0 || k > MAX_KK_PER_HOUSE) {
            return Err(RecordError::KkOutOfRange);
        }
        for (field, value) in [("dusun", &self.dusun), ("rw", &self.rw), ("rt", &self.rt)] {
            optional_text(field, value.as_ref().and_then(Option::as_ref), MAX_UNIT_LEN)?;
        }
        Ok(())
    }
}

/// What merging one edit decided.
#[derive(Debug, Clone, PartialEq)]
pub struct EditMerge {
    /// Changes to apply now (possibly empty).
    pub apply: HouseholdChanges,
    /// Fields changed both by this edit and by another since its base revision.
    pub overlapping: Vec<HouseholdField>,
    /// For overlapping fields: the value that lost (kept for the conflict record), and whether the
    /// edit's own value won.
    pub losing_values: HouseholdChanges,
    pub edit_won: bool,
}

impl EditMerge {
    pub fn has_conflict(&self) -> bool {
        !self.overlapping.is_empty()
    }
}

/// Merges `edit` (made at `edit_at` on `base_revision`) into `current` at `current_revision`.
/// `changed_since_base` lists each field changed by edits applied after the base revision, with the
/// latest `edited_at` of those edits.
pub fn merge_edit(
    current: &Household,
    edit: &HouseholdChanges,
    edit_at: DateTime<Utc>,
    changed_since_base: &[(HouseholdField, DateTime<Utc>)],
) -> EditMerge {
    let overlapping: Vec<HouseholdField> =
        edit.fields().into_iter().filter(|f| changed_since_base.iter().any(|(c, _)| c == f)).collect();
    let free: Vec<HouseholdField> = edit.fields().into_iter().filter(|f| !overlapping.contains(f)).collect();
    let latest_other =
        changed_since_base.iter().filter(|(f, _)| overlapping.contains(f)).map(|(_, at)| *at).max();
    let edit_won = latest_other.is_some_and(|other| edit_at > other);
    let mut apply = edit.only(&free);
    let losing_values = if edit_won {
        let won = edit.only(&overlapping);
        won.apply_to_changes(&mut apply);
        HouseholdChanges::current(current, &overlapping)
    } else {
        edit.only(&overlapping)
    };
    EditMerge { apply, overlapping, losing_values, edit_won }
}

impl HouseholdChanges {
    fn apply_to_changes(&self, target: &mut HouseholdChanges) {
        if self.head_name.is_some() {
            target.head_name.clone_from(&self.head_name);
        }
        if self.kk_count.is_some() {
            target.kk_count = self.kk_count;
        }
        if self.dusun.is_some() {
            target.dusun.clone_from(&self.dusun);
        }
        if self.rw.is_some() {
            target.rw.clone_from(&self.rw);
        }
        if self.rt.is_some() {
            target.rt.clone_from(&self.rt);
        }
        if self.gps.is_some() {
            target.gps = self.gps;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::tests::household;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_760_000_000 + minutes * 60, 0).unwrap_or_default()
    }

    #[test]
    fn absent_and_null_are_told_apart() {
        let changes: HouseholdChanges = serde_json::from_str(r#"{"dusun": null, "kk_count": 3}"#).unwrap();
        assert_eq!(changes.dusun, Some(None));
        assert_eq!(changes.rw, None);
        assert_eq!(changes.fields(), vec![HouseholdField::KkCount, HouseholdField::Dusun]);
        let mut h = household("74.04.11.2002");
        changes.apply_to(&mut h);
        assert_eq!((h.kk_count, h.dusun), (3, None));
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            serde_json::json!({"kk_count": 3, "dusun": null})
        );
    }

    #[test]
    fn a_stale_edit_to_other_fields_merges_without_conflict() {
        let current = household("74.04.11.2002");
        let edit = HouseholdChanges { kk_count: Some(4), ..HouseholdChanges::default() };
        let merge = merge_edit(&current, &edit, at(5), &[(HouseholdField::HeadName, at(10))]);
        assert!(!merge.has_conflict());
        assert_eq!(merge.apply, edit);
    }

    #[test]
    fn an_overlapping_field_goes_to_the_later_edit_and_keeps_the_other_value() {
        let current = household("74.04.11.2002");
        let edit = HouseholdChanges {
            head_name: Some("Wa Ode Sitti".to_owned()),
            kk_count: Some(2),
            ..Default::default()
        };
        // The other phone renamed the head later than this edit was made: it keeps its name.
        let merge = merge_edit(&current, &edit, at(5), &[(HouseholdField::HeadName, at(10))]);
        assert_eq!(merge.overlapping, vec![HouseholdField::HeadName]);
        assert!(!merge.edit_won);
        assert_eq!(merge.apply, HouseholdChanges { kk_count: Some(2), ..Default::default() });
        assert_eq!(merge.losing_values.head_name.as_deref(), Some("Wa Ode Sitti"));
        // This edit is the later one: its name wins and the current name is what is kept aside.
        let merge = merge_edit(&current, &edit, at(20), &[(HouseholdField::HeadName, at(10))]);
        assert!(merge.edit_won);
        assert_eq!(merge.apply.head_name.as_deref(), Some("Wa Ode Sitti"));
        assert_eq!(merge.losing_values.head_name.as_deref(), Some(current.head_name.as_str()));
    }

    #[test]
    fn changes_are_validated_like_a_new_household() {
        assert_eq!(
            HouseholdChanges { kk_count: Some(0), ..Default::default() }.validate(),
            Err(RecordError::KkOutOfRange)
        );
        let blank = HouseholdChanges { head_name: Some(" ".to_owned()), ..Default::default() };
        assert_eq!(blank.validate().unwrap_err().code(), "field_missing");
        assert!(HouseholdChanges { rt: Some(None), ..Default::default() }.validate().is_ok());
    }
}
