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
use crate::db::proposals::{NewEvent, ProposalFilters, ProposalSummary};
use crate::db::scope::ScopeParams;
use crate::db::visits::{DateChange, DeclarationRow, Member, TeamCandidate, VisitProposal};
use crate::domain::appraisal::{Declaration, TeamRole, VisitPurpose, may_join_team};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::transition::{self, Action};
use crate::domain::{format, input};
use crate::error::{AppError, AppResult};
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;

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

/// Where and when a proposal is put: the visit, its day and what it is for.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    pub visit_id: i64,
    pub visit_date: Date,
    pub purpose: VisitPurpose,
}

impl Slot {
    fn of(visit: &crate::db::visits::Visit) -> Self {
        Self {
            visit_id: visit.id,
            visit_date: visit.visit_date,
            purpose: visit.purpose,
        }
    }
}

/// Puts proposal `proposal_id` (in `scope`) on the visit of `slot` and opens its record. For
/// an appraisal the proposal must be accepted and moves to `appraisal_scheduled`; for an
/// acceptance it must be in progress, and stays so. Writes its timeline and tells its
/// followers. `Ok(Err(name))` names a proposal that is no longer waiting (the caller gives
/// the form back; the transaction must then be dropped).
#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
pub(super) async fn schedule(
    conn: &mut PgConnection,
    state: &AppState,
    user: &CurrentUser,
    scope: &ScopeParams,
    slot: Slot,
    proposal_id: i64,
    planned_time: Option<Time>,
) -> AppResult<Result<(), String>> {
    let Some(proposal) = db::proposals::find(&state.db, scope, proposal_id).await? else {
        return Ok(Err(proposal_id.to_string()));
    };
    let name = proposal
        .code
        .clone()
        .unwrap_or_else(|| proposal.title.clone());
    let (current, version) = db::appraisals::lock_proposal(conn, proposal_id).await?;
    let (action, to, message) = match slot.purpose {
        VisitPurpose::Appraisal => {
            let step = transition::transition(
                ProposalState::Accepted,
                Action::ScheduleAppraisal,
                user.0.role,
            )
            .map_err(|_| AppError::Forbidden)?;
            if current != step.from
                || !db::proposals::set_state(
                    conn,
                    proposal_id,
                    step,
                    version,
                    None,
                    time::OffsetDateTime::now_utc(),
                )
                .await?
            {
                return Ok(Err(name));
            }
            (step.action.code(), step.to, "notify.appraisal_planned")
        }
        VisitPurpose::Acceptance => {
            if current != ProposalState::InProgress {
                return Ok(Err(name));
            }
            ("schedule_acceptance", current, "notify.acceptance_planned")
        }
    };
    db::visits::add_proposal(conn, slot.visit_id, slot.purpose, proposal_id, planned_time).await?;
    let when = format::date(slot.visit_date);
    db::proposals::insert_event(
        conn,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id,
            actor_id: user.0.user_id,
            action,
            from: Some(current),
            to,
            note: &when,
            details: serde_json::json!({
                "visit_id": slot.visit_id,
                "visit_date": slot.visit_date.to_string(),
            }),
        },
    )
    .await?;
    let followers = db::notifications::proposal_followers(conn, proposal_id).await?;
    db::notifications::notify(
        conn,
        &followers,
        user.0.user_id,
        message,
        &format!("{name} · {when}"),
        &format!("/proposals/{proposal_id}"),
    )
    .await?;
    Ok(Ok(()))
}

