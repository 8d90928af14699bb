//! The on-site appraisal (DOMAIN.md §3): the Centre plans a visit with its team and the
//! proposals it sees; a proposal put on an appraisal visit moves to `appraisal_scheduled`
//! (on an acceptance visit it stays in progress); moving or cancelling the visit tells those
//! concerned; the leader's final record moves the proposal to `appraised`, and a correction
//! of a final record changes its result but not its state.

use serde_json::json;
use sqlx::PgConnection;
use time::{Date, Time};
use tracing::instrument;

use super::{
    Act, Change, StepError, StepResult, Subject, allowed, hold, proposal_link, record, record_each,
    take, tell, tell_each,
};
use crate::db;
use crate::domain::appraisal::{Recommendation, TeamRole, VisitPurpose};
use crate::domain::format;
use crate::domain::step::Entry;
use crate::domain::transition::Action;
use crate::error::AppError;

/// A visit as planned: what it is for, its day, its team and who leads it.
#[derive(Clone, Debug)]
pub struct VisitPlan<'a> {
    /// Its province.
    pub province_code: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its day.
    pub visit_date: Date,
    /// The planner's notes.
    pub notes: &'a str,
    /// An appraisal or an acceptance visit.
    pub purpose: VisitPurpose,
    /// The leader's account.
    pub leader_id: i64,
    /// The other members with an account.
    pub member_ids: &'a [i64],
    /// The members from outside (name, unit).
    pub externals: &'a [(String, String)],
}

/// Plans the visit of `plan` with its team, and tells the team. Its proposals are put on it
/// next, each by [`schedule`].
#[instrument(skip_all, fields(actor.id = act.by.user_id), err)]
pub async fn plan_visit(
    conn: &mut PgConnection,
    act: &Act<'_>,
    plan: &VisitPlan<'_>,
) -> StepResult<i64> {
    let by = act.by.user_id;
    let (day, purpose) = (plan.visit_date, plan.purpose);
    let id = db::visits::insert(
        conn,
        plan.province_code,
        plan.title,
        day,
        plan.notes,
        purpose,
        by,
    )
    .await?;
    db::visits::add_user_member(conn, id, plan.leader_id, TeamRole::Leader).await?;
    for &member in plan.member_ids {
        db::visits::add_user_member(conn, id, member, TeamRole::Member).await?;
    }
    for (name, unit) in plan.externals {
        db::visits::add_external_member(conn, id, name, unit).await?;
    }
    let team: Vec<i64> = std::iter::once(plan.leader_id)
        .chain(plan.member_ids.iter().copied())
        .collect();
    let key = match purpose {
        VisitPurpose::Appraisal => "notify.visit_assigned",
        VisitPurpose::Acceptance => "notify.acceptance_visit_assigned",
    };
    tell_people(conn, act, id, &team, key, &format::date(day)).await?;
    tracing::info!(visit.id = id, user.id = by, "visit planned");
    Ok(id)
}

/// Where and when a proposal is put: the visit, its day and what it is for.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// The visit.
    pub visit_id: i64,
    /// Its day.
    pub visit_date: Date,
    /// What it is for.
    pub purpose: VisitPurpose,
}

/// Puts `subject` on the visit of `slot` at `planned_time` and opens its record. For an
/// appraisal it must be waiting for one and moves to `appraisal_scheduled`; for an
/// acceptance it must be carried out, and stays so. A proposal no longer waiting (someone
/// put it on another visit first) is refused by the `proposal_id` field; the caller drops
/// the transaction.
#[instrument(skip_all, fields(proposal.id = subject.id, visit.id = slot.visit_id), err)]
pub async fn schedule(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    slot: Slot,
    planned_time: Option<Time>,
) -> StepResult<()> {
    let now = hold(conn, subject.id).await?;
    let taken = || StepError::refused("proposal_id", "visit.proposal_taken");
    let when = format::date(slot.visit_date);
    let details = json!({
        "visit_id": slot.visit_id,
        "visit_date": slot.visit_date.to_string(),
    });
    let step = match slot.purpose {
        VisitPurpose::Appraisal => {
            let action = Action::ScheduleAppraisal;
            match allowed(act, &now, action) {
                Err(StepError::App(AppError::Conflict(_))) => return Err(taken()),
                other => other?,
            };
            let change = Change {
                note: &when,
                details,
                code: None,
            };
            take(conn, act, &now, action, change).await?;
            action.into()
        }
        VisitPurpose::Acceptance => {
            if !now.state.is_carried_out() {
                return Err(taken());
            }
            let step = Entry::ScheduleAcceptance.into();
            record(
                conn,
                act,
                now.id,
                step,
                (now.state, now.state),
                &when,
                details,
            )
            .await?;
            step
        }
    };
    db::visits::add_proposal(conn, slot.visit_id, slot.purpose, now.id, planned_time).await?;
    let value = format!("{} · {when}", now.name());
    tell(conn, act, step, &now, &value, &proposal_link(now.id)).await?;
    Ok(())
}

