//! Post-checks (hậu kiểm) on a visit: the Centre adds a facility supported in an earlier
//! year by its proposal's code; a team member records whether the equipment is in use and
//! what it changed (`/appraisals/post-checks/{id}`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::visit_view;
use crate::db;
use crate::db::post_checks::{EquipmentUse, PostCheck, PostCheckInput};
use crate::domain::policy::Permission;
use crate::domain::proposal::parse_code;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;

/// Routes: `/appraisals/visits/{id}/post-checks`, `/appraisals/post-checks/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisals/visits/{id}/post-checks", post(add))
        .route("/appraisals/post-checks/{id}", get(show).post(record))
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    code: String,
}

async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    user.require(Permission::PlanVisits)?;
    let view = visit_view(&state, &user, id).await?;
    if view.visit.cancelled {
        return Err(AppError::Conflict("visit.cancelled"));
    }
    let visit_year = i16::try_from(view.visit.visit_date.year()).unwrap_or(i16::MAX);
    let found = match parse_code(&form.code) {
        Some(code) => db::proposals::find_by_code(&state.db, &user.scope(), &code).await?,
        None => None,
    };
    let Some((proposal_id, _, _)) =
        found.filter(|(_, state, year)| state.post_checkable() && *year < visit_year)
    else {
        return Ok((
            Flash::error("post_check.not_found")
                .with(form.code.trim().chars().take(40).collect::<String>()),
            Redirect::to(&format!("/appraisals/visits/{id}#post-checks")),
        )
            .into_response());
    };
    let mut tx = state.db.begin().await?;
    db::post_checks::insert(&mut tx, id, proposal_id).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.post_check_added"),
        Redirect::to(&format!("/appraisals/visits/{id}#post-checks")),
    )
        .into_response())
}

#[derive(Clone, Debug, Default, Deserialize)]
struct PostCheckForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    equipment: String,
    #[serde(default)]
    effects: String,
    #[serde(default)]
    output_now: String,
    #[serde(default)]
    revenue_now: String,
    #[serde(default)]
    jobs_now: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/post_check.html")]
struct PostCheckPage {
    ctx: PageContext,
    check: PostCheck,
    visit_title: String,
    may_record: bool,
    form: PostCheckForm,
    errors: FieldErrors,
    answers: [EquipmentUse; 3],
}

impl PostCheckPage {
    fn equipment_key(&self, code: &str) -> &'static str {
        EquipmentUse::from_code(code).map_or("post_check.open", EquipmentUse::label_key)
    }
}

/// The post-check, its visit's title, and whether the user may record it (a team member
/// with an account, or the Centre).
async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(PostCheck, String, bool)> {
    let check = db::post_checks::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = visit_view(state, user, check.visit_id).await?;
    db::proposals::find(&state.db, &view.proposal_scope(user), check.proposal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let may_record = !view.visit.cancelled
        && (view.me.is_some() || user.require(Permission::PlanVisits).is_ok());
    Ok((check, view.visit.title, may_record))
}

fn form_of(check: &PostCheck) -> PostCheckForm {
    PostCheckForm {
        version: check.version.to_string(),
        equipment: check.equipment.clone().unwrap_or_default(),
        effects: check.effects.clone(),
        output_now: check.output_now.clone(),
        revenue_now: check
            .revenue_now
            .map(crate::domain::money::format_plain)
            .unwrap_or_default(),
        jobs_now: check.jobs_now.map(|j| j.to_string()).unwrap_or_default(),
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<PostCheckPage> {
    let (check, visit_title, may_record) = load(&state, &user, id).await?;
    Ok(PostCheckPage {
        form: form_of(&check),
        ctx,
        check,
        visit_title,
        may_record,
        errors: FieldErrors::default(),
        answers: EquipmentUse::ALL,
    })
}

async fn record(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PostCheckForm>,
) -> AppResult<Response> {
    let (check, visit_title, may_record) = load(&state, &user, id).await?;
    if !may_record {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let equipment = EquipmentUse::from_code(form.equipment.trim());
    if equipment.is_none() {
        errors.add("equipment", "input.required");
    }
    let effects = errors.text("effects", &form.effects, 5000);
    let output_now = errors.text("output_now", &form.output_now, 2000);
    let revenue_now = (!form.revenue_now.trim().is_empty())
        .then(|| errors.money("revenue_now", &form.revenue_now));
    let jobs_now = (!form.jobs_now.trim().is_empty())
        .then(|| errors.whole("jobs_now", &form.jobs_now, 0, 1_000_000))
        .and_then(|j| i32::try_from(j).ok());
    let (Some(equipment), true) = (equipment, errors.is_empty()) else {
        let page = PostCheckPage {
            ctx,
            check,
            visit_title,
            may_record,
            form,
            errors,
            answers: EquipmentUse::ALL,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let input = PostCheckInput {
        equipment,
        effects,
        output_now,
        revenue_now,
        jobs_now,
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !db::post_checks::record(&mut tx, id, version, &input, user.0.user_id).await? {
        return Err(AppError::Conflict("post_check.stale"));
    }
    tx.commit().await?;
    Ok((
        Flash::success("flash.post_check_saved"),
        Redirect::to(&format!(
            "/appraisals/visits/{}#post-checks",
            check.visit_id
        )),
    )
        .into_response())
}
