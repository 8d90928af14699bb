//! Money is whole đồng in an `i64`; all arithmetic is checked.

/// Formats an amount the Vietnamese way: `1.234.567 ₫`.
pub fn format_vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} ₫")
}

/// An amount as typed back into a form: `1.234.567`, without the currency sign.
pub fn format_plain(amount: i64) -> String {
    format_vnd(amount).trim_end_matches(" ₫").to_owned()
}

/// Adds amounts; `None` on overflow.
pub fn checked_sum(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts.into_iter().try_fold(0i64, i64::checked_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands_with_dots() {
        assert_eq!(format_vnd(0), "0 ₫");
        assert_eq!(format_vnd(999), "999 ₫");
        assert_eq!(format_vnd(1000), "1.000 ₫");
        assert_eq!(format_vnd(1_234_567), "1.234.567 ₫");
        assert_eq!(format_vnd(-300_000_000), "-300.000.000 ₫");
        assert_eq!(format_vnd(i64::MIN), "-9.223.372.036.854.775.808 ₫");
    }

    #[test]
    fn sums_refuse_to_overflow() {
        assert_eq!(checked_sum([1, 2, 3]), Some(6));
        assert_eq!(checked_sum([i64::MAX, 1]), None);
    }
}
