//! Reading what people type into forms: text, whole numbers, money and dates. Each reader
//! returns the value or the catalogue key of what is wrong with it.

use time::Date;
use time::macros::format_description;

use super::caps::{FULL_BP, Multiplier};

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

/// A share typed as a percentage (`50`, `12,5`, `12.25`, `50%`): basis points, 0..=10,000.
/// More than two decimals, a sign, or anything above 100 is `None`.
pub fn parse_percent(input: &str) -> Option<u32> {
    let text = input.trim().trim_end_matches('%').trim_end();
    let hundredths = parse_hundredths(text)?;
    u32::try_from(hundredths).ok().filter(|bp| *bp <= FULL_BP)
}

/// A multiplier typed as a decimal (`1,5`, `1.5`, `2`) or a fraction (`3/2`).
pub fn parse_multiplier(input: &str) -> Option<Multiplier> {
    let text = input.trim().trim_end_matches(['×', 'x']).trim_end();
    if let Some((num, den)) = text.split_once('/') {
        let digits = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        return Multiplier::new(digits(num)?, digits(den)?);
    }
    let hundredths = u32::try_from(parse_hundredths(text)?).ok()?;
    Multiplier::new(hundredths, 100)
}

/// A non-negative decimal with at most two places (`,` or `.` before them), in hundredths.
fn parse_hundredths(text: &str) -> Option<u64> {
    let (whole, fraction) = match text.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || !all_digits(whole) {
        return None;
    }
    if fraction.len() > 2
        || !all_digits(fraction)
        || (text.len() > whole.len() && fraction.is_empty())
    {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(fraction)
}

/// An amount of whole đồng as typed: digits, grouped or not (`300.000.000`, `300,000,000`,
/// `300 000 000`), an optional `₫`/`đ`. Negative, empty, fractional-looking or too large
/// for an `i64`: `None`.
pub fn parse_amount(input: &str) -> Option<i64> {
    let text = input.trim().trim_end_matches(['₫', 'đ', 'Đ']).trim_end();
    let mut digits = String::with_capacity(text.len());
    let mut group = 0usize;
    let mut grouped = false;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                digits.push(c);
                group += 1;
            }
            '.' | ',' | ' ' | '\u{a0}' | '\u{202f}' => {
                // A separator groups thousands: "1.5" or "12,50" is not an amount of đồng.
                if digits.is_empty() || (grouped && group != 3) || group > 3 {
                    return None;
                }
                grouped = true;
                group = 0;
            }
            _ => return None,
        }
    }
    if digits.is_empty() || (grouped && group != 3) || digits.len() > 19 {
        return None;
    }
    digits.parse().ok()
}

/// A date from a date field (`2026-11-25`) or typed the Vietnamese way (`25/11/2026`).
pub fn parse_date(input: &str) -> Option<Date> {
    let text = input.trim();
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .or_else(|_| Date::parse(text, format_description!("[day]/[month]/[year]")))
        .ok()
}

/// A date as a date field wants it: `2026-11-25`.
pub fn date_value(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::format::format_percent;
    use crate::i18n::Lang;
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

    #[test]
    fn percentages_parse_and_print_in_both_languages() {
        assert_eq!(parse_percent("50"), Some(5_000));
        assert_eq!(parse_percent(" 50 % "), Some(5_000));
        assert_eq!(parse_percent("12,5"), Some(1_250));
        assert_eq!(parse_percent("12.25"), Some(1_225));
        assert_eq!(parse_percent("0"), Some(0));
        assert_eq!(parse_percent("100"), Some(10_000));
        for bad in [
            "",
            "100.01",
            "101",
            "-1",
            "-0",
            "1.234",
            "5,",
            ",5",
            "1e2",
            "50 50",
            "１０",
            "99999999999999999999",
        ] {
            assert_eq!(parse_percent(bad), None, "{bad:?}");
        }
        assert_eq!(format_percent(5_000, Lang::Vi), "50");
        assert_eq!(format_percent(1_250, Lang::Vi), "12,5");
        assert_eq!(format_percent(1_225, Lang::En), "12.25");
        assert_eq!(format_percent(5, Lang::En), "0.05");
    }

    #[test]
    fn multipliers_parse_and_print() {
        let m = parse_multiplier("1,5").expect("1,5");
        assert_eq!(m, Multiplier::new(3, 2).expect("3/2"));
        assert_eq!(parse_multiplier("1.5"), Some(m));
        assert_eq!(parse_multiplier("3/2"), Some(m));
        assert_eq!(parse_multiplier("1,5×"), Some(m));
        assert_eq!(m.display(Lang::Vi), "1,5");
        assert_eq!(m.display(Lang::En), "1.5");
        let third = parse_multiplier("4/3").expect("4/3");
        assert_eq!(third.display(Lang::Vi), "4/3");
        assert_eq!(parse_multiplier(&third.display(Lang::En)), Some(third));
        assert_eq!(parse_multiplier(&m.display(Lang::Vi)), Some(m));
        assert_eq!(
            parse_multiplier("2").map(|m| m.display(Lang::En)),
            Some("2".into())
        );
        for bad in [
            "", "0", "0/3", "3/0", "-1", "1.234", "x", "3/", "/2", "10001/1", "200",
        ] {
            assert_eq!(parse_multiplier(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn amounts_parse_with_or_without_grouping() {
        assert_eq!(parse_amount("300000000"), Some(300_000_000));
        assert_eq!(parse_amount("300.000.000"), Some(300_000_000));
        assert_eq!(parse_amount("300,000,000 ₫"), Some(300_000_000));
        assert_eq!(parse_amount("1 000 000đ"), Some(1_000_000));
        assert_eq!(parse_amount("0"), Some(0));
        assert_eq!(parse_amount("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "-1",
            "1.5",
            "12,50",
            "1.0000",
            ".000",
            "1..000",
            "9223372036854775808",
            "99999999999999999999999",
            "3e8",
            "ba trăm",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_parse_from_fields_and_as_typed() {
        assert_eq!(parse_date("2026-11-25"), Some(date!(2026 - 11 - 25)));
        assert_eq!(parse_date(" 25/11/2026 "), Some(date!(2026 - 11 - 25)));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert_eq!(date_value(date!(2018 - 05 - 11)), "2018-05-11");
    }
}
