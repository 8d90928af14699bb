//! The SQL of the performance data set (`crate::generate`), on the connection of its one
//! loading transaction. Its facilities, proposals and timelines go in through `db::bulk`,
//! as the demo's do.
//!
//! Here: what the generator reads, the code counters and the final vacuum; the appraisal
//! visits in [`appraisals`], the money in [`funding`].

pub mod appraisals;
pub mod funding;

use sqlx::{PgConnection, PgPool};

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
