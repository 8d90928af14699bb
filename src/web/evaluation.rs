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
use time::Date;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::today;
use crate::db;
use crate::db::evaluations::{Baseline, Evaluation};
use crate::db::proposals::Basis;
use crate::domain::evaluation;
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::workflow::evaluation::Figures;
use crate::workflow::{self, Act, StepError, Subject};

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
    let may_record = basis.state.is_settled()
        && next.is_some()
        && user.require(Permission::RecordEvaluation).is_ok();
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
    let parsed = form.figures(stage, page.baseline.settled_on);
    page.form = form;
    let figures = match parsed {
        Ok(figures) => figures,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let actor = user.actor();
    let subject = Subject::from(&page.basis);
    let mut tx = state.db.begin().await?;
    match workflow::evaluation::evaluate(&mut tx, &Act::now(&actor), &subject, &figures).await {
        Ok(()) => tx.commit().await?,
        // Another hand recorded the stage meanwhile.
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            page.errors.add(field, key);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    Ok((
        Flash::success("flash.evaluation_recorded"),
        Redirect::to(&format!("/proposals/{id}/evaluation")),
    )
        .into_response())
}

impl EvaluationForm {
    /// The figures of `stage` the form enters, evaluated on a day from the settlement
    /// (`settled_on`) to today; the fields' errors if not.
    fn figures(&self, stage: u8, settled_on: Option<Date>) -> Result<Figures, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.months_after.trim() != stage.to_string() {
            errors.add("months_after", "evaluation.stage_taken");
        }
        let evaluated_on = match errors.check("evaluated_on", input::date(&self.evaluated_on)) {
            Some(Some(day)) if day > today() => Err("evaluation.in_future"),
            Some(Some(day)) if settled_on.is_some_and(|s| day < s) => {
                Err("evaluation.before_settlement")
            }
            Some(Some(day)) => Ok(Some(day)),
            Some(None) => Err("input.required"),
            None => Ok(None),
        }
        .unwrap_or_else(|key| {
            errors.add("evaluated_on", key);
            None
        });
        let output = errors.text("output", &self.output, 2000);
        let revenue = errors.money("revenue", &self.revenue);
        let jobs = errors.whole("jobs", &self.jobs, 0, 1_000_000);
        let productivity = errors.whole(
            "productivity_change",
            &self.productivity_change,
            -100,
            10_000,
        );
        let notes = errors.text("notes", &self.notes, 5000);
        match evaluated_on {
            Some(evaluated_on) if errors.is_empty() => Ok(Figures {
                stage,
                evaluated_on,
                output,
                revenue,
                jobs: i32::try_from(jobs).unwrap_or(0),
                productivity_change: i32::try_from(productivity).unwrap_or(0),
                notes,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /proposals/{id}/evaluation/close`: the proposal is completed.
async fn close(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = load(&state, ctx, &user, id).await?;
    let actor = user.actor();
    let subject = Subject::from(&page.basis);
    let mut tx = state.db.begin().await?;
    workflow::evaluation::close(&mut tx, &Act::now(&actor), &subject).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.proposal_completed").with(subject.name()),
        Redirect::to(&format!("/proposals/{id}")),
    )
        .into_response())
}
