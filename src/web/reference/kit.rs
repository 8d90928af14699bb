//! What every reference table's form shares: the checks, validity dates and their display,
//! and the end form (the rule-table trait and its handlers are in `table`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::*;
use crate::domain::caps::{self, ValidityError};
use crate::domain::format::{self, VIETNAM};
use crate::domain::input;
use crate::web::context::{Flash, PageContext};
use crate::web::form::FieldErrors;

// ---------------------------------------------------------------------------------------------
// Form plumbing

/// Field mistakes recorded from `Option`s, as most of these checks produce them.
pub(super) trait Need {
    /// `value`, or a mistake on `field` when there is none.
    fn need<T>(&mut self, field: &'static str, key: &'static str, value: Option<T>) -> Option<T>;
}

impl Need for FieldErrors {
    fn need<T>(&mut self, field: &'static str, key: &'static str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, key);
        }
        value
    }
}

/// Trimmed text of 1..=`max` characters without control characters (NUL included).
pub(super) fn clean_text(input: &str, max: usize) -> Option<String> {
    let text = input.trim();
    let ok = !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control);
    ok.then(|| text.to_owned())
}

/// An optional date field: `Some(None)` when empty, `None` when unreadable.
pub(super) fn optional_date(
    value: &str,
    field: &'static str,
    errors: &mut FieldErrors,
) -> Option<Option<Date>> {
    if value.trim().is_empty() {
        return Some(None);
    }
    errors
        .need(field, "reference.date_invalid", input::parse_date(value))
        .map(Some)
}

/// Validity dates from their two fields: the start is required when `from_required`, and
/// the end must come after it.
pub(super) fn validity(
    from: &str,
    to: &str,
    from_required: bool,
    errors: &mut FieldErrors,
) -> Option<(Option<Date>, Option<Date>)> {
    let from = if from_required && from.trim().is_empty() {
        errors.add("valid_from", "reference.date_required");
        None
    } else {
        optional_date(from, "valid_from", errors)
    };
    let to = optional_date(to, "valid_to", errors);
    let (from, to) = (from?, to?);
    match caps::check_validity(from, to) {
        Ok(()) => Some((from, to)),
        Err(_) => {
            errors.add("valid_to", "reference.ends_before_start");
            None
        }
    }
}

/// An optional code picked from `known` ("" for every one): `Some(None)` when empty, `None`
/// (with the mistake recorded on `field`) when unknown.
pub(super) fn optional_code<'a>(
    value: &str,
    known: impl IntoIterator<Item = &'a str>,
    field: &'static str,
    key: &'static str,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Some(None);
    }
    let found = known.into_iter().any(|code| code == value);
    errors
        .need(field, key, found.then(|| value.to_owned()))
        .map(Some)
}

/// A row's names in both languages, each of 1..=`max` characters.
pub(super) fn names(
    vi: &str,
    en: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> (Option<String>, Option<String>) {
    let mut name =
        |field, value| errors.need(field, "reference.name_invalid", clean_text(value, max));
    (name("name_vi", vi), name("name_en", en))
}

pub(super) fn legal_ref(value: &str, errors: &mut FieldErrors) -> Option<String> {
    errors.need(
        "legal_ref",
        "reference.legal_ref_invalid",
        clean_text(value, LEGAL_REF_MAX),
    )
}

/// The fields every rule form has, as typed: the legal basis and the validity dates.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BasisForm {
    pub(super) legal_ref: String,
    pub(super) valid_from: String,
    pub(super) valid_to: String,
}

/// A rule's legal basis and validity dates, checked.
pub(super) struct Basis {
    pub(super) legal_ref: String,
    pub(super) valid_from: Option<Date>,
    pub(super) valid_to: Option<Date>,
}

impl BasisForm {
    /// The fields showing a row's values.
    pub(super) fn of(legal_ref: &str, from: Option<Date>, to: Option<Date>) -> Self {
        Self {
            legal_ref: legal_ref.to_owned(),
            valid_from: date_value(from),
            valid_to: date_value(to),
        }
    }

    /// The checked values, or `None` after recording the mistakes; the start is required
    /// when `from_required`.
    pub(super) fn check(&self, from_required: bool, errors: &mut FieldErrors) -> Option<Basis> {
        let legal_ref = legal_ref(&self.legal_ref, errors);
        let dates = validity(&self.valid_from, &self.valid_to, from_required, errors);
        let (valid_from, valid_to) = dates?;
        Some(Basis {
            legal_ref: legal_ref?,
            valid_from,
            valid_to,
        })
    }
}

