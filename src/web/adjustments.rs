//! Adjustments (`/proposals/{id}/adjustments`, DOMAIN.md §4.8): the implementing side asks to
//! change a proposal under contract (schedule, extension, location, beneficiary, content,
//! support) with its reasons; the rule in force says who decides. The director approves a
//! Department-level change, or records the top level's decision, or refuses with a reason.
//! An approved schedule or extension amends the contract's deadline (with its history), an
//! approved location becomes the proposal's; every step is on the timeline.

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
use super::upload::{self, Limits};
use crate::db;
use crate::db::adjustments::{AdjustmentStatus, NewRequest, Request};
use crate::db::contracts::Contract;
use crate::db::proposals::Basis;
use crate::domain::adjustment::{self, AdjustmentKind, AdjustmentLevel, Current};
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::workflow::adjustment::Approval;
use crate::workflow::{self, Act, Subject};

/// Routes of adjustments.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/adjustments", get(show).post(request))
        .route("/proposals/{id}/adjustments/{req}/approve", post(approve))
        .route("/proposals/{id}/adjustments/{req}/refuse", post(refuse))
}

#[derive(Clone, Debug, Default)]
struct RequestForm {
    kind: String,
    reason: String,
    change: String,
    new_deadline: String,
    new_support: String,
    new_tax_code: String,
    replaced_tax_code: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    decision_number: String,
    decided_on: String,
    decision_issuer: String,
    refusal_reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "adjustments/show.html")]
struct AdjustmentsPage {
    ctx: PageContext,
    basis: Basis,
    contract: Contract,
    requests: Vec<Request>,
    may_request: bool,
    may_decide: bool,
    form: RequestForm,
    decision: DecisionForm,
    /// The request the decision form came back for.
    decision_for: Option<i64>,
    errors: FieldErrors,
    /// Why the papers were refused.
    file_error: Option<String>,
    file_hint: String,
}

impl AdjustmentsPage {
    fn kind_chosen(&self, kind: &AdjustmentKind) -> bool {
        self.form.kind == kind.code()
    }

    fn is_open(request: &Request) -> bool {
        request.status == AdjustmentStatus::Requested
    }

    fn is_top(request: &Request) -> bool {
        request.level == AdjustmentLevel::Top
    }

    /// The decision form's typed values, for the request they were typed for.
    fn typed(&self, id: &i64) -> Option<&DecisionForm> {
        (self.decision_for == Some(*id)).then_some(&self.decision)
    }
}

async fn load(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<AdjustmentsPage> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    let contract = db::contracts::of_proposal(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let running = matches!(
        basis.state,
        ProposalState::Contracted | ProposalState::InProgress
    );
    Ok(AdjustmentsPage {
        file_hint: upload::file_hint(ctx.lang, &state.config),
        may_request: running && user.require(Permission::RequestAdjustment).is_ok(),
        may_decide: running && user.require(Permission::DecideAdjustment).is_ok(),
        requests: db::adjustments::of_proposal(&state.db, id).await?,
        decision: DecisionForm {
            decided_on: today().to_string(),
            ..DecisionForm::default()
        },
        ctx,
        basis,
        contract,
        form: RequestForm::default(),
        decision_for: None,
        errors: FieldErrors::default(),
        file_error: None,
    })
}

/// `GET /proposals/{id}/adjustments`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<AdjustmentsPage> {
    load(&state, ctx, &user, id).await
}