/// Takes proposal `id`, scheduled for an appraisal, back to the queue (removed from its
/// visit, or the visit cancelled), with `note` on its timeline and in its notice.
#[instrument(skip_all, fields(proposal.id = id), err)]
pub async fn unschedule(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
    note: &str,
) -> StepResult<()> {
    let now = hold(conn, id).await?;
    let action = Action::UnscheduleAppraisal;
    let change = Change {
        note,
        ..Change::default()
    };
    take(conn, act, &now, action, change).await?;
    tell(conn, act, action.into(), &now, note, &proposal_link(id)).await?;
    Ok(())
}

/// Takes proposal `id` off visit `visit_id` while its record is still a draft; an appraisal
/// goes back to the queue with `note`.
#[instrument(skip_all, fields(proposal.id = id, visit.id = visit_id), err)]
pub async fn remove(
    conn: &mut PgConnection,
    act: &Act<'_>,
    (visit_id, purpose): (i64, VisitPurpose),
    id: i64,
    note: &str,
) -> StepResult<()> {
    if !db::visits::remove_proposal(conn, visit_id, purpose, id).await? {
        return Err(AppError::Conflict("visit.record_started").into());
    }
    if purpose == VisitPurpose::Appraisal {
        unschedule(conn, act, id, note).await?;
    }
    Ok(())
}

/// Moves planned visit `id` (seen at `version`) to `to` for `reason`: each proposal still
/// waiting for its appraisal on it gets the change on its timeline and its followers are
/// told, and so is the team. Returns the day it was on.
#[instrument(skip_all, fields(visit.id = id), err)]
pub async fn reschedule(
    conn: &mut PgConnection,
    act: &Act<'_>,
    (id, version): (i64, i32),
    to: Date,
    reason: &str,
) -> StepResult<Date> {
    let by = act.by.user_id;
    let Some(from) = db::visits::reschedule(conn, id, version, to, reason, by).await? else {
        return Err(AppError::Conflict("visit.stale").into());
    };
    let change = format!("{} → {}", format::date(from), format::date(to));
    let note = format!("{change}: {reason}");
    let scheduled = db::visits::scheduled_proposals(conn, id).await?;
    let held = db::proposals::hold_all(conn, &scheduled).await?;
    let step = Entry::RescheduleAppraisal.into();
    // An entry on each timeline: the state stays.
    let entries: Vec<_> = held.iter().map(|p| (p.id, (p.state, p.state))).collect();
    let details = json!({ "visit_id": id, "from": from.to_string(), "to": to.to_string() });
    let details = vec![details; held.len()];
    record_each(conn, act, step, &entries, (&note, details)).await?;
    let waiting: Vec<i64> = held.iter().map(|p| p.id).collect();
    let links: Vec<String> = waiting.iter().map(|&p| proposal_link(p)).collect();
    let values = vec![change.clone(); waiting.len()];
    tell_each(conn, act, step, &waiting, &values, &links, None).await?;
    tell_team(conn, act, id, "notify.visit_rescheduled", &change).await?;
    Ok(from)
}

/// Cancels planned visit `id` (seen at `version`, on `day`) for `reason`: its draft records
/// are void, its proposals waiting for their appraisal go back to the queue with `note`,
/// and the team is told.
#[instrument(skip_all, fields(visit.id = id), err)]
pub async fn cancel(
    conn: &mut PgConnection,
    act: &Act<'_>,
    (id, version, day): (i64, i32, Date),
    reason: &str,
    note: &str,
) -> StepResult<()> {
    let scheduled = db::visits::scheduled_proposals(conn, id).await?;
    if !db::visits::cancel(conn, id, version, reason).await? {
        return Err(AppError::Conflict("visit.stale").into());
    }
    db::visits::void_drafts(conn, id).await?;
    for proposal in scheduled {
        unschedule(conn, act, proposal, note).await?;
    }
    tell_team(conn, act, id, "notify.visit_cancelled", &format::date(day)).await?;
    Ok(())
}