/// Today in Vietnam.
pub(super) fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(VIETNAM).date()
}

pub(super) fn date_value(date: Option<Date>) -> String {
    date.map(input::date_value).unwrap_or_default()
}

/// The status of a row on `today`: the catalogue key of its badge.
pub(super) fn status_key(from: Option<Date>, to: Option<Date>, today: Date) -> &'static str {
    if to.is_some_and(|t| t <= today) {
        "reference.status_ended"
    } else if from.is_some_and(|f| f > today) {
        "reference.status_future"
    } else {
        "reference.status_in_force"
    }
}

/// A validity period in words: "từ 11/05/2018 · hết hiệu lực từ 01/01/2026".
pub(super) fn period(ctx: &PageContext, from: Option<Date>, to: Option<Date>) -> String {
    let mut parts = Vec::new();
    if let Some(from) = from {
        parts.push(
            ctx.t("reference.period_from")
                .replace("{value}", &format::date(from)),
        );
    }
    if let Some(to) = to {
        parts.push(
            ctx.t("reference.period_to")
                .replace("{value}", &format::date(to)),
        );
    }
    if parts.is_empty() {
        parts.push(ctx.t("reference.period_open").to_owned());
    }
    parts.join(" · ")
}

/// Back to a list with a success message.
pub(super) fn saved(list: &str, key: &'static str, value: String) -> Response {
    (Flash::success(key).with(value), Redirect::to(list)).into_response()
}

pub(super) fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// The end form of an edit page: where it posts, and the day typed.
#[derive(Clone, Debug)]
pub(super) struct EndBox {
    pub(super) action: String,
    /// The day the row already ends, as shown (`dd/mm/yyyy`).
    pub(super) ended_on: Option<String>,
    /// The day typed in the form (a date field's value).
    pub(super) end_on: String,
}

impl EndBox {
    pub(super) fn new(action: String, valid_to: Option<Date>) -> Self {
        Self {
            action,
            ended_on: valid_to.map(format::date),
            end_on: input::date_value(today()),
        }
    }
}

/// The "end" form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    pub(super) end_on: String,
}

/// Checks an end date against a row's dates: `Ok(day)` or the form's mistake.
pub(super) fn parse_end(
    form: &EndForm,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Date, FieldErrors> {
    let Some(day) = input::parse_date(&form.end_on) else {
        return Err(FieldErrors::one("end_on", "reference.date_invalid"));
    };
    caps::check_end(from, to, day).map_err(|e| {
        FieldErrors::one(
            "end_on",
            match e {
                ValidityError::EndsBeforeStart => "reference.ends_before_start",
                ValidityError::AlreadyEnded => "reference.already_ended",
            },
        )
    })?;
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn text_refuses_control_characters_and_excess() {
        assert_eq!(clean_text("  Điều 8  ", 10), Some("Điều 8".into()));
        assert_eq!(clean_text("a\0b", 10), None);
        assert_eq!(clean_text("", 10), None);
        assert_eq!(clean_text(&"x".repeat(11), 10), None);
    }

    #[test]
    fn validity_fields_need_an_end_after_the_start() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            validity("2026-01-01", "", true, &mut errors),
            Some((Some(date!(2026 - 01 - 01)), None))
        );
        assert!(validity("", "", true, &mut errors).is_none());
        assert_eq!(errors.get("valid_from"), Some("reference.date_required"));
        let mut errors = FieldErrors::default();
        assert!(validity("2026-01-01", "2025-01-01", false, &mut errors).is_none());
        assert_eq!(errors.get("valid_to"), Some("reference.ends_before_start"));
        let mut errors = FieldErrors::default();
        assert!(validity("soon", "", false, &mut errors).is_none());
        assert_eq!(errors.get("valid_from"), Some("reference.date_invalid"));
    }

    #[test]
    fn a_row_is_ended_future_or_in_force() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(
            status_key(None, Some(today), today),
            "reference.status_ended"
        );
        assert_eq!(
            status_key(Some(date!(2027 - 01 - 01)), None, today),
            "reference.status_future"
        );
        assert_eq!(status_key(None, None, today), "reference.status_in_force");
    }
}
