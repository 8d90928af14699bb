//! A proposal's implementation contract under `/proposals/{id}/contract` (Thông tư
//! 36/2013/TT-BCT Art. 6.4): the Centre records it once the proposal is approved — number,
//! date, the two parties and who signs, the approved support, counterpart funds, deadline and
//! the advance terms of the rule in force on the signing day — which moves the proposal to
//! `contracted`; the contract prints in the official layout (`/print`); amendments (phụ lục)
//! change the deadline, counterpart funds or payment terms with a reason, history kept.
//!
//! Who may do what: anyone whose scope holds the proposal reads the contract (the local office
//! and the owner are parties to it); signing is the transition table's `SignContract`;
//! amending needs `Permission::AmendContracts`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::app::AppState;
use crate::db;
use crate::db::contracts::{Amendment, Contract, NewAmendment, NewContract};
use crate::db::proposals::Basis;
use crate::db::proposals::NewEvent;
use crate::domain::contract::{self, AdvanceTerms};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::transition::{self, Action};
use crate::domain::{caps, input, money};
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::i18n;

/// Routes under `/proposals/{id}/contract`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/contract", get(show).post(sign))
        .route("/proposals/{id}/contract/print", get(print))
        .route("/proposals/{id}/contract/amend", post(amend))
}

/// The contract form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
struct ContractForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    holder_name: String,
    #[serde(default)]
    holder_signer: String,
    #[serde(default)]
    implementer_name: String,
    #[serde(default)]
    implementer_signer: String,
    #[serde(default)]
    counterpart_funds: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    payment_terms: String,
    /// The proposal's version the form was made from.
    #[serde(default)]
    version: String,
}

/// The amendment form as typed. Its fields that the signing form has too are named
/// `amend_…` on the page (one page holds both forms; ids must differ).
#[derive(Clone, Debug, Default, Deserialize)]
struct AmendForm {
    #[serde(default, rename = "amend_number")]
    number: String,
    #[serde(default)]
    amended_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default, rename = "amend_deadline")]
    deadline: String,
    #[serde(default, rename = "amend_counterpart_funds")]
    counterpart_funds: String,
    #[serde(default)]
    payment_terms: String,
    #[serde(default)]
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/show.html")]
struct ContractPage {
    ctx: PageContext,
    basis: Basis,
    /// The signed contract, or the form to sign it.
    contract: Option<Contract>,
    amendments: Vec<Amendment>,
    advance: AdvanceTerms,
    may_sign: bool,
    may_amend: bool,
    form: ContractForm,
    amend_form: AmendForm,
    errors: FieldErrors,
    amend_errors: FieldErrors,
    /// The proposal or contract changed while its form was being typed: the typed values
    /// are back, with the version they now apply to.
    stale: bool,
    /// Whether the user may record a stop of the work.
    may_stop: bool,
}

