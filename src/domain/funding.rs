//! Funding rules (DOMAIN.md §3, §4.1, §4.5): what a plan decision may approve. A proposal's
//! approved support is at most what the appraisal proposed, what was requested and what the
//! cap in force on the decision's date allows; a plan never commits more than its envelope
//! has left; a decision is dated no earlier than the appraisals it rests on and not in the
//! future. Money is whole đồng; sums are checked, so no input overflows.

use time::Date;

/// An envelope's figures for one source and plan year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnvelopeFigures {
    /// Allocated (the sum of its rounds).
    pub amount: i64,
    /// Approved in plan decisions.
    pub committed: i64,
}

impl EnvelopeFigures {
    /// What is left to approve.
    pub fn remaining(self) -> i64 {
        self.amount.saturating_sub(self.committed)
    }
}

/// Why an approved amount cannot stand, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// Zero or less.
    NotPositive,
    /// Above the support the appraisal proposed.
    AboveProposed,
    /// Above the support requested.
    AboveRequest,
    /// Above what the cap in force on the decision's date allows.
    AboveCap,
}

impl LineProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::NotPositive => "funding.line.not_positive",
            Self::AboveProposed => "funding.line.above_proposed",
            Self::AboveRequest => "funding.line.above_request",
            Self::AboveCap => "funding.line.above_cap",
        }
    }
}

/// What a proposal's line is checked against.
#[derive(Clone, Copy, Debug)]
pub struct LineLimits {
    /// Support requested in the dossier.
    pub requested: i64,
    /// Support the final appraisal record proposed (none: only the request bounds it).
    pub proposed: Option<i64>,
    /// What the cap in force on the decision's date allows (none: no rule applies).
    pub cap_limit: Option<i64>,
}

impl LineLimits {
    /// The most that may be approved.
    pub fn most(self) -> i64 {
        [Some(self.requested), self.proposed, self.cap_limit]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(0)
    }

    /// Checks an approved amount: ≤ proposed ≤ requested, and ≤ the cap.
    pub fn check(self, approved: i64) -> Result<(), LineProblem> {
        if approved <= 0 {
            Err(LineProblem::NotPositive)
        } else if self.proposed.is_some_and(|p| approved > p) {
            Err(LineProblem::AboveProposed)
        } else if approved > self.requested {
            Err(LineProblem::AboveRequest)
        } else if self.cap_limit.is_some_and(|c| approved > c) {
            Err(LineProblem::AboveCap)
        } else {
            Ok(())
        }
    }
}

/// The sum of approved amounts, or `None` on overflow.
pub fn total(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts.into_iter().try_fold(0_i64, i64::checked_add)
}

/// A plan that does not fit its envelope: by how much it is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverEnvelope {
    /// Đồng above what is left.
    pub over_by: i64,
}

/// Whether adding `change` (an amendment may lower it) to what is committed stays within
/// the envelope.
pub fn check_fits(figures: EnvelopeFigures, change: i64) -> Result<(), OverEnvelope> {
    let remaining = i128::from(figures.remaining());
    let over = i128::from(change) - remaining;
    if over > 0 {
        Err(OverEnvelope {
            over_by: i64::try_from(over).unwrap_or(i64::MAX),
        })
    } else {
        Ok(())
    }
}

/// Why a decision's date cannot stand, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Before the last appraisal visit of a proposal it approves.
    BeforeAppraisal,
    /// After today.
    InFuture,
}

impl DateProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::BeforeAppraisal => "funding.decision.before_appraisal",
            Self::InFuture => "funding.decision.in_future",
        }
    }
}

/// A decision is dated on or after the latest appraisal it rests on, and not after today.
pub fn check_decision_date(
    decided_on: Date,
    latest_appraisal: Option<Date>,
    today: Date,
) -> Result<(), DateProblem> {
    if decided_on > today {
        Err(DateProblem::InFuture)
    } else if latest_appraisal.is_some_and(|a| decided_on < a) {
        Err(DateProblem::BeforeAppraisal)
    } else {
        Ok(())
    }
}

/// The national registration deadline rule: a day of the year, in the plan year or the year
/// before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlineRule {
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// 0: the plan year; -1: the year before.
    pub year_offset: i8,
}

impl DeadlineRule {
    /// A rule from its parts, if they name a day that exists (29 February counts: the
    /// deadline falls on the 28th in other years) in the plan year or the year before.
    pub fn new(month: u8, day: u8, year_offset: i8) -> Option<Self> {
        let longest = time::Month::try_from(month).ok()?.length(2024);
        ((1..=longest).contains(&day) && (-1..=0).contains(&year_offset)).then_some(Self {
            month,
            day,
            year_offset,
        })
    }

