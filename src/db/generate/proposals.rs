//! The generated proposals' rows, column by column: the proposals themselves, their budget
//! lines and their screening returns.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::error::AppResult;

/// Proposals to create, column by column, with ids taken from
/// `db::demo::reserve_proposal_ids`.
#[derive(Debug, Default)]
pub struct ProposalColumns {
    /// Reserved ids.
    pub id: Vec<i64>,
    /// Beneficiary facility ids, ascending, as array literals (`{3,17}`): written with the
    /// row, so the trigger that keeps them has nothing to update when the links follow.
    pub beneficiary_ids: Vec<String>,
    /// Codes of submitted proposals.
    pub code: Vec<Option<String>>,
    /// Plan years.
    pub plan_year: Vec<i16>,
    /// Level codes (`proposal_level`).
    pub level: Vec<String>,
    /// Form codes (`proposal_form`).
    pub form: Vec<String>,
    /// Activity type codes.
    pub activity_type_code: Vec<String>,
    /// Titles.
    pub title: Vec<String>,
    /// Location (commune ids).
    pub unit_id: Vec<i64>,
    /// Submitting offices.
    pub office_id: Vec<i64>,
    /// State codes (`proposal_state`).
    pub state: Vec<String>,
    /// Total costs, đồng.
    pub total_cost: Vec<i64>,
    /// Requested support, đồng.
    pub requested_support: Vec<i64>,
    /// Counterpart funds, đồng.
    pub counterpart_funds: Vec<i64>,
    /// Approved support, đồng.
    pub approved_support: Vec<Option<i64>>,
    /// First submissions.
    pub submitted_at: Vec<Option<OffsetDateTime>>,
    /// Objectives.
    pub objectives: Vec<String>,
    /// Content.
    pub content: Vec<String>,
    /// Where, below the commune.
    pub location_detail: Vec<String>,
    /// Planned start.
    pub start_date: Vec<Option<Date>>,
    /// Planned end.
    pub end_date: Vec<Option<Date>>,
    /// Output before.
    pub baseline_output: Vec<String>,
    /// Output expected.
    pub expected_output: Vec<String>,
    /// Revenue before, đồng.
    pub baseline_revenue: Vec<i64>,
    /// Revenue expected, đồng.
    pub expected_revenue: Vec<i64>,
    /// Jobs before.
    pub baseline_jobs: Vec<i32>,
    /// Jobs expected.
    pub expected_jobs: Vec<i32>,
    /// The no-double-funding commitment.
    pub no_double_funding: Vec<bool>,
    /// Authors.
    pub created_by: Vec<i64>,
    /// First event.
    pub created_at: Vec<OffsetDateTime>,
    /// Last event.
    pub updated_at: Vec<OffsetDateTime>,
}

/// Budget lines to create, column by column.
#[derive(Debug, Default)]
pub struct CostLineColumns {
    /// Proposal ids.
    pub proposal_id: Vec<i64>,
    /// Position within the proposal, from 1.
    pub position: Vec<i16>,
    /// Items.
    pub item: Vec<String>,
    /// Units of measure.
    pub unit: Vec<String>,
    /// Quantities in hundredths.
    pub quantity_hundredths: Vec<i64>,
    /// Unit prices, đồng.
    pub unit_price: Vec<i64>,
    /// Line totals, đồng.
    pub total: Vec<i64>,
    /// Support requested, đồng.
    pub support: Vec<i64>,
}

/// Screening returns to create, column by column.
#[derive(Debug, Default)]
pub struct ReturnColumns {
    /// Proposal ids.
    pub proposal_id: Vec<i64>,
    /// Who returned the dossier.
    pub requested_by: Vec<i64>,
    /// When.
    pub requested_at: Vec<OffsetDateTime>,
    /// What is missing.
    pub missing_items: Vec<String>,
    /// By when.
    pub due_date: Vec<Date>,
    /// The resubmission that answered it.
    pub answered_at: Vec<Option<OffsetDateTime>>,
}

