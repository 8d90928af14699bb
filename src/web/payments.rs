//! A contract's money, at `/proposals/{id}/payments`: the advance terms, what was advanced
//! and paid, the advance requests and every payment. The implementing side asks for an
//! advance once its last progress report is past the threshold; the Centre confirms or
//! refuses it (not the person who asked); the accountant pays it with a voucher.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::db;
use crate::db::advances::Ledger;
use crate::db::contracts::Contract;
use crate::db::proposals::Basis;
use crate::db::stops::StopDecision;
use crate::domain::contract::AdvanceTerms;
use crate::domain::input;
use crate::domain::payment;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::workflow::money::{self, Advance, Decision, Voucher};
use crate::workflow::{Act, StepError, StepResult, Subject};

/// Routes of a contract's payments.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/payments", get(show))
        .route("/proposals/{id}/advances", post(request))
        .route("/proposals/{id}/advances/{request}/confirm", post(confirm))
        .route("/proposals/{id}/advances/{request}/refuse", post(refuse))
        .route("/proposals/{id}/advances/{request}/pay", post(pay))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct RequestForm {
    amount: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct RefuseForm {
    reason: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct PayForm {
    paid_on: String,
    voucher_number: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "payments/show.html")]
pub(super) struct PaymentsPage {
    pub(super) ctx: PageContext,
    pub(super) basis: Basis,
    pub(super) contract: Contract,
    ledger: Ledger,
    /// What may still be asked.
    left: i64,
    may_request: bool,
    may_confirm: bool,
    may_pay: bool,
    request_form: RequestForm,
    pay_form: PayForm,
    refuse_form: RefuseForm,
    /// The request a refusal or payment form was for, when it comes back.
    form_for: Option<i64>,
    pub(super) errors: FieldErrors,
    /// The stop decision, when the work was stopped.
    stop: Option<StopDecision>,
    /// Whether the accountant may record a recovery: stopped with money paid.
    may_recover: bool,
    /// The recovery form as typed: amount, day, voucher.
    pub(super) recovery_form: (String, String, String),
}

impl PaymentsPage {
    fn terms(&self) -> AdvanceTerms {
        self.contract.advance()
    }

    fn max_advance(&self) -> i64 {
        self.terms().max_advance(self.contract.approved_support)
    }

    /// The typed values of a request's refusal or payment form (its own, when it came back).
    fn typed_for(&self, id: &i64) -> bool {
        self.form_for == Some(*id)
    }
}

/// The page, with empty forms.
pub(super) async fn payments_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<PaymentsPage> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger = db::advances::ledger(&state.db, contract.id).await?;
    let left = payment::advance_left(
        contract.approved_support,
        contract.advance(),
        ledger.asked(),
    );
    let open = basis.state.advances_open();
    let stop = db::stops::of_proposal(&state.db, id).await?;
    Ok(PaymentsPage {
        may_recover: basis.state == ProposalState::Stopped
            && ledger.paid > 0
            && user.may(Permission::RecordPayments),
        recovery_form: (
            crate::domain::money::format_plain(ledger.paid),
            today().to_string(),
            String::new(),
        ),
        stop,
        may_request: basis.state.is_carried_out()
            && left > 0
            && user.may(Permission::RequestAdvance),
        may_confirm: open && user.may(Permission::ConfirmAdvance),
        may_pay: open && user.may(Permission::RecordPayments),
        request_form: RequestForm::default(),
        pay_form: PayForm {
            paid_on: today().to_string(),
            ..PayForm::default()
        },
        refuse_form: RefuseForm::default(),
        form_for: None,
        errors: FieldErrors::default(),
        ctx,
        basis,
        contract,
        ledger,
        left,
    })
}

fn back(id: i64, key: &'static str, value: String) -> Response {
    (
        Flash::success(key).with(value),
        Redirect::to(&format!("/proposals/{id}/payments")),
    )
        .into_response()
}

fn again(page: PaymentsPage, status: StatusCode) -> Response {
    (status, page).into_response()
}

/// `GET /proposals/{id}/payments`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<PaymentsPage> {
    payments_page(&state, ctx, &user, id).await
}

/// The day of a payment typed in `field`: not in the future, not before the contract.
pub(super) fn payment_day(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    signed_on: time::Date,
) -> Option<time::Date> {
    match errors.check(field, input::date(value)) {
        Some(Some(day)) if day > today() => {
            errors.add(field, "payment.in_future");
            None
        }
        Some(Some(day)) if day < signed_on => {
            errors.add(field, "payment.before_contract");
            None
        }
        Some(Some(day)) => Some(day),
        Some(None) => {
            errors.add(field, "input.required");
            None
        }
        None => None,
    }
}

