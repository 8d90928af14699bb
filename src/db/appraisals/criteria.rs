//! The appraisal criteria as rule rows: the admin pages list, add and change them.

use sqlx::PgPool;
use time::Date;

use crate::error::AppResult;

/// An appraisal criterion as a rule row (the admin pages).
#[derive(Clone, Debug)]
pub struct CriterionRow {
    /// Id.
    pub id: i64,
    /// `None`: every province without a set of its own.
    pub province_code: Option<String>,
    /// Position on the sheet.
    pub position: i16,
    /// Code.
    pub code: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// Guidance in Vietnamese.
    pub guidance_vi: String,
    /// Guidance in English.
    pub guidance_en: String,
    /// Most points (its weight).
    pub max_points: i16,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated criterion to write.
#[derive(Clone, Copy, Debug)]
pub struct CriterionInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// Position on the sheet.
    pub position: i16,
    /// Code.
    pub code: &'a str,
    /// Name in Vietnamese.
    pub name_vi: &'a str,
    /// Name in English.
    pub name_en: &'a str,
    /// Guidance in Vietnamese.
    pub guidance_vi: &'a str,
    /// Guidance in English.
    pub guidance_en: &'a str,
    /// Most points.
    pub max_points: i16,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every criterion, by scope, start and position.
pub async fn list_criteria(pool: &PgPool) -> AppResult<Vec<CriterionRow>> {
    Ok(sqlx::query_as!(
        CriterionRow,
        r#"
        select id, province_code, position, code, name_vi, name_en, guidance_vi, guidance_en,
               max_points, legal_ref, valid_from, valid_to
        from appraisal_criteria
        order by province_code nulls first, valid_from nulls first, position, id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One criterion.
pub async fn get_criterion(pool: &PgPool, id: i64) -> AppResult<CriterionRow> {
    Ok(sqlx::query_as!(
        CriterionRow,
        r#"
        select id, province_code, position, code, name_vi, name_en, guidance_vi, guidance_en,
               max_points, legal_ref, valid_from, valid_to
        from appraisal_criteria where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a criterion; the same scope, code and start violates `appraisal_criteria_start_key`.
pub async fn insert_criterion(pool: &PgPool, c: &CriterionInput<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into appraisal_criteria (province_code, position, code, name_vi, name_en, guidance_vi,
            guidance_en, max_points, legal_ref, valid_from, valid_to)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        returning id
        "#,
        c.province_code,
        c.position,
        c.code,
        c.name_vi,
        c.name_en,
        c.guidance_vi,
        c.guidance_en,
        c.max_points,
        c.legal_ref,
        c.valid_from,
        c.valid_to,
    )
    .fetch_one(pool)
    .await?)
}

/// Changes a criterion. Records already scored on it keep their points: the sheet shows the
/// criterion as it now reads.
pub async fn update_criterion(pool: &PgPool, id: i64, c: &CriterionInput<'_>) -> AppResult<()> {
    let changed = sqlx::query!(
        r#"
        update appraisal_criteria
        set province_code = $2, position = $3, code = $4, name_vi = $5, name_en = $6,
            guidance_vi = $7, guidance_en = $8, max_points = $9, legal_ref = $10,
            valid_from = $11, valid_to = $12
        where id = $1
        "#,
        id,
        c.province_code,
        c.position,
        c.code,
        c.name_vi,
        c.name_en,
        c.guidance_vi,
        c.guidance_en,
        c.max_points,
        c.legal_ref,
        c.valid_from,
        c.valid_to,
    )
    .execute(pool)
    .await?
    .rows_affected();
    if changed == 1 {
        Ok(())
    } else {
        Err(crate::error::AppError::NotFound)
    }
}

/// Whether a final (or superseded) record was scored on the criterion: then it is ended and
/// replaced, never edited, so old sheets keep their meaning.
pub async fn criterion_in_use(pool: &PgPool, id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"
        select exists (
            select 1 from appraisal_scores s join appraisal_records r on r.id = s.record_id
            where s.criterion_id = $1 and r.status in ('final', 'superseded')
        ) as "used!"
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}