/// Creates proposals with their reserved ids.
pub async fn insert_proposals(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &ProposalColumns,
) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposals
            (id, province_code, code, plan_year, level, form, activity_type_code, title, unit_id,
             office_id, state, total_cost, requested_support, counterpart_funds, approved_support,
             submitted_at, objectives, content, location_detail, start_date, end_date,
             baseline_output, expected_output, baseline_revenue, expected_revenue, baseline_jobs,
             expected_jobs, no_double_funding, created_by, created_at, updated_at, beneficiary_ids)
        overriding system value
        select r.id, $1, r.code, r.plan_year, r.level::proposal_level, r.form::proposal_form,
               r.activity_type_code, r.title, r.unit_id, r.office_id, r.state::proposal_state,
               r.total_cost, r.requested_support, r.counterpart_funds, r.approved_support,
               r.submitted_at, r.objectives, r.content, r.location_detail, r.start_date,
               r.end_date, r.baseline_output, r.expected_output, r.baseline_revenue,
               r.expected_revenue, r.baseline_jobs, r.expected_jobs, r.no_double_funding,
               r.created_by, r.created_at, r.updated_at, r.beneficiary_ids::bigint[]
        from unnest($2::bigint[], $3::text[], $4::int2[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[],
                    $13::bigint[], $14::bigint[], $15::bigint[], $16::timestamptz[], $17::text[],
                    $18::text[], $19::text[], $20::date[], $21::date[], $22::text[], $23::text[],
                    $24::bigint[], $25::bigint[], $26::int4[], $27::int4[], $28::bool[],
                    $29::bigint[], $30::timestamptz[], $31::timestamptz[], $32::text[])
             as r(id, code, plan_year, level, form, activity_type_code, title, unit_id, office_id,
                  state, total_cost, requested_support, counterpart_funds, approved_support,
                  submitted_at, objectives, content, location_detail, start_date, end_date,
                  baseline_output, expected_output, baseline_revenue, expected_revenue,
                  baseline_jobs, expected_jobs, no_double_funding, created_by, created_at,
                  updated_at, beneficiary_ids)
        "#,
        province_code,
        &rows.id,
        &rows.code as &[Option<String>],
        &rows.plan_year,
        &rows.level,
        &rows.form,
        &rows.activity_type_code,
        &rows.title,
        &rows.unit_id,
        &rows.office_id,
        &rows.state,
        &rows.total_cost,
        &rows.requested_support,
        &rows.counterpart_funds,
        &rows.approved_support as &[Option<i64>],
        &rows.submitted_at as &[Option<OffsetDateTime>],
        &rows.objectives,
        &rows.content,
        &rows.location_detail,
        &rows.start_date as &[Option<Date>],
        &rows.end_date as &[Option<Date>],
        &rows.baseline_output,
        &rows.expected_output,
        &rows.baseline_revenue,
        &rows.expected_revenue,
        &rows.baseline_jobs,
        &rows.expected_jobs,
        &rows.no_double_funding,
        &rows.created_by,
        &rows.created_at,
        &rows.updated_at,
        &rows.beneficiary_ids,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Creates budget lines.
pub async fn insert_cost_lines(conn: &mut PgConnection, rows: &CostLineColumns) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into proposal_cost_lines
            (proposal_id, position, item, unit, quantity_hundredths, unit_price, total, support)
        select * from unnest($1::bigint[], $2::int2[], $3::text[], $4::text[], $5::bigint[],
                             $6::bigint[], $7::bigint[], $8::bigint[])
        "#,
        &rows.proposal_id,
        &rows.position,
        &rows.item,
        &rows.unit,
        &rows.quantity_hundredths,
        &rows.unit_price,
        &rows.total,
        &rows.support,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Creates screening returns.
pub async fn insert_returns(conn: &mut PgConnection, rows: &ReturnColumns) -> AppResult<u64> {
    let done = sqlx::query!(
        r#"
        insert into return_requests
            (proposal_id, requested_by, requested_at, missing_items, due_date, answered_at)
        select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[],
                             $5::date[], $6::timestamptz[])
        "#,
        &rows.proposal_id,
        &rows.requested_by,
        &rows.requested_at,
        &rows.missing_items,
        &rows.due_date,
        &rows.answered_at as &[Option<OffsetDateTime>],
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
