//! People and places: owners' names, hamlets, addresses and phone numbers.

use super::super::rng::Rng;
use super::super::words;
use super::Commune;

/// A person of the province: name, and what the facility records of its owner.
pub(super) struct Person {
    /// Family, middle and given name.
    pub(super) name: String,
    /// A woman.
    pub(super) female: bool,
    /// Of an ethnic minority (by the family name).
    pub(super) minority: bool,
}

/// A person: a family name by its weight, a middle and a given name.
pub(super) fn person(rng: &mut Rng) -> Person {
    let family = *rng.weighted(words::FAMILY_NAMES);
    let minority_from = words::FAMILY_NAMES.len() - words::MINORITY_FAMILIES;
    let minority = words::FAMILY_NAMES[minority_from..]
        .iter()
        .any(|(name, _)| *name == family);
    let female = rng.chance(400);
    let (middle, given) = if female {
        (
            *rng.weighted(words::FEMALE_MIDDLE),
            *rng.pick(words::FEMALE_GIVEN),
        )
    } else {
        (
            *rng.weighted(words::MALE_MIDDLE),
            *rng.pick(words::MALE_GIVEN),
        )
    };
    Person {
        name: format!("{family} {middle} {given}"),
        female,
        minority,
    }
}

/// A hamlet's name (`Xóm` and the like come before it).
pub(super) fn hamlet_name(rng: &mut Rng) -> String {
    format!(
        "{} {}",
        rng.pick(words::HAMLET_FIRST),
        rng.pick(words::HAMLET_SECOND)
    )
}

/// An address below `commune`: a residential group in a ward or town, a hamlet elsewhere.
pub(super) fn address(rng: &mut Rng, commune: &Commune) -> String {
    if matches!(commune.kind.as_str(), "phường" | "thị trấn") {
        format!("Tổ dân phố {}", rng.range(1, 30))
    } else {
        format!("Xóm {}", hamlet_name(rng))
    }
}

const MOBILE_PREFIXES: &[&str] = &[
    "091", "098", "097", "096", "086", "035", "036", "037", "038", "039", "088", "094", "083",
    "084", "033", "034",
];

/// A phone number, or none (one in twelve); `landline` for Thái Nguyên's 0208 numbers.
pub(super) fn phone(rng: &mut Rng, landline: bool) -> Option<String> {
    if rng.chance(80) {
        None
    } else if landline {
        Some(format!(
            "0208 3{:03} {:03}",
            rng.range(0, 999),
            rng.range(0, 999)
        ))
    } else {
        Some(format!(
            "{}{} {:03} {:03}",
            rng.pick(MOBILE_PREFIXES),
            rng.range(0, 9),
            rng.range(0, 999),
            rng.range(0, 999)
        ))
    }
}
