//! Evaluation: a settled proposal's effects (output, revenue, jobs, productivity) are
//! recorded at settlement and at the follow-ups; once the one at settlement is there, the
//! Centre closes the proposal.

use serde_json::json;
use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, Change, StepError, StepResult, Subject, allowed, record, take, tell};
use crate::db;
use crate::db::evaluations::NewEvaluation;
use crate::domain::step::Entry;
use crate::domain::transition::Action;
use crate::error::{AppError, ResultExt as _};

/// A stage's figures as entered.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The stage: months after settlement (0 at settlement).
    pub stage: u8,
    /// The day evaluated.
    pub evaluated_on: Date,
    /// Output now.
    pub output: String,
    /// Revenue now.
    pub revenue: i64,
    /// Jobs now.
    pub jobs: i32,
    /// Productivity change, in percent.
    pub productivity_change: i32,
    /// Notes.
    pub notes: String,
}

/// Records `figures` on a settled `subject`; a stage recorded already is refused by its
/// field.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn evaluate(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    figures: &Figures,
) -> StepResult<()> {
    if !subject.state.is_settled() {
        return Err(AppError::Conflict("evaluation.nothing_due").into());
    }
    db::evaluations::insert(
        conn,
        &NewEvaluation {
            proposal_id: subject.id,
            months_after: i16::from(figures.stage),
            evaluated_on: figures.evaluated_on,
            output: &figures.output,
            revenue: figures.revenue,
            jobs: figures.jobs,
            productivity_change: figures.productivity_change,
            notes: &figures.notes,
            recorded_by: act.by.user_id,
        },
    )
    .await
    .on_constraint("evaluations_proposal_id_months_after_key", || {
        AppError::Conflict("evaluation.stage_taken")
    })
    .map_err(|error| match error {
        AppError::Conflict(key) => StepError::refused("months_after", key),
        other => other.into(),
    })?;
    let details = json!({
        "months_after": figures.stage,
        "revenue": figures.revenue,
        "jobs": figures.jobs,
        "productivity_change": figures.productivity_change,
    });
    let state = (subject.state, subject.state);
    let step = Entry::Evaluation.into();
    record(conn, act, subject.id, step, state, &figures.notes, details).await?;
    Ok(())
}

/// Closes `subject` (completed), once its evaluation at settlement is recorded.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn close(conn: &mut PgConnection, act: &Act<'_>, subject: &Subject) -> StepResult<()> {
    allowed(act, subject, Action::Close)?;
    if !db::evaluations::has_settlement_stage(conn, subject.id).await? {
        return Err(AppError::Conflict("evaluation.needed_to_close").into());
    }
    take(conn, act, subject, Action::Close, Change::default()).await?;
    let link = super::proposal_link(subject.id);
    tell(
        conn,
        act,
        Action::Close.into(),
        subject,
        &subject.name(),
        &link,
    )
    .await?;
    Ok(())
}
