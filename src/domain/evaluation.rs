//! Evaluating a proposal's effects (DOMAIN.md §4.11): output, revenue, jobs and labour
//! productivity against the dossier's baseline, recorded at settlement and at follow-ups
//! some months after (6, 12 and 24 by default).

use time::Date;

use super::calendar;

/// Months after settlement of the evaluations: 0 is the one at settlement, which closing
/// the proposal needs; the others are follow-ups.
pub const STAGES: [u8; 4] = [0, 6, 12, 24];

/// The day the evaluation `months` after a settlement of `settled_on` is due: the same day
/// of the month, or the month's last day when it is shorter.
pub fn due_on(settled_on: Date, months: u8) -> Date {
    let mut first = settled_on.replace_day(1).unwrap_or(settled_on);
    for _ in 0..months {
        first = calendar::shift_month(first, 1);
    }
    let last = calendar::last_of_month(first).day();
    first
        .replace_day(settled_on.day().min(last))
        .unwrap_or(first)
}

/// The first stage not recorded yet, with its due day.
pub fn next_due(settled_on: Date, recorded: &[u8]) -> Option<(u8, Date)> {
    STAGES
        .into_iter()
        .find(|m| !recorded.contains(m))
        .map(|m| (m, due_on(settled_on, m)))
}

/// A figure now against the baseline: the change, signed.
pub fn change(baseline: i64, now: i64) -> i64 {
    now.saturating_sub(baseline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn follow_ups_fall_on_the_same_day_months_later() {
        assert_eq!(due_on(date!(2024 - 03 - 15), 0), date!(2024 - 03 - 15));
        assert_eq!(due_on(date!(2024 - 03 - 15), 6), date!(2024 - 09 - 15));
        assert_eq!(due_on(date!(2024 - 03 - 15), 24), date!(2026 - 03 - 15));
        // 31 August + 6 months: the end of February.
        assert_eq!(due_on(date!(2023 - 08 - 31), 6), date!(2024 - 02 - 29));
    }

    #[test]
    fn the_next_stage_is_the_first_not_recorded() {
        let settled = date!(2024 - 03 - 15);
        assert_eq!(next_due(settled, &[]), Some((0, settled)));
        assert_eq!(
            next_due(settled, &[0, 6]),
            Some((12, date!(2025 - 03 - 15)))
        );
        assert_eq!(next_due(settled, &[0, 6, 12, 24]), None);
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!(change(10, 15), 5);
        assert_eq!(change(10, 4), -6);
    }
}
