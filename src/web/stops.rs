//! Stopping a proposal's work (`/proposals/{id}/stop`, DOMAIN.md §4.8): the director records
//! the decision (number, day, reason); the proposal moves to `stopped`, its support not paid
//! goes back to the envelope, and what was paid is shown to recover. The accountant records
//! recoveries on the payments page (`/proposals/{id}/recoveries`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::db;
use crate::db::contracts::Contract;
use crate::db::proposals::Basis;
use crate::domain::policy::Permission;
use crate::domain::transition::{self, Action};
use crate::domain::{contract, input};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::workflow::money::{self, Voucher, payments_link};
use crate::workflow::stop::{self, StopDecision};
use crate::workflow::{self, Act, StepError, Subject};

/// Routes of stopping and recovering.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/stop", get(show).post(stop))
        .route("/proposals/{id}/recoveries", post(recover))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct StopForm {
    number: String,
    decided_on: String,
    reason: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stops/show.html")]
struct StopPage {
    ctx: PageContext,
    basis: Basis,
    contract: Contract,
    /// Paid on the contract so far: what a stop leaves to recover.
    paid: i64,
    form: StopForm,
    errors: FieldErrors,
}

async fn load(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<StopPage> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    transition::transition(basis.state, Action::Stop, user.0.role)?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let paid = db::advances::ledger(&state.db, contract.id).await?.paid;
    Ok(StopPage {
        form: StopForm {
            decided_on: today().to_string(),
            version: basis.version.to_string(),
            ..StopForm::default()
        },
        ctx,
        basis,
        contract,
        paid,
        errors: FieldErrors::default(),
    })
}

/// `GET /proposals/{id}/stop`: the form, with what goes back and what is to recover.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StopPage> {
    load(&state, ctx, &user, id).await
}

/// `POST /proposals/{id}/stop`: the director stops the work.
async fn stop(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StopForm>,
) -> AppResult<Response> {
    let mut page = load(&state, ctx, &user, id).await?;
    let actor = user.actor();
    let act = Act::now(&actor);
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let subject = Subject::from(&page.basis).at_version(version);
    workflow::allowed(&act, &subject, Action::Stop)?;
    let parsed = form.decision(page.contract.signed_on, act.today());
    page.form = form;
    let decision = match parsed {
        Ok(decision) => decision,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let signed_on = page.contract.signed_on;
    let mut tx = state.db.begin().await?;
    match stop::stop(&mut tx, &act, &subject, signed_on, &decision).await {
        Ok(_) => tx.commit().await?,
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok((
        Flash::success("flash.proposal_stopped").with(decision.number),
        Redirect::to(&payments_link(id)),
    )
        .into_response())
}

impl StopForm {
    /// The decision the form enters, dated between the signing and `today`; the fields'
    /// errors if not.
    fn decision(&self, signed_on: Date, today: Date) -> Result<StopDecision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = errors.required("number", &self.number, 100);
        let reason = errors.required("reason", &self.reason, 2000);
        let decided_on = match errors.check("decided_on", input::date(&self.decided_on)) {
            Some(Some(day)) => match contract::stop_day_problem(day, signed_on, today) {
                Some(key) => {
                    errors.add("decided_on", key);
                    None
                }
                None => Some(day),
            },
            Some(None) => {
                errors.add("decided_on", "input.required");
                None
            }
            None => None,
        };
        match decided_on {
            Some(decided_on) if errors.is_empty() => Ok(StopDecision {
                number,
                decided_on,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// The recovery form, its fields named as on the payments page (which has other forms).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct RecoveryForm {
    #[serde(rename = "recovery_amount")]
    amount: String,
    #[serde(rename = "recovery_paid_on")]
    paid_on: String,
    #[serde(rename = "recovery_voucher")]
    voucher_number: String,
}

/// `POST /proposals/{id}/recoveries`: the accountant records money paid back on a stopped
/// proposal; it goes back to the envelope.
async fn recover(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RecoveryForm>,
) -> AppResult<Response> {
    user.require(Permission::RecordPayments)?;
    let mut page = super::payments::payments_page(&state, ctx, &user, id).await?;
    if !page.basis.state.is_stopped() {
        return Err(AppError::Conflict("stop.not_stopped"));
    }
    let mut errors = FieldErrors::default();
    let amount = errors.check("recovery_amount", input::money(&form.amount));
    let voucher = errors.required("recovery_voucher", &form.voucher_number, 100);
    let paid_on = super::payments::payment_day(
        &mut errors,
        "recovery_paid_on",
        &form.paid_on,
        page.contract.signed_on,
    );
    page.recovery_form = (form.amount, form.paid_on, form.voucher_number);
    let (Some(amount), Some(paid_on), true) = (amount, paid_on, errors.is_empty()) else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = user.actor();
    let act = Act::now(&actor);
    let subject = Subject::from(&page.basis);
    let voucher = Voucher {
        number: voucher,
        paid_on,
    };
    let contract_id = page.contract.id;
    let mut tx = state.db.begin().await?;
    match money::recover(&mut tx, &act, &subject, contract_id, amount, &voucher).await {
        Ok(()) => tx.commit().await?,
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok((
        Flash::success("flash.recovery_paid").with(page.ctx.money(&amount)),
        Redirect::to(&payments_link(id)),
    )
        .into_response())
}