fn refused(mut page: AdjustmentsPage, errors: FieldErrors) -> Response {
    page.errors = errors;
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// `POST /proposals/{id}/adjustments`: the implementing side asks, with its papers.
async fn request(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::extract::Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    user.require(Permission::RequestAdjustment)?;
    let mut page = load(&state, ctx, &user, id).await?;
    if !page.may_request {
        return Err(AppError::Conflict("adjustment.not_running"));
    }
    let limits = Limits::configured(&state.config, 16 * 1024);
    let (multipart, refusal) = upload::read_multipart(body, limits, "documents").await;
    let form = RequestForm::of(&multipart);
    let papers = upload::optional_files(multipart.files, refusal, page.ctx.lang, &state.config);
    let mut errors = FieldErrors::default();
    let checked = check_request(&state, &page, &form, &mut errors).await?;
    page.form = form;
    let papers = papers
        .map_err(|message| page.file_error = Some(message))
        .unwrap_or_default();
    let Some(checked) = checked.filter(|_| errors.is_empty() && page.file_error.is_none()) else {
        return Ok(refused(page, errors));
    };
    let (stored, documents) =
        upload::store_documents(&state, &papers, "adjustment_document", None).await?;
    let mut tx = state.db.begin().await?;
    let province = &page.basis.province_code;
    let rule = db::adjustments::rule_in_force(&mut tx, province, checked.kind, today()).await?;
    let asked = NewRequest {
        proposal_id: id,
        province_code: province,
        kind: checked.kind,
        rule,
        reason: &checked.reason,
        change: &checked.change,
        new_deadline: checked.new_deadline,
        new_support: checked.new_support,
        beneficiary: checked.beneficiary,
        requested_by: user.0.user_id,
    };
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let act = Act::now(&actor);
    let written = workflow::adjustment::request(&mut tx, &act, &subject, &asked, &documents).await;
    if let Err(errors) = upload::commit_step(&state, tx, &stored, written).await? {
        return Ok(refused(page, errors));
    }
    Ok(back(id, "flash.adjustment_requested"))
}

impl RequestForm {
    fn of(multipart: &upload::MultipartForm) -> Self {
        Self {
            kind: multipart.text("kind").to_owned(),
            reason: multipart.text("reason").to_owned(),
            change: multipart.text("change").to_owned(),
            new_deadline: multipart.text("new_deadline").to_owned(),
            new_support: multipart.text("new_support").to_owned(),
            new_tax_code: multipart.text("new_tax_code").to_owned(),
            replaced_tax_code: multipart.text("replaced_tax_code").to_owned(),
        }
    }
}

/// A request that passed the form's checks.
struct CheckedRequest {
    kind: AdjustmentKind,
    reason: String,
    change: String,
    new_deadline: Option<Date>,
    new_support: Option<i64>,
    beneficiary: Option<(i64, i64)>,
}

/// Checks a request as typed against the contract as it stands (`page`); the mistakes go
/// to `errors`.
async fn check_request(
    state: &AppState,
    page: &AdjustmentsPage,
    form: &RequestForm,
    errors: &mut FieldErrors,
) -> AppResult<Option<CheckedRequest>> {
    let kind = AdjustmentKind::from_code(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "input.required");
    }
    let reason = errors.required("reason", &form.reason, 5000);
    let change_limit = if kind == Some(AdjustmentKind::Location) {
        500
    } else {
        5000
    };
    let change = match kind {
        Some(AdjustmentKind::Location | AdjustmentKind::Content) => {
            errors.required("change", &form.change, change_limit)
        }
        _ => errors.text("change", &form.change, change_limit),
    };
    let beneficiary = if kind == Some(AdjustmentKind::Beneficiary) {
        beneficiary_change(state, page.basis.id, form, errors).await?
    } else {
        None
    };
    let new_deadline = if kind.is_some_and(AdjustmentKind::needs_deadline) {
        errors
            .check("new_deadline", input::date(&form.new_deadline))
            .flatten()
    } else {
        None
    };
    let wants_support = kind.is_some_and(AdjustmentKind::needs_support);
    let new_support = if wants_support && !form.new_support.trim().is_empty() {
        errors.check("new_support", input::money(&form.new_support))
    } else {
        None
    };
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Ok(None);
    };
    let current = Current {
        plan_year: i32::from(page.basis.plan_year),
        deadline: page.contract.deadline,
        support: page.contract.approved_support,
        paid: db::advances::ledger(&state.db, page.contract.id)
            .await?
            .paid,
        requested: page.basis.requested_support,
    };
    if let Err((field, key)) = adjustment::check(kind, current, new_deadline, new_support) {
        errors.add(field, key);
    }
    Ok(Some(CheckedRequest {
        kind,
        reason,
        change,
        new_deadline,
        new_support,
        beneficiary,
    }))
}

