//! Evaluations of a proposal's effects: its baseline from the dossier, and the figures
//! recorded at settlement and at the follow-ups.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tracing::instrument;

use crate::error::AppResult;

/// What the dossier promised, against what it started from.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Output before.
    pub baseline_output: String,
    /// Output expected.
    pub expected_output: String,
    /// Revenue before, đồng a year.
    pub baseline_revenue: i64,
    /// Revenue expected.
    pub expected_revenue: i64,
    /// Jobs before.
    pub baseline_jobs: i32,
    /// Jobs expected.
    pub expected_jobs: i32,
    /// The day of the settlement, if settled.
    pub settled_on: Option<Date>,
}

/// The baseline of a proposal (found by the caller in its scope).
pub async fn baseline(pool: &PgPool, proposal_id: i64) -> AppResult<Baseline> {
    Ok(sqlx::query_as!(
        Baseline,
        r#"
        select p.baseline_output, p.expected_output, p.baseline_revenue, p.expected_revenue,
               p.baseline_jobs, p.expected_jobs, s.liquidated_on as "settled_on?"
        from proposals p left join settlements s on s.proposal_id = p.id
        where p.id = $1
        "#,
        proposal_id
    )
    .fetch_one(pool)
    .await?)
}

/// A recorded evaluation.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Months after settlement (0: at settlement).
    pub months_after: i16,
    /// Day of the evaluation.
    pub evaluated_on: Date,
    /// Output now.
    pub output: String,
    /// Revenue now.
    pub revenue: i64,
    /// Jobs now.
    pub jobs: i32,
    /// Productivity change, whole percent.
    pub productivity_change: i32,
    /// Notes.
    pub notes: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A proposal's evaluations, in order of their stage.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Evaluation>> {
    Ok(sqlx::query_as!(
        Evaluation,
        r#"
        select e.months_after, e.evaluated_on, e.output, e.revenue, e.jobs,
               e.productivity_change, e.notes, u.full_name as recorded_by, e.created_at
        from evaluations e join users u on u.id = e.recorded_by
        where e.proposal_id = $1
        order by e.months_after
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// An evaluation to record.
#[derive(Clone, Copy, Debug)]
pub struct NewEvaluation<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// Its stage.
    pub months_after: i16,
    /// Its day.
    pub evaluated_on: Date,
    /// Output now.
    pub output: &'a str,
    /// Revenue now.
    pub revenue: i64,
    /// Jobs now.
    pub jobs: i32,
    /// Productivity change.
    pub productivity_change: i32,
    /// Notes.
    pub notes: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records an evaluation; a stage recorded already violates
/// `evaluations_proposal_id_months_after_key`.
#[instrument(skip_all, fields(proposal.id = e.proposal_id, actor.id = e.recorded_by), err)]
pub async fn insert(conn: &mut PgConnection, e: &NewEvaluation<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into evaluations (proposal_id, months_after, evaluated_on, output, revenue, jobs,
                                 productivity_change, notes, recorded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        "#,
        e.proposal_id,
        e.months_after,
        e.evaluated_on,
        e.output,
        e.revenue,
        e.jobs,
        e.productivity_change,
        e.notes,
        e.recorded_by,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the evaluation at settlement is recorded (closing needs it), read in the
/// transaction that closes.
pub async fn has_settlement_stage(conn: &mut PgConnection, proposal_id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from evaluations where proposal_id = $1 and months_after = 0) as "found!""#,
        proposal_id
    )
    .fetch_one(conn)
    .await?)
}
