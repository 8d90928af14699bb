//! Monitoring: while the work is carried out, the implementing side reports each month
//! (or a missed month later) how far the work is, what was spent and what was done, with
//! photos; the followers hear of it.

use serde_json::json;
use sqlx::PgConnection;
use tracing::instrument;

use super::{Act, StepError, StepResult, Subject, record, tell};
use crate::db;
use crate::db::documents::NewDocument;
use crate::db::progress::NewReport;
use crate::domain::progress::{self, Report};
use crate::domain::step::Entry;
use crate::error::AppError;

/// Reports `report` on `subject` with `work_done` and its `photos` (stored already): its
/// month between the start of the work and today, its figures in line with the reports
/// around it, once per month; a refusal names its field. The report's id.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn report_progress(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    report: Report,
    work_done: &str,
    photos: &[NewDocument],
) -> StepResult<i64> {
    if !subject.state.is_carried_out() {
        return Err(AppError::Conflict("progress.not_in_progress").into());
    }
    let started = db::progress::started_on(&mut *conn, subject.id)
        .await?
        .unwrap_or(act.today());
    let (previous, next) = db::progress::neighbours(conn, subject.id, report.month).await?;
    progress::check(report, started, act.today(), previous, next)
        .map_err(|problem| StepError::refused(problem.field(), problem.message_key()))?;
    let new = NewReport {
        proposal_id: subject.id,
        report,
        work_done,
        reported_by: act.by.user_id,
    };
    let Some(report_id) = db::progress::insert(conn, &new, photos).await? else {
        return Err(StepError::refused("month", "progress.month_reported"));
    };
    let month = report.month;
    let details = json!({
        "report": report_id,
        "month": format!("{}-{:02}", month.year(), u8::from(month.month())),
        "percent_done": report.percent_done,
        "spending": report.spending,
        "photos": photos.len(),
    });
    let step = Entry::ProgressReport;
    let state = (subject.state, subject.state);
    record(
        conn,
        act,
        subject.id,
        step.into(),
        state,
        work_done,
        details,
    )
    .await?;
    let percent = format!("{}%", report.percent_done);
    let link = format!("/proposals/{}/progress", subject.id);
    tell(conn, act, step.into(), subject, &percent, &link).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        "progress reported"
    );
    Ok(report_id)
}