/// Takes a scheduled proposal back to the queue (removed from its visit, or the visit
/// cancelled), with `note` on its timeline.
#[expect(clippy::disallowed_methods, reason = "moves to the workflow layer")]
async fn unschedule(
    conn: &mut PgConnection,
    user: &CurrentUser,
    proposal_id: i64,
    note: &str,
) -> AppResult<()> {
    let (current, version) = db::appraisals::lock_proposal(conn, proposal_id).await?;
    let step = transition::transition(current, Action::UnscheduleAppraisal, user.0.role)
        .map_err(|_| AppError::Conflict("proposal.action_not_now"))?;
    if !db::proposals::set_state(
        conn,
        proposal_id,
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
        conn,
        &NewEvent {
            at: time::OffsetDateTime::now_utc(),
            proposal_id,
            actor_id: user.0.user_id,
            action: Action::UnscheduleAppraisal.code(),
            from: Some(step.from),
            to: step.to,
            note,
            details: serde_json::json!({}),
        },
    )
    .await?;
    let followers = db::notifications::proposal_followers(conn, proposal_id).await?;
    db::notifications::notify(
        conn,
        &followers,
        user.0.user_id,
        "notify.appraisal_unscheduled",
        note,
        &format!("/proposals/{proposal_id}"),
    )
    .await
}

/// Tells the visit's team (but the user who changed it) with message `key`.
async fn notify_team(
    conn: &mut PgConnection,
    visit_id: i64,
    user: &CurrentUser,
    key: &str,
    value: &str,
) -> AppResult<()> {
    let members = db::visits::member_user_ids(conn, visit_id).await?;
    db::notifications::notify(
        conn,
        &members,
        user.0.user_id,
        key,
        value,
        &format!("/appraisals/visits/{visit_id}"),
    )
    .await
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
    let mut tx = state.db.begin().await?;
    let Some(from) =
        db::visits::reschedule(&mut tx, id, form.version(), date, &reason, user.0.user_id).await?
    else {
        return Err(AppError::Conflict("visit.stale"));
    };
    let change = format!("{} → {}", format::date(from), format::date(date));
    let note = format!("{change}: {reason}");
    for proposal in db::visits::proposals(&state.db, id).await? {
        if proposal.state != ProposalState::AppraisalScheduled || proposal.record_final {
            continue;
        }
        db::proposals::insert_event(
            &mut tx,
            &NewEvent {
                at: time::OffsetDateTime::now_utc(),
                proposal_id: proposal.proposal_id,
                actor_id: user.0.user_id,
                action: "reschedule_appraisal",
                from: Some(proposal.state),
                to: proposal.state,
                note: &note,
                details: serde_json::json!({ "visit_id": id, "from": from.to_string(), "to": date.to_string() }),
            },
        )
        .await?;
        let followers =
            db::notifications::proposal_followers(&mut tx, proposal.proposal_id).await?;
        db::notifications::notify(
            &mut tx,
            &followers,
            user.0.user_id,
            "notify.appraisal_rescheduled",
            &change,
            &format!("/proposals/{}", proposal.proposal_id),
        )
        .await?;
    }
    notify_team(&mut tx, id, &user, "notify.visit_rescheduled", &change).await?;
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
    let mut tx = state.db.begin().await?;
    let scheduled = db::visits::scheduled_proposals(&mut tx, id).await?;
    if !db::visits::cancel(&mut tx, id, form.version(), &reason).await? {
        return Err(AppError::Conflict("visit.stale"));
    }
    db::visits::void_drafts(&mut tx, id).await?;
    let note = ctx.t_with("visit.cancelled_note", &reason);
    for proposal_id in scheduled {
        unschedule(&mut tx, &user, proposal_id, &note).await?;
    }
    let day = format::date(view.visit.visit_date);
    notify_team(&mut tx, id, &user, "notify.visit_cancelled", &day).await?;
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
            db::notifications::notify(
                &mut tx,
                &[candidate.id],
                user.0.user_id,
                "notify.visit_assigned",
                &format::date(view.visit.visit_date),
                &format!("/appraisals/visits/{id}"),
            )
            .await?;
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
    let scheduled = schedule(
        &mut tx,
        &state,
        &user,
        &user.scope(),
        Slot::of(&view.visit),
        proposal_id,
        planned_time,
    )
    .await?;
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
    let mut tx = locked(&state, id, form.version()).await?;
    if !db::visits::remove_proposal(&mut tx, id, purpose, proposal_id).await? {
        return Err(AppError::Conflict("visit.record_started"));
    }
    if purpose == VisitPurpose::Appraisal {
        unschedule(&mut tx, &user, proposal_id, ctx.t("visit.removed_note")).await?;
    }
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
