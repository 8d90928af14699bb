//! Support caps and the other rules that are data (PRODUCT.md §4, DOMAIN.md §3).
//!
//! A cap reads "tối đa X% chi phí nhưng không quá Y đồng/<đơn vị>": at most a share of the
//! eligible cost and at most an amount per unit (model, establishment, …), the amount raised
//! by a multiplier in a named case (1.5× for a technology line). Rules are rows with a scope
//! (activity type, level, province) and validity dates; [`cap_in_force`] picks the one that
//! applies on a date, [`max_support`] computes what it allows, [`check_request`] says why a
//! requested amount is too high and by how much, and [`Message`]s explain all of it in the
//! user's language through catalogue keys and numbers.
//!
//! The value types of the other rule tables live here too: validity periods and
//! priority-area kinds. What an administrator types (percent, amounts, multipliers, dates) is
//! read in [`super::input`]. Money is whole đồng in an `i64`; every computation is checked or
//! done in `i128` and rounds down, so no input can overflow or panic.
//!
//! `rule` holds a cap's figures, `cap` a stored cap and which one is in force, `check` what a
//! cap allows and how a request compares, `message` the sentences that explain them.

mod cap;
mod check;
#[cfg(test)]
mod fixtures;
mod message;
mod priority;
mod rule;
mod validity;

pub use cap::{NoRule, SupportCap, cap_in_force};
pub use check::{
    Binding, CapCheck, CapError, CostBasis, Excess, SupportLimit, check_request, max_support,
};
pub use message::{Arg, Message};
pub use priority::PriorityAreaKind;
pub use rule::{CapRule, CapUnit, CaseMultiplier, MAX_MULTIPLIER_TERM, Multiplier, RuleError};
pub use validity::{ValidityError, check_end, check_validity, covers};

/// Basis points in 100%.
pub const FULL_BP: u32 = 10_000;
