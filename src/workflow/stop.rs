//! Stopping the work (DOMAIN.md §4.8): the director records the decision; the proposal moves
//! to `stopped`, its support not paid goes back to the envelope, and what was paid is left to
//! recover (recoveries are the money's steps, `workflow::money::recover`).

use serde_json::json;
use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, StepError, StepResult, Subject, announce, proposal_link, shift};
use crate::db;
use crate::db::stops::NewStop;
use crate::domain::contract;
use crate::domain::transition::Action;
use crate::error::{AppError, ResultExt as _};

/// The decision to stop, as the director entered it.
#[derive(Clone, Debug)]
pub struct StopDecision {
    /// Its number (unique in the province).
    pub number: String,
    /// Its day.
    pub decided_on: Date,
    /// Why the work stops.
    pub reason: String,
}

/// What a stop leaves: the support given back to the envelope, and what was paid and is to
/// be recovered.
#[derive(Clone, Copy, Debug)]
pub struct Stopped {
    /// Given back to the envelope.
    pub returned: i64,
    /// To recover.
    pub to_recover: i64,
}

/// Stops the work of `subject`, under its contract signed on `signed_on`, by `decision`: a
/// day after the signing and not after today, a number the province has not used (each
/// refused by its field).
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn stop(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    signed_on: Date,
    decision: &StopDecision,
) -> StepResult<Stopped> {
    if let Some(key) = contract::stop_day_problem(decision.decided_on, signed_on, act.today()) {
        return Err(StepError::refused("decided_on", key));
    }
    // The move first: the stop's sums are worked out under the contract's lock after it.
    let step = shift(conn, act, subject, Action::Stop).await?;
    let (returned, to_recover) = db::stops::stop(
        conn,
        &NewStop {
            proposal_id: subject.id,
            province_code: &subject.province_code,
            number: &decision.number,
            decided_on: decision.decided_on,
            reason: &decision.reason,
            recorded_by: act.by.user_id,
        },
    )
    .await
    .on_constraint("stop_decisions_province_code_number_key", || {
        AppError::Conflict("stop.number_taken")
    })
    .map_err(|error| match error {
        AppError::Conflict(key @ "stop.number_taken") => StepError::refused("number", key),
        other => other.into(),
    })?;
    let details = json!({
        "decision": decision.number,
        "decided_on": decision.decided_on.to_string(),
        "returned": returned,
        "to_recover": to_recover,
    });
    let note = (decision.reason.as_str(), details);
    let link = proposal_link(subject.id);
    announce(conn, act, subject, step, note, (&decision.number, &link)).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        returned,
        to_recover,
        "stopped"
    );
    Ok(Stopped {
        returned,
        to_recover,
    })
}
