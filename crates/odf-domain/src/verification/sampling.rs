//! The verification sample, drawn reproducibly from a recorded seed.
//!
//! Anyone holding the village's households, the plan and the seed can re-derive the sample, in any
//! language, with this recipe (no `rand` crate, whose algorithms may change between versions):
//!
//! 1. **Labels.** Each of a household's dusun, RW and RT labels is trimmed, runs of spaces become one
//!    space, and an empty label is absent. For RW and RT a leading word "RW"/"RT" (any case, with an
//!    optional `.`) is dropped and an all-digit label loses its leading zeros, so "RT 003", "rt.3" and
//!    "3" are the same RT.
//! 2. **Units.** A unit is a path down to the plan's level: `(dusun)`, `(dusun, rw)` or
//!    `(dusun, rw, rt)`, because RT numbers repeat in every RW. Households without a label at the
//!    plan's level form one unit of their own, shown as "(tanpa dusun)", "(tanpa RW)" or "(tanpa RT)".
//! 3. **Order.** Units are sorted by their path, comparing labels by Unicode code point with an absent
//!    label first; the unit without a label sorts last.
//! 4. **Draw.** With `n` units and `k = min(count, n)`, a SplitMix64 generator seeded with `seed` runs
//!    a partial Fisher–Yates shuffle: for `i` in `0..k`, `j = i + below(n - i)`, swap units `i` and
//!    `j`. `below(m)` draws `x = next()` until `x >= (2^64 - m) mod m` and returns `x mod m` (no bias).
//!    The first `k` units are the chosen ones.
//! 5. **Result.** The chosen units, sorted as in step 3, and the ids of every household in them,
//!    sorted. Input order never matters.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::VerificationError;
use crate::household::Household;

/// The level of the units a sample is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Dusun,
    Rw,
    Rt,
}

impl UnitLevel {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Dusun => "dusun",
            UnitLevel::Rw => "rw",
            UnitLevel::Rt => "rt",
        }
    }

    /// How the level is written in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            UnitLevel::Dusun => "dusun",
            UnitLevel::Rw => "RW",
            UnitLevel::Rt => "RT",
        }
    }

    fn depth(self) -> usize {
        self as usize + 1
    }
}

/// Which households the team visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SamplingPlan {
    /// Every household of the village (pillar 1 as first written).
    AllHouseholds,
    /// Every household in `count` randomly chosen units (2021 guidance). A count larger than the
    /// number of units means every unit.
    RandomUnits { level: UnitLevel, count: usize },
}

/// A household's id and unit labels: all the sample needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdUnits {
    pub id: Uuid,
    #[serde(default)]
    pub dusun: Option<String>,
    #[serde(default)]
    pub rw: Option<String>,
    #[serde(default)]
    pub rt: Option<String>,
}

impl From<&Household> for HouseholdUnits {
    fn from(h: &Household) -> Self {
        HouseholdUnits { id: h.id, dusun: h.dusun.clone(), rw: h.rw.clone(), rt: h.rt.clone() }
    }
}

/// A unit's path from the dusun down to its level; `None` in `path` is an absent label, and
/// `unlabelled` is the one unit of households without a label at the level.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct UnitKey {
    unlabelled: bool,
    path: Vec<Option<String>>,
}

fn normalise(label: Option<&String>, prefix: Option<&str>) -> Option<String> {
    let mut text = label?.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(prefix) = prefix {
        let head = text.get(..prefix.len()).map(str::to_ascii_lowercase);
        let rest = text.get(prefix.len()..).unwrap_or_default();
        if head.as_deref() == Some(prefix) && !rest.starts_with(|c: char| c.is_alphanumeric()) {
            text = rest.trim_start_matches(['.', ' ']).to_owned();
        }
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let trimmed = text.trim_start_matches('0');
            text = if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() };
        }
    }
    (!text.is_empty()).then_some(text)
}

impl HouseholdUnits {
    fn unit_key(&self, level: UnitLevel) -> UnitKey {
        let path = [
            normalise(self.dusun.as_ref(), None),
            normalise(self.rw.as_ref(), Some("rw")),
            normalise(self.rt.as_ref(), Some("rt")),
        ];
        let depth = level.depth();
        if path[depth - 1].is_none() {
            return UnitKey { unlabelled: true, path: vec![None; depth] };
        }
        UnitKey { unlabelled: false, path: path.into_iter().take(depth).collect() }
    }

    /// The label of the unit this household belongs to at `level`, as listed in [`Sample::units`].
    pub fn unit_label(&self, level: UnitLevel) -> String {
        unit_label(&self.unit_key(level), level)
    }
}

