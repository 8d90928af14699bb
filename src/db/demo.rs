//! The SQL of the demo data set (`crate::demo`). Every function takes the connection of the
//! one seeding transaction; rows go in by column arrays (`unnest`), one statement per table,
//! and enum columns travel as text. Its facilities, proposals and timelines go in through
//! `db::bulk`, as the generator's do.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::error::AppResult;

/// A legacy (pre-July-2025) administrative unit of a province.
#[derive(Clone, Debug)]
pub struct LegacyUnit {
    /// `district` or `commune` (or `province`).
    pub level: String,
    /// Official code.
    pub code: String,
    /// Row id.
    pub id: i64,
    /// The parent's official code (a commune's district), if any.
    pub parent_code: Option<String>,
}

/// Organisations to create, column by column.
#[derive(Debug, Default)]
pub struct OrganisationColumns {
    /// Kind codes (`organisation_kind`).
    pub kind: Vec<String>,
    /// Names (unique within the province).
    pub name: Vec<String>,
    /// Area of local offices.
    pub unit_id: Vec<Option<i64>>,
}

/// Accounts to create, column by column; they all share one password hash.
#[derive(Debug, Default)]
pub struct UserColumns {
    /// Login names.
    pub username: Vec<String>,
    /// Full names.
    pub full_name: Vec<String>,
    /// Role codes (`user_role`).
    pub role: Vec<String>,
    /// Organisation ids.
    pub organisation_id: Vec<i64>,
    /// Facility of a facility owner.
    pub facility_id: Vec<Option<i64>>,
}

/// Dates a demo appraisal record as written on the day of its visit, not on the day the demo
/// was loaded.
pub async fn date_appraisal_record(
    conn: &mut PgConnection,
    record_id: i64,
    at: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query!(
        "update appraisal_records set updated_at = $2::timestamptz,
             finalised_at = case when finalised_at is null then null else $2::timestamptz end
         where id = $1",
        record_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Dates a demo acceptance record, finalised then.
pub async fn date_acceptance_record(
    conn: &mut PgConnection,
    record_id: i64,
    at: OffsetDateTime,
) -> AppResult<()> {
    sqlx::query!(
        "update acceptance_records set created_at = $2, updated_at = $2, finalised_at = $2 where id = $1",
        record_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The contract of a demo proposal.
pub async fn contract_of(conn: &mut PgConnection, proposal_id: i64) -> AppResult<(i64, i64)> {
    let row = sqlx::query!(
        "select id, approved_support from contracts where proposal_id = $1",
        proposal_id
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.approved_support))
}

/// Whether any account exists.
pub async fn has_users(conn: &mut PgConnection) -> AppResult<bool> {
    Ok(
        sqlx::query_scalar!(r#"select exists (select 1 from users) as "exists!""#)
            .fetch_one(conn)
            .await?,
    )
}

/// The legacy units (districts and communes) of a province, with their parents' codes.
pub async fn legacy_units(
    conn: &mut PgConnection,
    province_code: &str,
) -> AppResult<Vec<LegacyUnit>> {
    Ok(sqlx::query_as!(
        LegacyUnit,
        r#"
        select u.level::text as "level!", u.code, u.id, p.code as "parent_code?"
        from admin_units u
        left join admin_units p on p.id = u.parent_id
        where u.province_code = $1 and u.valid_from is null
        "#,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// Creates organisations; answers (name, id) pairs.
pub async fn insert_organisations(
    conn: &mut PgConnection,
    province_code: &str,
    rows: &OrganisationColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into organisations (province_code, kind, name, unit_id)
        select $1, r.kind::organisation_kind, r.name, r.unit_id
        from unnest($2::text[], $3::text[], $4::bigint[]) as r(kind, name, unit_id)
        returning name, id
        "#,
        province_code,
        &rows.kind,
        &rows.name,
        &rows.unit_id as &[Option<i64>],
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.name, r.id)).collect())
}

/// Creates accounts that all have `password_hash`; answers (username, id) pairs.
pub async fn insert_users(
    conn: &mut PgConnection,
    password_hash: &str,
    rows: &UserColumns,
) -> AppResult<Vec<(String, i64)>> {
    let inserted = sqlx::query!(
        r#"
        insert into users (username, full_name, password_hash, role, organisation_id, facility_id)
        select r.username, r.full_name, $1, r.role::user_role, r.organisation_id, r.facility_id
        from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
             as r(username, full_name, role, organisation_id, facility_id)
        returning username, id
        "#,
        password_hash,
        &rows.username,
        &rows.full_name,
        &rows.role,
        &rows.organisation_id,
        &rows.facility_id as &[Option<i64>],
    )
    .fetch_all(conn)
    .await?;
    Ok(inserted.into_iter().map(|r| (r.username, r.id)).collect())
}
