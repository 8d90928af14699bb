//! Proposals. Every read is narrowed by the caller's scope (`proposal_in_scope`): within a
//! province; for a local office, located in its area or submitted by it; for a facility
//! owner, benefiting its facility. Writes are guarded by the expected state and version.

use sqlx::PgPool;
use time::{Date, OffsetDateTime};
use tracing::instrument;

use super::scope::ScopeParams;
use crate::domain::proposal::{ProposalForm, ProposalLevel, ProposalState};
use crate::error::AppResult;

mod basis;
mod dossier;
mod export;
mod timeline;

pub use basis::{Basis, Held, basis, hold, hold_all, in_scope};
pub use dossier::{
    Beneficiary, CostLineRow, ProposalInput, beneficiaries, cost_lines, insert_draft,
    replace_parts, update_dossier,
};
pub use export::{ProposalExportRow, export};
pub use timeline::{
    Event, NewEvent, ReturnRequest, answer_return_requests, events, insert_event, insert_events,
    insert_return_request, move_many, next_code_number, numbering, open_return_request, set_state,
};

/// A row of a proposals list.
#[derive(Clone, Debug)]
pub struct ProposalSummary {
    /// Id.
    pub id: i64,
    /// Code, once submitted.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// Local or national.
    pub level: ProposalLevel,
    /// State.
    pub state: ProposalState,
    /// Location (commune/ward).
    pub unit_name: String,
    /// Beneficiaries' names, joined.
    pub facilities: String,
    /// Requested support, đồng.
    pub requested_support: i64,
}

/// One proposal, with its dossier fields.
#[derive(Clone, Debug)]
pub struct ProposalDetail {
    /// Id.
    pub id: i64,
    /// Province.
    pub province_code: String,
    /// Code, once submitted.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// Local or national.
    pub level: ProposalLevel,
    /// Form.
    pub form: ProposalForm,
    /// Activity type code.
    pub activity_type_code: String,
    /// State.
    pub state: ProposalState,
    /// Location unit.
    pub unit_id: i64,
    /// Location.
    pub unit_name: String,
    /// District (legacy) or province of the location.
    pub parent_unit_name: Option<String>,
    /// Submitting office.
    pub office_name: String,
    /// Objectives.
    pub objectives: String,
    /// Content and scale.
    pub content: String,
    /// Where exactly.
    pub location_detail: String,
    /// Start.
    pub start_date: Option<Date>,
    /// End.
    pub end_date: Option<Date>,
    /// Total cost, đồng.
    pub total_cost: i64,
    /// Requested support, đồng.
    pub requested_support: i64,
    /// Counterpart funds, đồng.
    pub counterpart_funds: i64,
    /// Approved support, đồng.
    pub approved_support: Option<i64>,
    /// Baseline output.
    pub baseline_output: String,
    /// Expected output.
    pub expected_output: String,
    /// Baseline revenue, đồng.
    pub baseline_revenue: i64,
    /// Expected revenue, đồng.
    pub expected_revenue: i64,
    /// Baseline jobs.
    pub baseline_jobs: i32,
    /// Expected jobs.
    pub expected_jobs: i32,
    /// The no-double-funding commitment.
    pub no_double_funding: bool,
    /// A technology line (the cap's multiplier applies).
    pub technology_line: bool,
    /// First submission.
    pub submitted_at: Option<OffsetDateTime>,
    /// Edit counter.
    pub version: i32,
}

/// Filters of the proposals list (all optional).
#[derive(Clone, Debug, Default)]
pub struct ProposalFilters {
    /// A `tsquery` from domain::search.
    pub query: Option<String>,
    /// Plan year.
    pub plan_year: Option<i16>,
    /// State.
    pub state: Option<ProposalState>,
    /// Level.
    pub level: Option<ProposalLevel>,
    /// Activity type code.
    pub activity_type_code: Option<String>,
    /// A beneficiary's sector code.
    pub sector_code: Option<String>,
    /// The location's commune or the district above it.
    pub unit_id: Option<i64>,
    /// `newest` (default), `code` or `requested`.
    pub sort: String,
}

