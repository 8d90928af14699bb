//! The plan decisions (DOMAIN.md §3.4): the Department's decision approves the chosen
//! appraised proposals within an envelope and leaves the others out; an amending decision
//! changes the amounts of proposals approved and not yet contracted; national proposals are
//! forwarded to the Ministry with a dispatch. Each moves or marks its whole set at once.

use serde_json::json;
use sqlx::PgConnection;
use tracing::instrument;

use super::{Act, StepError, StepResult, record_each, take_set, tell_set};
use crate::db;
use crate::db::documents::{NewDocument, RecordOwner};
use crate::db::funding::{Candidate, ChainLine, NewDecision, NewLine};
use crate::db::national::NewForwarding;
use crate::domain::proposal::ProposalLevel;
use crate::domain::step::Entry;
use crate::domain::transition::{self, Action, PlanSteps, TransitionError};
use crate::error::{AppError, ResultExt as _};

/// A plan decision as the Department signed it.
#[derive(Clone, Copy, Debug)]
pub struct Decided<'a> {
    /// The decision, its scan and its lines.
    pub decision: &'a NewDecision<'a>,
    /// Its scan.
    pub scan: &'a NewDocument,
    /// The approvals.
    pub lines: &'a [NewLine],
    /// The proposals left out.
    pub others: &'a [i64],
    /// Why they are left out: what their submitters read.
    pub reason: &'a str,
    /// The states and actions of the source's level.
    pub steps: PlanSteps,
    /// The approvals' total, committed on the envelope.
    pub total: i64,
}

/// Records the decision `d`: its lines, the approvals and the proposals left out with their
/// timeline and notices, and the envelope's commitment. A number the province used is
/// refused by its field; a set changed meanwhile, or an envelope overrun by a decision at
/// the same time, is `plan.changed`.
#[instrument(skip_all, fields(actor.id = act.by.user_id, lines = d.lines.len()), err)]
pub async fn decide(conn: &mut PgConnection, act: &Act<'_>, d: &Decided<'_>) -> StepResult<i64> {
    let id = insert(conn, d.decision, d.scan, d.lines).await?;
    let number = d.decision.number;
    let role = act.by.role;
    let approve = transition::transition(d.steps.from, d.steps.approve, role)?;
    let leave_out = transition::transition(d.steps.from, d.steps.leave_out, role)?;
    let approved: Vec<i64> = d.lines.iter().map(|l| l.proposal_id).collect();
    let details = d.lines.iter().map(|l| {
        json!({
            "decision_id": id,
            "decision": number,
            "approved_support": l.approved_support,
            "cap_limit": l.cap_limit,
        })
    });
    let approvals = ("", details.collect());
    changed(take_set(conn, act, approve, &approved, approvals, number).await)?;
    let left_out = json!({ "decision_id": id, "decision": number });
    let refusals = (d.reason, vec![left_out; d.others.len()]);
    changed(take_set(conn, act, leave_out, d.others, refusals, number).await)?;
    commit(conn, d.decision.envelope_id, d.total).await?;
    tracing::info!(
        decision.id = id,
        proposals = d.lines.len(),
        not_selected = d.others.len(),
        total = d.total,
        user.id = act.by.user_id,
        "plan decision recorded"
    );
    Ok(id)
}

