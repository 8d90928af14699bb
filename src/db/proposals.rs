//! Proposals. Every read is narrowed by the caller's scope (`proposal_in_scope`): within a
//! province; for a local office, located in its area or submitted by it; for a facility
//! owner, benefiting its facility. Writes are guarded by the expected state and version.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use super::scope::ScopeParams;
use crate::domain::dossier::{CostLine, Totals};
use crate::domain::proposal::{EventRefs, ProposalForm, ProposalLevel, ProposalState};
use crate::error::AppResult;

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

/// One step of a proposal's timeline.
#[derive(Clone, Debug)]
pub struct Event {
    /// When.
    pub at: OffsetDateTime,
    /// Who (full name), or none for the system.
    pub actor_name: Option<String>,
    /// What.
    pub action: String,
    /// State after.
    pub to_state: ProposalState,
    /// Note.
    pub note: String,
    /// The records its details name (the timeline links the step's document).
    pub refs: EventRefs,
}

/// An open request to complete a returned dossier.
#[derive(Clone, Debug)]
pub struct ReturnRequest {
    /// What is missing.
    pub missing_items: String,
    /// By when.
    pub due_date: Date,
    /// When it was asked.
    pub requested_at: OffsetDateTime,
    /// Who asked.
    pub requested_by: String,
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

/// The proposal, if `scope` includes it (one outside the scope is "not found").
pub async fn find(
    pool: &PgPool,
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
    .fetch_optional(pool)
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

/// The beneficiaries of a proposal.
pub async fn beneficiaries(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Beneficiary>> {
    Ok(sqlx::query_as!(
        Beneficiary,
        r#"
        select f.id, f.name, f.tax_code from proposal_facilities pf join facilities f on f.id = pf.facility_id
        where pf.proposal_id = $1 order by f.name
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// The budget lines of a proposal, in order.
pub async fn cost_lines(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<CostLineRow>> {
    Ok(sqlx::query_as!(
        CostLineRow,
        "select item, unit, quantity_hundredths, unit_price, total, support
         from proposal_cost_lines where proposal_id = $1 order by position",
        proposal_id
    )
    .fetch_all(pool)
    .await?)
}

/// A proposal's timeline, oldest first.
pub async fn events(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query!(
        r#"
        select e.at, u.full_name as "actor_name?", e.action, e.to_state as "to_state: ProposalState", e.note,
               (e.details->>'record_id')::bigint as record_id,
               (e.details->>'decision_id')::bigint as decision_id,
               (e.details->>'visit_id')::bigint as visit_id,
               (e.details->>'acceptance_record_id')::bigint as acceptance_record_id,
               (e.details->>'document_id')::bigint as document_id
        from proposal_events e left join users u on u.id = e.actor_id
        where e.proposal_id = $1
        order by e.at, e.id
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Event {
        at: r.at,
        actor_name: r.actor_name,
        action: r.action,
        to_state: r.to_state,
        note: r.note,
        refs: EventRefs {
            record_id: r.record_id,
            decision_id: r.decision_id,
            visit_id: r.visit_id,
            acceptance_record_id: r.acceptance_record_id,
            document_id: r.document_id,
        },
    })
    .collect())
}

/// The open return request of a proposal, if any.
pub async fn open_return_request(
    pool: &PgPool,
    proposal_id: i64,
) -> AppResult<Option<ReturnRequest>> {
    Ok(sqlx::query_as!(
        ReturnRequest,
        r#"
        select r.missing_items, r.due_date, r.requested_at, u.full_name as requested_by
        from return_requests r join users u on u.id = r.requested_by
        where r.proposal_id = $1 and r.answered_at is null
        order by r.requested_at desc limit 1
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
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

/// The next number for a proposal code of this province, year and level. The counter row is
/// locked until the transaction ends, so concurrent submissions get distinct numbers; the
/// first use starts after the highest code already given (demo or imported data).
pub async fn next_code_number(
    conn: &mut PgConnection,
    province_code: &str,
    plan_year: i16,
    level: ProposalLevel,
) -> AppResult<i32> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into proposal_code_counters as c (province_code, plan_year, level, last_number)
        values ($1, $2, $3, 1 + coalesce((
            select max(substring(code from '[0-9]+$')::int) from proposals
            where province_code = $1 and plan_year = $2 and level = $3 and code is not null), 0))
        on conflict (province_code, plan_year, level) do update set last_number = c.last_number + 1
        returning last_number
        "#,
        province_code,
        plan_year,
        level as ProposalLevel,
    )
    .fetch_one(conn)
    .await?)
}

/// Moves a proposal from `from` to `to` if it is still there at `version`, giving it `code`
/// if it has none (first submission). `false` when it moved or changed meanwhile.
pub async fn set_state(
    conn: &mut PgConnection,
    id: i64,
    from: ProposalState,
    to: ProposalState,
    version: i32,
    code: Option<&str>,
) -> AppResult<bool> {
    let changed = sqlx::query!(
        r#"
        update proposals
        set state = $3::proposal_state, version = version + 1, code = coalesce(code, $5),
            submitted_at = case when $3::proposal_state = 'submitted' then coalesce(submitted_at, now())
                                else submitted_at end
        where id = $1 and state = $2 and version = $4
        "#,
        id,
        from as ProposalState,
        to as ProposalState,
        version,
        code,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Moves every proposal of `ids` from `from` to `to` in one statement (a plan decision's
/// set); how many moved. Fewer than `ids.len()` means one was no longer in `from`.
pub async fn move_many(
    conn: &mut PgConnection,
    ids: &[i64],
    from: ProposalState,
    to: ProposalState,
) -> AppResult<u64> {
    Ok(sqlx::query!(
        r#"
        update proposals set state = $3::proposal_state, version = version + 1
        where id = any($1) and state = $2
        "#,
        ids,
        from as ProposalState,
        to as ProposalState,
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Appends several timeline steps in one statement.
pub async fn insert_events(conn: &mut PgConnection, events: &[NewEvent<'_>]) -> AppResult<()> {
    let ids: Vec<i64> = events.iter().map(|e| e.proposal_id).collect();
    let actors: Vec<i64> = events.iter().map(|e| e.actor_id).collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action).collect();
    let froms: Vec<Option<ProposalState>> = events.iter().map(|e| e.from).collect();
    let tos: Vec<ProposalState> = events.iter().map(|e| e.to).collect();
    let notes: Vec<&str> = events.iter().map(|e| e.note).collect();
    let details: Vec<serde_json::Value> = events.iter().map(|e| e.details.clone()).collect();
    sqlx::query!(
        r#"
        insert into proposal_events (proposal_id, actor_id, action, from_state, to_state, note, details)
        select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::proposal_state[],
                             $5::proposal_state[], $6::text[], $7::jsonb[])
        "#,
        &ids,
        &actors,
        &actions as &[&str],
        &froms as &[Option<ProposalState>],
        &tos as &[ProposalState],
        &notes as &[&str],
        &details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A step of a proposal's timeline, to append.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// Who.
    pub actor_id: i64,
    /// What (`submit`, `return`…).
    pub action: &'a str,
    /// State before.
    pub from: Option<ProposalState>,
    /// State after.
    pub to: ProposalState,
    /// Note the people concerned read.
    pub note: &'a str,
    /// Changed amounts and other details.
    pub details: serde_json::Value,
}

/// Appends a step to the proposal's timeline.
pub async fn insert_event(conn: &mut PgConnection, event: &NewEvent<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into proposal_events (proposal_id, actor_id, action, from_state, to_state, note, details)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        event.proposal_id,
        event.actor_id,
        event.action,
        event.from as Option<ProposalState>,
        event.to as ProposalState,
        event.note,
        event.details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a return request.
pub async fn insert_return_request(
    conn: &mut PgConnection,
    proposal_id: i64,
    requested_by: i64,
    missing_items: &str,
    due_date: Date,
) -> AppResult<()> {
    sqlx::query!(
        "insert into return_requests (proposal_id, requested_by, missing_items, due_date) values ($1, $2, $3, $4)",
        proposal_id,
        requested_by,
        missing_items,
        due_date,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the open return requests of a proposal answered (on resubmission).
pub async fn answer_return_requests(conn: &mut PgConnection, proposal_id: i64) -> AppResult<()> {
    sqlx::query!(
        "update return_requests set answered_at = now() where proposal_id = $1 and answered_at is null",
        proposal_id
    )
    .execute(conn)
    .await?;
    Ok(())
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
