//! Validity periods of rule rows: from a first day (inclusive) to an end (exclusive), and
//! the checks on the dates an administrator gives them.

use time::Date;

/// Whether a row valid from `from` (inclusive; `None`: always) to `to` (exclusive; `None`:
/// still) is in force on `on`.
pub fn covers(from: Option<Date>, to: Option<Date>, on: Date) -> bool {
    from.is_none_or(|f| f <= on) && to.is_none_or(|t| on < t)
}

/// Why validity dates or an end date do not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidityError {
    /// The end is not after the start.
    EndsBeforeStart,
    /// The row already ended on or before that day.
    AlreadyEnded,
}

/// Checks a validity period: the end, if any, after the start, if any.
pub fn check_validity(from: Option<Date>, to: Option<Date>) -> Result<(), ValidityError> {
    match (from, to) {
        (Some(f), Some(t)) if t <= f => Err(ValidityError::EndsBeforeStart),
        _ => Ok(()),
    }
}

/// Checks that a row valid from `from` to `to` may be ended on `end` (the first day it no
/// longer applies): after its start, and earlier than any end it already has. Ending is how
/// a rule is replaced; lengthening one is an edit.
pub fn check_end(from: Option<Date>, to: Option<Date>, end: Date) -> Result<(), ValidityError> {
    check_validity(from, Some(end))?;
    match to {
        Some(t) if t <= end => Err(ValidityError::AlreadyEnded),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn validity_is_inclusive_at_the_start_and_exclusive_at_the_end() {
        let (from, to) = (date!(2025 - 07 - 01), date!(2026 - 01 - 01));
        assert!(!covers(Some(from), Some(to), date!(2025 - 06 - 30)));
        assert!(covers(Some(from), Some(to), from));
        assert!(!covers(Some(from), Some(to), to));
        assert!(covers(None, None, date!(1900 - 01 - 01)));
        assert_eq!(check_validity(Some(from), Some(to)), Ok(()));
        assert_eq!(
            check_validity(Some(to), Some(from)),
            Err(ValidityError::EndsBeforeStart)
        );
        assert_eq!(
            check_validity(Some(from), Some(from)),
            Err(ValidityError::EndsBeforeStart)
        );
        assert_eq!(check_validity(None, Some(from)), Ok(()));
        assert_eq!(check_end(Some(from), None, to), Ok(()));
        assert_eq!(
            check_end(Some(from), Some(to), date!(2025 - 12 - 01)),
            Ok(())
        );
        assert_eq!(
            check_end(Some(from), Some(to), to),
            Err(ValidityError::AlreadyEnded)
        );
        assert_eq!(
            check_end(Some(from), None, from),
            Err(ValidityError::EndsBeforeStart)
        );
    }
}
