//! The implementation contract (DOMAIN.md §4.5, §4.6): when it may be signed, its deadline,
//! and the advance it allows — a share of the approved support once progress passes a
//! threshold, both from the advance rule in force on the signing day.

use time::Date;

use super::caps::FULL_BP;

/// An advance rule: the share of the support and the progress it needs, in basis points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdvanceTerms {
    /// Most of the approved support that may be advanced.
    pub share_bp: u32,
    /// Progress the work must pass first.
    pub threshold_bp: u32,
}

impl AdvanceTerms {
    /// The default of the national rules: 70% once more than 70% is done (Thông tư
    /// 36/2013/TT-BCT Art. 13–16; TTLT 26/2014 Art. 8.2.b).
    pub const NATIONAL_DEFAULT: Self = Self {
        share_bp: 7_000,
        threshold_bp: 7_000,
    };

    /// The most that may be advanced on `approved` support, rounded down to whole đồng.
    pub fn max_advance(self, approved: i64) -> i64 {
        let share = i128::from(self.share_bp.min(FULL_BP));
        let amount = i128::from(approved.max(0)) * share / i128::from(FULL_BP);
        i64::try_from(amount).unwrap_or(i64::MAX)
    }
}

/// Why a contract's dates cannot stand, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Signed before the plan decision that approved the proposal.
    BeforeApproval,
    /// Signed after today.
    InFuture,
    /// The deadline is before the signing day.
    DeadlineBeforeSigning,
}

impl DateProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::BeforeApproval => "contract.date.before_approval",
            Self::InFuture => "contract.date.in_future",
            Self::DeadlineBeforeSigning => "contract.date.deadline_before_signing",
        }
    }

    /// The form field it is about.
    pub fn field(self) -> &'static str {
        match self {
            Self::BeforeApproval | Self::InFuture => "signed_on",
            Self::DeadlineBeforeSigning => "deadline",
        }
    }
}

/// A contract is signed on or after its approval, not after today, and ends on or after the
/// day it is signed.
pub fn check_dates(
    signed_on: Date,
    deadline: Date,
    approved_on: Option<Date>,
    today: Date,
) -> Result<(), DateProblem> {
    if signed_on > today {
        Err(DateProblem::InFuture)
    } else if approved_on.is_some_and(|a| signed_on < a) {
        Err(DateProblem::BeforeApproval)
    } else if deadline < signed_on {
        Err(DateProblem::DeadlineBeforeSigning)
    } else {
        Ok(())
    }
}

/// Why an amendment's dates are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmendmentProblem {
    /// Dated before the contract was signed, or after today.
    AmendedOn,
    /// The new deadline is before the signing day.
    DeadlineBeforeSigning,
}

impl AmendmentProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::AmendedOn => "contract.date.amended_on",
            Self::DeadlineBeforeSigning => "contract.date.deadline_before_signing",
        }
    }

    /// The amendment form's field it is about.
    pub fn field(self) -> &'static str {
        match self {
            Self::AmendedOn => "amended_on",
            Self::DeadlineBeforeSigning => "amend_deadline",
        }
    }
}

/// What is wrong with an amendment's dates (those given): it is dated between the signing
/// and today, and the work ends on or after the signing day.
pub fn amendment_problems(
    signed_on: Date,
    amended_on: Option<Date>,
    deadline: Option<Date>,
    today: Date,
) -> Vec<AmendmentProblem> {
    let mut problems = Vec::new();
    if amended_on.is_some_and(|d| d < signed_on || d > today) {
        problems.push(AmendmentProblem::AmendedOn);
    }
    if deadline.is_some_and(|d| d < signed_on) {
        problems.push(AmendmentProblem::DeadlineBeforeSigning);
    }
    problems
}

/// Why the day of a decision to stop the work is refused: after today, or before the
/// contract was signed. Its catalogue key.
pub fn stop_day_problem(decided_on: Date, signed_on: Date, today: Date) -> Option<&'static str> {
    if decided_on > today {
        Some("stop.in_future")
    } else if decided_on < signed_on {
        Some("stop.before_contract")
    } else {
        None
    }
}

/// The contract number the Centre would give: `017/2024/HĐ-KC` from a local proposal's code
/// (`ĐP-2024-017`), `003/2024/HĐ-KCQG` from a national one's (`QG-2024-003`).
pub fn suggested_number(proposal_code: Option<&str>, plan_year: i16) -> String {
    let code = proposal_code.unwrap_or_default();
    let serial = code
        .rsplit('-')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("001");
    let suffix = if code.starts_with("QG") { "KCQG" } else { "KC" };
    format!("{serial}/{plan_year}/HĐ-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_advance_is_a_share_of_the_support_rounded_down() {
        let terms = AdvanceTerms::NATIONAL_DEFAULT;
        assert_eq!(terms.max_advance(300_000_000), 210_000_000);
        assert_eq!(terms.max_advance(1), 0);
        assert_eq!(terms.max_advance(10), 7);
        assert_eq!(terms.max_advance(-5), 0);
        assert_eq!(terms.max_advance(i64::MAX), 6_456_360_425_798_343_064);
        let all = AdvanceTerms {
            share_bp: 20_000,
            threshold_bp: 0,
        };
        assert_eq!(all.max_advance(100), 100, "never more than the support");
    }

    #[test]
    fn a_contract_follows_its_approval_and_ends_after_it_is_signed() {
        let today = date!(2024 - 06 - 01);
        let check =
            |signed, deadline| check_dates(signed, deadline, Some(date!(2024 - 04 - 19)), today);
        let november = date!(2024 - 11 - 30);
        assert_eq!(check(date!(2024 - 05 - 06), november), Ok(()));
        assert_eq!(
            check(date!(2024 - 04 - 18), november),
            Err(DateProblem::BeforeApproval)
        );
        assert_eq!(
            check(date!(2024 - 06 - 02), november),
            Err(DateProblem::InFuture)
        );
        assert_eq!(
            check(date!(2024 - 05 - 06), date!(2024 - 05 - 05)),
            Err(DateProblem::DeadlineBeforeSigning)
        );
        assert_eq!(DateProblem::DeadlineBeforeSigning.field(), "deadline");
    }

    #[test]
    fn the_number_follows_the_proposal_code() {
        assert_eq!(
            suggested_number(Some("ĐP-2024-017"), 2024),
            "017/2024/HĐ-KC"
        );
        assert_eq!(suggested_number(None, 2025), "001/2025/HĐ-KC");
    }
}
