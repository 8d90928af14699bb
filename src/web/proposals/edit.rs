//! A new dossier, and editing one while a draft or returned.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;
use time::OffsetDateTime;

use super::dossier::{CapReport, DossierForm, FormPage, parse_dossier};
use crate::db;
use crate::db::proposals::ProposalDetail;
use crate::domain::format;
use crate::domain::policy::Permission;
use crate::domain::proposal::{ProposalForm, ProposalLevel};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::intake;
use crate::workflow::{Act, StepError, Subject};

#[derive(Deserialize)]
pub(super) struct NewQuery {
    facility: Option<i64>,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<NewQuery>,
) -> AppResult<FormPage> {
    user.require(Permission::CreateProposal)?;
    let this_year = OffsetDateTime::now_utc().to_offset(format::VIETNAM).year();
    let mut form = DossierForm {
        plan_year: (this_year + 1).to_string(),
        level: ProposalLevel::Local.code().into(),
        form: ProposalForm::Normal.code().into(),
        ..DossierForm::default()
    };
    if let Some(id) = query.facility
        && let Some(facility) = db::facilities::find(&state.db, &user.scope(), id).await?
    {
        form.facility_tax_codes = facility.tax_code;
    }
    FormPage::new(&state, ctx, None, form, FieldErrors::default()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<DossierForm>,
) -> AppResult<Response> {
    user.require(Permission::CreateProposal)?;
    let mut errors = FieldErrors::default();
    if form.add_lines.is_some() {
        return Ok(FormPage::new(&state, ctx, None, form, errors)
            .await?
            .into_response());
    }
    let mut cap = CapReport::default();
    let lang = ctx.lang;
    let Some(parsed) = parse_dossier(&state, &user, &form, &mut errors, &mut cap, lang).await?
    else {
        let mut page = FormPage::new(&state, ctx, None, form, errors).await?;
        page.cap = cap;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let id = intake::create(&mut tx, &Act::now(&actor), &parsed).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.proposal_saved"),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}

/// The proposal if the user sees it and may edit its dossier now.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<ProposalDetail> {
    user.require(Permission::CreateProposal)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !proposal.state.is_editable() {
        return Err(AppError::Conflict("proposal.not_editable"));
    }
    Ok(proposal)
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<FormPage> {
    let proposal = editable(&state, &user, id).await?;
    let beneficiaries = db::proposals::beneficiaries(&state.db, id).await?;
    let lines = db::proposals::cost_lines(&state.db, id).await?;
    let form = DossierForm::from_detail(&proposal, &beneficiaries, &lines);
    FormPage::new(&state, ctx, Some(id), form, FieldErrors::default()).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DossierForm>,
) -> AppResult<Response> {
    let current = editable(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    if form.add_lines.is_some() {
        return Ok(FormPage::new(&state, ctx, Some(id), form, errors)
            .await?
            .into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut cap = CapReport::default();
    let lang = ctx.lang;
    let Some(parsed) = parse_dossier(&state, &user, &form, &mut errors, &mut cap, lang).await?
    else {
        let mut page = FormPage::new(&state, ctx, Some(id), form, errors).await?;
        page.cap = cap;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = user.actor();
    let subject = Subject::from(&current).at_version(version);
    let mut tx = state.db.begin().await?;
    match intake::edit(&mut tx, &Act::now(&actor), &subject, &parsed).await {
        Ok(()) => tx.commit().await?,
        Err(StepError::Stale) => {
            drop(tx);
            let mut page = FormPage::new(&state, ctx, Some(id), form, errors).await?;
            page.stale = true;
            page.form.version = current.version.to_string();
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok((
        Flash::success("flash.proposal_saved"),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}
