//! The public status lookup (`/tra-cuu`): a facility owner without an account gives the
//! dossier code and the facility's tax code, and reads the proposal's state and what
//! happens next in plain language — nothing else. Like `/login`, the page takes no
//! `CurrentUser`, so no sign-in and no `Permission` is asked for.
//!
//! A code without its tax code is answered exactly like an unknown code, and failed
//! lookups are throttled, so the page neither confirms that a code exists nor lets anyone
//! guess the pair.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::client_address;
use super::context::PageContext;
use super::form::FieldErrors;
use crate::db;
use crate::db::lookup::{PublicStatus, RecentLookups, Windows};
use crate::domain::facility::parse_tax_code;
use crate::domain::format;
use crate::domain::proposal::parse_code;
use crate::error::AppResult;
use crate::state::AppState;

// Limits against guessing. A tax code is ten digits, so a code's pair is only found by
// many tries: five failures per code an hour (from any address) stop a distributed guess at
// one dossier, while an owner who mistypes twice or thrice is not hindered; ten failures
// per address in a quarter of an hour stop one client sweeping codes. Successes are limited
// too (thirty an hour per address), so a known list of pairs cannot be scraped quickly.
// Throttled requests are not recorded, so a pause ends with its window.
/// Failures from one address within `WINDOWS.address_failures`.
const MAX_FAILURES_PER_ADDRESS: i64 = 10;
/// Failures for one code within `WINDOWS.code_failures`.
const MAX_FAILURES_PER_CODE: i64 = 5;
/// Successes from one address within `WINDOWS.address_successes`.
const MAX_SUCCESSES_PER_ADDRESS: i64 = 30;
/// The throttling windows, in minutes.
const WINDOWS: Windows = Windows {
    address_failures: 15,
    code_failures: 60,
    address_successes: 60,
};
/// The longest value kept to show back in the form (the inputs allow far less).
const MAX_ECHO_CHARS: usize = 40;

/// Routes: `/tra-cuu`.
pub fn router() -> Router<AppState> {
    Router::new().route("/tra-cuu", get(lookup_form).post(look_up))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct LookupForm {
    code: String,
    tax_code: String,
}

impl LookupForm {
    /// The values as typed, trimmed and cut to a length worth showing back.
    fn for_echo(&self) -> Self {
        let cut = |value: &str| value.trim().chars().take(MAX_ECHO_CHARS).collect();
        Self {
            code: cut(&self.code),
            tax_code: cut(&self.tax_code),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "lookup/status.html")]
struct LookupPage {
    ctx: PageContext,
    form: LookupForm,
    errors: FieldErrors,
    /// A message about the lookup as a whole (no match, too many tries).
    message_key: Option<&'static str>,
    found: Option<PublicStatus>,
}

impl LookupPage {
    /// The day of a moment, in Vietnam.
    fn day_of(&self, at: &OffsetDateTime) -> String {
        self.ctx.day(&at.to_offset(format::VIETNAM).date())
    }
}

/// `GET /tra-cuu`: the empty form.
async fn lookup_form(ctx: PageContext) -> LookupPage {
    LookupPage {
        ctx,
        form: LookupForm::default(),
        errors: FieldErrors::default(),
        message_key: None,
        found: None,
    }
}

/// A required field read by `parse`; the catalogue key `invalid_key` when it does not read.
fn read_field(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<String>,
    invalid_key: &'static str,
) -> Option<String> {
    let result = if value.trim().is_empty() {
        Err("input.required")
    } else {
        parse(value).ok_or(invalid_key)
    };
    errors.check(field, result)
}

fn over_limit(recent: &RecentLookups) -> bool {
    recent.failures_from_address >= MAX_FAILURES_PER_ADDRESS
        || recent.failures_for_code >= MAX_FAILURES_PER_CODE
        || recent.successes_from_address >= MAX_SUCCESSES_PER_ADDRESS
}

/// `POST /tra-cuu`: the state of the dossier with this code and tax code.
async fn look_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: PageContext,
    headers: HeaderMap,
    Form(form): Form<LookupForm>,
) -> AppResult<Response> {
    let mut page = LookupPage {
        ctx,
        form: form.for_echo(),
        errors: FieldErrors::default(),
        message_key: None,
        found: None,
    };
    let code = read_field(
        &mut page.errors,
        "code",
        &form.code,
        parse_code,
        "lookup.code_invalid",
    );
    let tax_code = read_field(
        &mut page.errors,
        "tax_code",
        &form.tax_code,
        parse_tax_code,
        "lookup.tax_code_invalid",
    );
    // Malformed input cannot match anything: it is refused before any lookup and not counted.
    let (Some(code), Some(tax_code)) = (code, tax_code) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let address = client_address(&state, &headers, peer);
    let recent = db::lookup::recent(&state.db, address, &code, WINDOWS).await?;
    if over_limit(&recent) {
        tracing::warn!(%address, "status lookup throttled");
        page.message_key = Some("lookup.throttled");
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }

    let found = db::lookup::find_status(&state.db, &code, &tax_code).await?;
    db::lookup::record(&state.db, address, &code, found.is_some()).await?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        // The same answer whether the code is unknown or its tax code is another's.
        page.message_key = Some("lookup.not_found");
        StatusCode::NOT_FOUND
    };
    page.found = found;
    Ok((status, page).into_response())
}
