//! Dates and times as Vietnamese users read them: `dd/mm/yyyy`, in Asia/Ho_Chi_Minh; and
//! shares and factors as numbers with at most two decimals, in the reader's language.

use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::i18n::Lang;

/// Vietnam's offset. The country has kept UTC+7 without daylight saving since 1975.
pub const VIETNAM: UtcOffset = offset!(+7);

/// `11/2026`: a month (of a report, a reminder).
pub fn month(day: Date) -> String {
    format!("{:02}/{}", u8::from(day.month()), day.year())
}

/// `25/11/2026`.
pub fn date(date: Date) -> String {
    date.format(format_description!("[day]/[month]/[year]"))
        .unwrap_or_default()
}

/// `25/11/2026 14:05`, in Vietnam's time.
pub fn date_time(at: OffsetDateTime) -> String {
    at.to_offset(VIETNAM)
        .format(format_description!("[day]/[month]/[year] [hour]:[minute]"))
        .unwrap_or_default()
}

/// `ngày 05 tháng 3 năm 2024` (the way official papers date themselves) or `5 March 2024`.
pub fn long_date(date: Date, vietnamese: bool) -> String {
    if vietnamese {
        format!(
            "ngày {:02} tháng {} năm {}",
            date.day(),
            u8::from(date.month()),
            date.year()
        )
    } else {
        format!("{} {} {}", date.day(), date.month(), date.year())
    }
}

/// A share in basis points as people write it: `50`, `12,5`, `0,25` (or with a point in
/// English).
pub fn format_percent(bp: u32, lang: Lang) -> String {
    decimal(u64::from(bp), lang)
}

/// `hundredths` as a number with at most two decimals, trailing zeros dropped.
pub fn decimal(hundredths: u64, lang: Lang) -> String {
    let whole = hundredths / 100;
    let fraction = hundredths % 100;
    let separator = match lang {
        Lang::Vi => ',',
        Lang::En => '.',
    };
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}{separator}{}", f / 10),
        f => format!("{whole}{separator}{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_read_day_first() {
        assert_eq!(date(time::macros::date!(2024 - 03 - 05)), "05/03/2024");
    }

    #[test]
    fn official_papers_spell_the_date_out() {
        let d = time::macros::date!(2024 - 03 - 05);
        assert_eq!(long_date(d, true), "ngày 05 tháng 3 năm 2024");
        assert_eq!(long_date(d, false), "5 March 2024");
    }

    #[test]
    fn times_are_shown_in_vietnam() {
        assert_eq!(
            date_time(datetime!(2024-03-05 20:30 UTC)),
            "06/03/2024 03:30"
        );
    }
}
