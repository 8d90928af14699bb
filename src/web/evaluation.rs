//! Evaluating a settled proposal's effects (`/proposals/{id}/evaluation`, DOMAIN.md §4.11):
//! output, revenue, jobs and labour productivity against the dossier's baseline, at
//! settlement and at the follow-ups (`domain::evaluation::STAGES`). Once the evaluation at
//! settlement is recorded, the Centre closes the proposal (`completed`); the follow-ups are
//! recorded after as they fall due.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::app::AppState;
use crate::db;
use crate::db::evaluations::{Baseline, Evaluation, NewEvaluation};
use crate::db::proposals::Basis;
use crate::db::proposals::NewEvent;
use crate::domain::evaluation;
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult, ResultExt as _};

/// Routes of evaluation.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/evaluation", get(show).post(record))
        .route("/proposals/{id}/evaluation/close", post(close))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct EvaluationForm {
    months_after: String,
    evaluated_on: String,
    output: String,
    revenue: String,
    jobs: String,
    productivity_change: String,
    notes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/show.html")]
struct EvaluationPage {
    ctx: PageContext,
    basis: Basis,
    baseline: Baseline,
    evaluations: Vec<Evaluation>,
    /// The next stage to record and its due day.
    next: Option<(u8, Date)>,
    may_record: bool,
    may_close: bool,
    form: EvaluationForm,
    errors: FieldErrors,
}

impl EvaluationPage {
    fn revenue_change(&self, e: &Evaluation) -> i64 {
        evaluation::change(self.baseline.baseline_revenue, e.revenue)
    }

    fn jobs_change(&self, e: &Evaluation) -> i64 {
        evaluation::change(i64::from(self.baseline.baseline_jobs), i64::from(e.jobs))
    }

    fn stage_key(months: &i16) -> &'static str {
        if *months == 0 {
            "evaluation.at_settlement"
        } else {
            "evaluation.follow_up"
        }
    }
}

async fn load(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
) -> AppResult<EvaluationPage> {
    user.require(Permission::ViewProposals)?;
    let basis = db::proposals::basis(&state.db, &user.scope(), id).await?;
    let baseline = db::evaluations::baseline(&state.db, id).await?;
    let evaluations = db::evaluations::of_proposal(&state.db, id).await?;
    let recorded: Vec<u8> = evaluations
        .iter()
        .filter_map(|e| u8::try_from(e.months_after).ok())
        .collect();
    let next = baseline
        .settled_on
        .and_then(|day| evaluation::next_due(day, &recorded));
    let settled = matches!(
        basis.state,
        ProposalState::Settled | ProposalState::Completed
    );
    let may_record =
        settled && next.is_some() && user.require(Permission::RecordEvaluation).is_ok();
    let may_close = recorded.contains(&0)
        && transition::transition(basis.state, Action::Close, user.0.role).is_ok();
    Ok(EvaluationPage {
        form: EvaluationForm {
            evaluated_on: today().to_string(),
            months_after: next.map(|n| n.0.to_string()).unwrap_or_default(),
            ..EvaluationForm::default()
        },
        ctx,
        basis,
        baseline,
        evaluations,
        next,
        may_record,
        may_close,
        errors: FieldErrors::default(),
    })
}

/// `GET /proposals/{id}/evaluation`.
async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<EvaluationPage> {
    load(&state, ctx, &user, id).await
}

/// `POST /proposals/{id}/evaluation`: records the next stage's figures.
async fn record(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EvaluationForm>,
) -> AppResult<Response> {
    user.require(Permission::RecordEvaluation)?;
    let mut page = load(&state, ctx, &user, id).await?;
    let Some((stage, _)) = page.next.filter(|_| page.may_record) else {
        return Err(AppError::Conflict("evaluation.nothing_due"));
    };
    let mut errors = FieldErrors::default();
    if form.months_after.trim() != stage.to_string() {
        errors.add("months_after", "evaluation.stage_taken");
    }
    let evaluated_on = match errors.check("evaluated_on", input::date(&form.evaluated_on)) {
        Some(Some(day)) if day > today() => {
            errors.add("evaluated_on", "evaluation.in_future");
            None
        }
        Some(Some(day)) if page.baseline.settled_on.is_some_and(|s| day < s) => {
            errors.add("evaluated_on", "evaluation.before_settlement");
            None
        }
        Some(Some(day)) => Some(day),
        Some(None) => {
            errors.add("evaluated_on", "input.required");
            None
        }
        None => None,
    };
    let output = errors.text("output", &form.output, 2000);
    let revenue = errors.money("revenue", &form.revenue);
    let jobs = errors.whole("jobs", &form.jobs, 0, 1_000_000);
    let productivity = errors.whole(
        "productivity_change",
        &form.productivity_change,
        -100,
        10_000,
    );
    let notes = errors.text("notes", &form.notes, 5000);
    page.form = form;
    let Some(evaluated_on) = evaluated_on.filter(|_| errors.is_empty()) else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    let inserted = db::evaluations::insert(
        &mut tx,
        &NewEvaluation {
            proposal_id: id,
            months_after: i16::from(stage),
            evaluated_on,
            output: &output,
            revenue,
            jobs: i32::try_from(jobs).unwrap_or(0),
            productivity_change: i32::try_from(productivity).unwrap_or(0),
            notes: &notes,
            recorded_by: user.0.user_id,
        },
    )
    .await
    .on_constraint("evaluations_proposal_id_months_after_key", || {
        AppError::Conflict("evaluation.stage_taken")
    });
    if let Err(AppError::Conflict(key)) = inserted {
        drop(tx);
        page.errors.add("months_after", key);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    inserted?;
    let state_now = page.basis.state;
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: "evaluation",
            from: Some(state_now),
            to: state_now,
            note: &notes,
            details: json!({
                "months_after": stage,
                "revenue": revenue,
                "jobs": jobs,
                "productivity_change": productivity,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.evaluation_recorded"),
        Redirect::to(&format!("/proposals/{id}/evaluation")),
    )
        .into_response())
}

/// `POST /proposals/{id}/evaluation/close`: the proposal is completed.
#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
async fn close(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = load(&state, ctx, &user, id).await?;
    let step = transition::transition(page.basis.state, Action::Close, user.0.role)?;
    let mut tx = state.db.begin().await?;
    if !db::evaluations::has_settlement_stage(&mut tx, id).await? {
        return Err(AppError::Conflict("evaluation.needed_to_close"));
    }
    let version = page.basis.version;
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
    db::proposals::insert_event(
        &mut tx,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id: id,
            actor_id: user.0.user_id,
            action: step.action.code(),
            from: Some(step.from),
            to: step.to,
            note: "",
            details: json!({}),
        },
    )
    .await?;
    let name = page
        .basis
        .code
        .clone()
        .unwrap_or_else(|| page.basis.title.clone());
    db::notifications::notify_followers(
        &mut tx,
        &[id],
        user.0.user_id,
        "notify.completed",
        std::slice::from_ref(&name),
        &[format!("/proposals/{id}")],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(proposal.id = id, user.id = user.0.user_id, "completed");
    Ok((
        Flash::success("flash.proposal_completed").with(name),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}
