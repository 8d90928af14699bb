//! The SQL of the performance data set (`crate::generate`). Rows go in by column arrays
//! (`unnest`), a few thousand rows per statement, on the connection of the one loading
//! transaction. Enum columns travel as text and are cast in SQL. Beneficiaries and timeline
//! events reuse the statements of `db::demo`.

pub mod funding;

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::error::AppResult;

/// A commune or ward of the province, in either set of administrative units.
#[derive(Clone, Debug)]
pub struct CommuneRow {
    /// Row id.
    pub id: i64,
    /// Official type: `xã`, `phường`, `thị trấn`…
    pub kind: String,
    /// Name without its type (`Phúc Xuân`).
    pub name: String,
    /// Name with its type (`Xã Phúc Xuân`).
    pub full_name: String,
    /// True for the legacy set (in force before July 2025).
    pub legacy: bool,
    /// The official code of its district (legacy set only).
    pub district_code: Option<String>,
}

/// A local office and the area (unit) it serves.
#[derive(Clone, Debug)]
pub struct OfficeRow {
    /// Organisation id.
    pub id: i64,
    /// The unit it serves.
    pub unit_id: i64,
    /// The official code of that unit.
    pub unit_code: String,
    /// True when that unit belongs to the legacy set.
    pub legacy: bool,
    /// The first active local officer of the office, if it has one.
    pub officer_id: Option<i64>,
}

/// The highest proposal number used so far for a plan year and level.
#[derive(Clone, Debug)]
pub struct LastNumber {
    /// Plan year.
    pub plan_year: i16,
    /// Level code (`local`, `national`).
    pub level: String,
    /// Highest number used (0 when none).
    pub last_number: i32,
}

/// Facilities to create, column by column.
#[derive(Debug, Default)]
pub struct FacilityColumns {
    /// Legal names.
    pub name: Vec<String>,
    /// Legal form codes (`legal_form`).
    pub legal_form: Vec<String>,
    /// Tax codes (unique).
    pub tax_code: Vec<String>,
    /// Owners.
    pub owner_name: Vec<String>,
    /// Phones.
    pub phone: Vec<Option<String>>,
    /// Hamlet or street.
    pub address_detail: Vec<String>,
    /// Commune ids.
    pub unit_id: Vec<i64>,
    /// Sector codes.
    pub sector_code: Vec<String>,
    /// Main products.
    pub main_products: Vec<String>,
    /// Workers.
    pub workers: Vec<i32>,
    /// Revenue per year, đồng.
    pub annual_revenue: Vec<i64>,
    /// Business registration number.
    pub business_registration: Vec<String>,
    /// Capital, đồng.
    pub capital: Vec<i64>,
    /// Owned by a woman.
    pub women_owned: Vec<bool>,
    /// Owned by a member of an ethnic minority.
    pub ethnic_minority_owned: Vec<bool>,
    /// Makes a typical rural-industrial product.
    pub typical_product: Vec<bool>,
    /// Exports.
    pub exports: Vec<bool>,
    /// Uses local raw materials.
    pub local_raw_materials: Vec<bool>,
    /// Who registered it.
    pub created_by: Vec<i64>,
    /// When it was registered.
    pub created_at: Vec<OffsetDateTime>,
}

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

/// How many of `usernames` exist.
pub async fn count_users(conn: &mut PgConnection, usernames: &[String]) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "count!" from users where username = any($1)"#,
        usernames,
    )
    .fetch_one(conn)
    .await?)
}

/// The ids of `usernames` that exist, as (username, id).
pub async fn user_ids(
    conn: &mut PgConnection,
    usernames: &[String],
) -> AppResult<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        "select username, id from users where username = any($1)",
        usernames,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.username, r.id)).collect())
}

/// Whether a facility with a tax code starting with `prefix` exists.
pub async fn has_tax_code_prefix(conn: &mut PgConnection, prefix: &str) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from facilities where tax_code like $1 || '%') as "exists!""#,
        prefix,
    )
    .fetch_one(conn)
    .await?)
}