/// `POST /proposals/{id}/advances`: the implementing side asks for an advance.
async fn request(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    user.require(Permission::RequestAdvance)?;
    let mut page = payments_page(&state, ctx, &user, id).await?;
    if !page.basis.state.is_carried_out() {
        return Err(AppError::Conflict("advance.not_in_progress"));
    }
    let mut errors = FieldErrors::default();
    let amount = errors.check("amount", input::money(&form.amount));
    page.request_form = form;
    let Some(amount) = amount.filter(|_| errors.is_empty()) else {
        page.errors = errors;
        return Ok(again(page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let mut tx = state.db.begin().await?;
    let taken = money::request_advance(
        &mut tx,
        &Act::now(&actor),
        &subject,
        page.contract.id,
        amount,
    )
    .await;
    answer(tx, page, taken, "flash.advance_requested", amount).await
}

/// Commits a step on the money and goes back to the page with `flash`, or shows the page
/// again with the field the step refused.
async fn answer<T>(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    mut page: PaymentsPage,
    taken: StepResult<T>,
    flash: &'static str,
    amount: i64,
) -> AppResult<Response> {
    match taken {
        Ok(_) => tx.commit().await?,
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok(again(page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(back(page.basis.id, flash, page.ctx.money(&amount)))
}

/// The request `request` of the page's contract, if it has one.
fn advance(page: &PaymentsPage, request: i64) -> AppResult<Advance> {
    page.ledger
        .requests
        .iter()
        .find(|r| r.id == request)
        .map(|r| Advance {
            contract_id: page.contract.id,
            request_id: r.id,
            amount: r.amount,
            requested_by: r.requested_by_id,
        })
        .ok_or(AppError::NotFound)
}

/// Confirms or refuses request `request`.
async fn decide(
    state: &AppState,
    page: PaymentsPage,
    user: &CurrentUser,
    request: i64,
    decision: Decision<'_>,
) -> AppResult<Response> {
    let advance = advance(&page, request)?;
    let flash = match decision {
        Decision::Confirm => "flash.advance_confirmed",
        Decision::Refuse(_) => "flash.advance_refused",
    };
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let mut tx = state.db.begin().await?;
    let taken =
        money::decide_advance(&mut tx, &Act::now(&actor), &subject, &advance, decision).await;
    answer(tx, page, taken, flash, advance.amount).await
}

/// `POST /proposals/{id}/advances/{request}/confirm`.
async fn confirm(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, request)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ConfirmAdvance)?;
    let page = payments_page(&state, ctx, &user, id).await?;
    if !page.may_confirm {
        return Err(AppError::Conflict("advance.not_in_progress"));
    }
    decide(&state, page, &user, request, Decision::Confirm).await
}

/// `POST /proposals/{id}/advances/{request}/refuse`: with a reason the implementing side reads.
async fn refuse(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, request)): Path<(i64, i64)>,
    Form(form): Form<RefuseForm>,
) -> AppResult<Response> {
    user.require(Permission::ConfirmAdvance)?;
    let mut page = payments_page(&state, ctx, &user, id).await?;
    if !page.may_confirm {
        return Err(AppError::Conflict("advance.not_in_progress"));
    }
    let mut errors = FieldErrors::default();
    let reason = errors.required("reason", &form.reason, 2000);
    if !errors.is_empty() {
        advance(&page, request)?;
        page.refuse_form = form;
        page.form_for = Some(request);
        page.errors = errors;
        return Ok(again(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    decide(&state, page, &user, request, Decision::Refuse(&reason)).await
}

/// `POST /proposals/{id}/advances/{request}/pay`: the accountant's voucher.
async fn pay(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, request)): Path<(i64, i64)>,
    Form(form): Form<PayForm>,
) -> AppResult<Response> {
    user.require(Permission::RecordPayments)?;
    let mut page = payments_page(&state, ctx, &user, id).await?;
    if !page.may_pay {
        return Err(AppError::Conflict("advance.not_in_progress"));
    }
    let advance = advance(&page, request)?;
    let mut errors = FieldErrors::default();
    let number = errors.required("voucher_number", &form.voucher_number, 100);
    let signed_on = page.contract.signed_on;
    let paid_on = payment_day(&mut errors, "paid_on", &form.paid_on, signed_on);
    page.pay_form = form;
    page.form_for = Some(request);
    let Some(paid_on) = paid_on.filter(|_| errors.is_empty()) else {
        page.errors = errors;
        return Ok(again(page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let voucher = Voucher { number, paid_on };
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let mut tx = state.db.begin().await?;
    let taken = money::pay_advance(&mut tx, &Act::now(&actor), &subject, &advance, &voucher).await;
    answer(tx, page, taken, "flash.advance_paid", advance.amount).await
}