impl ContractPage {
    fn max_advance(&self) -> i64 {
        let support = self
            .contract
            .as_ref()
            .map(|c| c.approved_support)
            .or(self.basis.approved_support)
            .unwrap_or(0);
        self.advance.max_advance(support)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/print.html")]
struct PrintPage {
    ctx: PageContext,
    basis: Basis,
    contract: Contract,
    amendments: Vec<Amendment>,
    issuer: db::organisations::Issuer,
}

impl PrintPage {
    fn max_advance(&self) -> i64 {
        self.contract
            .advance()
            .max_advance(self.contract.approved_support)
    }
}

/// The advance terms in force for the proposal on `on` (the national default without a rule).
async fn advance_terms(
    state: &AppState,
    basis: &Basis,
    on: time::Date,
) -> AppResult<(Option<i64>, AdvanceTerms)> {
    let rule = db::contracts::advance_terms(
        &state.db,
        &basis.province_code,
        &basis.activity_type_code,
        on,
    )
    .await?;
    Ok(
        rule.map_or((None, AdvanceTerms::NATIONAL_DEFAULT), |(id, t)| {
            (Some(id), t)
        }),
    )
}

/// The usual payment terms, written out from the advance rule.
fn default_terms(lang: i18n::Lang, advance: AdvanceTerms, support: i64) -> String {
    i18n::t_with(
        lang,
        "contract.default_terms",
        &[
            ("share", &caps::format_percent(advance.share_bp, lang)),
            ("amount", &money::format_vnd(advance.max_advance(support))),
            (
                "threshold",
                &caps::format_percent(advance.threshold_bp, lang),
            ),
        ],
    )
}

/// Whether `user` may sign the contract of a proposal in `state` now.
fn may_sign(user: &CurrentUser, state: ProposalState) -> bool {
    transition::transition(state, Action::SignContract, user.0.role).is_ok()
}

/// The page, with a form to sign prefilled when there is no contract yet.
async fn page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    basis: Basis,
    form: Option<ContractForm>,
    errors: FieldErrors,
) -> AppResult<ContractPage> {
    let contract = db::contracts::of_proposal(&state.db, basis.id).await?;
    let amendments = match &contract {
        Some(c) => db::contracts::amendments(&state.db, c.id).await?,
        None => Vec::new(),
    };
    let advance = match &contract {
        Some(c) => c.advance(),
        None => advance_terms(state, &basis, today()).await?.1,
    };
    let form = form.unwrap_or_else(|| {
        let support = basis.approved_support.unwrap_or(0);
        let deadline = basis.end_date.filter(|d| *d >= today()).unwrap_or_else(|| {
            today()
                .replace_month(time::Month::December)
                .unwrap_or(today())
        });
        ContractForm {
            number: contract::suggested_number(basis.code.as_deref(), basis.plan_year),
            signed_on: today().to_string(),
            holder_name: user.0.organisation_name.clone(),
            implementer_name: basis.beneficiaries.clone(),
            counterpart_funds: money::format_plain(basis.counterpart_funds),
            deadline: deadline.to_string(),
            payment_terms: default_terms(ctx.lang, advance, support),
            version: basis.version.to_string(),
            ..ContractForm::default()
        }
    });
    let amend_form = contract
        .as_ref()
        .map(|c| AmendForm {
            amended_on: today().to_string(),
            deadline: c.deadline.to_string(),
            counterpart_funds: money::format_plain(c.counterpart_funds),
            payment_terms: c.payment_terms.clone(),
            version: c.version.to_string(),
            ..AmendForm::default()
        })
        .unwrap_or_default();
    let basis_state = basis.state;
    Ok(ContractPage {
        may_sign: contract.is_none() && may_sign(user, basis.state),
        may_amend: contract.is_some()
            && user.may(Permission::AmendContracts)
            && matches!(
                basis.state,
                ProposalState::Contracted | ProposalState::InProgress
            ),
        ctx,
        basis,
        contract,
        amendments,
        advance,
        form,
        amend_form,
        errors,
        amend_errors: FieldErrors::default(),
        stale: false,
        may_stop: transition::transition(basis_state, Action::Stop, user.0.role).is_ok(),
    })
}

async fn basis(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Basis> {
    user.require(Permission::ViewProposals)?;
    db::proposals::basis(&state.db, &user.scope(), id).await
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ContractPage> {
    let basis = basis(&state, &user, id).await?;
    let page = page(&state, ctx, &user, basis, None, FieldErrors::default()).await?;
    if page.contract.is_none() && !page.may_sign {
        return Err(AppError::NotFound);
    }
    Ok(page)
}

async fn print(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<PrintPage> {
    let basis = basis(&state, &user, id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (amendments, issuer) = tokio::try_join!(
        db::contracts::amendments(&state.db, contract.id),
        db::organisations::issuer(&state.db, &basis.province_code),
    )?;
    Ok(PrintPage {
        ctx,
        basis,
        contract,
        amendments,
        issuer,
    })
}

/// A contract that passed the form's checks.
struct ValidContract {
    number: String,
    signed_on: time::Date,
    holder: (String, String),
    implementer: (String, String),
    counterpart_funds: i64,
    deadline: time::Date,
    payment_terms: String,
}

fn required_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<time::Date> {
    match errors.check(field, input::date(value)) {
        Some(Some(date)) => Some(date),
        Some(None) => {
            errors.add(field, "input.required");
            None
        }
        None => None,
    }
}

fn validate(form: &ContractForm, basis: &Basis) -> Result<ValidContract, FieldErrors> {
    let mut errors = FieldErrors::default();
    let number = errors.required("number", &form.number, 100);
    let signed_on = required_date(&mut errors, "signed_on", &form.signed_on);
    let deadline = required_date(&mut errors, "deadline", &form.deadline);
    let holder = (
        errors.required("holder_name", &form.holder_name, 300),
        errors.required("holder_signer", &form.holder_signer, 200),
    );
    let implementer = (
        errors.required("implementer_name", &form.implementer_name, 300),
        errors.required("implementer_signer", &form.implementer_signer, 200),
    );
    let counterpart_funds = errors.money("counterpart_funds", &form.counterpart_funds);
    let payment_terms = errors.text("payment_terms", &form.payment_terms, 5000);
    if let (Some(signed_on), Some(deadline)) = (signed_on, deadline)
        && let Err(problem) = contract::check_dates(signed_on, deadline, basis.approved_on, today())
    {
        errors.add(problem.field(), problem.message_key());
    }
    match (signed_on, deadline) {
        (Some(signed_on), Some(deadline)) if errors.is_empty() => Ok(ValidContract {
            number,
            signed_on,
            holder,
            implementer,
            counterpart_funds,
            deadline,
            payment_terms,
        }),
        _ => Err(errors),
    }
}

#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
async fn sign(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ContractForm>,
) -> AppResult<Response> {
    let basis = basis(&state, &user, id).await?;
    let step = transition::transition(basis.state, Action::SignContract, user.0.role)?;
    let Some(support) = basis.approved_support else {
        return Err(AppError::Conflict("contract.not_approved"));
    };
    let valid = match validate(&form, &basis) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = page(&state, ctx, &user, basis, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let advance = advance_terms(&state, &basis, valid.signed_on).await?;
    let mut tx = state.db.begin().await?;
    let moved = db::proposals::set_state(
        &mut tx,
        id,
        step,
        version,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    if !moved {
        drop(tx);
        let basis = self::basis(&state, &user, id).await?;
        let form = ContractForm {
            version: basis.version.to_string(),
            ..form
        };
        let mut page = page(
            &state,
            ctx,
            &user,
            basis,
            Some(form),
            FieldErrors::default(),
        )
        .await?;
        page.stale = true;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let inserted = db::contracts::insert(
        &mut tx,
        &NewContract {
            proposal_id: id,
            province_code: &basis.province_code,
            number: &valid.number,
            signed_on: valid.signed_on,
            holder: (&valid.holder.0, &valid.holder.1),
            implementer: (&valid.implementer.0, &valid.implementer.1),
            approved_support: support,
            counterpart_funds: valid.counterpart_funds,
            deadline: valid.deadline,
            advance,
            payment_terms: &valid.payment_terms,
            recorded_by: user.0.user_id,
        },
    )
    .await
    .on_constraint("contracts_province_code_number_key", || {
        AppError::Conflict("contract.number_taken")
    });
    if let Err(AppError::Conflict("contract.number_taken")) = inserted {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("number", "contract.number_taken");
        let basis = self::basis(&state, &user, id).await?;
        let page = page(&state, ctx, &user, basis, Some(form), errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    inserted?;
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: Action::SignContract.code(),
            from: Some(ProposalState::Approved),
            to: ProposalState::Contracted,
            note: "",
            details: json!({
                "contract": valid.number,
                "signed_on": valid.signed_on.to_string(),
                "deadline": valid.deadline.to_string(),
                "approved_support": support,
            }),
        },
    )
    .await?;
    db::notifications::notify_followers(
        &mut tx,
        &[id],
        user.0.user_id,
        "notify.contract_signed",
        std::slice::from_ref(&valid.number),
        &[format!("/proposals/{id}/contract")],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        "contract signed"
    );
    Ok((
        Flash::success("flash.contract_signed").with(valid.number),
        Redirect::to(&format!("/proposals/{id}/contract")),
    )
        .into_response())
}

async fn amend(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AmendForm>,
) -> AppResult<Response> {
    user.require(Permission::AmendContracts)?;
    let basis = basis(&state, &user, id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        basis.state,
        ProposalState::Contracted | ProposalState::InProgress
    ) {
        return Err(AppError::Conflict("contract.closed"));
    }
    let mut errors = FieldErrors::default();
    let number = errors.required("amend_number", &form.number, 100);
    let amended_on = required_date(&mut errors, "amended_on", &form.amended_on);
    let deadline = required_date(&mut errors, "amend_deadline", &form.deadline);
    let reason = errors.required("reason", &form.reason, 2000);
    let counterpart_funds = errors.money("amend_counterpart_funds", &form.counterpart_funds);
    let payment_terms = errors.text("amend_payment_terms", &form.payment_terms, 5000);
    if amended_on.is_some_and(|d| d < contract.signed_on || d > today()) {
        errors.add("amended_on", "contract.date.amended_on");
    }
    if deadline.is_some_and(|d| d < contract.signed_on) {
        errors.add("amend_deadline", "contract.date.deadline_before_signing");
    }
    let (Some(amended_on), Some(deadline), true) = (amended_on, deadline, errors.is_empty()) else {
        let mut page = page(&state, ctx, &user, basis, None, FieldErrors::default()).await?;
        page.amend_form = form;
        page.amend_errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    let done = db::contracts::amend(
        &mut tx,
        &NewAmendment {
            contract_id: contract.id,
            version,
            number: &number,
            amended_on,
            reason: &reason,
            deadline,
            counterpart_funds,
            payment_terms: &payment_terms,
            recorded_by: user.0.user_id,
        },
    )
    .await?;
    if !done {
        drop(tx);
        let mut page = page(&state, ctx, &user, basis, None, FieldErrors::default()).await?;
        page.amend_form = AmendForm {
            version: page.amend_form.version.clone(),
            ..form
        };
        page.stale = true;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: "amend_contract",
            from: Some(basis.state),
            to: basis.state,
            note: &reason,
            details: json!({
                "amendment": number,
                "deadline": deadline.to_string(),
                "counterpart_funds": counterpart_funds,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        proposal.id = id,
        user.id = user.0.user_id,
        "contract amended"
    );
    Ok((
        Flash::success("flash.contract_amended").with(number),
        Redirect::to(&format!("/proposals/{id}/contract")),
    )
        .into_response())
}
