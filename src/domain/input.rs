//! Reading what people type into forms: text, whole numbers, money and dates. Each reader
//! returns the value or the catalogue key of what is wrong with it.

use time::Date;
use time::macros::format_description;

/// Trimmed text of at most `max` characters with no control characters (a NUL byte, say);
/// `Ok(None)` when empty.
pub fn text(input: &str, max: usize) -> Result<Option<String>, &'static str> {
    let trimmed = input.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("input.control_characters");
    }
    if trimmed.chars().count() > max {
        return Err("input.too_long");
    }
    // Windows line ends become plain ones so that lengths and diffs agree.
    Ok((!trimmed.is_empty()).then(|| trimmed.replace("\r\n", "\n")))
}

/// Like [`text`], but required.
pub fn required_text(input: &str, max: usize) -> Result<String, &'static str> {
    text(input, max)?.ok_or("input.required")
}

/// An amount of money in whole đồng, written with or without thousands separators
/// (`1.234.567`, `1 234 567`, `1,234,567`, `1234567`) and an optional `₫`/`đ`. Never negative.
pub fn money(input: &str) -> Result<i64, &'static str> {
    let cleaned: String = input
        .trim()
        .trim_end_matches(['₫', 'đ', 'd'])
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Ok(0);
    }
    if cleaned.starts_with('-') {
        return Err("input.negative");
    }
    if !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err("input.not_a_number");
    }
    cleaned.parse::<i64>().map_err(|_| "input.too_large")
}

/// A whole number between `min` and `max`; empty means `min`.
pub fn whole(input: &str, min: i64, max: i64) -> Result<i64, &'static str> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    if cleaned.is_empty() {
        return Ok(min);
    }
    let value: i64 = cleaned.parse().map_err(|_| "input.not_a_number")?;
    if value < min {
        Err("input.too_small")
    } else if value > max {
        Err("input.too_large")
    } else {
        Ok(value)
    }
}

/// A quantity with up to two decimals (`2,5` or `2.5`), as hundredths; must be positive.
pub fn quantity_hundredths(input: &str) -> Result<i64, &'static str> {
    let cleaned = input.trim().replace(' ', "");
    let (whole_part, fraction) = match cleaned.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole_part.is_empty()
        || !digits_only(whole_part)
        || !digits_only(fraction)
        || fraction.len() > 2
    {
        return Err("input.not_a_quantity");
    }
    let units: i64 = whole_part.parse().map_err(|_| "input.too_large")?;
    let hundredths: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "input.not_a_quantity")?;
    let value = units
        .checked_mul(100)
        .and_then(|v| v.checked_add(hundredths))
        .ok_or("input.too_large")?;
    if value == 0 {
        Err("input.too_small")
    } else {
        Ok(value)
    }
}

/// A date as a browser's date field sends it (`2024-03-15`) or as people write it
/// (`15/03/2024`); `Ok(None)` when empty. Years outside 2000–2100 are refused.
pub fn date(input: &str) -> Result<Option<Date>, &'static str> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let parsed = Date::parse(trimmed, format_description!("[year]-[month]-[day]"))
        .or_else(|_| Date::parse(trimmed, format_description!("[day]/[month]/[year]")))
        .map_err(|_| "input.not_a_date")?;
    if (2000..=2100).contains(&parsed.year()) {
        Ok(Some(parsed))
    } else {
        Err("input.date_out_of_range")
    }
}

/// An hour of the day as a browser's time field sends it (`08:30`, or `08:30:00`); `Ok(None)`
/// when empty.
pub fn time_of_day(input: &str) -> Result<Option<time::Time>, &'static str> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    time::Time::parse(trimmed, format_description!("[hour]:[minute]"))
        .or_else(|_| time::Time::parse(trimmed, format_description!("[hour]:[minute]:[second]")))
        .map(Some)
        .map_err(|_| "input.not_a_time")
}

/// A checkbox: present and not "off"/"false".
pub fn checked(input: Option<&str>) -> bool {
    input.is_some_and(|v| !matches!(v.trim(), "" | "0" | "off" | "false"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hours_of_the_day_are_read_as_browsers_send_them() {
        assert_eq!(time_of_day(""), Ok(None));
        assert_eq!(time_of_day("08:30"), Ok(Some(time::macros::time!(08:30))));
        assert_eq!(
            time_of_day("14:05:00"),
            Ok(Some(time::macros::time!(14:05)))
        );
        assert_eq!(time_of_day("25:00"), Err("input.not_a_time"));
        assert_eq!(time_of_day("8h"), Err("input.not_a_time"));
    }

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  Chè  ", 10), Ok(Some("Chè".into())));
        assert_eq!(text("   ", 10), Ok(None));
        assert_eq!(text("a\0b", 10), Err("input.control_characters"));
        assert_eq!(text(&"x".repeat(100_000), 500), Err("input.too_long"));
        assert_eq!(
            text("dòng 1\r\ndòng 2", 50),
            Ok(Some("dòng 1\ndòng 2".into()))
        );
        assert_eq!(required_text("", 10), Err("input.required"));
    }

    #[test]
    fn money_reads_the_vietnamese_ways_of_writing_it() {
        assert_eq!(money("1.234.567"), Ok(1_234_567));
        assert_eq!(money("1 234 567 ₫"), Ok(1_234_567));
        assert_eq!(money("300,000,000"), Ok(300_000_000));
        assert_eq!(money(""), Ok(0));
        assert_eq!(money("-5"), Err("input.negative"));
        assert_eq!(money("12a"), Err("input.not_a_number"));
        assert_eq!(money("99999999999999999999"), Err("input.too_large"));
        assert_eq!(money("9.223.372.036.854.775.807"), Ok(i64::MAX));
    }

    #[test]
    fn quantities_keep_two_decimals_exactly() {
        assert_eq!(quantity_hundredths("2"), Ok(200));
        assert_eq!(quantity_hundredths("2,5"), Ok(250));
        assert_eq!(quantity_hundredths("0.75"), Ok(75));
        for bad in ["", "0", "1,234", "-1", "1e3", "abc", ",5"] {
            assert!(quantity_hundredths(bad).is_err(), "{bad}");
        }
        assert_eq!(
            quantity_hundredths("99999999999999999"),
            Err("input.too_large")
        );
    }

    #[test]
    fn dates_come_in_two_spellings_and_impossible_ones_are_refused() {
        assert_eq!(date("2024-03-15"), Ok(Some(date!(2024 - 03 - 15))));
        assert_eq!(date("15/03/2024"), Ok(Some(date!(2024 - 03 - 15))));
        assert_eq!(date(""), Ok(None));
        assert_eq!(date("2024-02-30"), Err("input.not_a_date"));
        assert_eq!(date("31/04/2024"), Err("input.not_a_date"));
        assert_eq!(date("1900-01-01"), Err("input.date_out_of_range"));
    }

    #[test]
    fn whole_numbers_are_bounded() {
        assert_eq!(whole("12", 0, 100), Ok(12));
        assert_eq!(whole("", 0, 100), Ok(0));
        assert_eq!(whole("101", 0, 100), Err("input.too_large"));
        assert_eq!(whole("-1", 0, 100), Err("input.too_small"));
    }
}
