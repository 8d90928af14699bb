//! Required documents as rows: what an activity type's dossier needs or should have, and the
//! list in force on a date.

use sqlx::PgPool;
use time::Date;

use super::localised;
use crate::db::found;
use crate::error::AppResult;
use crate::i18n::Lang;

/// A document an activity type's dossier requires or should have.
#[derive(Clone, Debug)]
pub struct RequiredDocument {
    /// Row id.
    pub id: i64,
    /// Activity type code.
    pub activity_type_code: String,
    /// Activity type, Vietnamese.
    pub activity_name_vi: String,
    /// Activity type, English.
    pub activity_name_en: String,
    /// Document kind code.
    pub document_kind_code: String,
    /// Document kind, Vietnamese.
    pub kind_name_vi: String,
    /// Document kind, English.
    pub kind_name_en: String,
    /// Required (else recommended).
    pub required: bool,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

impl RequiredDocument {
    /// The activity type's name in `lang`.
    pub fn activity_name(&self, lang: Lang) -> &str {
        localised(lang, &self.activity_name_vi, &self.activity_name_en)
    }

    /// The document kind's name in `lang`.
    pub fn kind_name(&self, lang: Lang) -> &str {
        localised(lang, &self.kind_name_vi, &self.kind_name_en)
    }
}

/// A validated required-document row to write.
#[derive(Clone, Copy, Debug)]
pub struct RequiredDocumentInput<'a> {
    /// Activity type code.
    pub activity_type_code: &'a str,
    /// Document kind code.
    pub document_kind_code: &'a str,
    /// Required (else recommended).
    pub required: bool,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every required-document row, by activity type then document kind, newest first.
pub async fn list_required_documents(pool: &PgPool) -> AppResult<Vec<RequiredDocument>> {
    Ok(sqlx::query_as!(
        RequiredDocument,
        r#"
        select r.id, r.activity_type_code, a.name_vi as activity_name_vi,
               a.name_en as activity_name_en, r.document_kind_code, k.name_vi as kind_name_vi,
               k.name_en as kind_name_en, r.required, r.legal_ref, r.valid_from, r.valid_to
        from required_documents r
        join activity_types a on a.code = r.activity_type_code
        join document_kinds k on k.code = r.document_kind_code
        order by a.sort_order, k.sort_order, r.valid_from desc nulls last, r.id desc
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One required-document row.
pub async fn get_required_document(pool: &PgPool, id: i64) -> AppResult<RequiredDocument> {
    Ok(sqlx::query_as!(
        RequiredDocument,
        r#"
        select r.id, r.activity_type_code, a.name_vi as activity_name_vi,
               a.name_en as activity_name_en, r.document_kind_code, k.name_vi as kind_name_vi,
               k.name_en as kind_name_en, r.required, r.legal_ref, r.valid_from, r.valid_to
        from required_documents r
        join activity_types a on a.code = r.activity_type_code
        join document_kinds k on k.code = r.document_kind_code
        where r.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a required-document row. The same pair starting the same day violates
/// `required_documents_start_key`; unknown codes, the `…_fkey` constraints.
pub async fn insert_required_document(
    pool: &PgPool,
    row: &RequiredDocumentInput<'_>,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into required_documents (activity_type_code, document_kind_code, required,
               legal_ref, valid_from, valid_to, created_by)
        values ($1, $2, $3, $4, $5, $6, $7)
        returning id
        "#,
        row.activity_type_code,
        row.document_kind_code,
        row.required,
        row.legal_ref,
        row.valid_from,
        row.valid_to,
        created_by,
    )
    .fetch_one(pool)
    .await?)
}

/// Changes a required-document row; `NotFound` if there is none.
pub async fn update_required_document(
    pool: &PgPool,
    id: i64,
    row: &RequiredDocumentInput<'_>,
) -> AppResult<()> {
    let done = sqlx::query!(
        r#"
        update required_documents set activity_type_code = $2, document_kind_code = $3,
               required = $4, legal_ref = $5, valid_from = $6, valid_to = $7
        where id = $1
        "#,
        id,
        row.activity_type_code,
        row.document_kind_code,
        row.required,
        row.legal_ref,
        row.valid_from,
        row.valid_to,
    )
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// The documents a dossier of `activity_type_code` needs on `on`, one row per document
/// kind (the latest start wins where rows overlap), in the kinds' order: required and
/// recommended alike (see `required`).
pub async fn required_documents_in_force(
    db: impl sqlx::PgExecutor<'_>,
    activity_type_code: &str,
    on: Date,
) -> AppResult<Vec<RequiredDocument>> {
    Ok(sqlx::query_as!(
        RequiredDocument,
        r#"
        select d.id as "id!", d.activity_type_code as "activity_type_code!",
               d.activity_name_vi as "activity_name_vi!", d.activity_name_en as "activity_name_en!",
               d.document_kind_code as "document_kind_code!", d.kind_name_vi as "kind_name_vi!",
               d.kind_name_en as "kind_name_en!", d.required as "required!",
               d.legal_ref as "legal_ref!", d.valid_from, d.valid_to
        from (
            select distinct on (r.document_kind_code)
                   r.id, r.activity_type_code, a.name_vi as activity_name_vi,
                   a.name_en as activity_name_en, r.document_kind_code,
                   k.name_vi as kind_name_vi, k.name_en as kind_name_en, r.required,
                   r.legal_ref, r.valid_from, r.valid_to, k.sort_order
            from required_documents r
            join activity_types a on a.code = r.activity_type_code
            join document_kinds k on k.code = r.document_kind_code
            where r.activity_type_code = $1
              and (r.valid_from is null or r.valid_from <= $2)
              and (r.valid_to is null or r.valid_to > $2)
            order by r.document_kind_code, r.valid_from desc nulls last, r.id desc
        ) d
        order by d.sort_order, d.document_kind_code
        "#,
        activity_type_code,
        on,
    )
    .fetch_all(db)
    .await?)
}
