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
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::payments::payment_day;
use super::today;
use crate::db;
use crate::db::acceptance::Record;
use crate::db::contracts::Contract;
use crate::db::proposals;
use crate::db::settlements::SettlementRow;
use crate::domain::payment::{self, Paid, Settlement};
use crate::domain::policy::Permission;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::workflow::settlement::{self, Accepted, Liquidation};
use crate::workflow::{self, Act, StepError, Subject};

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
    /// What the settlement stands on, once the result is accepted.
    fn accepted(&self) -> Option<Accepted> {
        self.accepted.as_ref().map(|r| Accepted {
            contract_id: self.contract.id,
            record_id: r.id,
            admitted_support: self.admitted(),
        })
    }

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
async fn settle(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SettlementForm>,
) -> AppResult<Response> {
    let mut page = load(&state, ctx, &user, id).await?;
    let actor = user.actor();
    let act = Act::now(&actor);
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let subject = Subject::from(&page.b.basis).at_version(version);
    workflow::allowed(&act, &subject, Action::Settle)?;
    let accepted = page
        .b
        .accepted()
        .ok_or(AppError::Conflict("settlement.not_accepted"))?;
    let parsed = form.liquidation(page.b.contract.signed_on, page.b.outcome());
    page.form = form;
    let liquidation = match parsed {
        Ok(liquidation) => liquidation,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    match settlement::settle(&mut tx, &act, &subject, &accepted, &liquidation).await {
        Ok(_) => tx.commit().await?,
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok((
        Flash::success("flash.settled").with(liquidation.number),
        Redirect::to(&settlement::settlement_link(id)),
    )
        .into_response())
}

impl SettlementForm {
    /// The liquidation the form enters (a voucher only when money changes hands), its days
    /// not before the contract; the fields' errors if not.
    fn liquidation(
        &self,
        signed_on: Date,
        outcome: Settlement,
    ) -> Result<Liquidation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = errors.required("liquidation_number", &self.liquidation_number, 100);
        let liquidated_on =
            payment_day(&mut errors, "liquidated_on", &self.liquidated_on, signed_on);
        let voucher_number = if outcome == Settlement::Even {
            String::new()
        } else {
            errors.required("voucher_number", &self.voucher_number, 100)
        };
        let paid_on = payment_day(&mut errors, "paid_on", &self.paid_on, signed_on);
        match (liquidated_on, paid_on) {
            (Some(liquidated_on), Some(paid_on)) if errors.is_empty() => Ok(Liquidation {
                number,
                liquidated_on,
                voucher_number,
                paid_on,
            }),
            _ => Err(errors),
        }
    }
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
    if b.settled.is_none() && !b.basis.state.result_accepted() {
        return Err(AppError::Conflict("settlement.not_accepted"));
    }
    Ok(PrintPage {
        issuer: db::organisations::issuer(&state.db, &b.basis.province_code).await?,
        ctx,
        b,
    })
}
