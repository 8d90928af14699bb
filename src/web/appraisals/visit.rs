//! `/appraisals/visits/{id}`: a visit's page (team, proposals and each member's
//! declarations, date history, post-checks), its changes (team, proposals, hours, date,
//! cancellation, declarations) and the printed schedule of the day.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use sqlx::PgConnection;
use time::{Date, Time};

use super::{VisitView, today, visit_view};
use crate::db;
use crate::db::post_checks::PostCheckSummary;
use crate::db::proposals::{ProposalFilters, ProposalSummary};
use crate::db::visits::{DateChange, DeclarationRow, Member, TeamCandidate, VisitProposal};
use crate::domain::appraisal::Declaration;
use crate::domain::input;
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::appraisal::{self, Slot};
use crate::workflow::{Act, StepError, Subject};

mod changes;
mod declare;
mod sheet;
use changes::{
    add_member, add_proposal, cancel, change_member, details, remove_proposal, reschedule, set_time,
};
use declare::declare;
use sheet::schedule_sheet;

/// Routes under `/appraisals/visits/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisals/visits/{id}", get(show))
        .route("/appraisals/visits/{id}/schedule", get(schedule_sheet))
        .route("/appraisals/visits/{id}/details", post(details))
        .route("/appraisals/visits/{id}/reschedule", post(reschedule))
        .route("/appraisals/visits/{id}/cancel", post(cancel))
        .route("/appraisals/visits/{id}/members", post(add_member))
        .route(
            "/appraisals/visits/{id}/members/{member}/{change}",
            post(change_member),
        )
        .route("/appraisals/visits/{id}/proposals", post(add_proposal))
        .route(
            "/appraisals/visits/{id}/proposals/{proposal}/remove",
            post(remove_proposal),
        )
        .route(
            "/appraisals/visits/{id}/proposals/{proposal}/time",
            post(set_time),
        )
        .route("/appraisals/visits/{id}/declare", post(declare))
}

/// Every form of the visit's page, as typed (each sends the fields it has).
#[derive(Clone, Debug, Default, Deserialize)]
struct VisitAction {
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    visit_date: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    external_name: String,
    #[serde(default)]
    external_unit: String,
    #[serde(default)]
    proposal_id: String,
    #[serde(default)]
    planned_time: String,
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    conflict: String,
    #[serde(default)]
    note: String,
}

impl VisitAction {
    fn version(&self) -> i32 {
        self.version.trim().parse().unwrap_or(-1)
    }
}

/// A member's column in the declarations table.
struct DeclarationCell {
    declaration: Option<Declaration>,
    note: String,
}

/// A proposal row of the visit's page.
struct ProposalRow {
    proposal: VisitProposal,
    cells: Vec<DeclarationCell>,
    /// The user's own declaration, when on the team.
    mine: Option<Option<Declaration>>,
}

impl ProposalRow {
    fn on_team(&self) -> bool {
        self.mine.is_some()
    }

    fn declared(&self) -> bool {
        matches!(self.mine, Some(Some(_)))
    }