/// Every commune and ward of a province, in both sets of units.
pub async fn communes(conn: &mut PgConnection, province_code: &str) -> AppResult<Vec<CommuneRow>> {
    Ok(sqlx::query_as!(
        CommuneRow,
        r#"
        select u.id, u.kind, u.name, u.full_name, u.valid_from is null as "legacy!",
               d.code as "district_code?"
        from admin_units u
        left join admin_units d on d.id = u.parent_id and d.level = 'district'
        where u.province_code = $1 and u.level = 'commune'
        order by u.valid_from nulls first, u.code
        "#,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// The province's local offices, each with its first active local officer.
pub async fn local_offices(
    conn: &mut PgConnection,
    province_code: &str,
) -> AppResult<Vec<OfficeRow>> {
    Ok(sqlx::query_as!(
        OfficeRow,
        r#"
        select o.id, u.id as "unit_id!", u.code as unit_code, u.valid_from is null as "legacy!",
               (select min(us.id) from users us
                where us.organisation_id = o.id and us.role = 'local_officer' and us.active)
                   as "officer_id?"
        from organisations o
        join admin_units u on u.id = o.unit_id
        where o.province_code = $1 and o.kind = 'local_office'
        order by o.id
        "#,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// Creates the local offices named (one per unit) that do not exist yet; answers
/// (unit id, organisation id) for every name given.
pub async fn ensure_local_offices(
    conn: &mut PgConnection,
    province_code: &str,
    names: &[String],
    unit_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    sqlx::query!(
        r#"
        insert into organisations (province_code, kind, name, unit_id)
        select $1, 'local_office', r.name, r.unit_id
        from unnest($2::text[], $3::bigint[]) as r(name, unit_id)
        on conflict (province_code, name) do nothing
        "#,
        province_code,
        names,
        unit_ids,
    )
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"
        select o.unit_id as "unit_id!", o.id
        from organisations o
        join unnest($2::text[], $3::bigint[]) as r(name, unit_id)
          on r.name = o.name and r.unit_id = o.unit_id
        where o.province_code = $1 and o.kind = 'local_office'
        "#,
        province_code,
        names,
        unit_ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.id)).collect())
}

/// The highest proposal number used per plan year and level: in existing codes
/// (`ĐP-2024-017` → 17) and in the code counters.
pub async fn last_numbers(
    conn: &mut PgConnection,
    province_code: &str,
) -> AppResult<Vec<LastNumber>> {
    Ok(sqlx::query_as!(
        LastNumber,
        r#"
        select plan_year as "plan_year!", level as "level!", max(n)::int4 as "last_number!"
        from (
            select plan_year, level::text as level,
                   coalesce(substring(code from '([0-9]+)$')::int4, 0) as n
            from proposals
            where province_code = $1 and code is not null
            union all
            select plan_year, level::text, last_number
            from proposal_code_counters
            where province_code = $1
        ) as used
        group by plan_year, level
        "#,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// Creates facilities; answers (tax code, id) pairs.
pub async fn insert_facilities(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &FacilityColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into facilities
            (province_code, name, legal_form, tax_code, owner_name, phone, address_detail, unit_id,
             sector_code, main_products, workers, annual_revenue, business_registration, capital,
             women_owned, ethnic_minority_owned, typical_product, exports, local_raw_materials,
             created_by, created_at, updated_at)
        select $1, r.name, r.legal_form::legal_form, r.tax_code, r.owner_name, r.phone,
               r.address_detail, r.unit_id, r.sector_code, r.main_products, r.workers,
               r.annual_revenue, r.business_registration, r.capital, r.women_owned,
               r.ethnic_minority_owned, r.typical_product, r.exports, r.local_raw_materials,
               r.created_by, r.created_at, r.created_at
        from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::bigint[], $9::text[], $10::text[], $11::int4[], $12::bigint[], $13::text[],
                    $14::bigint[], $15::bool[], $16::bool[], $17::bool[], $18::bool[], $19::bool[],
                    $20::bigint[], $21::timestamptz[])
             as r(name, legal_form, tax_code, owner_name, phone, address_detail, unit_id,
                  sector_code, main_products, workers, annual_revenue, business_registration,
                  capital, women_owned, ethnic_minority_owned, typical_product, exports,
                  local_raw_materials, created_by, created_at)
        returning tax_code, id
        "#,
        province_code,
        &rows.name,
        &rows.legal_form,
        &rows.tax_code,
        &rows.owner_name,
        &rows.phone as &[Option<String>],
        &rows.address_detail,
        &rows.unit_id,
        &rows.sector_code,
        &rows.main_products,
        &rows.workers,
        &rows.annual_revenue,
        &rows.business_registration,
        &rows.capital,
        &rows.women_owned,
        &rows.ethnic_minority_owned,
        &rows.typical_product,
        &rows.exports,
        &rows.local_raw_materials,
        &rows.created_by,
        &rows.created_at,
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.tax_code, r.id)).collect())
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

/// Raises the code counters to the numbers used, so that the next submission of a plan year
/// and level gets the number after the highest one.
pub async fn raise_code_counters(
    conn: &mut PgConnection,
    province_code: &str,
    plan_years: &[i16],
    levels: &[String],
    numbers: &[i32],
) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into proposal_code_counters (province_code, plan_year, level, last_number)
        select $1, r.plan_year, r.level::proposal_level, r.n
        from unnest($2::int2[], $3::text[], $4::int4[]) as r(plan_year, level, n)
        on conflict (province_code, plan_year, level)
        do update set last_number = greatest(proposal_code_counters.last_number, excluded.last_number)
        "#,
        province_code,
        plan_years,
        levels,
        numbers,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The appraisal visits of the generated timelines, in one statement: every proposal of
/// `province` that was scheduled for a visit (and is on none yet) goes on one visit per area
/// (legacy district or 2025 commune) and day — the day of its `record_appraisal` event, or a
/// week after its scheduling while still scheduled — led by `leader` with `member`. Appraised
/// proposals get a final record on the default criteria, with points from their id, the
/// score those points make (as `domain::appraisal::Tally::score_tenths` computes it), both
/// members' declarations and the amount their timeline proposed; scheduled ones an empty
/// draft. Returns the number of visits.
pub async fn insert_appraisals(
    conn: &mut PgConnection,
    province: &str,
    leader: i64,
    member: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        with planned as (
            select p.id as proposal_id, p.province_code, coalesce(d.id, p.unit_id) as area_id,
                   coalesce((r.at at time zone 'Asia/Ho_Chi_Minh')::date,
                            (s.at at time zone 'Asia/Ho_Chi_Minh')::date + 7) as visit_date,
                   r.at as appraised_at,
                   least(coalesce((r.details->>'proposed_support')::bigint, p.requested_support),
                         p.requested_support) as proposed
            from proposals p
            join lateral (select max(e.at) as at from proposal_events e
                          where e.proposal_id = p.id and e.action = 'schedule_appraisal') s
                 on s.at is not null
            left join lateral (select e.at, e.details from proposal_events e
                               where e.proposal_id = p.id and e.action = 'record_appraisal'
                               order by e.at limit 1) r on true
            left join admin_units d on d.id = p.parent_unit_id and d.level = 'district'
            where p.province_code = $1
              and not exists (select 1 from visit_proposals vp where vp.proposal_id = p.id)
        ),
        trips as materialized (
            select nextval(pg_get_serial_sequence('appraisal_visits', 'id')) as visit_id,
                   province_code, area_id, visit_date
            from (select distinct province_code, area_id, visit_date from planned) t
        ),
        criteria as (
            select id, position, max_points from appraisal_criteria
            where province_code is null and valid_to is null
        ),
        visits as (
            insert into appraisal_visits (id, province_code, title, visit_date, created_by, created_at)
            overriding system value
            select t.visit_id, t.province_code, 'Thẩm định đề án khuyến công tại ' || a.full_name,
                   t.visit_date, $3, t.visit_date - 10
            from trips t join admin_units a on a.id = t.area_id
            returning id
        ),
        members as (
            insert into visit_members (visit_id, user_id, team_role)
            select visit_id, $2, 'leader' from trips
            union all
            select visit_id, $3, 'member' from trips
            returning id, visit_id, user_id
        ),
        on_visits as (
            insert into visit_proposals (visit_id, proposal_id, position)
            select t.visit_id, g.proposal_id,
                   row_number() over (partition by t.visit_id order by g.proposal_id)
            from planned g join trips t using (province_code, area_id, visit_date)
        ),
        records as (
            insert into appraisal_records (visit_id, proposal_id, status, premises, machinery,
                legal_papers, counterpart_capacity, proposed_support, recommendation, score_tenths,
                version, updated_by, updated_at, finalised_by, finalised_at)
            select t.visit_id, g.proposal_id,
                   case when g.appraised_at is null then 'draft' else 'final' end::appraisal_record_status,
                   case when g.appraised_at is null then '' else 'Nhà xưởng kiên cố, đủ mặt bằng.' end,
                   case when g.appraised_at is null then '' else 'Thiết bị cũ, năng suất thấp.' end,
                   case when g.appraised_at is null then '' else 'Đã đối chiếu đăng ký kinh doanh.' end,
                   case when g.appraised_at is null then '' else 'Cam kết đủ vốn đối ứng.' end,
                   case when g.appraised_at is not null then g.proposed end,
                   case when g.appraised_at is not null then 'approve'::appraisal_recommendation end,
                   case when g.appraised_at is not null then sc.score end,
                   case when g.appraised_at is null then 1 else 2 end,
                   $2, coalesce(g.appraised_at, now()),
                   case when g.appraised_at is not null then $2::bigint end, g.appraised_at
            from planned g
            join trips t using (province_code, area_id, visit_date)
            cross join lateral (
                select ((2000 * sum(c.max_points * (80 + (g.proposal_id * 7 + c.position * 13) % 20) / 100)
                         + sum(c.max_points)) / (2 * sum(c.max_points)))::smallint as score
                from criteria c
            ) sc
            returning id, proposal_id, status
        ),
        scores as (
            insert into appraisal_scores (record_id, criterion_id, points)
            select r.id, c.id,
                   case when r.status = 'final'
                        then (c.max_points * (80 + (r.proposal_id * 7 + c.position * 13) % 20) / 100)::smallint end
            from records r cross join criteria c
        ),
        declared as (
            insert into conflict_declarations (visit_member_id, proposal_id, has_conflict, recorded_by, recorded_at)
            select m.id, g.proposal_id, false, m.user_id, g.appraised_at
            from planned g
            join trips t using (province_code, area_id, visit_date)
            join members m on m.visit_id = t.visit_id
            where g.appraised_at is not null
        )
        -- The other data-modifying parts run to completion whether read here or not.
        select count(*) as "visits!" from visits
        "#,
        province,
        leader,
        member,
    )
    .fetch_one(conn)
    .await?)
}

/// Reclaims the space of the rows `fill_missing` rewrote and refreshes the planner's
/// statistics of the tables the generator filled (outside any transaction).
pub async fn vacuum_analyze(pool: &PgPool) -> AppResult<()> {
    sqlx::query!(
        "vacuum (analyze) facilities, proposals, proposal_facilities, proposal_cost_lines,
         proposal_events, return_requests, organisations, proposal_code_counters,
         appraisal_visits, visit_members, visit_proposals, appraisal_records, appraisal_scores,
         conflict_declarations, funding_envelopes, envelope_rounds, plan_decisions,
         plan_decision_lines, contracts, payments, evaluations"
    )
    .execute(pool)
    .await?;
    Ok(())
}