fn unit_label(key: &UnitKey, level: UnitLevel) -> String {
    if key.unlabelled {
        return format!("(tanpa {})", level.label());
    }
    let names = ["dusun", "RW", "RT"];
    let parts: Vec<String> = key
        .path
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (part, name))| match (part, i) {
            (None, _) => format!("(tanpa {name})"),
            (Some(text), 0) => text.clone(),
            (Some(text), _) => format!("{name} {text}"),
        })
        .collect();
    parts.join(" / ")
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator with a published reference output, so
/// the draw can be re-derived anywhere. Not for secrets.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..bound` (`bound > 0`), by rejection so no value is favoured.
    pub fn below(&mut self, bound: u64) -> u64 {
        let bound = bound.max(1);
        let min = bound.wrapping_neg() % bound;
        loop {
            let x = self.next_u64();
            if x >= min {
                return x % bound;
            }
        }
    }
}

/// A drawn sample: what was asked for, and what came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub plan: SamplingPlan,
    pub seed: u64,
    /// Labels of the chosen units, in unit order; empty for [`SamplingPlan::AllHouseholds`].
    pub units: Vec<String>,
    /// Every household to visit, sorted.
    pub household_ids: Vec<Uuid>,
}

impl Sample {
    pub fn contains(&self, household_id: Uuid) -> bool {
        self.household_ids.binary_search(&household_id).is_ok()
    }
}

