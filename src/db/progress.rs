//! Monthly progress reports: the rule in force, a proposal's reports with their photos, the
//! report written with its photos and timeline event in one transaction, and the list of
//! proposals being carried out with their last report.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tracing::instrument;

use super::documents::NewDocument;
use super::scope::ScopeParams;
use crate::domain::progress::{Report, ReportingRule};
use crate::error::AppResult;

/// The reporting rule in force in a province on a date (the province's own first).
pub async fn rule<'e>(
    db: impl sqlx::PgExecutor<'e>,
    province_code: &str,
    on: Date,
) -> AppResult<ReportingRule> {
    let due_day = sqlx::query_scalar!(
        r#"
        select due_day from progress_rules
        where (province_code is null or province_code = $1)
          and (valid_from is null or valid_from <= $2) and (valid_to is null or valid_to > $2)
        order by province_code is not null desc, valid_from desc nulls last, id desc
        limit 1
        "#,
        province_code,
        on,
    )
    .fetch_optional(db)
    .await?;
    Ok(due_day
        .and_then(|d| u8::try_from(d).ok())
        .map_or(ReportingRule::DEFAULT, |due_day| ReportingRule { due_day }))
}

/// A report as the proposal's progress page lists it.
#[derive(Clone, Debug)]
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// The month, as its first day.
    pub month: Date,
    /// Percent done.
    pub percent_done: i16,
    /// What was done.
    pub work_done: String,
    /// Spent to date.
    pub spending: i64,
    /// Who reported.
    pub reported_by: String,
    /// When.
    pub reported_at: OffsetDateTime,
    /// Its photos: document id and file name.
    pub photos: Vec<(i64, String)>,
}

/// A proposal's reports, latest month first, with their photos (two statements).
pub async fn reports(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<ReportRow>> {
    let rows = sqlx::query!(
        r#"
        select r.id, r.month, r.percent_done, r.work_done, r.spending, u.full_name,
               r.reported_at
        from progress_reports r join users u on u.id = r.reported_by
        where r.proposal_id = $1
        order by r.month desc
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let photos =
        super::documents::attached(pool, super::documents::AttachedKind::ProgressReports, &ids)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReportRow {
            photos: super::documents::of_owner(&photos, r.id),
            id: r.id,
            month: r.month,
            percent_done: r.percent_done,
            work_done: r.work_done,
            spending: r.spending,
            reported_by: r.full_name,
            reported_at: r.reported_at,
        })
        .collect())
}

/// The day work on a proposal started (its latest `start` step), if it did.
pub async fn started_on<'e>(
    db: impl sqlx::PgExecutor<'e>,
    proposal_id: i64,
) -> AppResult<Option<Date>> {
    Ok(sqlx::query_scalar!(
        r#"
        select (max(at) at time zone 'Asia/Ho_Chi_Minh')::date from proposal_events
        where proposal_id = $1 and action = 'start'
        "#,
        proposal_id
    )
    .fetch_one(db)
    .await?)
}

/// The reports just before and just after `month`, to check a new one against.
pub async fn neighbours(
    conn: &mut PgConnection,
    proposal_id: i64,
    month: Date,
) -> AppResult<(Option<Report>, Option<Report>)> {
    let rows = sqlx::query!(
        r#"
        (select month, percent_done, spending from progress_reports
         where proposal_id = $1 and month < $2 order by month desc limit 1)
        union all
        (select month, percent_done, spending from progress_reports
         where proposal_id = $1 and month > $2 order by month limit 1)
        "#,
        proposal_id,
        month
    )
    .fetch_all(conn)
    .await?;
    let mut previous = None;
    let mut next = None;
    for r in rows {
        let (Some(m), Some(p), Some(s)) = (r.month, r.percent_done, r.spending) else {
            continue;
        };
        let report = Report {
            month: m,
            percent_done: u8::try_from(p).unwrap_or(0),
            spending: s,
        };
        if m < month {
            previous = Some(report);
        } else {
            next = Some(report);
        }
    }
    Ok((previous, next))
}

