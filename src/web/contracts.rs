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

use super::context::{CurrentUser, Flash, PageContext};
use super::form::{FieldErrors, Refusal};
use super::today;
use crate::db;
use crate::db::contracts::{self as ledger, Contract};
use crate::db::proposals::Basis;
use crate::domain::contract::{self as rules, AdvanceTerms};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::transition::{self, Action};
use crate::domain::{format, input, money};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::state::AppState;
use crate::workflow::contract::{self, Amendment, Approval, Signed, Terms};
use crate::workflow::{self, Act, Subject};

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
    amendments: Vec<ledger::Amendment>,
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
    amendments: Vec<ledger::Amendment>,
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
/// The usual payment terms, written out from the advance rule.
fn default_terms(lang: i18n::Lang, advance: AdvanceTerms, support: i64) -> String {
    i18n::t_with(
        lang,
        "contract.default_terms",
        &[
            ("share", &format::format_percent(advance.share_bp, lang)),
            ("amount", &money::format_vnd(advance.max_advance(support))),
            (
                "threshold",
                &format::format_percent(advance.threshold_bp, lang),
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
        None => {
            contract::advance_terms(
                &state.db,
                &basis.province_code,
                &basis.activity_type_code,
                today(),
            )
            .await?
            .1
        }
    };
    let form = form.unwrap_or_else(|| ContractForm::suggested(&basis, user, ctx.lang, advance));
    let amend_form = contract.as_ref().map(AmendForm::of).unwrap_or_default();
    let basis_state = basis.state;
    Ok(ContractPage {
        may_sign: contract.is_none() && may_sign(user, basis.state),
        may_amend: contract.is_some()
            && user.may(Permission::AmendContracts)
            && basis.state.is_running(),
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

impl ContractForm {
    /// The form a contract starts from: the approved proposal's figures, a suggested number
    /// and payment terms after the advance rule, to be signed today.
    fn suggested(
        basis: &Basis,
        user: &CurrentUser,
        lang: i18n::Lang,
        advance: AdvanceTerms,
    ) -> Self {
        let support = basis.approved_support.unwrap_or(0);
        let deadline = basis.end_date.filter(|d| *d >= today()).unwrap_or_else(|| {
            today()
                .replace_month(time::Month::December)
                .unwrap_or(today())
        });
        Self {
            number: rules::suggested_number(basis.code.as_deref(), basis.plan_year),
            signed_on: today().to_string(),
            holder_name: user.0.organisation_name.clone(),
            implementer_name: basis.beneficiaries.clone(),
            counterpart_funds: money::format_plain(basis.counterpart_funds),
            deadline: deadline.to_string(),
            payment_terms: default_terms(lang, advance, support),
            version: basis.version.to_string(),
            ..Self::default()
        }
    }
}

impl AmendForm {
    /// The amending form over the contract as it stands, dated today.
    fn of(contract: &Contract) -> Self {
        Self {
            amended_on: today().to_string(),
            deadline: contract.deadline.to_string(),
            counterpart_funds: money::format_plain(contract.counterpart_funds),
            payment_terms: contract.payment_terms.clone(),
            version: contract.version.to_string(),
            ..Self::default()
        }
    }
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

fn validate(form: &ContractForm, basis: &Basis) -> Result<Terms, FieldErrors> {
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
        && let Err(problem) = rules::check_dates(signed_on, deadline, basis.approved_on, today())
    {
        errors.add(problem.field(), problem.message_key());
    }
    match (signed_on, deadline) {
        (Some(signed_on), Some(deadline)) if errors.is_empty() => Ok(Terms {
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

/// `POST /proposals/{id}/contract`: the Centre signs the contract of an approved proposal.
async fn sign(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ContractForm>,
) -> AppResult<Response> {
    let basis = basis(&state, &user, id).await?;
    let actor = user.actor();
    let act = Act::now(&actor);
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let subject = Subject::from(&basis).at_version(version);
    workflow::allowed(&act, &subject, Action::SignContract)?;
    let approval = Approval {
        support: basis
            .approved_support
            .ok_or(AppError::Conflict("contract.not_approved"))?,
        approved_on: basis.approved_on,
        activity_type_code: basis.activity_type_code.clone(),
    };
    let terms = match validate(&form, &basis) {
        Ok(terms) => terms,
        Err(errors) => {
            let page = page(&state, ctx, &user, basis, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let refusal = match contract::sign(&mut tx, &act, &subject, &approval, &terms).await {
        Ok(_) => {
            tx.commit().await?;
            return Ok((
                Flash::success("flash.contract_signed").with(terms.number),
                Redirect::to(&contract::contract_link(id)),
            )
                .into_response());
        }
        Err(error) => Refusal::of(error)?,
    };
    drop(tx);
    // Back to the form, on the proposal as it is now (a stale form takes its version).
    let basis = self::basis(&state, &user, id).await?;
    let form = ContractForm {
        version: if refusal.stale {
            basis.version.to_string()
        } else {
            form.version.clone()
        },
        ..form
    };
    let mut page = page(&state, ctx, &user, basis, Some(form), refusal.errors).await?;
    page.stale = refusal.stale;
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// `POST /proposals/{id}/contract/amend`: the Centre amends the contract of running work.
async fn amend(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AmendForm>,
) -> AppResult<Response> {
    user.require(Permission::AmendContracts)?;
    let basis = basis(&state, &user, id).await?;
    let signed = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = user.actor();
    let act = Act::now(&actor);
    let subject = Subject::from(&basis);
    if !subject.state.is_running() {
        return Err(AppError::Conflict("contract.closed"));
    }
    let contract = Signed {
        id: signed.id,
        version: form.version.trim().parse().unwrap_or(-1),
        signed_on: signed.signed_on,
    };
    let refusal = match form.amendment(signed.signed_on, act.today()) {
        Err(errors) => Refusal {
            errors,
            stale: false,
        },
        Ok(amendment) => {
            let mut tx = state.db.begin().await?;
            match contract::amend(&mut tx, &act, &subject, &contract, &amendment).await {
                Ok(()) => {
                    tx.commit().await?;
                    return Ok((
                        Flash::success("flash.contract_amended").with(amendment.number),
                        Redirect::to(&contract::contract_link(id)),
                    )
                        .into_response());
                }
                Err(error) => Refusal::of(error)?,
            }
        }
    };
    let mut page = page(&state, ctx, &user, basis, None, FieldErrors::default()).await?;
    // A stale form comes back on the contract's version now.
    let version = if refusal.stale {
        page.amend_form.version.clone()
    } else {
        form.version.clone()
    };
    page.amend_form = AmendForm { version, ..form };
    page.amend_errors = refusal.errors;
    page.stale = refusal.stale;
    let status = if refusal.stale {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

impl AmendForm {
    /// The amendment the form enters, dated between the signing and `today`; the fields'
    /// errors if not.
    fn amendment(
        &self,
        signed_on: time::Date,
        today: time::Date,
    ) -> Result<Amendment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = errors.required("amend_number", &self.number, 100);
        let amended_on = required_date(&mut errors, "amended_on", &self.amended_on);
        let deadline = required_date(&mut errors, "amend_deadline", &self.deadline);
        let reason = errors.required("reason", &self.reason, 2000);
        let counterpart_funds = errors.money("amend_counterpart_funds", &self.counterpart_funds);
        let payment_terms = errors.text("amend_payment_terms", &self.payment_terms, 5000);
        for problem in rules::amendment_problems(signed_on, amended_on, deadline, today) {
            errors.add(problem.field(), problem.message_key());
        }
        match (amended_on, deadline) {
            (Some(amended_on), Some(deadline)) if errors.is_empty() => Ok(Amendment {
                number,
                amended_on,
                reason,
                deadline,
                counterpart_funds,
                payment_terms,
            }),
            _ => Err(errors),
        }
    }
}
