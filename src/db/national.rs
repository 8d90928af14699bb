//! National proposals on their way to the Ministry: the registration deadline rule and the
//! dispatches that forward appraised national proposals.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::funding::DeadlineRule;
use crate::error::AppResult;

/// The registration deadline rule in force in a province on a date: the province's own
/// before the one for every province, the latest.
pub async fn deadline_rule(
    pool: &PgPool,
    province_code: &str,
    on: Date,
) -> AppResult<Option<(DeadlineRule, String)>> {
    let row = sqlx::query!(
        r#"
        select month, day, year_offset, legal_ref from national_deadlines
        where (province_code is null or province_code = $1)
          and (valid_from is null or valid_from <= $2) and (valid_to is null or valid_to > $2)
        order by province_code is not null desc, valid_from desc nulls last, id desc
        limit 1
        "#,
        province_code,
        on,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            DeadlineRule {
                month: u8::try_from(r.month).unwrap_or(6),
                day: u8::try_from(r.day).unwrap_or(20),
                year_offset: i8::try_from(r.year_offset).unwrap_or(-1),
            },
            r.legal_ref,
        )
    }))
}

/// A dispatch to the Ministry, with the proposals it forwarded.
#[derive(Clone, Debug)]
pub struct Forwarding {
    /// Id.
    pub id: i64,
    /// The dispatch's number.
    pub dispatch_number: String,
    /// Sent on.
    pub forwarded_on: Date,
    /// Note.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: OffsetDateTime,
    /// The proposals' codes and titles, `code — title`.
    pub proposals: Vec<String>,
    /// Its scan's document id, if any.
    pub scan_id: Option<i64>,
}

/// A province's dispatches for a plan year, newest first.
pub async fn forwardings(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
) -> AppResult<Vec<Forwarding>> {
    Ok(sqlx::query_as!(
        Forwarding,
        r#"
        select f.id, f.dispatch_number, f.forwarded_on, f.note, u.full_name as recorded_by,
               f.created_at as recorded_at,
               array(select coalesce(p.code, '') || ' — ' || p.title
                     from forwarding_proposals fp join proposals p on p.id = fp.proposal_id
                     where fp.forwarding_id = f.id order by p.code) as "proposals!",
               (select d.id from documents d where d.forwarding_id = f.id and d.removed_at is null
                order by d.id limit 1) as scan_id
        from ministry_forwardings f join users u on u.id = f.created_by
        where f.province_code = $1 and f.plan_year = $2
        order by f.forwarded_on desc, f.id desc
        "#,
        province_code,
        plan_year,
    )
    .fetch_all(pool)
    .await?)
}

/// A dispatch to record.
#[derive(Clone, Copy, Debug)]
pub struct NewForwarding<'a> {
    /// Province.
    pub province_code: &'a str,
    /// Plan year.
    pub plan_year: i16,
    /// Number.
    pub dispatch_number: &'a str,
    /// Sent on.
    pub forwarded_on: Date,
    /// Note.
    pub note: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a dispatch and the proposals it forwards; its id. A number the province used
/// already violates `ministry_forwardings_province_code_dispatch_number_key`.
pub async fn insert(
    conn: &mut PgConnection,
    f: &NewForwarding<'_>,
    proposal_ids: &[i64],
) -> AppResult<i64> {
    let id = sqlx::query_scalar!(
        r#"
        insert into ministry_forwardings
            (province_code, plan_year, dispatch_number, forwarded_on, note, created_by)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        f.province_code,
        f.plan_year,
        f.dispatch_number,
        f.forwarded_on,
        f.note,
        f.recorded_by,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into forwarding_proposals (forwarding_id, proposal_id) select $1, unnest($2::bigint[])",
        id,
        proposal_ids,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A registration deadline rule as a rule row (the admin pages).
#[derive(Clone, Debug)]
pub struct DeadlineRow {
    /// Id.
    pub id: i64,
    /// `None`: every province without a rule of its own.
    pub province_code: Option<String>,
    /// Month of the deadline.
    pub month: i16,
    /// Day of the deadline.
    pub day: i16,
    /// The deadline's year relative to the plan year (−1: the year before).
    pub year_offset: i16,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated deadline rule to write.
#[derive(Clone, Copy, Debug)]
pub struct DeadlineInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// The deadline.
    pub rule: DeadlineRule,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every deadline rule, by scope and start.
pub async fn list_deadlines(pool: &PgPool) -> AppResult<Vec<DeadlineRow>> {
    Ok(sqlx::query_as!(
        DeadlineRow,
        r#"
        select id, province_code, month, day, year_offset, legal_ref, valid_from, valid_to
        from national_deadlines
        order by province_code nulls first, valid_from nulls first, id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One deadline rule.
pub async fn get_deadline(pool: &PgPool, id: i64) -> AppResult<DeadlineRow> {
    Ok(sqlx::query_as!(
        DeadlineRow,
        r#"
        select id, province_code, month, day, year_offset, legal_ref, valid_from, valid_to
        from national_deadlines where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a deadline rule.
pub async fn insert_deadline(pool: &PgPool, d: &DeadlineInput<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into national_deadlines (province_code, month, day, year_offset, legal_ref,
                                        valid_from, valid_to)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        d.province_code,
        i16::from(d.rule.month),
        i16::from(d.rule.day),
        i16::from(d.rule.year_offset),
        d.legal_ref,
        d.valid_from,
        d.valid_to,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Changes deadline rule `id` (no record keeps a deadline, so a rule is edited in place).
pub async fn update_deadline(pool: &PgPool, id: i64, d: &DeadlineInput<'_>) -> AppResult<()> {
    let done = sqlx::query!(
        r#"
        update national_deadlines
        set province_code = $2, month = $3, day = $4, year_offset = $5, legal_ref = $6,
            valid_from = $7, valid_to = $8
        where id = $1
        "#,
        id,
        d.province_code,
        i16::from(d.rule.month),
        i16::from(d.rule.day),
        i16::from(d.rule.year_offset),
        d.legal_ref,
        d.valid_from,
        d.valid_to,
    )
    .execute(pool)
    .await?;
    super::found(done.rows_affected())
}