/// Tells the team of visit `visit_id` (but the one acting) with message `key`.
pub async fn tell_team(
    conn: &mut PgConnection,
    act: &Act<'_>,
    visit_id: i64,
    key: &str,
    value: &str,
) -> Result<(), AppError> {
    let members = db::visits::member_user_ids(conn, visit_id).await?;
    tell_people(conn, act, visit_id, &members, key, value).await
}

/// Tells `people` about visit `visit_id` with message `key`.
pub async fn tell_people(
    conn: &mut PgConnection,
    act: &Act<'_>,
    visit_id: i64,
    people: &[i64],
    key: &str,
    value: &str,
) -> Result<(), AppError> {
    let link = format!("/appraisals/visits/{visit_id}");
    db::notifications::notify(conn, people, act.by.user_id, key, value, &link).await
}

/// A draft appraisal record the leader signs: its version as the leader saw it, its score
/// and what it recommends; a correction of a final record gives its reason.
#[derive(Clone, Debug)]
pub struct Signed<'a> {
    /// The record.
    pub record_id: i64,
    /// Its version, as the leader saw it.
    pub version: i32,
    /// The score, in tenths of a point.
    pub score_tenths: i16,
    /// The team's recommendation.
    pub recommendation: Option<Recommendation>,
    /// The support it proposes.
    pub proposed_support: Option<i64>,
    /// Why a final record is corrected, for a correction.
    pub correction: Option<&'a str>,
}

/// Makes the record `signed` of proposal `id` final. A first record moves the proposal to
/// `appraised` and tells its followers and the directors, who rank it next; a correction
/// changes the result, not the state.
#[instrument(skip_all, fields(proposal.id = id, appraisal.id = signed.record_id), err)]
pub async fn finalise(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
    signed: &Signed<'_>,
) -> StepResult<()> {
    let now = hold(conn, id).await?;
    let (record_id, score) = (signed.record_id, signed.score_tenths);
    if !db::appraisals::finalise(conn, record_id, signed.version, score, act.by.user_id).await? {
        return Err(AppError::Conflict("appraisal.stale").into());
    }
    let details = json!({
        "record_id": record_id,
        "score_tenths": score,
        "recommendation": signed.recommendation.map(Recommendation::code),
        "proposed_support": signed.proposed_support,
    });
    if let Some(reason) = signed.correction {
        let step = Entry::CorrectAppraisal.into();
        record(conn, act, id, step, (now.state, now.state), reason, details).await?;
    } else {
        let action = Action::RecordAppraisal;
        let change = Change {
            details,
            ..Change::default()
        };
        take(conn, act, &now, action, change).await?;
        tell(
            conn,
            act,
            action.into(),
            &now,
            &now.name(),
            &proposal_link(id),
        )
        .await?;
    }
    tracing::info!(
        appraisal.id = record_id,
        proposal.id = id,
        score_tenths = score,
        "appraisal finalised"
    );
    Ok(())
}

/// Opens a correction of final record `record_id` (of visit `visit_id`) on proposal `id`,
/// for `reason`, while a plan has not decided on it; returns the new draft. Of two
/// corrections started at once, the second finds the first's draft and is refused.
#[instrument(skip_all, fields(proposal.id = id, appraisal.id = record_id), err)]
pub async fn open_correction(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
    (visit_id, record_id): (i64, i64),
    reason: &str,
) -> StepResult<i64> {
    let now = hold(conn, id).await?;
    if !now.state.appraisal_correctable() {
        return Err(AppError::Conflict("appraisal.correction_too_late").into());
    }
    if db::appraisals::open_draft(&mut *conn, id).await?.is_some() {
        return Err(AppError::Conflict("appraisal.correction_open").into());
    }
    let draft = db::appraisals::insert_draft(conn, visit_id, id, Some((record_id, reason))).await?;
    tracing::info!(
        appraisal.id = draft,
        proposal.id = id,
        user.id = act.by.user_id,
        "appraisal correction opened"
    );
    Ok(draft)
}
