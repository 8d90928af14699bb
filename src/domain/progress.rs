//! Monthly progress reports (DOMAIN.md §4.7, Thông tư 36/2013/TT-BCT Art. 23.3.a): while a
//! proposal is carried out, its implementing side reports each month, before the due day of
//! the rule in force (the 25th by default), how far the work is, what was done and what was
//! spent. Progress only grows; a month's report is missing from its due day on.

use time::{Date, Month};

/// The reporting rule: a month's report is late from this day of the month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportingRule {
    /// Day of the month, 1–28 (every month has it).
    pub due_day: u8,
}

impl ReportingRule {
    /// The national default: before the 25th.
    pub const DEFAULT: Self = Self { due_day: 25 };

    /// The day the report of the month starting `month` is late from.
    pub fn late_from(self, month: Date) -> Date {
        month
            .replace_day(self.due_day.clamp(1, 28))
            .unwrap_or(month)
    }

    /// The latest month (its first day) whose report is due by `today`, for work started on
    /// `started`: this month once its due day has come, else the month before; `None` when
    /// the work started too late for that month to owe a report.
    pub fn month_due(self, today: Date, started: Date) -> Option<Date> {
        let this_month = first_of_month(today);
        let month = if today >= self.late_from(this_month) {
            this_month
        } else {
            previous_month(this_month)?
        };
        (started < self.late_from(month)).then_some(month)
    }

    /// Whether the report of a proposal started on `started`, last reported for
    /// `last_reported` (a month's first day), is missing on `today`.
    pub fn is_overdue(self, today: Date, started: Date, last_reported: Option<Date>) -> bool {
        self.month_due(today, started)
            .is_some_and(|due| last_reported.is_none_or(|last| last < due))
    }
}

/// The first day of `day`'s month.
pub fn first_of_month(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

fn previous_month(first: Date) -> Option<Date> {
    let (year, month) = match first.month() {
        Month::January => (first.year() - 1, Month::December),
        other => (first.year(), other.previous()),
    };
    Date::from_calendar_date(year, month, 1).ok()
}

/// Why a report cannot be recorded, as a catalogue key and the field it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportProblem {
    /// A month before the work started, or after this one.
    MonthOutOfRange,
    /// Less done than the last report said.
    BelowLastReport,
    /// Less spent than the last report said.
    SpendingBelowLastReport,
}

impl ReportProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::MonthOutOfRange => "progress.month_out_of_range",
            Self::BelowLastReport => "progress.below_last_report",
            Self::SpendingBelowLastReport => "progress.spending_below_last_report",
        }
    }

    /// The form field it is shown by.
    pub fn field(self) -> &'static str {
        match self {
            Self::MonthOutOfRange => "month",
            Self::BelowLastReport => "percent_done",
            Self::SpendingBelowLastReport => "spending",
        }
    }
}

/// What a report says: its month (first day), percent done and spending to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// The month reported on.
    pub month: Date,
    /// Work done, 0–100 %.
    pub percent_done: u8,
    /// Spent to date, in đồng.
    pub spending: i64,
}

/// Checks a report against when the work started, today, and the latest report before its
/// month (`previous`) and after it (`next`, when a month is filled in late).
pub fn check(
    report: Report,
    started: Date,
    today: Date,
    previous: Option<Report>,
    next: Option<Report>,
) -> Result<(), ReportProblem> {
    if report.month < first_of_month(started) || report.month > first_of_month(today) {
        return Err(ReportProblem::MonthOutOfRange);
    }
    if previous.is_some_and(|p| report.percent_done < p.percent_done)
        || next.is_some_and(|n| report.percent_done > n.percent_done)
    {
        return Err(ReportProblem::BelowLastReport);
    }
    if previous.is_some_and(|p| report.spending < p.spending)
        || next.is_some_and(|n| report.spending > n.spending)
    {
        return Err(ReportProblem::SpendingBelowLastReport);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const RULE: ReportingRule = ReportingRule::DEFAULT;

    #[test]
    fn a_month_is_due_from_its_25th() {
        let started = date!(2024 - 03 - 10);
        assert_eq!(
            RULE.month_due(date!(2024 - 05 - 24), started),
            Some(date!(2024 - 04 - 01))
        );
        assert_eq!(
            RULE.month_due(date!(2024 - 05 - 25), started),
            Some(date!(2024 - 05 - 01))
        );
        assert_eq!(
            RULE.month_due(date!(2025 - 01 - 03), started),
            Some(date!(2024 - 12 - 01))
        );
        // Started on the 26th of March: March owed nothing; April is the first due.
        let late = date!(2024 - 03 - 26);
        assert_eq!(RULE.month_due(date!(2024 - 04 - 10), late), None);
        assert_eq!(
            RULE.month_due(date!(2024 - 04 - 25), late),
            Some(date!(2024 - 04 - 01))
        );
    }

    #[test]
    fn a_missing_month_makes_the_report_overdue() {
        let started = date!(2024 - 03 - 10);
        let today = date!(2024 - 05 - 26);
        assert!(RULE.is_overdue(today, started, None));
        assert!(RULE.is_overdue(today, started, Some(date!(2024 - 04 - 01))));
        assert!(!RULE.is_overdue(today, started, Some(date!(2024 - 05 - 01))));
        assert!(!RULE.is_overdue(date!(2024 - 03 - 20), started, None));
        let tenth = ReportingRule { due_day: 10 };
        assert!(tenth.is_overdue(date!(2024 - 04 - 10), started, Some(date!(2024 - 03 - 01))));
        assert_eq!(
            ReportingRule { due_day: 31 }.late_from(date!(2024 - 02 - 01)),
            date!(2024 - 02 - 28)
        );
    }

    #[test]
    fn progress_and_spending_only_grow() {
        let started = date!(2024 - 03 - 10);
        let today = date!(2024 - 06 - 02);
        let report = |month, percent_done, spending| Report {
            month,
            percent_done,
            spending,
        };
        let april = report(date!(2024 - 04 - 01), 40, 80_000_000);
        assert_eq!(check(april, started, today, None, None), Ok(()));
        let may = report(date!(2024 - 05 - 01), 75, 150_000_000);
        assert_eq!(check(may, started, today, Some(april), None), Ok(()));
        assert_eq!(
            check(
                report(date!(2024 - 05 - 01), 30, 150_000_000),
                started,
                today,
                Some(april),
                None
            ),
            Err(ReportProblem::BelowLastReport)
        );
        assert_eq!(
            check(
                report(date!(2024 - 05 - 01), 50, 1),
                started,
                today,
                Some(april),
                None
            ),
            Err(ReportProblem::SpendingBelowLastReport)
        );
        // April filled in after May: not above May.
        assert_eq!(
            check(
                report(date!(2024 - 04 - 01), 80, 80_000_000),
                started,
                today,
                None,
                Some(may)
            ),
            Err(ReportProblem::BelowLastReport)
        );
        for month in [date!(2024 - 02 - 01), date!(2024 - 07 - 01)] {
            assert_eq!(
                check(report(month, 10, 0), started, today, None, None),
                Err(ReportProblem::MonthOutOfRange)
            );
        }
    }
}