/// A report to write.
#[derive(Clone, Copy, Debug)]
pub struct NewReport<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// What it says.
    pub report: Report,
    /// What was done.
    pub work_done: &'a str,
    /// Who reports.
    pub reported_by: i64,
}

/// Writes a report and its photos; `None` when the month has a report already.
#[instrument(skip_all, fields(proposal.id = r.proposal_id, actor.id = r.reported_by), err)]
pub async fn insert(
    conn: &mut PgConnection,
    r: &NewReport<'_>,
    photos: &[NewDocument],
) -> AppResult<Option<i64>> {
    let id = sqlx::query_scalar!(
        r#"
        insert into progress_reports (proposal_id, month, percent_done, work_done, spending,
                                      reported_by)
        values ($1, $2, $3, $4, $5, $6)
        on conflict (proposal_id, month) do nothing
        returning id
        "#,
        r.proposal_id,
        r.report.month,
        i16::from(r.report.percent_done),
        r.work_done,
        r.report.spending,
        r.reported_by,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    super::documents::insert_attached(
        conn,
        r.proposal_id,
        super::documents::AttachedTo::ProgressReport(id),
        "progress_photo",
        r.reported_by,
        photos,
    )
    .await?;
    Ok(Some(id))
}

/// A proposal being carried out, as the monitoring list shows it.
#[derive(Clone, Debug)]
pub struct InProgressRow {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// The commune or ward.
    pub unit_name: String,
    /// The day work started.
    pub started_on: Option<Date>,
    /// The last month reported, and how far the work was then.
    pub last_report: Option<(Date, i16)>,
    /// Whether the report of the month due is missing.
    pub overdue: bool,
}

/// The proposals being carried out in `scope`, those whose report of `due_month` is missing
/// (and that started before `late_from`, the day it is late from) first, then by code; and
/// how many there are and how many are overdue.
pub async fn in_progress(
    pool: &PgPool,
    scope: &ScopeParams,
    due_month: Option<Date>,
    late_from: Option<Date>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<InProgressRow>, i64, i64)> {
    let rows = sqlx::query!(
        r#"
        with listed as (
            select p.id, p.code, p.title, u.full_name as unit_name, s.started_on, l.month,
                   l.percent_done,
                   ($6::date is not null and s.started_on < $7
                    and (l.month is null or l.month < $6)) as "overdue!"
            from proposals p
            join admin_units u on u.id = p.unit_id
            left join lateral (
                select (max(e.at) at time zone 'Asia/Ho_Chi_Minh')::date as started_on
                from proposal_events e where e.proposal_id = p.id and e.action = 'start'
            ) s on true
            left join lateral (
                select r.month, r.percent_done from progress_reports r
                where r.proposal_id = p.id order by r.month desc limit 1
            ) l on true
            where p.state = 'in_progress' and proposal_in_scope(p, $1, $2, $3, $4, $5)
        )
        select id, code, title, unit_name, started_on, month as "month?",
               percent_done as "percent_done?", "overdue!",
               count(*) over () as "total!",
               count(*) filter (where "overdue!") over () as "overdue_count!"
        from listed
        order by "overdue!" desc, code nulls last, id
        limit $8 offset $9
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        due_month,
        late_from,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let overdue = rows.first().map_or(0, |r| r.overdue_count);
    let rows = rows
        .into_iter()
        .map(|r| InProgressRow {
            id: r.id,
            code: r.code,
            title: r.title,
            unit_name: r.unit_name,
            started_on: r.started_on,
            last_report: r.month.zip(r.percent_done),
            overdue: r.overdue,
        })
        .collect();
    Ok((rows, total, overdue))
}

/// A row of the export of the proposals being carried out.
#[derive(Clone, Debug)]
pub struct InProgressExportRow {
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Beneficiaries' names, joined.
    pub facilities: String,
    /// The commune or ward.
    pub unit_name: String,
    /// The district above it (legacy units), if any.
    pub district_name: Option<String>,
    /// Approved support, đồng.
    pub approved_support: Option<i64>,
    /// The day work started.
    pub started_on: Option<Date>,
    /// The last month reported.
    pub month: Option<Date>,
    /// How far the work was then, percent.
    pub percent_done: Option<i16>,
    /// Spent to date then, đồng.
    pub spending: Option<i64>,
    /// Whether the report of the month due is missing.
    pub overdue: bool,
}

/// The proposals being carried out in `scope`, in [`in_progress`]'s order (the overdue
/// first), at most `limit`, each handed to `each` as it is read.
pub async fn export_in_progress<F, Fut>(
    pool: &PgPool,
    scope: &ScopeParams,
    due_month: Option<Date>,
    late_from: Option<Date>,
    limit: i64,
    mut each: F,
) -> AppResult<()>
where
    F: FnMut(InProgressExportRow) -> Fut,
    Fut: Future<Output = AppResult<()>>,
{
    use futures_util::TryStreamExt as _;
    let mut rows = sqlx::query_as!(
        InProgressExportRow,
        r#"
        select p.code, p.title,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!",
               u.full_name as unit_name,
               case when pu.level = 'district' then pu.full_name end as "district_name?",
               p.approved_support, s.started_on, l.month as "month?",
               l.percent_done as "percent_done?", l.spending as "spending?",
               ($6::date is not null and s.started_on < $7
                and (l.month is null or l.month < $6)) as "overdue!"
        from proposals p
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        left join lateral (
            select (max(e.at) at time zone 'Asia/Ho_Chi_Minh')::date as started_on
            from proposal_events e where e.proposal_id = p.id and e.action = 'start'
        ) s on true
        left join lateral (
            select r.month, r.percent_done, r.spending from progress_reports r
            where r.proposal_id = p.id order by r.month desc limit 1
        ) l on true
        where p.state = 'in_progress' and proposal_in_scope(p, $1, $2, $3, $4, $5)
        order by 11 desc, p.code nulls last, p.id
        limit $8
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        due_month,
        late_from,
        limit,
    )
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        each(row).await?;
    }
    Ok(())
}

/// A reporting rule as a rule row (the admin pages).
#[derive(Clone, Debug)]
pub struct RuleRowData {
    /// Id.
    pub id: i64,
    /// `None`: every province without a rule of its own.
    pub province_code: Option<String>,
    /// A month's report is late from this day.
    pub due_day: i16,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated reporting rule to write.
#[derive(Clone, Copy, Debug)]
pub struct RuleInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// The due day.
    pub rule: ReportingRule,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every reporting rule, by scope and start.
pub async fn list_rules(pool: &PgPool) -> AppResult<Vec<RuleRowData>> {
    Ok(sqlx::query_as!(
        RuleRowData,
        r#"
        select id, province_code, due_day, legal_ref, valid_from, valid_to from progress_rules
        order by province_code nulls first, valid_from nulls first, id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One reporting rule.
pub async fn get_rule(pool: &PgPool, id: i64) -> AppResult<RuleRowData> {
    Ok(sqlx::query_as!(
        RuleRowData,
        r#"
        select id, province_code, due_day, legal_ref, valid_from, valid_to from progress_rules
        where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a reporting rule (`id` `None`) or changes rule `id` (no record keeps a due day).
pub async fn save_rule(pool: &PgPool, id: Option<i64>, r: &RuleInput<'_>) -> AppResult<()> {
    let done = sqlx::query!(
        r#"
        with added as (
            insert into progress_rules (province_code, due_day, legal_ref, valid_from, valid_to)
            select $2, $3, $4, $5, $6 where $1::bigint is null
            returning id
        ), changed as (
            update progress_rules
            set province_code = $2, due_day = $3, legal_ref = $4, valid_from = $5, valid_to = $6
            where id = $1
            returning id
        )
        select count(*) as "count!" from (select id from added union all select id from changed) s
        "#,
        id,
        r.province_code,
        i16::from(r.rule.due_day),
        r.legal_ref,
        r.valid_from,
        r.valid_to,
    )
    .fetch_one(pool)
    .await?;
    super::found(u64::try_from(done.count).unwrap_or(0))
}
