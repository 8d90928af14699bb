//! Sectors and activity types (two tables of the same shape), and the code pickers of the
//! rule forms.

use sqlx::PgPool;
use time::Date;

use super::localised;
use crate::db::found;
use crate::error::AppResult;
use crate::i18n::Lang;

/// A sector or an activity type: the two tables have the same shape, and activity types add
/// their Decree 45 Art. 4 group.
#[derive(Clone, Debug)]
pub struct ReferenceEntry {
    /// Code (primary key).
    pub code: String,
    /// Art. 4 group, 1–9 (activity types only).
    pub group_no: Option<i16>,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force (`None`: before the records kept here).
    pub valid_from: Option<Date>,
    /// First day no longer in force (`None`: still in force).
    pub valid_to: Option<Date>,
    /// Position in lists and pickers.
    pub sort_order: i32,
}

impl ReferenceEntry {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        localised(lang, &self.name_vi, &self.name_en)
    }
}

/// A validated sector or activity type to write.
#[derive(Clone, Copy, Debug)]
pub struct EntryInput<'a> {
    /// Code.
    pub code: &'a str,
    /// Art. 4 group (activity types; ignored for sectors).
    pub group_no: i16,
    /// Vietnamese name.
    pub name_vi: &'a str,
    /// English name.
    pub name_en: &'a str,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
    /// Position in lists.
    pub sort_order: i32,
}

/// Every sector, in list order.
pub async fn list_sectors(pool: &PgPool) -> AppResult<Vec<ReferenceEntry>> {
    Ok(sqlx::query_as!(
        ReferenceEntry,
        r#"
        select code, null::smallint as "group_no?", name_vi, name_en, legal_ref,
               valid_from, valid_to, sort_order
        from sectors
        order by sort_order, code
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One sector.
pub async fn get_sector(pool: &PgPool, code: &str) -> AppResult<ReferenceEntry> {
    Ok(sqlx::query_as!(
        ReferenceEntry,
        r#"
        select code, null::smallint as "group_no?", name_vi, name_en, legal_ref,
               valid_from, valid_to, sort_order
        from sectors where code = $1
        "#,
        code
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a sector. A taken code violates `sectors_pkey`.
pub async fn insert_sector(pool: &PgPool, entry: &EntryInput<'_>) -> AppResult<()> {
    sqlx::query!(
        "insert into sectors (code, name_vi, name_en, legal_ref, valid_from, valid_to, sort_order)
         values ($1, $2, $3, $4, $5, $6, $7)",
        entry.code,
        entry.name_vi,
        entry.name_en,
        entry.legal_ref,
        entry.valid_from,
        entry.valid_to,
        entry.sort_order,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Changes a sector (not its code); `NotFound` if there is none.
pub async fn update_sector(pool: &PgPool, entry: &EntryInput<'_>) -> AppResult<()> {
    let done = sqlx::query!(
        "update sectors set name_vi = $2, name_en = $3, legal_ref = $4, valid_from = $5,
                valid_to = $6, sort_order = $7
         where code = $1",
        entry.code,
        entry.name_vi,
        entry.name_en,
        entry.legal_ref,
        entry.valid_from,
        entry.valid_to,
        entry.sort_order,
    )
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// Every activity type, in list order.
pub async fn list_activity_types(pool: &PgPool) -> AppResult<Vec<ReferenceEntry>> {
    Ok(sqlx::query_as!(
        ReferenceEntry,
        r#"
        select code, group_no as "group_no?", name_vi, name_en, legal_ref,
               valid_from, valid_to, sort_order
        from activity_types
        order by sort_order, code
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One activity type.
pub async fn get_activity_type(pool: &PgPool, code: &str) -> AppResult<ReferenceEntry> {
    Ok(sqlx::query_as!(
        ReferenceEntry,
        r#"
        select code, group_no as "group_no?", name_vi, name_en, legal_ref,
               valid_from, valid_to, sort_order
        from activity_types where code = $1
        "#,
        code
    )
    .fetch_one(pool)
    .await?)
}

/// Adds an activity type. A taken code violates `activity_types_pkey`.
pub async fn insert_activity_type(pool: &PgPool, entry: &EntryInput<'_>) -> AppResult<()> {
    sqlx::query!(
        "insert into activity_types
             (code, group_no, name_vi, name_en, legal_ref, valid_from, valid_to, sort_order)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        entry.code,
        entry.group_no,
        entry.name_vi,
        entry.name_en,
        entry.legal_ref,
        entry.valid_from,
        entry.valid_to,
        entry.sort_order,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Changes an activity type (not its code); `NotFound` if there is none.
pub async fn update_activity_type(pool: &PgPool, entry: &EntryInput<'_>) -> AppResult<()> {
    let done = sqlx::query!(
        "update activity_types set group_no = $2, name_vi = $3, name_en = $4, legal_ref = $5,
                valid_from = $6, valid_to = $7, sort_order = $8
         where code = $1",
        entry.code,
        entry.group_no,
        entry.name_vi,
        entry.name_en,
        entry.legal_ref,
        entry.valid_from,
        entry.valid_to,
        entry.sort_order,
    )
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// A choice in a picker: code and name in both languages.
#[derive(Clone, Debug)]
pub struct CodeOption {
    /// Code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

impl CodeOption {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        localised(lang, &self.name_vi, &self.name_en)
    }
}

/// Every activity type, for pickers (ended ones too: a rule may concern one).
pub async fn activity_type_options(pool: &PgPool) -> AppResult<Vec<CodeOption>> {
    Ok(sqlx::query_as!(
        CodeOption,
        "select code, name_vi, name_en from activity_types order by sort_order, code"
    )
    .fetch_all(pool)
    .await?)
}

/// Every document kind, for pickers.
pub async fn document_kind_options(pool: &PgPool) -> AppResult<Vec<CodeOption>> {
    Ok(sqlx::query_as!(
        CodeOption,
        "select code, name_vi, name_en from document_kinds order by sort_order, code"
    )
    .fetch_all(pool)
    .await?)
}