/// The facilities of a change of beneficiary, from the tax codes typed: the one taking over
/// (registered, not a beneficiary yet) and the one it replaces (the only one, or the one
/// named in a group proposal).
async fn beneficiary_change(
    state: &AppState,
    proposal_id: i64,
    form: &RequestForm,
    errors: &mut FieldErrors,
) -> AppResult<Option<(i64, i64)>> {
    let current = db::proposals::beneficiaries(&state.db, proposal_id).await?;
    let new_tax = form.new_tax_code.trim();
    let new = if new_tax.is_empty() {
        errors.add("new_tax_code", "input.required");
        None
    } else {
        match db::facilities::find_by_tax_code(&state.db, new_tax).await? {
            None => {
                errors.add("new_tax_code", "adjustment.facility_unknown");
                None
            }
            Some((id, _)) if current.iter().any(|b| b.id == id) => {
                errors.add("new_tax_code", "adjustment.already_beneficiary");
                None
            }
            Some((id, _)) => Some(id),
        }
    };
    let replaced_tax = form.replaced_tax_code.trim();
    let replaced = match (replaced_tax.is_empty(), current.as_slice()) {
        (true, [only]) => Some(only.id),
        (true, _) => {
            errors.add("replaced_tax_code", "adjustment.which_beneficiary");
            None
        }
        (false, _) => {
            let found = current
                .iter()
                .find(|b| b.tax_code == replaced_tax)
                .map(|b| b.id);
            if found.is_none() {
                errors.add("replaced_tax_code", "adjustment.not_a_beneficiary");
            }
            found
        }
    };
    Ok(new.zip(replaced))
}

fn back(id: i64, key: &'static str) -> Response {
    (
        Flash::success(key),
        Redirect::to(&format!("/proposals/{id}/adjustments")),
    )
        .into_response()
}

/// The open request `req` of the page, for the director.
fn open_request(page: &AdjustmentsPage, req: i64) -> AppResult<Request> {
    if !page.may_decide {
        return Err(AppError::Conflict("adjustment.not_running"));
    }
    page.requests
        .iter()
        .find(|r| r.id == req)
        .filter(|r| r.status == AdjustmentStatus::Requested)
        .cloned()
        .ok_or(AppError::Conflict("adjustment.decided"))
}

/// `POST /proposals/{id}/adjustments/{req}/approve`: the Department's decision, or the top
/// level's recorded; the change takes effect in the same transaction.
async fn approve(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, req)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.require(Permission::DecideAdjustment)?;
    let mut page = load(&state, ctx, &user, id).await?;
    let request = open_request(&page, req)?;
    let mut errors = FieldErrors::default();
    let number = errors.required("decision_number", &form.decision_number, 100);
    let issuer = if request.level == AdjustmentLevel::Top {
        errors.required("decision_issuer", &form.decision_issuer, 300)
    } else {
        errors.text("decision_issuer", &form.decision_issuer, 300)
    };
    let day = match errors.check("decided_on", input::date(&form.decided_on)) {
        Some(Some(day)) if day > today() => {
            errors.add("decided_on", "adjustment.in_future");
            None
        }
        Some(Some(day)) => Some(day),
        Some(None) => {
            errors.add("decided_on", "input.required");
            None
        }
        None => None,
    };
    page.decision = form;
    page.decision_for = Some(req);
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Ok(refused(page, errors));
    };
    let approval = Approval {
        number: &number,
        day,
        issuer: &issuer,
    };
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let on = (&subject, &page.contract);
    let mut tx = state.db.begin().await?;
    workflow::adjustment::approve(&mut tx, &Act::now(&actor), on, &request, approval).await?;
    tx.commit().await?;
    Ok(back(id, "flash.adjustment_approved"))
}

/// `POST /proposals/{id}/adjustments/{req}/refuse`.
async fn refuse(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, req)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.require(Permission::DecideAdjustment)?;
    let mut page = load(&state, ctx, &user, id).await?;
    let request = open_request(&page, req)?;
    let mut errors = FieldErrors::default();
    let reason = errors.required("refusal_reason", &form.refusal_reason, 2000);
    page.decision = form;
    page.decision_for = Some(req);
    if !errors.is_empty() {
        return Ok(refused(page, errors));
    }
    let (actor, subject) = (user.actor(), Subject::from(&page.basis));
    let mut tx = state.db.begin().await?;
    workflow::adjustment::refuse(&mut tx, &Act::now(&actor), &subject, &request, &reason).await?;
    tx.commit().await?;
    Ok(back(id, "flash.adjustment_refused"))
}
