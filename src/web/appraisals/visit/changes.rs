//! A planner's changes of a visit: its details, its day, its cancellation, its team, its
//! proposals and their hours. Each handler takes a [`PlannerChange`]: the visit is checked
//! as the planner may change it before the form is read.

use axum::extract::Path;
use axum::response::Response;

use super::{PlannerChange, back, schedule, slot_of};
use crate::db;
use crate::domain::appraisal::{TeamRole, may_join_team};
use crate::domain::{format, input};
use crate::error::{AppError, AppResult};
use crate::web::form::FieldErrors;
use crate::workflow::Act;
use crate::workflow::appraisal::{self};

pub(super) async fn details(change: PlannerChange) -> AppResult<Response> {
    let (id, form) = (change.id(), &change.form);
    let mut errors = FieldErrors::default();
    let title = errors.required("title", &form.title, 300);
    let notes = errors.text("notes", &form.notes, 5000);
    if !errors.is_empty() {
        return change.refuse(errors, "details").await;
    }
    let mut tx = change.state.db.begin().await?;
    if !db::visits::update_details(&mut tx, id, form.version(), &title, &notes).await? {
        return Err(AppError::Conflict("visit.stale"));
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

pub(super) async fn reschedule(change: PlannerChange) -> AppResult<Response> {
    let (id, form) = (change.id(), &change.form);
    let mut errors = FieldErrors::default();
    let date = super::visit_date(&mut errors, "visit_date", &form.visit_date);
    let reason = errors.required("reason", &form.reason, 2000);
    if date == Some(change.view.visit.visit_date) {
        errors.add("visit_date", "visit.same_date");
    }
    let Some(date) = date.filter(|_| errors.is_empty()) else {
        return change.refuse(errors, "reschedule").await;
    };
    let actor = change.user.actor();
    let mut tx = change.state.db.begin().await?;
    let visit = (id, form.version());
    appraisal::reschedule(&mut tx, &Act::now(&actor), visit, date, &reason).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_rescheduled"))
}

pub(super) async fn cancel(change: PlannerChange) -> AppResult<Response> {
    let (id, form) = (change.id(), &change.form);
    let mut errors = FieldErrors::default();
    let reason = errors.required("reason", &form.reason, 2000);
    if !errors.is_empty() {
        return change.refuse(errors, "cancel").await;
    }
    let note = change.ctx.t_with("visit.cancelled_note", &reason);
    let visit = (id, form.version(), change.view.visit.visit_date);
    let actor = change.user.actor();
    let mut tx = change.state.db.begin().await?;
    appraisal::cancel(&mut tx, &Act::now(&actor), visit, &reason, &note).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_cancelled"))
}

pub(super) async fn add_member(change: PlannerChange) -> AppResult<Response> {
    let (id, form) = (change.id(), &change.form);
    let mut errors = FieldErrors::default();
    let name = errors.text("external_name", &form.external_name, 200);
    let unit = errors.text("external_unit", &form.external_unit, 300);
    let account = form.user_id.trim();
    let province = &change.view.visit.province_code;
    let candidates = db::visits::team_candidates(&change.state.db, province).await?;
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
        return change.refuse(errors, "member").await;
    }
    let mut tx = change.locked().await?;
    match chosen {
        Some(candidate) => {
            db::visits::add_user_member(&mut tx, id, candidate.id, TeamRole::Member).await?;
            let actor = change.user.actor();
            let day = format::date(change.view.visit.visit_date);
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
pub(super) async fn change_member(
    Path((_, member, what)): Path<(i64, i64, String)>,
    change: PlannerChange,
) -> AppResult<Response> {
    let id = change.id();
    let mut tx = change.locked().await?;
    match what.as_str() {
        "remove" => db::visits::remove_member(&mut tx, id, member).await?,
        "leader" => db::visits::set_leader(&mut tx, id, member).await?,
        _ => return Err(AppError::NotFound),
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

pub(super) async fn add_proposal(change: PlannerChange) -> AppResult<Response> {
    let (id, form) = (change.id(), &change.form);
    let mut errors = FieldErrors::default();
    let proposal_id = form.proposal_id.trim().parse::<i64>().ok();
    if proposal_id.is_none() {
        errors.add("proposal_id", "visit.proposal_unknown");
    }
    let planned_time = errors
        .check("planned_time", input::time_of_day(&form.planned_time))
        .flatten();
    let Some(proposal_id) = proposal_id.filter(|_| errors.is_empty()) else {
        return change.refuse(errors, "proposal").await;
    };
    let mut tx = change.locked().await?;
    let (state, user, slot) = (&change.state, &change.user, slot_of(&change.view.visit));
    let scheduled = schedule(&mut tx, state, user, slot, &[proposal_id], planned_time).await?;
    if scheduled.is_err() {
        drop(tx);
        errors.add("proposal_id", "visit.proposal_taken");
        return change.refuse(errors, "proposal").await;
    }
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

pub(super) async fn remove_proposal(
    Path((_, proposal_id)): Path<(i64, i64)>,
    change: PlannerChange,
) -> AppResult<Response> {
    let (id, purpose) = (change.id(), change.view.visit.purpose);
    let actor = change.user.actor();
    let note = change.ctx.t("visit.removed_note");
    let mut tx = change.locked().await?;
    appraisal::remove(&mut tx, &Act::now(&actor), (id, purpose), proposal_id, note).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}

pub(super) async fn set_time(
    Path((_, proposal_id)): Path<(i64, i64)>,
    change: PlannerChange,
) -> AppResult<Response> {
    let id = change.id();
    let mut errors = FieldErrors::default();
    let planned_time = errors
        .check(
            "planned_time",
            input::time_of_day(&change.form.planned_time),
        )
        .flatten();
    if !errors.is_empty() {
        return change.refuse(errors, "time").await;
    }
    let mut tx = change.locked().await?;
    db::visits::set_planned_time(&mut tx, id, proposal_id, planned_time).await?;
    tx.commit().await?;
    Ok(back(id, "flash.visit_saved"))
}
