//! The proposals list's export, streamed row by row.

use sqlx::PgPool;
use time::Date;

use crate::db::scope::ScopeParams;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

use super::ProposalFilters;

/// A row of the proposals list's export: the list's columns and the dossier's figures.
#[derive(Clone, Debug)]
pub struct ProposalExportRow {
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
    /// Activity type, Vietnamese.
    pub activity_vi: String,
    /// Activity type, English.
    pub activity_en: String,
    /// Beneficiaries' names, joined.
    pub facilities: String,
    /// Location (commune/ward).
    pub unit_name: String,
    /// The district above it (legacy units), if any.
    pub district_name: Option<String>,
    /// Submitting office.
    pub office_name: String,
    /// Total cost, đồng.
    pub total_cost: i64,
    /// Requested support, đồng.
    pub requested_support: i64,
    /// Counterpart funds, đồng.
    pub counterpart_funds: i64,
    /// Approved support, đồng.
    pub approved_support: Option<i64>,
    /// Start.
    pub start_date: Option<Date>,
    /// End.
    pub end_date: Option<Date>,
    /// First submission, in Vietnam's calendar.
    pub submitted_on: Option<Date>,
}

/// The proposals `scope` shows under `filters`, in the list's order, at most `limit`, each
/// handed to `each` as it is read (a stream: the rows are never all held). The same
/// conditions as [`list`], without its page: the ids-first reading is for cutting a page
/// off the index, and an export reads them all.
pub async fn export<F, Fut>(
    pool: &PgPool,
    scope: &ScopeParams,
    filters: &ProposalFilters,
    limit: i64,
    mut each: F,
) -> AppResult<()>
where
    F: FnMut(ProposalExportRow) -> Fut,
    Fut: Future<Output = AppResult<()>>,
{
    use futures_util::TryStreamExt as _;
    let mut rows = sqlx::query_as!(
        ProposalExportRow,
        r#"
        select p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", t.name_vi as activity_vi, t.name_en as activity_en,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!",
               u.full_name as unit_name,
               case when pu.level = 'district' then pu.full_name end as "district_name?",
               o.name as office_name, p.total_cost, p.requested_support, p.counterpart_funds,
               p.approved_support, p.start_date, p.end_date,
               (p.submitted_at at time zone 'Asia/Ho_Chi_Minh')::date as "submitted_on?"
        from proposals p
        join activity_types t on t.code = p.activity_type_code
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        join organisations o on o.id = p.office_id
        where proposal_in_scope(p, $1, $2, $3, $4, $5)
          and ($7::text is null or p.search_vector @@ to_tsquery('simple', $7))
          and ($8::smallint is null or p.plan_year = $8)
          and ($9::proposal_state is null or p.state = $9)
          and ($10::proposal_level is null or p.level = $10)
          and ($11::text is null or p.activity_type_code = $11)
          and ($12::text is null or exists (select 1 from proposal_facilities pf
                                            join facilities f on f.id = pf.facility_id
                                            where pf.proposal_id = p.id and f.sector_code = $12))
          and ($13::bigint is null or p.unit_id = $13 or p.parent_unit_id = $13)
        order by case when $14 = 'code' then p.code end,
                 case when $14 = 'requested' then p.requested_support end desc,
                 p.plan_year desc, p.id desc
        limit $6
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        filters.query,
        filters.plan_year,
        filters.state as Option<ProposalState>,
        filters.level as Option<ProposalLevel>,
        filters.activity_type_code,
        filters.sector_code,
        filters.unit_id,
        filters.sort,
    )
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        each(row).await?;
    }
    Ok(())
}