/// A page of the proposals `scope` shows, filtered. The total is the sum of
/// `count_by_state`, which the list shows anyway: a window count here would make every
/// matching row be read before the first page could be cut off an index. The page's ids are
/// found first and its rows read after: rows skipped by the offset are then walked in the
/// index alone, not read and dressed (a deep page: 300 ms before, measured in benchmarks.md).
#[instrument(level = "debug", skip_all, fields(limit, offset), err)]
pub async fn list(
    pool: &PgPool,
    scope: &ScopeParams,
    filters: &ProposalFilters,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<ProposalSummary>> {
    Ok(sqlx::query_as!(
        ProposalSummary,
        r#"
        with page as (
            select p.id from proposals p
            where proposal_in_scope(p, $1, $2, $3, $4, $5)
              and ($8::text is null or p.search_vector @@ to_tsquery('simple', $8))
              and ($9::smallint is null or p.plan_year = $9)
              and ($10::proposal_state is null or p.state = $10)
              and ($11::proposal_level is null or p.level = $11)
              and ($12::text is null or p.activity_type_code = $12)
              and ($13::text is null or exists (select 1 from proposal_facilities pf
                                                join facilities f on f.id = pf.facility_id
                                                where pf.proposal_id = p.id and f.sector_code = $13))
              and ($14::bigint is null or p.unit_id = $14 or p.parent_unit_id = $14)
            order by case when $15 = 'code' then p.code end,
                     case when $15 = 'requested' then p.requested_support end desc,
                     p.plan_year desc, p.id desc
            limit $6 offset $7
        )
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", u.full_name as unit_name, p.requested_support,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!"
        from page
        join proposals p on p.id = page.id
        join admin_units u on u.id = p.unit_id
        order by case when $15 = 'code' then p.code end,
                 case when $15 = 'requested' then p.requested_support end desc,
                 p.plan_year desc, p.id desc
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        offset,
        filters.query,
        filters.plan_year,
        filters.state as Option<ProposalState>,
        filters.level as Option<ProposalLevel>,
        filters.activity_type_code,
        filters.sector_code,
        filters.unit_id,
        filters.sort,
    )
    .fetch_all(pool)
    .await?)
}

/// How many proposals `scope` shows in each state under `filters` (its state filter is
/// ignored, so the counts can offer every state); states with none are left out.
#[instrument(level = "debug", skip_all, err)]
pub async fn count_by_state(
    pool: &PgPool,
    scope: &ScopeParams,
    filters: &ProposalFilters,
) -> AppResult<Vec<(ProposalState, i64)>> {
    let rows = sqlx::query!(
        r#"
        select p.state as "state: ProposalState", count(*) as "count!"
        from proposals p
        where proposal_in_scope(p, $1, $2, $3, $4, $5)
          and ($6::text is null or p.search_vector @@ to_tsquery('simple', $6))
          and ($7::smallint is null or p.plan_year = $7)
          and ($8::proposal_level is null or p.level = $8)
          and ($9::text is null or p.activity_type_code = $9)
          and ($10::text is null or exists (select 1 from proposal_facilities pf
                                            join facilities f on f.id = pf.facility_id
                                            where pf.proposal_id = p.id and f.sector_code = $10))
          and ($11::bigint is null or p.unit_id = $11 or p.parent_unit_id = $11)
        group by p.state
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        filters.query,
        filters.plan_year,
        filters.level as Option<ProposalLevel>,
        filters.activity_type_code,
        filters.sector_code,
        filters.unit_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.state, r.count)).collect())
}

/// The proposal, if `scope` includes it (one outside the scope is "not found").
#[instrument(level = "debug", skip_all, fields(proposal.id = id), err)]
pub async fn find(
    db: impl sqlx::PgExecutor<'_>,
    scope: &ScopeParams,
    id: i64,
) -> AppResult<Option<ProposalDetail>> {
    Ok(sqlx::query_as!(
        ProposalDetail,
        r#"
        select p.id, p.province_code, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.form as "form: ProposalForm", p.activity_type_code, p.state as "state: ProposalState",
               p.unit_id, u.full_name as unit_name, pu.full_name as "parent_unit_name?", o.name as office_name,
               p.objectives, p.content, p.location_detail, p.start_date, p.end_date,
               p.total_cost, p.requested_support, p.counterpart_funds, p.approved_support,
               p.baseline_output, p.expected_output, p.baseline_revenue, p.expected_revenue,
               p.baseline_jobs, p.expected_jobs, p.no_double_funding, p.technology_line, p.submitted_at, p.version
        from proposals p
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        join organisations o on o.id = p.office_id
        where p.id = $6
          and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        id,
    )
    .fetch_optional(db)
    .await?)
}

/// The id, state and plan year of the proposal with `code`, if `scope` includes it.
pub async fn find_by_code(
    pool: &PgPool,
    scope: &ScopeParams,
    code: &str,
) -> AppResult<Option<(i64, ProposalState, i16)>> {
    let row = sqlx::query!(
        r#"
        select p.id, p.state as "state: ProposalState", p.plan_year from proposals p
        where p.code = $6 and proposal_in_scope(p, $1, $2, $3, $4, $5)
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        code,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.id, r.state, r.plan_year)))
}

/// The proposals a facility benefits from, for its page (already scoped by the facility).
pub async fn for_facility(pool: &PgPool, facility_id: i64) -> AppResult<Vec<ProposalSummary>> {
    Ok(sqlx::query_as!(
        ProposalSummary,
        r#"
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", u.full_name as unit_name, p.requested_support,
               '' as "facilities!"
        from proposal_facilities pf
        join proposals p on p.id = pf.proposal_id
        join admin_units u on u.id = p.unit_id
        where pf.facility_id = $1
        order by p.plan_year desc, p.id desc
        "#,
        facility_id
    )
    .fetch_all(pool)
    .await?)
}

/// Activity types in force: code, group and names.
pub async fn activity_type_options(pool: &PgPool) -> AppResult<Vec<(String, String, String)>> {
    let rows = sqlx::query!(
        "select code, name_vi, name_en from activity_types
         where valid_to is null or valid_to > current_date order by sort_order"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code, r.name_vi, r.name_en))
        .collect())
}
