//! Weeks and months for the appraisal calendar: weeks start on Monday, as Vietnamese office
//! calendars do.

use time::{Date, Duration, Month};

/// The Monday of `date`'s week.
pub fn week_start(date: Date) -> Date {
    let back = i64::from(date.weekday().number_days_from_monday());
    date.checked_sub(Duration::days(back)).unwrap_or(date)
}

/// The seven days of `date`'s week, Monday first.
pub fn week_of(date: Date) -> [Date; 7] {
    let monday = week_start(date);
    std::array::from_fn(|i| {
        monday
            .checked_add(Duration::days(i64::try_from(i).unwrap_or(0)))
            .unwrap_or(monday)
    })
}

/// The weeks (Monday to Sunday) that cover the month of `date`, for a month grid.
pub fn month_weeks(date: Date) -> Vec<[Date; 7]> {
    let first = date.replace_day(1).unwrap_or(date);
    let last = last_of_month(first);
    let mut weeks = Vec::new();
    let mut monday = week_start(first);
    while monday <= last {
        let week = week_of(monday);
        weeks.push(week);
        match week[6].next_day() {
            Some(next) => monday = next,
            None => break,
        }
    }
    weeks
}

/// The last day of `date`'s month.
pub fn last_of_month(date: Date) -> Date {
    let days = time::util::days_in_month(date.month(), date.year());
    date.replace_day(days).unwrap_or(date)
}

/// The first day of the month before (`-1`) or after (`1`) `date`'s.
pub fn shift_month(date: Date, by: i8) -> Date {
    let first = date.replace_day(1).unwrap_or(date);
    let shifted = if by < 0 {
        first.previous_day().map(|d| d.replace_day(1).unwrap_or(d))
    } else {
        last_of_month(first).next_day()
    };
    shifted.unwrap_or(first)
}

/// `Tháng 3/2024` or `March 2024`.
pub fn month_label(date: Date, vietnamese: bool) -> String {
    if vietnamese {
        format!("Tháng {}/{}", u8::from(date.month()), date.year())
    } else {
        format!("{} {}", month_name(date.month()), date.year())
    }
}

fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_start_on_monday() {
        // 14 March 2024 was a Thursday.
        assert_eq!(week_start(date!(2024 - 03 - 14)), date!(2024 - 03 - 11));
        assert_eq!(week_start(date!(2024 - 03 - 11)), date!(2024 - 03 - 11));
        assert_eq!(week_start(date!(2024 - 03 - 17)), date!(2024 - 03 - 11));
        let week = week_of(date!(2024 - 03 - 14));
        assert_eq!(week[0], date!(2024 - 03 - 11));
        assert_eq!(week[6], date!(2024 - 03 - 17));
    }

    #[test]
    fn a_month_grid_covers_the_month_in_whole_weeks() {
        // March 2024: Friday 1 to Sunday 31 → weeks from Monday 26 February, five of them.
        let weeks = month_weeks(date!(2024 - 03 - 20));
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0], date!(2024 - 02 - 26));
        assert_eq!(weeks[4][6], date!(2024 - 03 - 31));
        // September 2024 starts on a Sunday and needs six rows.
        assert_eq!(month_weeks(date!(2024 - 09 - 01)).len(), 6);
        // February 2021 is exactly four weeks.
        assert_eq!(month_weeks(date!(2021 - 02 - 10)).len(), 4);
    }

    #[test]
    fn months_shift_across_years() {
        assert_eq!(
            shift_month(date!(2024 - 01 - 31), -1),
            date!(2023 - 12 - 01)
        );
        assert_eq!(shift_month(date!(2024 - 12 - 15), 1), date!(2025 - 01 - 01));
        assert_eq!(last_of_month(date!(2024 - 02 - 03)), date!(2024 - 02 - 29));
        assert_eq!(month_label(date!(2024 - 03 - 01), true), "Tháng 3/2024");
        assert_eq!(month_label(date!(2024 - 03 - 01), false), "March 2024");
    }
}