    /// The day the Department's registration for `plan_year` must reach the Ministry (the
    /// last day of the month when the day does not exist that year).
    pub fn deadline(self, plan_year: i16) -> Option<Date> {
        let year = i32::from(plan_year) + i32::from(self.year_offset);
        let month = time::Month::try_from(self.month).ok()?;
        let last = month.length(year);
        Date::from_calendar_date(year, month, self.day.min(last)).ok()
    }
}

/// How a deadline stands on `today`: days left (negative: days late).
pub fn days_left(deadline: Date, today: Date) -> i64 {
    (deadline - today).whole_days()
}

/// Why an allocation round cannot be recorded, as a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundProblem {
    /// A round of nothing.
    Zero,
    /// The envelope would go below zero.
    Negative,
    /// The envelope would go below what is already approved against it.
    BelowCommitted,
    /// The envelope would be larger than any sum of money the system holds.
    TooLarge,
}

impl RoundProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Zero => "funding.round.zero",
            Self::Negative => "funding.round.negative",
            Self::BelowCommitted => "funding.round.below_committed",
            Self::TooLarge => "funding.round.too_large",
        }
    }
}

/// A round changes the envelope by `amount` (a cut is negative): never to below zero nor
/// below what is committed. The new amount, or the problem.
pub fn apply_round(figures: EnvelopeFigures, amount: i64) -> Result<i64, RoundProblem> {
    if amount == 0 {
        return Err(RoundProblem::Zero);
    }
    let new_amount = figures
        .amount
        .checked_add(amount)
        .ok_or(RoundProblem::TooLarge)?;
    if new_amount < 0 {
        Err(RoundProblem::Negative)
    } else if new_amount < figures.committed {
        Err(RoundProblem::BelowCommitted)
    } else {
        Ok(new_amount)
    }
}

/// What is committed in one group of proposals (a source, an activity type, an area).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Commitment {
    /// Proposals approved.
    pub proposals: i64,
    /// Support approved.
    pub approved: i64,
    /// Of which under a signed contract.
    pub contracted: i64,
}

impl Commitment {
    /// The two added (saturating: figures never wrap).
    pub fn plus(self, other: Self) -> Self {
        Self {
            proposals: self.proposals.saturating_add(other.proposals),
            approved: self.approved.saturating_add(other.approved),
            contracted: self.contracted.saturating_add(other.contracted),
        }
    }
}

