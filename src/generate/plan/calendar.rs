//! The office calendar of the generated data: dates, workdays, office hours and the days the
//! plan decisions are taken.

use anyhow::Context as _;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use super::super::rng::Rng;
use crate::domain::format::VIETNAM;

/// A day of the calendar (an error names a day that does not exist).
pub(super) fn date(year: i32, month: Month, day: u8) -> anyhow::Result<Date> {
    Date::from_calendar_date(year, month, day).with_context(|| format!("{year}-{month}-{day}"))
}

/// The first day of the 2025 administrative units.
pub(super) fn new_units_from() -> anyhow::Result<Date> {
    date(2025, Month::July, 1)
}

/// The same day, or the next Monday for a weekend day.
pub(super) fn workday(day: Date) -> Date {
    match day.weekday() {
        Weekday::Saturday => day.saturating_add(Duration::days(2)),
        Weekday::Sunday => day.saturating_add(Duration::days(1)),
        _ => day,
    }
}

/// A day in `from..=to`.
pub(super) fn day_between(rng: &mut Rng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days();
    from.saturating_add(Duration::days(rng.range(0, span)))
}

/// Office hours, Vietnam's time.
pub(super) fn office_time(rng: &mut Rng, day: Date) -> anyhow::Result<OffsetDateTime> {
    let hour = u8::try_from(rng.range(7, 16))?;
    let minute = u8::try_from(rng.range(0, 59))?;
    Ok(PrimitiveDateTime::new(day, Time::from_hms(hour, minute, 0)?).assume_offset(VIETNAM))
}

/// When the plan year's decisions are taken: the province's plan in April (November for the
/// supplementary round), the Ministry's decision on national proposals in June (December).
pub(super) fn decision_day(year: i32, supplementary: bool, national: bool) -> anyhow::Result<Date> {
    Ok(workday(match (supplementary, national) {
        (false, false) => date(year, Month::April, 19)?,
        (false, true) => date(year, Month::June, 14)?,
        (true, false) => date(year, Month::November, 12)?,
        (true, true) => date(year, Month::December, 10)?,
    }))
}
