//! Form handling shared by every page with a form: collecting field mistakes so that the
//! form comes back with its values and a message by each field.

use crate::domain::input;
use crate::error::{AppError, AppResult};
use crate::web::today;
use crate::workflow::StepError;

/// A mistake in a form: which field, and the catalogue key of the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `name`.
    pub field: String,
    /// Catalogue key of the message.
    pub key: &'static str,
}

/// Why a step sent its form back: a field it refused, or the record changed since the form
/// was made (the form comes back on the record as it is now).
#[derive(Clone, Debug, Default)]
pub struct Refusal {
    /// The refused field's mistake (none when stale).
    pub errors: FieldErrors,
    /// Whether the record changed meanwhile.
    pub stale: bool,
}

impl Refusal {
    /// The refusal a form can show, or the error itself when it cannot.
    pub fn of(error: StepError) -> Result<Self, AppError> {
        match error {
            StepError::Refused { field, key } => Ok(Self {
                errors: FieldErrors::one(field, key),
                stale: false,
            }),
            StepError::Stale => Ok(Self {
                errors: FieldErrors::default(),
                stale: true,
            }),
            other => Err(other.into()),
        }
    }
}

/// The mistakes found in one submitted form.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// A single mistake.
    pub fn one(field: impl Into<String>, key: &'static str) -> Self {
        let mut errors = Self::default();
        errors.add(field, key);
        errors
    }

    /// Records a mistake.
    pub fn add(&mut self, field: impl Into<String>, key: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            key,
        });
    }

    /// The value, or `None` after recording why it was refused.
    pub fn check<T>(&mut self, field: &str, result: Result<T, &'static str>) -> Option<T> {
        result.map_err(|key| self.add(field, key)).ok()
    }

    /// Whether the form had no mistakes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message key for `field`, if it has a mistake (templates call this).
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.key)
    }

    /// Optional text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        self.check(field, input::text(value, max))
            .flatten()
            .unwrap_or_default()
    }

    /// Required text of at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        self.check(field, input::required_text(value, max))
            .unwrap_or_default()
    }

    /// An amount of money (0 when refused: the form comes back anyway).
    pub fn money(&mut self, field: &str, value: &str) -> i64 {
        self.check(field, input::money(value)).unwrap_or_default()
    }

    /// A whole number in `min..=max`.
    pub fn whole(&mut self, field: &str, value: &str, min: i64, max: i64) -> i64 {
        self.check(field, input::whole(value, min, max))
            .unwrap_or(min)
    }
}

/// A plan year from a query or form: empty means this year; anything else must be a year
/// the system keeps (2000–2100), or the request is refused.
pub(crate) fn plan_year(text: &str) -> AppResult<i16> {
    match text.trim() {
        "" => Ok(i16::try_from(today().year()).unwrap_or(2000)),
        text => text
            .parse::<i16>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(AppError::BadRequest("error.bad_filter")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_are_kept_by_field() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.money("cost", "12"), 12);
        assert!(errors.is_empty());
        assert_eq!(errors.money("cost", "-1"), 0);
        assert_eq!(errors.get("cost"), Some("input.negative"));
        assert_eq!(errors.required("title", "  ", 10), "");
        assert_eq!(errors.get("title"), Some("input.required"));
        assert_eq!(errors.get("other"), None);
    }
}
