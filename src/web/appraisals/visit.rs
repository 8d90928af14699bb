//! `/appraisals/visits/{id}`: a visit's page (team, proposals and each member's
//! declarations, date history, post-checks), its changes (team, proposals, hours, date,
//! cancellation, declarations) and the printed schedule of the day.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;
use sqlx::PgConnection;
use time::{Date, Time};

use super::{VisitView, today, visit_view};
use crate::app::AppState;
use crate::db;
use crate::db::post_checks::PostCheckSummary;
use crate::db::proposals::{ProposalFilters, ProposalSummary};
use crate::db::visits::{DateChange, DeclarationRow, Member, TeamCandidate, VisitProposal};
use crate::domain::appraisal::{Declaration, TeamRole, may_join_team};
use crate::domain::policy::Permission;
use crate::domain::{format, input};
use crate::error::{AppError, AppResult};
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::appraisal::{self, Slot};
use crate::workflow::{Act, StepError, Subject};

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

/// Puts proposal `proposal_id`, if `user` sees it, on the visit of `slot`: `Ok(Err(name))`
/// names one no longer waiting (the caller gives the form back and drops the transaction).
pub(super) async fn schedule(
    conn: &mut PgConnection,
    state: &AppState,
    user: &CurrentUser,
    slot: Slot,
    proposal_id: i64,
    planned_time: Option<Time>,
) -> AppResult<Result<(), String>> {
    let Some(proposal) = db::proposals::find(&state.db, &user.scope(), proposal_id).await? else {
        return Ok(Err(proposal_id.to_string()));
    };
    let subject = Subject::from(&proposal);
    let actor = user.actor();
    match appraisal::schedule(conn, &Act::now(&actor), &subject, slot, planned_time).await {
        Ok(()) => Ok(Ok(())),
        Err(StepError::Refused { .. }) => Ok(Err(subject.name())),
        Err(other) => Err(other.into()),
    }
}