/// Draws the sample from the village's households; the recipe is in the module documentation.
pub fn draw_sample(
    households: impl IntoIterator<Item = HouseholdUnits>,
    plan: SamplingPlan,
    seed: u64,
) -> Result<Sample, VerificationError> {
    let households: Vec<HouseholdUnits> = households.into_iter().collect();
    if households.is_empty() {
        return Err(VerificationError::NoHouseholds);
    }
    let (level, count) = match plan {
        SamplingPlan::AllHouseholds => {
            let household_ids: BTreeSet<Uuid> = households.iter().map(|h| h.id).collect();
            return Ok(Sample {
                plan,
                seed,
                units: vec![],
                household_ids: household_ids.into_iter().collect(),
            });
        }
        SamplingPlan::RandomUnits { count: 0, .. } => return Err(VerificationError::ZeroUnits),
        SamplingPlan::RandomUnits { level, count } => (level, count),
    };
    // A BTreeMap both groups the households and sorts the units (step 3 of the recipe).
    let mut groups: BTreeMap<UnitKey, BTreeSet<Uuid>> = BTreeMap::new();
    for household in &households {
        groups.entry(household.unit_key(level)).or_default().insert(household.id);
    }
    let mut units: Vec<(UnitKey, BTreeSet<Uuid>)> = groups.into_iter().collect();
    let k = count.min(units.len());
    let mut rng = SplitMix64::new(seed);
    for i in 0..k {
        let remaining = (units.len() - i) as u64;
        let offset = usize::try_from(rng.below(remaining)).unwrap_or_default();
        units.swap(i, i + offset);
    }
    let mut chosen: Vec<(UnitKey, BTreeSet<Uuid>)> = units.into_iter().take(k).collect();
    chosen.sort_by(|a, b| a.0.cmp(&b.0));
    let household_ids: BTreeSet<Uuid> = chosen.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
    Ok(Sample {
        plan,
        seed,
        units: chosen.iter().map(|(key, _)| unit_label(key, level)).collect(),
        household_ids: household_ids.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn house(n: u128, dusun: Option<&str>, rw: Option<&str>, rt: Option<&str>) -> HouseholdUnits {
        HouseholdUnits {
            id: Uuid::from_u128(n),
            dusun: dusun.map(str::to_owned),
            rw: rw.map(str::to_owned),
            rt: rt.map(str::to_owned),
        }
    }

    #[test]
    fn splitmix64_matches_its_published_reference_output() {
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821
            ]
        );
    }

    #[test]
    fn the_same_rt_written_differently_is_one_unit_and_rt_numbers_repeat_per_rw() {
        let a = house(1, Some(" Dusun  I "), Some("RW 01"), Some("RT 003"));
        let b = house(2, Some("Dusun I"), Some("1"), Some("rt.3"));
        let c = house(3, Some("Dusun I"), Some("02"), Some("3"));
        assert_eq!(a.unit_label(UnitLevel::Rt), "Dusun I / RW 1 / RT 3");
        assert_eq!(b.unit_label(UnitLevel::Rt), a.unit_label(UnitLevel::Rt));
        assert_eq!(c.unit_label(UnitLevel::Rt), "Dusun I / RW 2 / RT 3");
        assert_eq!(house(4, None, Some("RW 5"), None).unit_label(UnitLevel::Rw), "(tanpa dusun) / RW 5");
        assert_eq!(house(5, Some("Dusun I"), None, None).unit_label(UnitLevel::Rt), "(tanpa RT)");
        assert_eq!(house(6, Some("Rwaba"), Some("RWK"), None).unit_label(UnitLevel::Rw), "Rwaba / RW RWK");
    }

    /// Pins the recipe (the expected values come from an independent implementation of the module
    /// documentation's steps): if this changes, every recorded seed would re-derive a different sample.
    #[test]
    fn a_fixed_seed_draws_a_fixed_sample() {
        let households: Vec<HouseholdUnits> = (0..12u128)
            .map(|n| {
                let rt = (n % 4 + 1).to_string();
                house(n, Some("Dusun I"), Some(if n < 6 { "1" } else { "2" }), Some(rt.as_str()))
            })
            .collect();
        let plan = SamplingPlan::RandomUnits { level: UnitLevel::Rt, count: 3 };
        let sample = draw_sample(households, plan, 42).unwrap();
        assert_eq!(sample.units, ["Dusun I / RW 1 / RT 3", "Dusun I / RW 2 / RT 2", "Dusun I / RW 2 / RT 3"]);
        let ids: Vec<u128> = sample.household_ids.iter().map(|id| id.as_u128()).collect();
        assert_eq!(ids, [2, 6, 9, 10]);
    }

    #[test]
    fn a_count_beyond_the_units_takes_them_all_and_zero_or_no_households_is_an_error() {
        let households = vec![house(1, Some("A"), None, None), house(2, None, None, None)];
        let plan = SamplingPlan::RandomUnits { level: UnitLevel::Dusun, count: 9 };
        let sample = draw_sample(households.clone(), plan, 7).unwrap();
        assert_eq!(sample.units, ["A", "(tanpa dusun)"]);
        assert_eq!(sample.household_ids.len(), 2);
        let zero = SamplingPlan::RandomUnits { level: UnitLevel::Dusun, count: 0 };
        assert_eq!(draw_sample(households, zero, 7).unwrap_err().code(), "sample_zero_units");
        assert_eq!(draw_sample(vec![], plan, 7).unwrap_err().code(), "sample_no_households");
    }

    #[test]
    fn plans_serialise_with_a_kind_tag() {
        let plan = SamplingPlan::RandomUnits { level: UnitLevel::Rw, count: 2 };
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(json, r#"{"kind":"random_units","level":"rw","count":2}"#);
        assert_eq!(serde_json::from_str::<SamplingPlan>(&json).unwrap(), plan);
    }

    fn label(options: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
        proptest::option::of(proptest::sample::select(options).prop_map(str::to_owned))
    }

    fn village() -> impl Strategy<Value = Vec<HouseholdUnits>> {
        let one = (
            label(&["Dusun I", "Dusun II", "Kampung Baru"]),
            label(&["1", "02", "RW 3"]),
            label(&["1", "2", "RT 03", "004"]),
        );
        proptest::collection::vec(one, 1..40).prop_map(|labels| {
            labels
                .into_iter()
                .enumerate()
                .map(|(i, (dusun, rw, rt))| HouseholdUnits {
                    id: Uuid::from_u128(i as u128 + 1),
                    dusun,
                    rw,
                    rt,
                })
                .collect()
        })
    }

    fn plan() -> impl Strategy<Value = SamplingPlan> {
        let level = proptest::sample::select(vec![UnitLevel::Dusun, UnitLevel::Rw, UnitLevel::Rt]);
        prop_oneof![
            Just(SamplingPlan::AllHouseholds),
            (level, 1usize..6).prop_map(|(level, count)| SamplingPlan::RandomUnits { level, count }),
        ]
    }

    proptest! {
        #[test]
        fn the_same_seed_draws_the_same_sample_whatever_the_input_order(
            (households, shuffled) in village().prop_flat_map(|h| (Just(h.clone()), Just(h).prop_shuffle())),
            plan in plan(),
            seed in any::<u64>(),
        ) {
            prop_assert_eq!(draw_sample(households, plan, seed), draw_sample(shuffled, plan, seed));
        }

        #[test]
        fn a_sample_is_exactly_the_households_of_its_chosen_units(
            households in village(), plan in plan(), seed in any::<u64>(),
        ) {
            let sample = draw_sample(households.clone(), plan, seed).unwrap();
            prop_assert!(sample.household_ids.windows(2).all(|w| w[0] < w[1]));
            match plan {
                SamplingPlan::AllHouseholds => {
                    prop_assert_eq!(sample.household_ids.len(), households.len());
                    prop_assert!(households.iter().all(|h| sample.contains(h.id)));
                }
                SamplingPlan::RandomUnits { level, count } => {
                    let all_units: BTreeSet<String> = households.iter().map(|h| h.unit_label(level)).collect();
                    prop_assert_eq!(sample.units.len(), count.min(all_units.len()));
                    for household in &households {
                        let in_chosen_unit = sample.units.contains(&household.unit_label(level));
                        prop_assert_eq!(sample.contains(household.id), in_chosen_unit);
                    }
                    prop_assert!(sample.household_ids.iter().all(|id| households.iter().any(|h| h.id == *id)));
                }
            }
        }
    }
}
