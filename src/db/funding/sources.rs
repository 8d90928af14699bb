//! The funding sources as the administrator keeps them: the code list, its legal basis and
//! whether an envelope uses it.

use sqlx::PgPool;

use super::Source;
use crate::domain::proposal::ProposalLevel;
use crate::error::AppResult;

/// A source as the administrator's pages show it.
#[derive(Clone, Debug)]
pub struct SourceRow {
    /// The source.
    pub source: Source,
    /// Legal basis.
    pub legal_ref: String,
    /// Position in lists.
    pub sort_order: i16,
    /// Whether an envelope was opened from it (its code and level are then fixed).
    pub in_use: bool,
}

/// A validated source to write.
#[derive(Clone, Copy, Debug)]
pub struct SourceInput<'a> {
    /// Code.
    pub code: &'a str,
    /// Name in Vietnamese.
    pub name_vi: &'a str,
    /// Name in English.
    pub name_en: &'a str,
    /// Level of the proposals it funds.
    pub level: ProposalLevel,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// Position in lists.
    pub sort_order: i16,
}

/// Every source with its legal basis, in list order.
pub async fn source_rows(pool: &PgPool) -> AppResult<Vec<SourceRow>> {
    let rows = sqlx::query!(
        r#"
        select s.code, s.name_vi, s.name_en, s.level as "level: ProposalLevel", s.legal_ref,
               s.sort_order,
               exists (select 1 from funding_envelopes e where e.source_code = s.code) as "in_use!"
        from funding_sources s order by s.sort_order, s.code
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SourceRow {
            source: Source {
                code: r.code,
                name_vi: r.name_vi,
                name_en: r.name_en,
                level: r.level,
            },
            legal_ref: r.legal_ref,
            sort_order: r.sort_order,
            in_use: r.in_use,
        })
        .collect())
}

/// One source, `NotFound` if there is none.
pub async fn get_source(pool: &PgPool, code: &str) -> AppResult<SourceRow> {
    source_rows(pool)
        .await?
        .into_iter()
        .find(|row| row.source.code == code)
        .ok_or(crate::error::AppError::NotFound)
}

/// Adds a source; a code taken violates `funding_sources_pkey`.
pub async fn insert_source(pool: &PgPool, s: &SourceInput<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into funding_sources (code, name_vi, name_en, level, legal_ref, sort_order)
        values ($1, $2, $3, $4, $5, $6)
        "#,
        s.code,
        s.name_vi,
        s.name_en,
        s.level as ProposalLevel,
        s.legal_ref,
        s.sort_order,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Changes source `s.code`: its names, basis and order always; its level only while no
/// envelope was opened from it (else `Ok(false)`).
pub async fn update_source(pool: &PgPool, s: &SourceInput<'_>) -> AppResult<bool> {
    let done = sqlx::query!(
        r#"
        update funding_sources
        set name_vi = $2, name_en = $3, legal_ref = $5, sort_order = $6, level = $4
        where code = $1
          and (level = $4
               or not exists (select 1 from funding_envelopes e where e.source_code = $1))
        "#,
        s.code,
        s.name_vi,
        s.name_en,
        s.level as ProposalLevel,
        s.legal_ref,
        s.sort_order,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
