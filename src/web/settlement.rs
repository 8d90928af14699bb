//! Settlement (`/proposals/{id}/settlement`, DOMAIN.md §4.10): once the work is accepted, the
//! accountant records the contract's liquidation minutes and the final payment (admitted
//! support less what was paid) or the recovery (when the advances were more); the support
//! not admitted goes back to the envelope and the proposal is `settled`. The liquidation
//! minutes (Mẫu 6) and the settlement sheet print from `/proposals/{id}/settlement/print`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::app::AppState;
use crate::db;
use crate::db::acceptance::Record;
use crate::db::contracts::Contract;
use crate::db::proposals;
use crate::db::proposals::NewEvent;
use crate::db::settlements::{NewSettlement, SettlementRow};
use crate::domain::payment::{self, Paid, Settlement};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::role::Role;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult, ResultExt as _};

/// Routes of settlement.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/settlement", get(show).post(settle))
        .route("/proposals/{id}/settlement/print", get(print))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct SettlementForm {
    liquidation_number: String,
    liquidated_on: String,
    voucher_number: String,
    paid_on: String,
    version: String,
}

/// What a settlement page and its print need.
struct Basis {
    basis: proposals::Basis,
    contract: Contract,
    /// The passed acceptance record.
    accepted: Option<Record>,
    /// The settlement, once recorded.
    settled: Option<SettlementRow>,
    /// Paid on the contract so far.
    paid: Paid,
}

impl Basis {
    fn admitted(&self) -> i64 {
        self.accepted
            .as_ref()
            .and_then(|r| r.admitted_support)
            .unwrap_or(0)
    }

    /// What settling now comes to: from the contract's totals before it, or as recorded.
    fn outcome(&self) -> Settlement {
        match &self.settled {
            Some(s) if s.balance > 0 => Settlement::Pay(s.balance),
            Some(s) if s.balance < 0 => Settlement::Recover(s.balance.saturating_neg()),
            Some(_) => Settlement::Even,
            None => payment::settle(self.admitted(), self.paid),
        }
    }

    fn paid_before(&self) -> i64 {
        self.settled.as_ref().map_or(self.paid.net, |s| s.advanced)
    }

    fn pays(&self) -> Option<i64> {
        match self.outcome() {
            Settlement::Pay(amount) => Some(amount),
            _ => None,
        }
    }

    fn recovers(&self) -> Option<i64> {
        match self.outcome() {
            Settlement::Recover(amount) => Some(amount),
            _ => None,
        }
    }

    fn returned(&self) -> i64 {
        self.settled.as_ref().map_or_else(
            || {
                self.contract
                    .approved_support
                    .saturating_sub(self.admitted())
                    .max(0)
            },
            |s| s.returned,
        )
    }
}

