//! The reports' figures: each a few set-wise statements over `report_proposals(…)` (the
//! migration `…_reports.sql`), which applies the scope, the year and the funding source.

use std::collections::{BTreeSet, HashMap};

use sqlx::PgPool;
use tracing::instrument;

use super::scope::ScopeParams;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::report::YearTotals;
use crate::error::AppResult;
use time::Date;

/// What a report covers: the user's scope, a plan year (or every year), a funding source.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// The scope's query parameters.
    pub scope: ScopeParams,
    /// One plan year; `None` for every year.
    pub year: Option<i16>,
    /// One funding source (`funding_sources.code`); `None` for all.
    pub source: Option<String>,
}

/// What the report groups proposals by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Their state.
    State,
    /// Local or national.
    Level,
    /// The activity type (nội dung hỗ trợ).
    Activity,
    /// The first beneficiary's sector.
    Sector,
    /// The district (or commune) where they take place.
    Area,
}

/// One group of a breakdown: its key, names, count and money.
#[derive(Clone, Debug)]
pub struct Group {
    /// What it groups by.
    pub dimension: Dimension,
    /// The group's code (a state's or level's code, a reference code, a unit's id).
    pub key: String,
    /// Its name in Vietnamese (empty for states and levels, which the catalogue names).
    pub name_vi: String,
    /// Its name in English.
    pub name_en: String,
    /// Proposals in the group.
    pub count: i64,
    /// Support they asked for.
    pub requested: i64,
    /// Support approved.
    pub approved: i64,
}

/// The year's proposals grouped by state, level, activity type, sector and area, largest
/// groups first within each dimension. Two statements, side by side: one counts each
/// combination of state, level, activity type and area (a hash aggregate: a few thousand
/// rows for a year of the generated data set), added up per dimension here — several times
/// faster than grouping sets, whose sorts compare text five times over; the other groups by
/// sector, the only dimension that needs the beneficiaries' rows (a join the first one is
/// spared).
#[instrument(level = "debug", skip_all, fields(year = filter.year), err)]
pub async fn breakdown(pool: &PgPool, filter: &ReportFilter) -> AppResult<Vec<Group>> {
    let (combos, sectors) = tokio::try_join!(combinations(pool, filter), by_sector(pool, filter))?;
    let mut groups: HashMap<(Dimension, String), Group> = HashMap::new();
    let mut add = |dimension: Dimension, key: &str, names: (&str, &str), row: (i64, i64, i64)| {
        let group = groups
            .entry((dimension, key.to_owned()))
            .or_insert_with(|| Group {
                dimension,
                key: key.to_owned(),
                name_vi: names.0.to_owned(),
                name_en: names.1.to_owned(),
                count: 0,
                requested: 0,
                approved: 0,
            });
        group.count += row.0;
        group.requested = group.requested.saturating_add(row.1);
        group.approved = group.approved.saturating_add(row.2);
    };
    for r in &combos {
        let figures = (r.count, r.requested, r.approved);
        add(Dimension::State, r.state.code(), ("", ""), figures);
        add(Dimension::Level, r.level.code(), ("", ""), figures);
        let activity = (r.activity_vi.as_str(), r.activity_en.as_str());
        add(Dimension::Activity, &r.activity, activity, figures);
        let area = (r.area_vi.as_str(), r.area_en.as_str());
        add(Dimension::Area, &r.area.to_string(), area, figures);
    }
    for r in &sectors {
        let names = (r.sector_vi.as_str(), r.sector_en.as_str());
        let figures = (r.count, r.requested, r.approved);
        add(Dimension::Sector, &r.sector, names, figures);
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    Ok(groups)
}

/// A combination of state, level, activity type and area with its figures and names.
struct Combination {
    state: ProposalState,
    level: ProposalLevel,
    activity: String,
    activity_vi: String,
    activity_en: String,
    area: i64,
    area_vi: String,
    area_en: String,
    count: i64,
    requested: i64,
    approved: i64,
}

async fn combinations(pool: &PgPool, filter: &ReportFilter) -> AppResult<Vec<Combination>> {
    Ok(sqlx::query_as!(
        Combination,
        r#"
        with combos as (
            select r.state, r.level, r.activity_type_code,
                   -- A commune's district; a district (or, after the reform, a commune
                   -- under the province itself) is its own area.
                   case when pu.level = 'district' then pu.id else r.unit_id end as area_id,
                   count(*) as count,
                   coalesce(sum(r.requested_support), 0)::bigint as requested,
                   coalesce(sum(r.approved_support), 0)::bigint as approved
            from report_proposals($1, $2, $3, $4, $5, $6, $7) r
            left join admin_units pu on pu.id = r.parent_unit_id
            group by 1, 2, 3, 4
        )
        select c.state as "state!: ProposalState", c.level as "level!: ProposalLevel",
               c.activity_type_code as "activity!", coalesce(a.name_vi, '') as "activity_vi!",
               coalesce(a.name_en, '') as "activity_en!",
               c.area_id as "area!", coalesce(u.name, '') as "area_vi!",
               coalesce(u.name_en, '') as "area_en!",
               c.count as "count!", c.requested as "requested!", c.approved as "approved!"
        from combos c
        left join activity_types a on a.code = c.activity_type_code
        left join admin_units u on u.id = c.area_id
        "#,
        filter.scope.denied,
        filter.scope.province_code,
        filter.scope.area_unit_id,
        filter.scope.office_id,
        filter.scope.facility_id,
        filter.year,
        filter.source,
    )
    .fetch_all(pool)
    .await?)
}

