//! Acceptance of the work (nghiệm thu, DOMAIN.md §4.9): the team on an acceptance visit
//! fills in its record (the evidence seen, the support admitted per cost line, the
//! conclusion); the leader makes it final with its outcome. A pass moves the proposal to
//! `result_accepted` and the accountants settle it next; a fail leaves the work in progress
//! for another visit.

use serde_json::json;
use sqlx::PgConnection;
use tracing::instrument;

use super::{Act, Change, StepResult, hold, record, take, tell};
use crate::db;
use crate::db::acceptance::Checks;
use crate::domain::acceptance::AcceptanceResult;
use crate::domain::step::{Entry, Step};
use crate::domain::transition::Action;
use crate::error::AppError;

/// An acceptance record as the team saves it: the record, its version as they saw it, and
/// their answers.
#[derive(Clone, Copy, Debug)]
pub struct Draft<'a> {
    /// The record.
    pub record_id: i64,
    /// On which visit.
    pub visit_id: i64,
    /// Its version, as the team saw it.
    pub version: i32,
    /// The answers.
    pub checks: &'a Checks<'a>,
}

/// Saves the team's `draft`; refused as stale when someone saved it meanwhile.
#[instrument(skip_all, fields(record.id = draft.record_id, actor.id = act.by.user_id), err)]
pub async fn save(conn: &mut PgConnection, act: &Act<'_>, draft: &Draft<'_>) -> StepResult<()> {
    let (id, version) = (draft.record_id, draft.version);
    if !db::acceptance::save(conn, id, version, draft.checks, act.by.user_id).await? {
        return Err(AppError::Conflict("acceptance.stale").into());
    }
    Ok(())
}

/// Saves `draft` and makes it final with `result`, admitting `admitted` of the support, on
/// proposal `id`, which must still be carried out. Writes the outcome on the timeline and
/// tells those concerned.
#[instrument(skip_all, fields(proposal.id = id, record.id = draft.record_id), err)]
pub async fn finalise(
    conn: &mut PgConnection,
    act: &Act<'_>,
    id: i64,
    draft: &Draft<'_>,
    (result, admitted): (AcceptanceResult, i64),
) -> StepResult<()> {
    save(conn, act, draft).await?;
    let now = hold(conn, id).await?;
    if !now.state.is_carried_out() {
        return Err(AppError::Conflict("acceptance.not_in_progress").into());
    }
    let by = act.by.user_id;
    let record_id = draft.record_id;
    let saved = draft.version + 1;
    if !db::acceptance::finalise(conn, record_id, saved, result, admitted, by).await? {
        return Err(AppError::Conflict("acceptance.stale").into());
    }
    let note = draft.checks.conclusion;
    let details = json!({
        "acceptance_record_id": record_id,
        "visit_id": draft.visit_id,
        "admitted_support": admitted,
    });
    let step: Step = match result {
        AcceptanceResult::Pass => {
            let action = Action::AcceptResult;
            let change = Change {
                note,
                details,
                code: None,
            };
            take(conn, act, &now, action, change).await?;
            action.into()
        }
        AcceptanceResult::Fail => {
            let step = Entry::AcceptanceFailed.into();
            record(conn, act, id, step, (now.state, now.state), note, details).await?;
            step
        }
    };
    let link = format!("/proposals/{id}/acceptance");
    tell(conn, act, step, &now, &now.name(), &link).await?;
    tracing::info!(
        proposal.id = id,
        record.id = record_id,
        user.id = by,
        result = result.code(),
        admitted,
        "acceptance finalised"
    );
    Ok(())
}