/// Records the amending decision `decision` on the chain `chain` (locked by the caller):
/// the new amounts of `lines`, each of a proposal whose amount may still change, with their
/// timeline and notices, and the envelope's `change`.
#[instrument(skip_all, fields(actor.id = act.by.user_id, lines = lines.len()), err)]
pub async fn amend(
    conn: &mut PgConnection,
    act: &Act<'_>,
    (decision, scan): (&NewDecision<'_>, &NewDocument),
    chain: &[ChainLine],
    lines: &[NewLine],
    change: i64,
) -> StepResult<i64> {
    let mut entries = Vec::with_capacity(lines.len());
    for line in lines {
        let state = chain
            .iter()
            .find(|c| c.proposal_id == line.proposal_id)
            .map(|c| c.state)
            .filter(|s| s.plan_amendable());
        let Some(state) = state else {
            let field = "lines";
            return Err(StepError::refused(field, "decision.amend.contracted"));
        };
        entries.push((line.proposal_id, (state, state)));
    }
    let id = insert(conn, decision, scan, lines).await?;
    let number = decision.number;
    let details = lines.iter().map(|l| {
        json!({
            "decision_id": id,
            "decision": number,
            "approved_support": l.approved_support,
            "previous_support": l.previous_support,
        })
    });
    let step = Entry::AmendPlan.into();
    let ids: Vec<i64> = entries.iter().map(|e| e.0).collect();
    let note = (decision.reason, details.collect());
    record_each(conn, act, step, &entries, note).await?;
    tell_set(conn, act, step, &ids, number).await?;
    commit(conn, decision.envelope_id, change).await?;
    tracing::info!(
        decision.id = id,
        amends = decision.amends.map(|(amended, _)| amended),
        lines = lines.len(),
        change,
        user.id = act.by.user_id,
        "plan decision amended"
    );
    Ok(id)
}

/// Forwards the appraised national proposals `ids` to the Ministry with the dispatch
/// `forwarding` and its `scan`. Each must still wait to be forwarded in the dispatch's plan
/// year, appraised by the day it goes; a set changed meanwhile is refused by the choice, a
/// dispatch number the province used by its field.
#[instrument(skip_all, fields(actor.id = act.by.user_id, proposals = ids.len()), err)]
pub async fn forward(
    conn: &mut PgConnection,
    act: &Act<'_>,
    forwarding: &NewForwarding<'_>,
    scan: &NewDocument,
    ids: &[i64],
) -> StepResult<i64> {
    let changed = || StepError::refused("picked", "national.changed");
    let candidates = db::funding::lock_candidates(conn, forwarding.province_code, ids).await?;
    let waiting = |c: &Candidate| {
        c.level == ProposalLevel::National
            && c.plan_year == forwarding.plan_year
            && c.appraised_on.is_none_or(|a| a <= forwarding.forwarded_on)
    };
    // One transition for the whole set: every proposal must stand where the first does.
    let from = candidates.first().map(|c| c.state).ok_or_else(changed)?;
    let alike = |c: &Candidate| c.state == from && waiting(c);
    if candidates.len() != ids.len() || !candidates.iter().all(alike) {
        return Err(changed());
    }
    let step = match transition::transition(from, Action::Forward, act.by.role) {
        Err(TransitionError::NotFromThisState(_)) => return Err(changed()),
        step => step?,
    };
    let id = db::national::insert(conn, forwarding, ids)
        .await
        .on_constraint(
            "ministry_forwardings_province_code_dispatch_number_key",
            || AppError::Conflict("national.number_taken"),
        )
        .map_err(|error| refused_by("dispatch_number", "national.number_taken", error))?;
    let owner = RecordOwner::Forwarding(id);
    db::documents::insert_for_record(conn, owner, act.by.user_id, scan).await?;
    let number = forwarding.dispatch_number;
    let details =
        json!({ "dispatch": number, "forwarded_on": forwarding.forwarded_on.to_string() });
    let note = (forwarding.note, vec![details; ids.len()]);
    match take_set(conn, act, step, ids, note, number).await {
        Err(StepError::Stale) => Err(changed()),
        other => other.map(|()| id),
    }?;
    tracing::info!(
        proposals = ids.len(),
        user.id = act.by.user_id,
        "national proposals forwarded"
    );
    Ok(id)
}

/// A decision (an original or an amendment), its scan and its lines; its id.
async fn insert(
    conn: &mut PgConnection,
    decision: &NewDecision<'_>,
    scan: &NewDocument,
    lines: &[NewLine],
) -> StepResult<i64> {
    let taken = "funding.decision.number_taken";
    let id = db::funding::insert_decision(conn, decision)
        .await
        .on_constraint("plan_decisions_province_code_number_key", || {
            AppError::Conflict(taken)
        })
        .map_err(|error| refused_by("number", taken, error))?;
    let owner = RecordOwner::Decision(id);
    db::documents::insert_for_record(conn, owner, decision.recorded_by, scan).await?;
    db::funding::insert_lines(conn, id, lines).await?;
    Ok(id)
}

/// The envelope's commitment grows by `change`; a decision at the same time that left no
/// room for it is `plan.changed`.
async fn commit(conn: &mut PgConnection, envelope_id: i64, change: i64) -> StepResult<()> {
    db::funding::commit(conn, envelope_id, change)
        .await
        .on_constraint("funding_envelopes_check", || {
            AppError::Conflict("plan.changed")
        })?;
    Ok(())
}

/// A set moved by someone else meanwhile is the plan's conflict.
fn changed(taken: StepResult<()>) -> StepResult<()> {
    match taken {
        Err(StepError::Stale) => Err(AppError::Conflict("plan.changed").into()),
        other => other,
    }
}

/// `error` as the refusal of `field` when it is the conflict `key`.
fn refused_by(field: &'static str, key: &'static str, error: AppError) -> StepError {
    match error {
        AppError::Conflict(found) if found == key => StepError::refused(field, key),
        other => other.into(),
    }
}
