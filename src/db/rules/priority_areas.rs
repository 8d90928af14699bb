//! Priority areas as rows, the areas a unit lies in on a date, and the province and commune
//! pickers of their forms.

use sqlx::PgPool;
use time::Date;

use crate::db::found;
use crate::domain::caps::PriorityAreaKind;
use crate::error::{AppError, AppResult};

/// An administrative unit that is a priority area of some kind.
#[derive(Clone, Debug)]
pub struct PriorityArea {
    /// Row id.
    pub id: i64,
    /// The unit (a commune/ward, or a whole province).
    pub unit_id: i64,
    /// The unit's official full name.
    pub unit_name: String,
    /// Whether the unit is a whole province.
    pub is_province: bool,
    /// The unit's province code.
    pub province_code: String,
    /// The province's full name (for a commune).
    pub province_name: Option<String>,
    /// The kind of priority.
    pub kind: PriorityAreaKind,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated priority-area row to write.
#[derive(Clone, Copy, Debug)]
pub struct PriorityAreaInput<'a> {
    /// The unit.
    pub unit_id: i64,
    /// The kind.
    pub kind: PriorityAreaKind,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A priority area as read, before its kind is parsed.
struct RawPriorityArea {
    id: i64,
    unit_id: i64,
    unit_name: String,
    is_province: bool,
    province_code: String,
    province_name: Option<String>,
    kind: String,
    legal_ref: String,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

impl RawPriorityArea {
    fn into_area(self) -> AppResult<PriorityArea> {
        let kind = PriorityAreaKind::from_code(&self.kind).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("priority_areas row {}: kind", self.id))
        })?;
        Ok(PriorityArea {
            id: self.id,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            is_province: self.is_province,
            province_code: self.province_code,
            province_name: self.province_name,
            kind,
            legal_ref: self.legal_ref,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// A page of priority areas, by province, unit and kind; and how many there are.
pub async fn list_priority_areas(
    pool: &PgPool,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<PriorityArea>, i64)> {
    let rows = sqlx::query_as!(
        RawPriorityArea,
        r#"
        select pa.id, pa.unit_id, u.full_name as unit_name,
               (u.level = 'province') as "is_province!", u.province_code,
               p.full_name as "province_name?", pa.kind, pa.legal_ref, pa.valid_from,
               pa.valid_to
        from priority_areas pa
        join admin_units u on u.id = pa.unit_id
        left join admin_units p on p.id = u.parent_id and p.level = 'province'
        order by u.province_code, u.level, u.name, pa.kind, pa.valid_from desc nulls last, pa.id
        limit $1 offset $2
        "#,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(r#"select count(*) as "count!" from priority_areas"#)
        .fetch_one(pool)
        .await?;
    let areas = rows
        .into_iter()
        .map(RawPriorityArea::into_area)
        .collect::<AppResult<_>>()?;
    Ok((areas, total))
}

/// One priority area.
pub async fn get_priority_area(pool: &PgPool, id: i64) -> AppResult<PriorityArea> {
    sqlx::query_as!(
        RawPriorityArea,
        r#"
        select pa.id, pa.unit_id, u.full_name as unit_name,
               (u.level = 'province') as "is_province!", u.province_code,
               p.full_name as "province_name?", pa.kind, pa.legal_ref, pa.valid_from,
               pa.valid_to
        from priority_areas pa
        join admin_units u on u.id = pa.unit_id
        left join admin_units p on p.id = u.parent_id and p.level = 'province'
        where pa.id = $1
        "#,
        id,
    )
    .fetch_one(pool)
    .await?
    .into_area()
}

/// Adds a priority area. The same unit and kind starting the same day violates
/// `priority_areas_start_key`.
pub async fn insert_priority_area(
    executor: impl sqlx::PgExecutor<'_>,
    area: &PriorityAreaInput<'_>,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into priority_areas (unit_id, kind, legal_ref, valid_from, valid_to, created_by)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        area.unit_id,
        area.kind.code(),
        area.legal_ref,
        area.valid_from,
        area.valid_to,
        created_by,
    )
    .fetch_one(executor)
    .await?)
}

/// Changes a priority area; `NotFound` if there is none.
pub async fn update_priority_area(
    pool: &PgPool,
    id: i64,
    area: &PriorityAreaInput<'_>,
) -> AppResult<()> {
    let done = sqlx::query!(
        r#"
        update priority_areas set unit_id = $2, kind = $3, legal_ref = $4, valid_from = $5,
               valid_to = $6
        where id = $1
        "#,
        id,
        area.unit_id,
        area.kind.code(),
        area.legal_ref,
        area.valid_from,
        area.valid_to,
    )
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// The priority areas a unit lies in on `on`: rows for the unit itself and for the units
/// above it (its district, its province), best rank first.
pub async fn priority_areas_in_force(
    pool: &PgPool,
    unit_id: i64,
    on: Date,
) -> AppResult<Vec<PriorityArea>> {
    let rows = sqlx::query_as!(
        RawPriorityArea,
        r#"
        with recursive up (id, parent_id) as (
            select id, parent_id from admin_units where id = $1
            union
            select a.id, a.parent_id from admin_units a join up on a.id = up.parent_id
        )
        select pa.id, pa.unit_id, u.full_name as unit_name,
               (u.level = 'province') as "is_province!", u.province_code,
               p.full_name as "province_name?", pa.kind, pa.legal_ref, pa.valid_from,
               pa.valid_to
        from priority_areas pa
        join admin_units u on u.id = pa.unit_id
        left join admin_units p on p.id = u.parent_id and p.level = 'province'
        where pa.unit_id in (select id from up)
          and (pa.valid_from is null or pa.valid_from <= $2)
          and (pa.valid_to is null or pa.valid_to > $2)
        order by pa.kind, pa.id
        "#,
        unit_id,
        on,
    )
    .fetch_all(pool)
    .await?;
    let mut areas = rows
        .into_iter()
        .map(RawPriorityArea::into_area)
        .collect::<AppResult<Vec<_>>>()?;
    areas.sort_by_key(|a| a.kind.rank());
    Ok(areas)
}

/// An administrative unit for a picker.
#[derive(Clone, Debug)]
pub struct UnitOption {
    /// Id.
    pub id: i64,
    /// Official code.
    pub code: String,
    /// Official full name ("Xã Phúc Xuân").
    pub full_name: String,
}

/// The provinces in force on `on`, by name.
pub async fn provinces_in_force(pool: &PgPool, on: Date) -> AppResult<Vec<UnitOption>> {
    Ok(sqlx::query_as!(
        UnitOption,
        r#"
        select id, code, full_name from admin_units
        where level = 'province'
          and (valid_from is null or valid_from <= $1) and (valid_to is null or valid_to > $1)
        order by name
        "#,
        on,
    )
    .fetch_all(pool)
    .await?)
}

/// The communes, wards and special zones of `province_code` in force on `on`, by name.
pub async fn communes_in_force(
    pool: &PgPool,
    province_code: &str,
    on: Date,
) -> AppResult<Vec<UnitOption>> {
    Ok(sqlx::query_as!(
        UnitOption,
        r#"
        select id, code, full_name from admin_units
        where level = 'commune' and province_code = $1
          and (valid_from is null or valid_from <= $2) and (valid_to is null or valid_to > $2)
        order by name, code
        "#,
        province_code,
        on,
    )
    .fetch_all(pool)
    .await?)
}