async fn details(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let title = errors.required("title", &form.title, 300);
    let notes = errors.text("notes", &form.notes, 5000);
    if !errors.is_empty() {
        return refuse(&state, ctx, &user, view, form, errors, "details").await;
    }
    let mut tx = state.db.begin().await?;
    if !db::visits::update_details(&mut tx, id, form.version(), &title, &notes).await? {
        return Err(AppError::Conflict("visit.stale"));
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

async fn reschedule(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let date = super::planning::visit_date(&mut errors, "visit_date", &form.visit_date);
    let reason = errors.required("reason", &form.reason, 2000);
    if date == Some(view.visit.visit_date) {
        errors.add("visit_date", "visit.same_date");
    }
    let Some(date) = date.filter(|_| errors.is_empty()) else {
        return refuse(&state, ctx, &user, view, form, errors, "reschedule").await;
    };
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let visit = (id, form.version());
    appraisal::reschedule(&mut tx, &Act::now(&actor), visit, date, &reason).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_rescheduled"))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let reason = errors.required("reason", &form.reason, 2000);
    if !errors.is_empty() {
        return refuse(&state, ctx, &user, view, form, errors, "cancel").await;
    }
    let note = ctx.t_with("visit.cancelled_note", &reason);
    let visit = (id, form.version(), view.visit.visit_date);
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    appraisal::cancel(&mut tx, &Act::now(&actor), visit, &reason, &note).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_cancelled"))
}

async fn add_member(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let name = errors.text("external_name", &form.external_name, 200);
    let unit = errors.text("external_unit", &form.external_unit, 300);
    let account = form.user_id.trim();
    let candidates = db::visits::team_candidates(&state.db, &view.visit.province_code).await?;
    let chosen = account
        .parse::<i64>()
        .ok()
        .and_then(|uid| candidates.iter().find(|c| c.id == uid))
        .filter(|c| may_join_team(c.role));
    match (chosen, account.is_empty(), name.is_empty()) {
        (None, false, _) => errors.add("user_id", "visit.member_unknown"),
        (None, true, true) => errors.add("user_id", "visit.member_required"),
        _ => {}
    }
    if !errors.is_empty() {
        return refuse(&state, ctx, &user, view, form, errors, "member").await;
    }
    let mut tx = locked(&state, id, form.version()).await?;
    match chosen {
        Some(candidate) => {
            db::visits::add_user_member(&mut tx, id, candidate.id, TeamRole::Member).await?;
            let actor = user.actor();
            let day = format::date(view.visit.visit_date);
            let (act, assigned) = (Act::now(&actor), "notify.visit_assigned");
            appraisal::tell_people(&mut tx, &act, id, &[candidate.id], assigned, &day).await?;
        }
        None => db::visits::add_external_member(&mut tx, id, &name, &unit).await?,
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

/// `…/members/{member}/remove` takes a member off the team (never the leader);
/// `…/members/{member}/leader` makes a member with an account the leader.
async fn change_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member, change)): Path<(i64, i64, String)>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    for_planning(&state, &user, id).await?;
    let mut tx = locked(&state, id, form.version()).await?;
    match change.as_str() {
        "remove" => db::visits::remove_member(&mut tx, id, member).await?,
        "leader" => db::visits::set_leader(&mut tx, id, member).await?,
        _ => return Err(AppError::NotFound),
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

async fn add_proposal(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let proposal_id = form.proposal_id.trim().parse::<i64>().ok();
    if proposal_id.is_none() {
        errors.add("proposal_id", "visit.proposal_unknown");
    }
    let planned_time = errors
        .check("planned_time", input::time_of_day(&form.planned_time))
        .flatten();
    let Some(proposal_id) = proposal_id.filter(|_| errors.is_empty()) else {
        return refuse(&state, ctx, &user, view, form, errors, "proposal").await;
    };
    let mut tx = locked(&state, id, form.version()).await?;
    let slot = slot_of(&view.visit);
    let scheduled = schedule(&mut tx, &state, &user, slot, proposal_id, planned_time).await?;
    if scheduled.is_err() {
        drop(tx);
        errors.add("proposal_id", "visit.proposal_taken");
        return refuse(&state, ctx, &user, view, form, errors, "proposal").await;
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

async fn remove_proposal(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, proposal_id)): Path<(i64, i64)>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let purpose = view.visit.purpose;
    let actor = user.actor();
    let note = ctx.t("visit.removed_note");
    let mut tx = locked(&state, id, form.version()).await?;
    appraisal::remove(&mut tx, &Act::now(&actor), (id, purpose), proposal_id, note).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

async fn set_time(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, proposal_id)): Path<(i64, i64)>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = for_planning(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let planned_time = errors
        .check("planned_time", input::time_of_day(&form.planned_time))
        .flatten();
    if !errors.is_empty() {
        return refuse(&state, ctx, &user, view, form, errors, "time").await;
    }
    let mut tx = locked(&state, id, form.version()).await?;
    db::visits::set_planned_time(&mut tx, id, proposal_id, planned_time).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

/// A member declares on a proposal of the visit; the leader records an external member's
/// declaration (made on paper). Declarations change only while the proposal's record on
/// this visit is a draft.
async fn declare(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = visit_view(&state, &user, id).await?;
    if view.visit.cancelled {
        return Err(AppError::Conflict("visit.cancelled"));
    }
    let me = view.me.clone().ok_or(AppError::Forbidden)?;
    let member = match form.member_id.trim().parse::<i64>() {
        Ok(member_id) if member_id != me.id => {
            // Only the leader, and only for members without an account.
            let other = view
                .members
                .iter()
                .find(|m| m.id == member_id && m.user_id.is_none())
                .cloned()
                .ok_or(AppError::Forbidden)?;
            if !view.is_leader() {
                return Err(AppError::Forbidden);
            }
            other
        }
        _ => me,
    };
    let proposal_id = form
        .proposal_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let proposals = db::visits::proposals(&state.db, id).await?;
    let proposal = proposals
        .iter()
        .find(|p| p.proposal_id == proposal_id)
        .ok_or(AppError::NotFound)?;
    if proposal.record_final {
        return Err(AppError::Conflict("appraisal.refusal.finalised"));
    }
    let mut errors = FieldErrors::default();
    let declaration = match form.conflict.as_str() {
        "no" => Some(Declaration::NoConflict),
        "yes" => Some(Declaration::Conflict),
        _ => None,
    };
    let note = errors.text("note", &form.note, 2000);
    match declaration {
        None => errors.add("conflict", "visit.declaration_required"),
        Some(Declaration::Conflict) if note.is_empty() => {
            errors.add("note", "visit.conflict_note_required")
        }
        _ => {}
    }
    let Some(declaration) = declaration.filter(|_| errors.is_empty()) else {
        return refuse(&state, ctx, &user, view, form, errors, "declare").await;
    };
    let mut tx = state.db.begin().await?;
    db::visits::declare(
        &mut tx,
        member.id,
        proposal_id,
        declaration,
        &note,
        user.0.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(back(id, "flash.declared"))
}

// ---------------------------------------------------------------- the printed schedule

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/schedule.html")]
struct SchedulePage {
    ctx: PageContext,
    view: VisitView,
    proposals: Vec<VisitProposal>,
    issuer: db::organisations::Issuer,
    printed_on: Date,
    /// Whether the results of final records are printed (the trip's summary).
    show_results: bool,
}

impl SchedulePage {
    fn leader(&self) -> Option<&Member> {
        self.view.leader()
    }
}

async fn schedule_sheet(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<SchedulePage> {
    let view = visit_view(&state, &user, id).await?;
    let proposals = db::visits::proposals(&state.db, id).await?;
    let show_results = proposals.iter().any(|p| p.record_final)
        && crate::domain::appraisal::may_see_scores(user.0.role, view.me.is_some(), true);
    Ok(SchedulePage {
        show_results,
        proposals,
        issuer: db::organisations::issuer(&state.db, &view.visit.province_code).await?,
        printed_on: today(),
        ctx,
        view,
    })
}