/// Rows added up by the key `key` gives them, in key order.
pub fn totals_by<R, K: Ord>(
    rows: &[R],
    key: impl Fn(&R) -> K,
    figures: impl Fn(&R) -> Commitment,
) -> Vec<(K, Commitment)> {
    let mut totals = std::collections::BTreeMap::new();
    for row in rows {
        let entry: &mut Commitment = totals.entry(key(row)).or_default();
        *entry = entry.plus(figures(row));
    }
    totals.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const MILLION: i64 = 1_000_000;

    #[test]
    fn an_approved_amount_is_bounded_by_proposal_request_and_cap() {
        let limits = LineLimits {
            requested: 300 * MILLION,
            proposed: Some(250 * MILLION),
            cap_limit: Some(200 * MILLION),
        };
        assert_eq!(limits.most(), 200 * MILLION);
        assert_eq!(limits.check(200 * MILLION), Ok(()));
        assert_eq!(limits.check(1), Ok(()));
        assert_eq!(limits.check(0), Err(LineProblem::NotPositive));
        assert_eq!(limits.check(-5), Err(LineProblem::NotPositive));
        assert_eq!(limits.check(260 * MILLION), Err(LineProblem::AboveProposed));
        assert_eq!(limits.check(220 * MILLION), Err(LineProblem::AboveCap));
        let no_appraisal_amount = LineLimits {
            proposed: None,
            cap_limit: None,
            ..limits
        };
        assert_eq!(no_appraisal_amount.most(), 300 * MILLION);
        assert_eq!(
            no_appraisal_amount.check(301 * MILLION),
            Err(LineProblem::AboveRequest)
        );
        assert_eq!(
            no_appraisal_amount.check(i64::MAX),
            Err(LineProblem::AboveRequest)
        );
    }

    #[test]
    fn a_plan_fits_what_is_left_of_its_envelope() {
        let figures = EnvelopeFigures {
            amount: 1_000 * MILLION,
            committed: 700 * MILLION,
        };
        assert_eq!(figures.remaining(), 300 * MILLION);
        assert_eq!(check_fits(figures, 300 * MILLION), Ok(()));
        assert_eq!(
            check_fits(figures, 300 * MILLION + 1),
            Err(OverEnvelope { over_by: 1 })
        );
        // An amendment that lowers amounts always fits.
        assert_eq!(check_fits(figures, -50 * MILLION), Ok(()));
        assert_eq!(
            check_fits(figures, i64::MAX),
            Err(OverEnvelope {
                over_by: i64::MAX - 300 * MILLION
            })
        );
        assert_eq!(total([i64::MAX, 1]), None);
        assert_eq!(total([2, 3]), Some(5));
    }

    #[test]
    fn a_decision_follows_its_appraisals_and_is_not_in_the_future() {
        let today = date!(2024 - 03 - 20);
        let appraised = Some(date!(2024 - 03 - 10));
        assert_eq!(
            check_decision_date(date!(2024 - 03 - 10), appraised, today),
            Ok(())
        );
        assert_eq!(
            check_decision_date(date!(2024 - 03 - 09), appraised, today),
            Err(DateProblem::BeforeAppraisal)
        );
        assert_eq!(
            check_decision_date(date!(2024 - 03 - 21), appraised, today),
            Err(DateProblem::InFuture)
        );
        assert_eq!(check_decision_date(today, None, today), Ok(()));
    }

    #[test]
    fn the_national_deadline_falls_in_the_year_its_rule_says() {
        let rule = DeadlineRule {
            month: 6,
            day: 20,
            year_offset: -1,
        };
        assert_eq!(rule.deadline(2025), Some(date!(2024 - 06 - 20)));
        let same_year = DeadlineRule {
            year_offset: 0,
            ..rule
        };
        assert_eq!(same_year.deadline(2025), Some(date!(2025 - 06 - 20)));
        let end_of_february = DeadlineRule {
            month: 2,
            day: 31,
            year_offset: 0,
        };
        assert_eq!(end_of_february.deadline(2024), Some(date!(2024 - 02 - 29)));
        assert_eq!(DeadlineRule { month: 13, ..rule }.deadline(2025), None);
        assert_eq!(days_left(date!(2024 - 06 - 20), date!(2024 - 06 - 10)), 10);
        assert_eq!(days_left(date!(2024 - 06 - 20), date!(2024 - 06 - 22)), -2);
    }

    #[test]
    fn a_deadline_rule_names_a_day_that_exists() {
        assert_eq!(
            DeadlineRule::new(6, 20, -1),
            Some(DeadlineRule {
                month: 6,
                day: 20,
                year_offset: -1
            })
        );
        let leap_day = DeadlineRule::new(2, 29, 0).expect("29 February is a day");
        assert_eq!(leap_day.deadline(2025), Some(date!(2025 - 02 - 28)));
        for (month, day, offset) in [(2, 30, 0), (4, 31, 0), (13, 1, 0), (0, 1, 0), (6, 0, 0)] {
            assert_eq!(DeadlineRule::new(month, day, offset), None, "{month}/{day}");
        }
        assert_eq!(DeadlineRule::new(6, 20, 1), None);
        assert_eq!(DeadlineRule::new(6, 20, -2), None);
    }

    #[test]
    fn commitments_add_up_by_any_key() {
        let rows = [
            ("local", "machinery", 100, 60),
            ("local", "training", 50, 0),
            ("national", "machinery", 300, 300),
        ];
        let figures = |r: &(&str, &str, i64, i64)| Commitment {
            proposals: 1,
            approved: r.2,
            contracted: r.3,
        };
        let by_source = totals_by(&rows, |r| r.0, figures);
        assert_eq!(
            by_source,
            [
                (
                    "local",
                    Commitment {
                        proposals: 2,
                        approved: 150,
                        contracted: 60
                    }
                ),
                (
                    "national",
                    Commitment {
                        proposals: 1,
                        approved: 300,
                        contracted: 300
                    }
                ),
            ]
        );
        let by_type = totals_by(&rows, |r| r.1, figures);
        assert_eq!(by_type[0].1.approved, 400);
        let big = Commitment {
            proposals: 1,
            approved: i64::MAX,
            contracted: 0,
        };
        assert_eq!(big.plus(big).approved, i64::MAX);
    }

    #[test]
    fn rounds_raise_or_cut_the_envelope_but_not_below_what_is_approved() {
        let figures = EnvelopeFigures {
            amount: 500 * MILLION,
            committed: 400 * MILLION,
        };
        assert_eq!(apply_round(figures, 200 * MILLION), Ok(700 * MILLION));
        assert_eq!(apply_round(figures, -100 * MILLION), Ok(400 * MILLION));
        assert_eq!(
            apply_round(figures, -100 * MILLION - 1),
            Err(RoundProblem::BelowCommitted)
        );
        assert_eq!(
            apply_round(EnvelopeFigures::default(), -1),
            Err(RoundProblem::Negative)
        );
        assert_eq!(apply_round(figures, 0), Err(RoundProblem::Zero));
        assert_eq!(apply_round(figures, i64::MAX), Err(RoundProblem::TooLarge));
    }
}
