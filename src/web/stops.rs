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
use serde_json::json;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::app::AppState;
use crate::db;
use crate::db::contracts::Contract;
use crate::db::payments::NewPayment;
use crate::db::proposals::Basis;
use crate::db::proposals::NewEvent;
use crate::db::stops::NewStop;
use crate::domain::input;
use crate::domain::payment::PaymentKind;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult, ResultExt as _};

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

/// `POST /proposals/{id}/stop`.
#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
async fn stop(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StopForm>,
) -> AppResult<Response> {
    let mut page = load(&state, ctx, &user, id).await?;
    let mut errors = FieldErrors::default();
    let number = errors.required("number", &form.number, 100);
    let reason = errors.required("reason", &form.reason, 2000);
    let decided_on = match errors.check("decided_on", input::date(&form.decided_on)) {
        Some(Some(day)) if day > today() => {
            errors.add("decided_on", "stop.in_future");
            None
        }
        Some(Some(day)) if day < page.contract.signed_on => {
            errors.add("decided_on", "stop.before_contract");
            None
        }
        Some(Some(day)) => Some(day),
        Some(None) => {
            errors.add("decided_on", "input.required");
            None
        }
        None => None,
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    page.form = form;
    let Some(decided_on) = decided_on.filter(|_| errors.is_empty()) else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let from = page.basis.state;
    let mut tx = state.db.begin().await?;
    let step = transition::transition(from, Action::Stop, user.0.role)?;
    if !db::proposals::set_state(
        &mut tx,
        id,
        step,
        version,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .await?
    {
        return Err(AppError::Conflict("stop.stale"));
    }
    let stopped = db::stops::stop(
        &mut tx,
        &NewStop {
            proposal_id: id,
            province_code: &page.basis.province_code,
            number: &number,
            decided_on,
            reason: &reason,
            recorded_by: user.0.user_id,
        },
    )
    .await
    .on_constraint("stop_decisions_province_code_number_key", || {
        AppError::Conflict("stop.number_taken")
    });
    let (returned, to_recover) = match stopped {
        Ok(amounts) => amounts,
        Err(AppError::Conflict(key)) => {
            drop(tx);
            page.errors.add("number", key);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other),
    };
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: Action::Stop.code(),
            from: Some(from),
            to: ProposalState::Stopped,
            note: &reason,
            details: json!({
                "decision": number,
                "decided_on": decided_on.to_string(),
                "returned": returned,
                "to_recover": to_recover,
            }),
        },
    )
    .await?;
    db::notifications::notify_followers(
        &mut tx,
        &[id],
        user.0.user_id,
        "notify.proposal_stopped",
        std::slice::from_ref(&number),
        &[format!("/proposals/{id}")],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        returned,
        to_recover,
        "stopped"
    );
    Ok((
        Flash::success("flash.proposal_stopped").with(number),
        Redirect::to(&format!("/proposals/{id}/payments")),
    )
        .into_response())
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
    if page.basis.state != ProposalState::Stopped {
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
    let mut tx = state.db.begin().await?;
    let payment = NewPayment {
        contract_id: page.contract.id,
        kind: PaymentKind::Recovery,
        amount,
        paid_on,
        voucher_number: &voucher,
        note: "",
        recorded_by: user.0.user_id,
    };
    let recovered = db::stops::recover(&mut tx, &payment)
        .await
        .on_constraint("payments_province_code_voucher_number_key", || {
            AppError::Conflict("payment.voucher_taken")
        });
    let problem = match recovered {
        Ok(Ok(_)) => None,
        Ok(Err(problem)) => Some(("recovery_amount", problem.message_key())),
        Err(AppError::Conflict(key)) => Some(("recovery_voucher", key)),
        Err(other) => return Err(other),
    };
    if let Some((field, key)) = problem {
        drop(tx);
        page.errors.add(field, key);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    super::payments::record_step(&mut tx, &page, &user, "recovery_paid", &voucher, amount).await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        amount,
        "recovery recorded"
    );
    Ok((
        Flash::success("flash.recovery_paid").with(page.ctx.money(&amount)),
        Redirect::to(&format!("/proposals/{id}/payments")),
    )
        .into_response())
}
