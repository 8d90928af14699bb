//! Pure generation of the performance data set: facilities and proposals as plain values,
//! from a seed and the setting read from the database (units, offices, staff, the proposal
//! numbers already used). No I/O here; `super::run` writes what this produces.
//!
//! The parts: the setting it builds on ([`setting`]), the office calendar ([`calendar`]),
//! people and places ([`people`]), the facilities and the registry beneficiaries are chosen
//! from ([`facilities`]), budgets and titles ([`budget`]), where each proposal ends up and the
//! steps of the lifecycle that take it there ([`lifecycle`], which reads
//! `domain::transition`), the proposals and their codes ([`proposals`]), and their timelines
//! ([`timeline`]).

mod budget;
mod calendar;
mod facilities;
mod lifecycle;
mod people;
mod proposals;
mod setting;
#[cfg(test)]
mod tests;
mod timeline;

use anyhow::ensure;

pub use facilities::{Facility, Registry, facilities};
pub use proposals::{Proposal, proposals_of_year, year_counts};
pub use setting::{Actor, Commune, Office, Setting, Staff, commune_office_name};

/// The last plan year of the data set; `--years N` goes back from it.
pub const LAST_PLAN_YEAR: i16 = 2025;

/// Generated tax codes start with these digits (Thái Nguyên's own, and the demo's, start
/// with 46), so they never collide with the demo's and mark the generated facilities.
pub const TAX_CODE_PREFIX: &str = "47";

/// The most facilities or proposals one run makes (tax codes have 8 free digits).
pub const MAX_ROWS: usize = 10_000_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Number of facilities.
    pub facilities: usize,
    /// Number of proposals.
    pub proposals: usize,
    /// Number of plan years, ending with [`LAST_PLAN_YEAR`].
    pub years: u16,
    /// Seed of the pseudo-random sequence: the same seed, the same data.
    pub seed: u64,
}

impl Params {
    /// Refuses sizes the generator cannot honour.
    pub fn check(&self) -> anyhow::Result<()> {
        ensure!(
            (1..=MAX_ROWS).contains(&self.facilities),
            "--facilities must be between 1 and {MAX_ROWS}"
        );
        ensure!(
            self.proposals <= MAX_ROWS,
            "--proposals must be at most {MAX_ROWS}"
        );
        ensure!(
            (1..=20).contains(&self.years),
            "--years must be between 1 and 20"
        );
        Ok(())
    }

    /// The first plan year.
    pub fn first_year(&self) -> i16 {
        let years = i16::try_from(self.years).unwrap_or(1);
        LAST_PLAN_YEAR - years.max(1) + 1
    }
}