async fn load_basis(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Basis> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ledger = db::advances::ledger(&state.db, contract.id).await?;
    Ok(Basis {
        paid: Paid {
            advanced: ledger.advanced,
            net: ledger.paid,
        },
        accepted: db::acceptance::passed(&state.db, id).await?,
        settled: db::settlements::of_proposal(&state.db, id).await?,
        basis,
        contract,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "settlement/show.html")]
struct SettlementPage {
    ctx: PageContext,
    b: Basis,
    may_settle: bool,
    form: SettlementForm,
    errors: FieldErrors,
}

async fn load(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<SettlementPage> {
    let b = load_basis(state, user, id).await?;
    let may_settle = b.accepted.is_some()
        && transition::transition(b.basis.state, Action::Settle, user.0.role).is_ok();
    Ok(SettlementPage {
        form: SettlementForm {
            liquidated_on: today().to_string(),
            paid_on: today().to_string(),
            version: b.basis.version.to_string(),
            ..SettlementForm::default()
        },
        ctx,
        b,
        may_settle,
        errors: FieldErrors::default(),
    })
}

/// `GET /proposals/{id}/settlement`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<SettlementPage> {
    load(&state, ctx, &user, id).await
}

/// `POST /proposals/{id}/settlement`: the accountant settles an accepted proposal.
#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
async fn settle(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SettlementForm>,
) -> AppResult<Response> {
    let mut page = load(&state, ctx, &user, id).await?;
    let step = transition::transition(page.b.basis.state, Action::Settle, user.0.role)?;
    let accepted = page
        .b
        .accepted
        .clone()
        .ok_or(AppError::Conflict("settlement.not_accepted"))?;
    let mut errors = FieldErrors::default();
    let number = errors.required("liquidation_number", &form.liquidation_number, 100);
    let signed_on = page.b.contract.signed_on;
    let liquidated_on =
        super::payments::payment_day(&mut errors, "liquidated_on", &form.liquidated_on, signed_on);
    let even = page.b.outcome() == Settlement::Even;
    let voucher = if even {
        String::new()
    } else {
        errors.required("voucher_number", &form.voucher_number, 100)
    };
    let paid_on = super::payments::payment_day(&mut errors, "paid_on", &form.paid_on, signed_on);
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    page.form = form;
    let (Some(liquidated_on), Some(paid_on), true) = (liquidated_on, paid_on, errors.is_empty())
    else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
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
        return Err(AppError::Conflict("proposal.stale"));
    }
    let settled = db::settlements::settle(
        &mut tx,
        &NewSettlement {
            proposal_id: id,
            contract_id: page.b.contract.id,
            acceptance_record_id: accepted.id,
            admitted_support: page.b.admitted(),
            province_code: &page.b.basis.province_code,
            liquidation_number: &number,
            liquidated_on,
            voucher_number: &voucher,
            paid_on,
            recorded_by: user.0.user_id,
        },
    )
    .await
    .on_constraint("settlements_province_code_liquidation_number_key", || {
        AppError::Conflict("settlement.number_taken")
    })
    .on_constraint("payments_province_code_voucher_number_key", || {
        AppError::Conflict("payment.voucher_taken")
    });
    let problem = match settled {
        Ok(Ok(done)) => Err(done),
        Ok(Err(problem)) => Ok(("voucher_number", problem.message_key())),
        Err(AppError::Conflict(key @ "settlement.number_taken")) => Ok(("liquidation_number", key)),
        Err(AppError::Conflict(key @ "payment.voucher_taken")) => Ok(("voucher_number", key)),
        Err(other) => return Err(other),
    };
    let done = match problem {
        Ok((field, key)) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(done) => done,
    };
    let (paid, recovered) = match done.settlement {
        Settlement::Pay(a) => (a, 0),
        Settlement::Recover(a) => (0, a),
        Settlement::Even => (0, 0),
    };
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: step.action.code(),
            from: Some(step.from),
            to: step.to,
            note: &number,
            details: json!({
                "liquidation": number,
                "admitted_support": page.b.admitted(),
                "final_payment": paid,
                "to_recover": recovered,
                "returned": done.returned,
            }),
        },
    )
    .await?;
    // The beneficiary's side hears of it; the Centre's staff close the proposal next.
    let mut told = db::notifications::proposal_followers(&mut tx, id).await?;
    told.extend(
        db::notifications::with_role(&mut tx, &page.b.basis.province_code, Role::CentreStaff)
            .await?,
    );
    db::notifications::notify(
        &mut tx,
        &told,
        user.0.user_id,
        "notify.settled",
        &page
            .b
            .basis
            .code
            .clone()
            .unwrap_or_else(|| page.b.basis.title.clone()),
        &format!("/proposals/{id}/settlement"),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        paid,
        recovered,
        returned = done.returned,
        "settled"
    );
    Ok((
        Flash::success("flash.settled").with(number),
        Redirect::to(&format!("/proposals/{id}/settlement")),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "settlement/print.html")]
struct PrintPage {
    ctx: PageContext,
    b: Basis,
    issuer: crate::db::organisations::Issuer,
}

/// The header's number and date: blank until the settlement is recorded.
impl PrintPage {
    fn number(&self) -> &str {
        self.b
            .settled
            .as_ref()
            .map_or("", |s| s.liquidation_number.as_str())
    }

    fn liquidated_on(&self) -> Option<time::Date> {
        self.b.settled.as_ref().map(|s| s.liquidated_on)
    }
}

/// `GET /proposals/{id}/settlement/print`: liquidation minutes and settlement sheet.
async fn print(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<PrintPage> {
    let b = load_basis(&state, &user, id).await?;
    if b.settled.is_none() && b.basis.state != ProposalState::ResultAccepted {
        return Err(AppError::Conflict("settlement.not_accepted"));
    }
    Ok(PrintPage {
        issuer: db::organisations::issuer(&state.db, &b.basis.province_code).await?,
        ctx,
        b,
    })
}