/// A sector's figures and names (`sector` empty for a beneficiary without one).
struct SectorRow {
    sector: String,
    sector_vi: String,
    sector_en: String,
    count: i64,
    requested: i64,
    approved: i64,
}

async fn by_sector(pool: &PgPool, filter: &ReportFilter) -> AppResult<Vec<SectorRow>> {
    Ok(sqlx::query_as!(
        SectorRow,
        r#"
        with per_sector as (
            select r.sector_code, count(*) as count,
                   coalesce(sum(r.requested_support), 0)::bigint as requested,
                   coalesce(sum(r.approved_support), 0)::bigint as approved
            from report_proposals($1, $2, $3, $4, $5, $6, $7) r
            group by 1
        )
        select coalesce(c.sector_code, '') as "sector!", coalesce(s.name_vi, '') as "sector_vi!",
               coalesce(s.name_en, '') as "sector_en!",
               c.count as "count!", c.requested as "requested!", c.approved as "approved!"
        from per_sector c
        left join sectors s on s.code = c.sector_code
        "#,
        filter.scope.denied,
        filter.scope.province_code,
        filter.scope.area_unit_id,
        filter.scope.office_id,
        filter.scope.facility_id,
        filter.year,
        filter.source,
    )
    .fetch_all(pool)
    .await?)
}

/// Each plan year's totals (the filter's year, or every year the filter's source and scope
/// hold, newest first), effects included: added up from the rollup (the migration
/// `…_report_rollup.sql`), brought up to date first. A facility's scope gets none.
#[instrument(level = "debug", skip_all, err)]
pub async fn year_totals(pool: &PgPool, filter: &ReportFilter) -> AppResult<Vec<YearTotals>> {
    refresh_rollup(pool).await?;
    let rows = sqlx::query!(
        r#"
        select r.plan_year as "year!",
               coalesce(sum(r.proposals), 0)::bigint as "proposals!",
               coalesce(sum(r.proposals) filter (where r.level = 'national'), 0)::bigint
                   as "national!",
               coalesce(sum(r.proposals) filter (where r.state = 'completed'), 0)::bigint
                   as "completed!",
               coalesce(sum(r.proposals) filter (where r.state = 'completed'
                                                   and r.level = 'national'), 0)::bigint
                   as "completed_national!",
               coalesce(sum(r.proposals) filter (where r.state in ('contracted', 'in_progress',
                                                 'result_accepted', 'settled')), 0)::bigint
                   as "under_way!",
               coalesce(sum(r.approved), 0)::bigint as "approved!",
               coalesce(sum(r.advanced), 0)::bigint as "advanced!",
               coalesce(sum(r.paid), 0)::bigint as "paid!",
               coalesce(sum(r.contract_support), 0)::bigint as "contract_support!",
               coalesce(sum(r.counterpart), 0)::bigint as "counterpart!",
               coalesce(sum(r.evaluated), 0)::bigint as "evaluated!",
               coalesce(sum(r.jobs_created), 0)::bigint as "jobs_created!",
               coalesce(sum(r.revenue_gain), 0)::bigint as "revenue_gain!"
        from report_rollup($1, $2, $3, $4, $5, $6, $7) r
        group by r.plan_year
        order by r.plan_year desc
        "#,
        filter.scope.denied,
        filter.scope.province_code,
        filter.scope.area_unit_id,
        filter.scope.office_id,
        filter.scope.facility_id,
        filter.year,
        filter.source,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| YearTotals {
            year: i32::from(r.year),
            proposals: r.proposals,
            national: r.national,
            completed: r.completed,
            completed_national: r.completed_national,
            under_way: r.under_way,
            approved: r.approved,
            advanced: r.advanced,
            paid: r.paid,
            contract_support: r.contract_support,
            counterpart: r.counterpart,
            evaluated: r.evaluated,
            jobs_created: r.jobs_created,
            revenue_gain: r.revenue_gain,
        })
        .collect())
}

