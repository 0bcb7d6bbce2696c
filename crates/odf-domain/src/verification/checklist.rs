//! The household checklist seen at verification, item by item: names, Indonesian labels, answers.

use serde::{Deserialize, Serialize};

use crate::household::Checklist;

/// One item of the household checklist seen at verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistItem {
    ClosedToilet,
    SafeFromWell,
    StrongSlab,
    ChildFaecesSafe,
    AllMembersUse,
    WaterAndSoap,
    NoFaecesAround,
}

impl ChecklistItem {
    /// Every item, in the order of [`Checklist`]'s fields (also the order in the certified-data hash).
    pub const ALL: [ChecklistItem; 7] = [
        ChecklistItem::ClosedToilet,
        ChecklistItem::SafeFromWell,
        ChecklistItem::StrongSlab,
        ChecklistItem::ChildFaecesSafe,
        ChecklistItem::AllMembersUse,
        ChecklistItem::WaterAndSoap,
        ChecklistItem::NoFaecesAround,
    ];

    /// The stable machine name (the [`Checklist`] field name).
    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistItem::ClosedToilet => "closed_toilet",
            ChecklistItem::SafeFromWell => "safe_from_well",
            ChecklistItem::StrongSlab => "strong_slab",
            ChecklistItem::ChildFaecesSafe => "child_faeces_safe",
            ChecklistItem::AllMembersUse => "all_members_use",
            ChecklistItem::WaterAndSoap => "water_and_soap",
            ChecklistItem::NoFaecesAround => "no_faeces_around",
        }
    }

    /// The item as written on the checklist, in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            ChecklistItem::ClosedToilet => "jamban bertutup atau berleher angsa",
            ChecklistItem::SafeFromWell => "lubang lebih dari 10 m dari sumur gali atau kedap air",
            ChecklistItem::StrongSlab => "lantai jamban kuat",
            ChecklistItem::ChildFaecesSafe => "tinja bayi dan lansia dibuang ke jamban",
            ChecklistItem::AllMembersUse => "semua anggota keluarga memakai jamban",
            ChecklistItem::WaterAndSoap => "tersedia air dan sabun untuk cebok",
            ChecklistItem::NoFaecesAround => "tidak ada tinja di sekitar rumah, kebun atau sungai",
        }
    }

    /// The answer recorded for this item; `None` is "not asked".
    pub fn answer(self, checklist: &Checklist) -> Option<bool> {
        match self {
            ChecklistItem::ClosedToilet => checklist.closed_toilet,
            ChecklistItem::SafeFromWell => checklist.safe_from_well,
            ChecklistItem::StrongSlab => checklist.strong_slab,
            ChecklistItem::ChildFaecesSafe => checklist.child_faeces_safe,
            ChecklistItem::AllMembersUse => checklist.all_members_use,
            ChecklistItem::WaterAndSoap => checklist.water_and_soap,
            ChecklistItem::NoFaecesAround => checklist.no_faeces_around,
        }
    }

    /// The items answered no; an item not asked is not a failure.
    pub fn failures(checklist: &Checklist) -> Vec<ChecklistItem> {
        ChecklistItem::ALL.into_iter().filter(|item| item.answer(checklist) == Some(false)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_items_answered_no_are_failures() {
        let checklist =
            Checklist { closed_toilet: Some(true), strong_slab: Some(false), ..Checklist::default() };
        assert_eq!(ChecklistItem::failures(&checklist), [ChecklistItem::StrongSlab]);
        assert_eq!(ChecklistItem::ClosedToilet.answer(&checklist), Some(true));
        assert_eq!(ChecklistItem::WaterAndSoap.answer(&checklist), None);
        assert!(ChecklistItem::failures(&Checklist::default()).is_empty());
    }

    #[test]
    fn checklist_items_serialise_as_their_field_names() {
        for item in ChecklistItem::ALL {
            assert_eq!(serde_json::to_string(&item).unwrap(), format!("\"{}\"", item.as_str()));
        }
    }
}
