//! A proposal's dossier as entered: its fields, beneficiaries and budget lines.

use sqlx::PgConnection;
use time::Date;

use crate::domain::dossier::{CostLine, Totals};
use crate::domain::proposal::{ProposalForm, ProposalLevel};
use crate::error::AppResult;

/// A proposal's dossier fields as entered, validated.
#[derive(Clone, Debug)]
pub struct ProposalInput {
    /// Plan year.
    pub plan_year: i16,
    /// Level.
    pub level: ProposalLevel,
    /// Form.
    pub form: ProposalForm,
    /// Activity type.
    pub activity_type_code: String,
    /// Title.
    pub title: String,
    /// Objectives.
    pub objectives: String,
    /// Content.
    pub content: String,
    /// Where exactly.
    pub location_detail: String,
    /// Start.
    pub start_date: Option<Date>,
    /// End.
    pub end_date: Option<Date>,
    /// Sums of the budget.
    pub totals: Totals,
    /// Baseline output.
    pub baseline_output: String,
    /// Expected output.
    pub expected_output: String,
    /// Baseline revenue.
    pub baseline_revenue: i64,
    /// Expected revenue.
    pub expected_revenue: i64,
    /// Baseline jobs.
    pub baseline_jobs: i32,
    /// Expected jobs.
    pub expected_jobs: i32,
    /// The commitment.
    pub no_double_funding: bool,
    /// Location: the first beneficiary's commune.
    pub unit_id: i64,
    /// The support cap the request was checked against.
    pub support_cap_id: Option<i64>,
    /// A technology line (the cap's multiplier applies).
    pub technology_line: bool,
}

/// A beneficiary of a proposal.
#[derive(Clone, Debug)]
pub struct Beneficiary {
    /// Facility id.
    pub id: i64,
    /// Facility name.
    pub name: String,
    /// Tax code.
    pub tax_code: String,
}

/// A stored budget line.
#[derive(Clone, Debug)]
pub struct CostLineRow {
    /// Item.
    pub item: String,
    /// Unit.
    pub unit: String,
    /// Quantity in hundredths.
    pub quantity_hundredths: i64,
    /// Unit price.
    pub unit_price: i64,
    /// Line total.
    pub total: i64,
    /// Support requested.
    pub support: i64,
}

/// The beneficiaries of a proposal.
pub async fn beneficiaries(
    db: impl sqlx::PgExecutor<'_>,
    proposal_id: i64,
) -> AppResult<Vec<Beneficiary>> {
    Ok(sqlx::query_as!(
        Beneficiary,
        r#"
        select f.id, f.name, f.tax_code from proposal_facilities pf join facilities f on f.id = pf.facility_id
        where pf.proposal_id = $1 order by f.name
        "#,
        proposal_id
    )
    .fetch_all(db)
    .await?)
}

/// The budget lines of a proposal, in order.
pub async fn cost_lines(
    db: impl sqlx::PgExecutor<'_>,
    proposal_id: i64,
) -> AppResult<Vec<CostLineRow>> {
    Ok(sqlx::query_as!(
        CostLineRow,
        "select item, unit, quantity_hundredths, unit_price, total, support
         from proposal_cost_lines where proposal_id = $1 order by position",
        proposal_id
    )
    .fetch_all(db)
    .await?)
}

/// Creates a draft; its beneficiaries and lines are written by the caller in the same
/// transaction.
pub async fn insert_draft(
    conn: &mut PgConnection,
    province_code: &str,
    office_id: i64,
    input: &ProposalInput,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into proposals (province_code, plan_year, level, form, activity_type_code, title, unit_id,
            office_id, objectives, content, location_detail, start_date, end_date, total_cost,
            requested_support, counterpart_funds, baseline_output, expected_output, baseline_revenue,
            expected_revenue, baseline_jobs, expected_jobs, no_double_funding, created_by, support_cap_id,
            technology_line)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $25, $26)
        returning id
        "#,
        province_code,
        input.plan_year,
        input.level as ProposalLevel,
        input.form as ProposalForm,
        input.activity_type_code,
        input.title,
        input.unit_id,
        office_id,
        input.objectives,
        input.content,
        input.location_detail,
        input.start_date,
        input.end_date,
        input.totals.total_cost,
        input.totals.requested_support,
        input.totals.counterpart_funds,
        input.baseline_output,
        input.expected_output,
        input.baseline_revenue,
        input.expected_revenue,
        input.baseline_jobs,
        input.expected_jobs,
        input.no_double_funding,
        created_by,
        input.support_cap_id,
        input.technology_line,
    )
    .fetch_one(conn)
    .await?)
}

/// Saves the dossier fields of a proposal still open for editing (`draft` or `returned`),
/// made on `version`; `false` when it changed meanwhile or is no longer editable.
pub async fn update_dossier(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    input: &ProposalInput,
) -> AppResult<bool> {
    let changed = sqlx::query!(
        r#"
        update proposals set plan_year = $3, level = $4, form = $5, activity_type_code = $6, title = $7,
            unit_id = $8, objectives = $9, content = $10, location_detail = $11, start_date = $12,
            end_date = $13, total_cost = $14, requested_support = $15, counterpart_funds = $16,
            baseline_output = $17, expected_output = $18, baseline_revenue = $19, expected_revenue = $20,
            baseline_jobs = $21, expected_jobs = $22, no_double_funding = $23, support_cap_id = $24,
            technology_line = $25, version = version + 1
        where id = $1 and version = $2 and state in ('draft', 'returned')
        "#,
        id,
        version,
        input.plan_year,
        input.level as ProposalLevel,
        input.form as ProposalForm,
        input.activity_type_code,
        input.title,
        input.unit_id,
        input.objectives,
        input.content,
        input.location_detail,
        input.start_date,
        input.end_date,
        input.totals.total_cost,
        input.totals.requested_support,
        input.totals.counterpart_funds,
        input.baseline_output,
        input.expected_output,
        input.baseline_revenue,
        input.expected_revenue,
        input.baseline_jobs,
        input.expected_jobs,
        input.no_double_funding,
        input.support_cap_id,
        input.technology_line,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Replaces a proposal's beneficiaries and budget lines.
pub async fn replace_parts(
    conn: &mut PgConnection,
    id: i64,
    facility_ids: &[i64],
    lines: &[CostLine],
    line_totals: &[i64],
) -> AppResult<()> {
    sqlx::query!("delete from proposal_facilities where proposal_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into proposal_facilities (proposal_id, facility_id) select $1, unnest($2::bigint[])",
        id,
        facility_ids,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("delete from proposal_cost_lines where proposal_id = $1", id)
        .execute(&mut *conn)
        .await?;
    let positions: Vec<i16> = (1..=lines.len())
        .map(|p| i16::try_from(p).unwrap_or(i16::MAX))
        .collect();
    let items: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
    let units: Vec<&str> = lines.iter().map(|l| l.unit.as_str()).collect();
    let quantities: Vec<i64> = lines.iter().map(|l| l.quantity_hundredths).collect();
    let prices: Vec<i64> = lines.iter().map(|l| l.unit_price).collect();
    let supports: Vec<i64> = lines.iter().map(|l| l.support).collect();
    sqlx::query!(
        r#"
        insert into proposal_cost_lines (proposal_id, position, item, unit, quantity_hundredths, unit_price,
            total, support)
        select $1, * from unnest($2::smallint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
            $7::bigint[], $8::bigint[])
        "#,
        id,
        &positions,
        &items as &[&str],
        &units as &[&str],
        &quantities,
        &prices,
        line_totals,
        &supports,
    )
    .execute(conn)
    .await?;
    Ok(())
}
