//! What the generator builds on: the communes with their offices, and the people who act on
//! proposals, each with the role the lifecycle's table checks.

use crate::domain::role::Role;

/// Someone who takes steps: a user and their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub id: i64,
    /// Their role, which `domain::transition` checks for each step they take.
    pub role: Role,
}

/// A local office and who writes its proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Office {
    /// Organisation id.
    pub id: i64,
    /// Its local officer, or the Centre's staff member when it has none.
    pub creator: Actor,
}

/// A commune or ward facilities and proposals can be in.
#[derive(Clone, Debug)]
pub struct Commune {
    /// Unit id.
    pub id: i64,
    /// `xã`, `phường`, `thị trấn`.
    pub kind: String,
    /// Name without its type.
    pub name: String,
    /// Name with its type (`Xã Phúc Xuân`).
    pub full_name: String,
    /// True for the legacy set (before July 2025).
    pub legacy: bool,
    /// What groups communes whose facilities share a proposal: the legacy district's code, or
    /// the commune itself in the 2025 set.
    pub area: String,
    /// The office whose proposals are located here.
    pub office: Office,
}

/// The Centre's people who act on proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staff {
    /// Centre officer (screening, appraisal visits, contracts, acceptance, closing).
    pub centre: Actor,
    /// Appraisal officer (appraisal records).
    pub appraiser: Actor,
    /// Director (forwarding, plan decisions, stops).
    pub director: Actor,
    /// Accountant (settlement).
    pub accountant: Actor,
}

/// What the generator builds on.
#[derive(Clone, Debug)]
pub struct Setting {
    /// Every commune of the province, both sets.
    pub communes: Vec<Commune>,
    /// The Centre's people.
    pub staff: Staff,
}

/// The name of the economic office of a 2025 commune or ward (the level that took over the
/// district offices' work in July 2025).
pub fn commune_office_name(kind: &str, full_name: &str) -> String {
    if kind == "phường" {
        format!(
            "Phòng Kinh tế, Hạ tầng và Đô thị {}",
            lower_first(full_name)
        )
    } else {
        format!("Phòng Kinh tế {}", lower_first(full_name))
    }
}

pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
