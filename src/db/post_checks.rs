//! Post-checks (hậu kiểm): on an appraisal trip, a short follow-up of a facility supported
//! in an earlier year, which the evaluation of effects reads later.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::error::AppResult;

/// Whether the supported equipment is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EquipmentUse {
    /// In use.
    InUse,
    /// Partly in use.
    Partly,
    /// Not in use.
    NotInUse,
}

impl EquipmentUse {
    /// Every answer, in the form's order.
    pub const ALL: [EquipmentUse; 3] = [Self::InUse, Self::Partly, Self::NotInUse];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::InUse => "in_use",
            Self::Partly => "partly",
            Self::NotInUse => "not_in_use",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::InUse => "post_check.in_use",
            Self::Partly => "post_check.partly",
            Self::NotInUse => "post_check.not_in_use",
        }
    }
}

/// A post-check as listed on a visit or a proposal.
#[derive(Clone, Debug)]
pub struct PostCheckSummary {
    /// Id.
    pub id: i64,
    /// The visit.
    pub visit_id: i64,
    /// The visit's day.
    pub visit_date: Date,
    /// The supported proposal.
    pub proposal_id: i64,
    /// Its code.
    pub code: Option<String>,
    /// Its title.
    pub title: String,
    /// Its plan year.
    pub plan_year: i16,
    /// The answer, once recorded.
    pub equipment: Option<String>,
    /// Effects seen.
    pub effects: String,
    /// When recorded.
    pub recorded_at: Option<OffsetDateTime>,
}

/// A post-check to edit.
#[derive(Clone, Debug)]
pub struct PostCheck {
    /// Id.
    pub id: i64,
    /// The visit.
    pub visit_id: i64,
    /// The supported proposal.
    pub proposal_id: i64,
    /// Its code.
    pub code: Option<String>,
    /// Its title.
    pub title: String,
    /// Beneficiaries.
    pub facilities: String,
    /// Equipment in use.
    pub equipment: Option<String>,
    /// Effects seen.
    pub effects: String,
    /// Output now.
    pub output_now: String,
    /// Revenue now.
    pub revenue_now: Option<i64>,
    /// Jobs now.
    pub jobs_now: Option<i32>,
    /// The proposal's baseline output.
    pub baseline_output: String,
    /// Its baseline revenue.
    pub baseline_revenue: i64,
    /// Its baseline jobs.
    pub baseline_jobs: i32,
    /// Edit counter.
    pub version: i32,
    /// Who recorded it.
    pub recorded_by_name: Option<String>,
    /// When.
    pub recorded_at: Option<OffsetDateTime>,
}

/// A post-check's answers, validated.
#[derive(Clone, Debug)]
pub struct PostCheckInput {
    /// Equipment in use.
    pub equipment: EquipmentUse,
    /// Effects seen.
    pub effects: String,
    /// Output now.
    pub output_now: String,
    /// Revenue now.
    pub revenue_now: Option<i64>,
    /// Jobs now.
    pub jobs_now: Option<i32>,
}

/// The post-checks of a visit.
pub async fn of_visit(pool: &PgPool, visit_id: i64) -> AppResult<Vec<PostCheckSummary>> {
    list(pool, Some(visit_id), None).await
}

/// The post-checks of a proposal, newest first.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<PostCheckSummary>> {
    list(pool, None, Some(proposal_id)).await
}

/// The post-checks of a visit or of a proposal, newest visit first.
async fn list(
    pool: &PgPool,
    visit_id: Option<i64>,
    proposal_id: Option<i64>,
) -> AppResult<Vec<PostCheckSummary>> {
    Ok(sqlx::query_as!(
        PostCheckSummary,
        r#"
        select c.id, c.visit_id, v.visit_date, c.proposal_id, p.code, p.title, p.plan_year,
               c.equipment::text as equipment, c.effects, c.recorded_at
        from post_checks c
        join appraisal_visits v on v.id = c.visit_id
        join proposals p on p.id = c.proposal_id
        where ($1::bigint is null or c.visit_id = $1) and ($2::bigint is null or c.proposal_id = $2)
        order by v.visit_date desc, p.code, c.id
        "#,
        visit_id,
        proposal_id,
    )
    .fetch_all(pool)
    .await?)
}

/// One post-check.
pub async fn find(pool: &PgPool, id: i64) -> AppResult<Option<PostCheck>> {
    Ok(sqlx::query_as!(
        PostCheck,
        r#"
        select c.id, c.visit_id, c.proposal_id, p.code, p.title,
               coalesce((select string_agg(f.name, ', ' order by f.name) from proposal_facilities pf
                         join facilities f on f.id = pf.facility_id where pf.proposal_id = p.id), '')
                   as "facilities!",
               c.equipment::text as equipment, c.effects, c.output_now, c.revenue_now, c.jobs_now,
               p.baseline_output, p.baseline_revenue, p.baseline_jobs, c.version,
               u.full_name as "recorded_by_name?", c.recorded_at
        from post_checks c
        join proposals p on p.id = c.proposal_id
        left join users u on u.id = c.recorded_by
        where c.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// Adds a supported proposal to a visit's post-checks; `false` if it is on it already.
pub async fn insert(conn: &mut PgConnection, visit_id: i64, proposal_id: i64) -> AppResult<bool> {
    Ok(sqlx::query!(
        "insert into post_checks (visit_id, proposal_id) values ($1, $2) on conflict do nothing",
        visit_id,
        proposal_id,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Records the answers if the post-check is still at `version`; `false` when it changed.
pub async fn record(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &PostCheckInput,
    recorded_by: i64,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        r#"
        update post_checks
        set equipment = $3::text::equipment_use, effects = $4, output_now = $5, revenue_now = $6,
            jobs_now = $7, recorded_by = $8, recorded_at = now(), version = version + 1
        where id = $1 and version = $2
        "#,
        id,
        version,
        input.equipment.code(),
        input.effects,
        input.output_now,
        input.revenue_now,
        input.jobs_now,
        recorded_by,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