    /// Whether the user's declaration is `no` (no conflict) or `yes` (a conflict).
    fn mine_is(&self, answer: &str) -> bool {
        match self.mine {
            Some(Some(Declaration::NoConflict)) => answer == "no",
            Some(Some(Declaration::Conflict)) => answer == "yes",
            _ => false,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/visit.html")]
struct VisitPage {
    ctx: PageContext,
    view: VisitView,
    rows: Vec<ProposalRow>,
    changes: Vec<DateChange>,
    post_checks: Vec<PostCheckSummary>,
    may_plan: bool,
    is_leader: bool,
    candidates: Vec<TeamCandidate>,
    queue: Vec<ProposalSummary>,
    form: VisitAction,
    errors: FieldErrors,
    /// Which form the errors belong to.
    failed: &'static str,
}

impl VisitPage {
    /// The date field of the reschedule form: as typed after a mistake, else the current.
    fn reschedule_date(&self) -> String {
        if self.failed == "reschedule" {
            self.form.visit_date.clone()
        } else {
            self.view.visit.visit_date.to_string()
        }
    }

    /// The title field of the details form: as typed after a mistake, else the current.
    fn details_title(&self) -> String {
        if self.failed == "details" {
            self.form.title.clone()
        } else {
            self.view.visit.title.clone()
        }
    }

    fn externals(&self) -> Vec<&Member> {
        self.view
            .members
            .iter()
            .filter(|m| m.user_id.is_none())
            .collect()
    }
}

async fn render(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    view: VisitView,
    form: VisitAction,
    errors: FieldErrors,
    failed: &'static str,
) -> AppResult<VisitPage> {
    let id = view.visit.id;
    let proposals = db::visits::proposals(&state.db, id).await?;
    let declarations = db::visits::declarations(&state.db, id).await?;
    let rows = proposals
        .into_iter()
        .map(|p| ProposalRow {
            cells: view
                .members
                .iter()
                .map(|m| cell(&declarations, m.id, p.proposal_id))
                .collect(),
            mine: view.my_declaration(&declarations, p.proposal_id),
            proposal: p,
        })
        .collect();
    let may_plan = user.require(Permission::PlanVisits).is_ok() && !view.visit.cancelled;
    let (candidates, queue) = if may_plan {
        let filters = ProposalFilters {
            state: Some(view.visit.purpose.queue_state()),
            sort: "code".into(),
            ..ProposalFilters::default()
        };
        (
            db::visits::team_candidates(&state.db, &view.visit.province_code).await?,
            db::proposals::list(&state.db, &user.scope(), &filters, 200, 0).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(VisitPage {
        changes: db::visits::date_changes(&state.db, id).await?,
        post_checks: db::post_checks::of_visit(&state.db, id).await?,
        is_leader: view.is_leader(),
        ctx,
        view,
        rows,
        may_plan,
        candidates,
        queue,
        form,
        errors,
        failed,
    })
}

fn cell(declarations: &[DeclarationRow], member_id: i64, proposal_id: i64) -> DeclarationCell {
    let found = declarations
        .iter()
        .find(|d| d.member_id == member_id && d.proposal_id == proposal_id);
    DeclarationCell {
        declaration: found.map(|d| d.declaration),
        note: found.map(|d| d.note.clone()).unwrap_or_default(),
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<VisitPage> {
    let view = visit_view(&state, &user, id).await?;
    render(
        &state,
        ctx,
        &user,
        view,
        VisitAction::default(),
        FieldErrors::default(),
        "",
    )
    .await
}

/// The page again with the mistakes of the form `failed`.
async fn refuse(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    view: VisitView,
    form: VisitAction,
    errors: FieldErrors,
    failed: &'static str,
) -> AppResult<Response> {
    let page = render(state, ctx, user, view, form, errors, failed).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn back(id: i64, key: &'static str) -> Response {
    (
        Flash::success(key),
        Redirect::to(&format!("/appraisals/visits/{id}")),
    )
        .into_response()
}

/// The visit for a planner's change: the user may plan, and the visit is still planned.
async fn for_planning(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<VisitView> {
    user.require(Permission::PlanVisits)?;
    let view = visit_view(state, user, id).await?;
    if view.visit.cancelled {
        return Err(AppError::Conflict("visit.cancelled"));
    }
    Ok(view)
}

/// A planner's change of visit `{id}` as it arrives: who asks, the visit as they may change
/// it (checked before a byte of the body is read), and the form.
pub(super) struct PlannerChange {
    state: AppState,
    ctx: PageContext,
    user: CurrentUser,
    view: VisitView,
    form: VisitAction,
}

impl FromRequest<AppState> for PlannerChange {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = request.into_parts();
        let ctx = PageContext::from_request_parts(&mut parts, state).await?;
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let params = RawPathParams::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let id = params
            .iter()
            .find(|(name, _)| *name == "id")
            .and_then(|(_, value)| value.parse::<i64>().ok())
            .ok_or(AppError::NotFound)?;
        let view = for_planning(state, &user, id).await?;
        let request = Request::from_parts(parts, body);
        let Form(form) = Form::<VisitAction>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        Ok(Self {
            state: state.clone(),
            ctx,
            user,
            view,
            form,
        })
    }
}

impl PlannerChange {
    /// The visit's id.
    fn id(&self) -> i64 {
        self.view.visit.id
    }

    /// The visit's page again with 422, the form as typed and its mistakes by the part of
    /// the page that `failed`.
    async fn refuse(self, errors: FieldErrors, failed: &'static str) -> AppResult<Response> {
        let Self {
            state,
            ctx,
            user,
            view,
            form,
        } = self;
        refuse(&state, ctx, &user, view, form, errors, failed).await
    }

    /// Opens the change's transaction, with the visit locked at the form's version.
    async fn locked(&self) -> AppResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        locked(&self.state, self.id(), self.form.version()).await
    }
}

/// Opens the transaction of a planner's change, with the visit locked at the form's version.
async fn locked(
    state: &AppState,
    id: i64,
    version: i32,
) -> AppResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = state.db.begin().await?;
    if !db::visits::lock_planned(&mut tx, id, version).await? {
        return Err(AppError::Conflict("visit.stale"));
    }
    Ok(tx)
}

/// The visit's slot for its proposals.
fn slot_of(visit: &crate::db::visits::Visit) -> Slot {
    Slot {
        visit_id: visit.id,
        visit_date: visit.visit_date,
        purpose: visit.purpose,
    }
}

/// Puts the proposals of `ids` that `user` sees on the visit of `slot`, in turn:
/// `Ok(Err(name))` names the first one `user` does not see or that no longer waits (the
/// caller gives the form back and drops the transaction).
pub(super) async fn schedule(
    conn: &mut PgConnection,
    state: &AppState,
    user: &CurrentUser,
    slot: Slot,
    ids: &[i64],
    planned_time: Option<Time>,
) -> AppResult<Result<(), String>> {
    let seen = db::proposals::in_scope(&state.db, &user.scope(), ids).await?;
    let actor = user.actor();
    for &id in ids {
        let Some(proposal) = seen.iter().find(|p| p.id == id) else {
            return Ok(Err(id.to_string()));
        };
        let subject = Subject::from(proposal.clone());
        match appraisal::schedule(conn, &Act::now(&actor), &subject, slot, planned_time).await {
            Ok(()) => {}
            Err(StepError::Refused { .. }) => return Ok(Err(subject.name())),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(Ok(()))
}

/// The date of a visit: a real day, within a year of today either way (a visit recorded
/// afterwards, or planned for next season).
pub(super) fn visit_date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Date> {
    let date = errors.check(field, input::date(value)).flatten();
    match date {
        None if errors.get(field).is_none() => {
            errors.add(field, "input.required");
            None
        }
        Some(d) if (d - today()).whole_days().abs() > 366 => {
            errors.add(field, "visit.date_implausible");
            None
        }
        other => other,
    }
}