/// The newest plan year with proposals in the filter's scope and source (the year a report
/// or a dashboard speaks of when none is asked for); the filter's year is not read.
pub async fn newest_year(pool: &PgPool, filter: &ReportFilter) -> AppResult<Option<i16>> {
    refresh_rollup(pool).await?;
    Ok(sqlx::query_scalar!(
        r#"select max(r.plan_year) from report_rollup($1, $2, $3, $4, $5, null, $6) r"#,
        filter.scope.denied,
        filter.scope.province_code,
        filter.scope.area_unit_id,
        filter.scope.office_id,
        filter.scope.facility_id,
        filter.source,
    )
    .fetch_one(pool)
    .await?)
}

/// Recomputes the rollup's marked years. Refreshes take turns (a transaction-scoped
/// advisory lock): two at once could each delete the rows the other had not committed yet and
/// both insert theirs, counting a year twice. Under the lock, the marks are deleted in a
/// statement before the recomputation, so its snapshot holds every change they stand for and
/// every earlier refresh's rows. Without marks, one read and no transaction.
pub async fn refresh_rollup(pool: &PgPool) -> AppResult<()> {
    let marked =
        sqlx::query_scalar!(r#"select exists (select 1 from report_stale_years) as "marked!""#)
            .fetch_one(pool)
            .await?;
    if !marked {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock(hashtext('report_year_rollup'))")
        .execute(&mut *tx)
        .await?;
    let marks = sqlx::query!("delete from report_stale_years returning province_code, plan_year")
        .fetch_all(&mut *tx)
        .await?;
    let years: BTreeSet<(String, i16)> = marks
        .into_iter()
        .map(|m| (m.province_code, m.plan_year))
        .collect();
    // One statement per year (usually one or two are marked): with the year and province as
    // plain parameters the planner reads them off the index.
    for (province, year) in years {
        sqlx::query!(
            r#"
            with gone as (
                delete from report_year_rollup u where u.province_code = $1 and u.plan_year = $2
            )
            insert into report_year_rollup
                (province_code, plan_year, state, level, source_code, unit_id, parent_unit_id,
                 office_id, proposals, approved, advanced, paid, contract_support, counterpart,
                 evaluated, jobs_created, revenue_gain)
            select r.province_code, r.plan_year, r.state, r.level, r.source_code, r.unit_id,
                   r.parent_unit_id, r.office_id, count(*),
                   coalesce(sum(r.approved_support), 0), coalesce(sum(r.advanced), 0),
                   coalesce(sum(r.paid), 0), coalesce(sum(r.contract_support), 0),
                   coalesce(sum(r.counterpart_funds), 0), count(ev.jobs),
                   coalesce(sum(ev.jobs - r.baseline_jobs), 0),
                   coalesce(sum(ev.revenue - r.baseline_revenue), 0)
            from report_proposals(false, $1, null, null, null, $2, null) r
            -- The effects of what was carried out: the latest evaluation.
            left join lateral (
                select e.jobs, e.revenue from evaluations e
                where e.proposal_id = r.id and r.state in ('settled', 'completed')
                order by e.months_after desc
                limit 1
            ) ev on true
            group by 1, 2, 3, 4, 5, 6, 7, 8
            "#,
            province,
            year,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A year's envelope: what the sources gave and what is committed (province-wide).
#[derive(Clone, Debug)]
pub struct EnvelopeTotal {
    /// The source's code.
    pub source_code: String,
    /// Its name in Vietnamese.
    pub name_vi: String,
    /// Its name in English.
    pub name_en: String,
    /// The envelope's amount.
    pub amount: i64,
    /// Support committed against it.
    pub committed: i64,
}

impl EnvelopeTotal {
    /// What is committed of the envelope.
    pub fn share_bp(&self) -> Option<u32> {
        crate::domain::report::share_bp(self.committed, self.amount)
    }
}

/// The envelopes of a province's plan year, per source (one source when given).
pub async fn envelopes(
    pool: &PgPool,
    province_code: &str,
    year: i16,
    source: Option<&str>,
) -> AppResult<Vec<EnvelopeTotal>> {
    Ok(sqlx::query_as!(
        EnvelopeTotal,
        r#"
        select e.source_code, s.name_vi, s.name_en, e.amount, e.committed
        from funding_envelopes e
        join funding_sources s on s.code = e.source_code
        where e.province_code = $1 and e.plan_year = $2
          and ($3::text is null or e.source_code = $3)
        order by s.sort_order, s.code
        "#,
        province_code,
        year,
        source,
    )
    .fetch_all(pool)
    .await?)
}

/// A funding source a report may be narrowed to.
#[derive(Clone, Debug)]
pub struct SourceOption {
    /// Its code.
    pub code: String,
    /// Its name in Vietnamese.
    pub name_vi: String,
    /// Its name in English.
    pub name_en: String,
    /// The level it funds.
    pub level: ProposalLevel,
}

/// Every funding source.
pub async fn sources(pool: &PgPool) -> AppResult<Vec<SourceOption>> {
    Ok(sqlx::query_as!(
        SourceOption,
        r#"select code, name_vi, name_en, level as "level: ProposalLevel"
           from funding_sources order by sort_order, code"#
    )
    .fetch_all(pool)
    .await?)
}

/// What is late in a scope: contracts past their deadline while the work goes on, and
/// advance requests waiting for the Centre's check or the accountant's voucher.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overdue {
    /// Proposals contracted or in progress whose contract's deadline has passed.
    pub late_contracts: i64,
    /// Advance requests waiting for the Centre to confirm.
    pub advances_to_confirm: i64,
    /// Confirmed advances waiting for their voucher.
    pub advances_to_pay: i64,
}

/// The scope's overdue items on `today`.
#[instrument(level = "debug", skip_all, err)]
pub async fn overdue(pool: &PgPool, scope: &ScopeParams, today: Date) -> AppResult<Overdue> {
    Ok(sqlx::query_as!(
        Overdue,
        r#"
        select count(*) filter (where p.state in ('contracted', 'in_progress')
                                  and c.deadline < $6) as "late_contracts!",
               (select count(*) from advance_requests a
                where a.status = 'requested' and a.contract_id = any(array_agg(c.id)))
                   as "advances_to_confirm!",
               (select count(*) from advance_requests a
                where a.status = 'confirmed' and a.contract_id = any(array_agg(c.id)))
                   as "advances_to_pay!"
        from proposals p
        -- A lateral with `limit 1` (a proposal has one contract) probes the contracts' index
        -- for the few proposals at work instead of hashing every contract there is.
        join lateral (select c.id, c.deadline from contracts c where c.proposal_id = p.id
                      limit 1) c on true
        where proposal_in_scope(p, $1, $2, $3, $4, $5)
          and p.state in ('contracted', 'in_progress')
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        today,
    )
    .fetch_one(pool)
    .await?)
}
