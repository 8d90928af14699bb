//! Facilities (read side so far). Every query is narrowed by the caller's scope.

use sqlx::PgPool;

use super::scope::ScopeParams;
use crate::domain::facility::LegalForm;
use crate::error::AppResult;

/// A row of the facilities list.
#[derive(Clone, Debug)]
pub struct FacilitySummary {
    /// Id.
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Tax code.
    pub tax_code: String,
    /// Commune/ward.
    pub unit_name: String,
    /// District (legacy units) or province.
    pub parent_unit_name: Option<String>,
    /// Sector code.
    pub sector_code: String,
    /// Workers.
    pub workers: i32,
}

/// One facility.
#[derive(Clone, Debug)]
pub struct FacilityDetail {
    /// Id.
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Legal form.
    pub legal_form: LegalForm,
    /// Tax code.
    pub tax_code: String,
    /// Owner.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Street, hamlet.
    pub address_detail: String,
    /// Commune/ward.
    pub unit_name: String,
    /// District (legacy units) or province.
    pub parent_unit_name: Option<String>,
    /// Sector code.
    pub sector_code: String,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
}

/// A page of the facilities `scope` shows, by name, and their total.
pub async fn list(
    pool: &PgPool,
    scope: &ScopeParams,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<FacilitySummary>, i64)> {
    let rows = sqlx::query!(
        r#"
        select f.id, f.name, f.tax_code, u.full_name as unit_name, pu.full_name as "parent_unit_name?",
               f.sector_code, f.workers, count(*) over () as "total!"
        from facilities f
        join admin_units u on u.id = f.unit_id
        left join admin_units pu on pu.id = u.parent_id
        where facility_in_scope(f, $1, $2, $3, $4, $5)
        order by f.name, f.id
        limit $6 offset $7
        "#,
        scope.denied,
        scope.province_code,
        scope.area_unit_id,
        scope.office_id,
        scope.facility_id,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| FacilitySummary {
            id: r.id,
            name: r.name,
            tax_code: r.tax_code,
            unit_name: r.unit_name,
            parent_unit_name: r.parent_unit_name,
            sector_code: r.sector_code,
            workers: r.workers,
        })
        .collect();
    Ok((rows, total))
}

/// The facility, if `scope` includes it (a facility outside the scope is "not found").
pub async fn find(
    pool: &PgPool,
    scope: &ScopeParams,
    id: i64,
) -> AppResult<Option<FacilityDetail>> {
    Ok(sqlx::query_as!(
        FacilityDetail,
        r#"
        select f.id, f.name, f.legal_form as "legal_form: LegalForm", f.tax_code, f.owner_name, f.phone,
               f.address_detail, u.full_name as unit_name, pu.full_name as "parent_unit_name?",
               f.sector_code, f.main_products, f.workers, f.annual_revenue
        from facilities f
        join admin_units u on u.id = f.unit_id
        left join admin_units pu on pu.id = u.parent_id
        where f.id = $6
          and facility_in_scope(f, $1, $2, $3, $4, $5)
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

/// The id of the facility with `tax_code`, if registered.
pub async fn find_id_by_tax_code(pool: &PgPool, tax_code: &str) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar!("select id from facilities where tax_code = $1", tax_code)
            .fetch_optional(pool)
            .await?,
    )
}
