//! Rules and reference data as rows (migration `…_rules.sql`): sectors, activity types,
//! support caps, required documents and priority areas. Lists, inserts, edits and ends
//! (setting `valid_to`: rules are history and are not deleted), and the rows in force on a
//! date. Which cap applies is chosen in `domain::caps` from the candidates read here.
//!
//! Nothing here is narrowed by record scope: reference data is the same for every reader;
//! who may read or change it is `domain::policy`'s `ViewReference`/`ManageReference`.

use super::found;
use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use crate::domain::caps::{
    self, CapRule, CapUnit, CaseMultiplier, Multiplier, NoRule, PriorityAreaKind, SupportCap,
};
use crate::domain::proposal::ProposalLevel;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

// ---------------------------------------------------------------------------------------------
// Sectors and activity types

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

// ---------------------------------------------------------------------------------------------
// Support caps

/// A cap rule with the names its list shows.
#[derive(Clone, Debug)]
pub struct CapRow {
    /// The rule.
    pub cap: SupportCap,
    /// The activity type's Vietnamese name.
    pub activity_name_vi: String,
    /// The activity type's English name.
    pub activity_name_en: String,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

impl CapRow {
    /// The activity type's name in `lang`.
    pub fn activity_name(&self, lang: Lang) -> &str {
        localised(lang, &self.activity_name_vi, &self.activity_name_en)
    }
}

/// A validated cap rule to write.
#[derive(Clone, Copy, Debug)]
pub struct CapInput<'a> {
    /// Activity type code.
    pub activity_type_code: &'a str,
    /// Level.
    pub level: ProposalLevel,
    /// `None`: every province.
    pub province_code: Option<&'a str>,
    /// The figures.
    pub rule: &'a CapRule,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Date,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A cap as read, before its figures are checked by `CapRule::new`.
struct RawCap {
    id: i64,
    activity_type_code: String,
    level: ProposalLevel,
    province_code: Option<String>,
    percent_bp: i32,
    max_amount: i64,
    cap_unit: String,
    multiplier_num: Option<i32>,
    multiplier_den: Option<i32>,
    multiplier_label_vi: Option<String>,
    multiplier_label_en: Option<String>,
    legal_ref: String,
    valid_from: Date,
    valid_to: Option<Date>,
}

impl RawCap {
    /// The domain value. The table's checks make every stored row valid; one that is not
    /// is a defect, reported as an internal error rather than guessed at.
    fn into_cap(self) -> AppResult<SupportCap> {
        let broken = |what: &str| {
            AppError::Internal(anyhow::anyhow!("support_caps row {}: {what}", self.id))
        };
        let unit = CapUnit::from_code(&self.cap_unit).ok_or_else(|| broken("cap unit"))?;
        let percent_bp = u32::try_from(self.percent_bp).map_err(|_| broken("percent"))?;
        let multiplier = match (
            self.multiplier_num,
            self.multiplier_den,
            &self.multiplier_label_vi,
            &self.multiplier_label_en,
        ) {
            (Some(num), Some(den), Some(vi), Some(en)) => {
                let factor = u32::try_from(num)
                    .ok()
                    .zip(u32::try_from(den).ok())
                    .and_then(|(n, d)| Multiplier::new(n, d))
                    .ok_or_else(|| broken("multiplier"))?;
                Some(CaseMultiplier {
                    factor,
                    label_vi: vi.clone(),
                    label_en: en.clone(),
                })
            }
            _ => None,
        };
        let rule = CapRule::new(percent_bp, self.max_amount, unit, multiplier)
            .map_err(|_| broken("figures"))?;
        Ok(SupportCap {
            id: self.id,
            activity_type_code: self.activity_type_code,
            level: self.level,
            province_code: self.province_code,
            rule,
            legal_ref: self.legal_ref,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// A cap row as read with its names.
struct RawCapRow {
    id: i64,
    activity_type_code: String,
    level: ProposalLevel,
    province_code: Option<String>,
    percent_bp: i32,
    max_amount: i64,
    cap_unit: String,
    multiplier_num: Option<i32>,
    multiplier_den: Option<i32>,
    multiplier_label_vi: Option<String>,
    multiplier_label_en: Option<String>,
    legal_ref: String,
    valid_from: Date,
    valid_to: Option<Date>,
    updated_at: OffsetDateTime,
    activity_name_vi: String,
    activity_name_en: String,
}

impl RawCapRow {
    fn into_row(self) -> AppResult<CapRow> {
        let raw = RawCap {
            id: self.id,
            activity_type_code: self.activity_type_code,
            level: self.level,
            province_code: self.province_code,
            percent_bp: self.percent_bp,
            max_amount: self.max_amount,
            cap_unit: self.cap_unit,
            multiplier_num: self.multiplier_num,
            multiplier_den: self.multiplier_den,
            multiplier_label_vi: self.multiplier_label_vi,
            multiplier_label_en: self.multiplier_label_en,
            legal_ref: self.legal_ref,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        };
        Ok(CapRow {
            cap: raw.into_cap()?,
            activity_name_vi: self.activity_name_vi,
            activity_name_en: self.activity_name_en,
            updated_at: self.updated_at,
        })
    }
}

/// Every cap rule: by activity type, level, province (all-provinces first), newest first.
pub async fn list_caps(pool: &PgPool) -> AppResult<Vec<CapRow>> {
    sqlx::query_as!(
        RawCapRow,
        r#"
        select c.id, c.activity_type_code, c.level as "level: ProposalLevel", c.province_code,
               c.percent_bp, c.max_amount, c.cap_unit, c.multiplier_num, c.multiplier_den,
               c.multiplier_label_vi, c.multiplier_label_en, c.legal_ref, c.valid_from,
               c.valid_to, c.updated_at, a.name_vi as activity_name_vi,
               a.name_en as activity_name_en
        from support_caps c
        join activity_types a on a.code = c.activity_type_code
        order by a.sort_order, c.level, c.province_code nulls first, c.valid_from desc, c.id desc
        "#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(RawCapRow::into_row)
    .collect()
}

/// One cap rule.
pub async fn get_cap(pool: &PgPool, id: i64) -> AppResult<CapRow> {
    sqlx::query_as!(
        RawCapRow,
        r#"
        select c.id, c.activity_type_code, c.level as "level: ProposalLevel", c.province_code,
               c.percent_bp, c.max_amount, c.cap_unit, c.multiplier_num, c.multiplier_den,
               c.multiplier_label_vi, c.multiplier_label_en, c.legal_ref, c.valid_from,
               c.valid_to, c.updated_at, a.name_vi as activity_name_vi,
               a.name_en as activity_name_en
        from support_caps c
        join activity_types a on a.code = c.activity_type_code
        where c.id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?
    .into_row()
}

/// The columns of a rule's figures, as stored.
struct CapColumns<'a> {
    percent_bp: i32,
    cap_unit: &'static str,
    multiplier_num: Option<i32>,
    multiplier_den: Option<i32>,
    multiplier_label_vi: Option<&'a str>,
    multiplier_label_en: Option<&'a str>,
}

impl<'a> CapColumns<'a> {
    fn of(rule: &'a CapRule) -> AppResult<Self> {
        let term = |t: u32| {
            i32::try_from(t).map_err(|_| AppError::Internal(anyhow::anyhow!("multiplier term")))
        };
        let multiplier = rule.multiplier();
        Ok(Self {
            percent_bp: i32::try_from(rule.percent_bp())
                .map_err(|_| AppError::Internal(anyhow::anyhow!("percent")))?,
            cap_unit: rule.unit().code(),
            multiplier_num: multiplier.map(|m| term(m.factor.numerator())).transpose()?,
            multiplier_den: multiplier
                .map(|m| term(m.factor.denominator()))
                .transpose()?,
            multiplier_label_vi: multiplier.map(|m| m.label_vi.as_str()),
            multiplier_label_en: multiplier.map(|m| m.label_en.as_str()),
        })
    }
}

/// Adds a cap rule. Another rule of the same scope starting the same day violates
/// `support_caps_scope_start_key`; an unknown activity type,
/// `support_caps_activity_type_code_fkey`.
pub async fn insert_cap(pool: &PgPool, cap: &CapInput<'_>, created_by: i64) -> AppResult<i64> {
    let columns = CapColumns::of(cap.rule)?;
    Ok(sqlx::query_scalar!(
        r#"
        insert into support_caps (activity_type_code, level, province_code, percent_bp,
               max_amount, cap_unit, multiplier_num, multiplier_den, multiplier_label_vi,
               multiplier_label_en, legal_ref, valid_from, valid_to, created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        returning id
        "#,
        cap.activity_type_code,
        cap.level as ProposalLevel,
        cap.province_code,
        columns.percent_bp,
        cap.rule.max_amount(),
        columns.cap_unit,
        columns.multiplier_num,
        columns.multiplier_den,
        columns.multiplier_label_vi,
        columns.multiplier_label_en,
        cap.legal_ref,
        cap.valid_from,
        cap.valid_to,
        created_by,
    )
    .fetch_one(pool)
    .await?)
}

/// Changes a cap rule; `NotFound` if there is none. Same constraints as [`insert_cap`].
pub async fn update_cap(pool: &PgPool, id: i64, cap: &CapInput<'_>) -> AppResult<()> {
    let columns = CapColumns::of(cap.rule)?;
    let done = sqlx::query!(
        r#"
        update support_caps set activity_type_code = $2, level = $3, province_code = $4,
               percent_bp = $5, max_amount = $6, cap_unit = $7, multiplier_num = $8,
               multiplier_den = $9, multiplier_label_vi = $10, multiplier_label_en = $11,
               legal_ref = $12, valid_from = $13, valid_to = $14
        where id = $1
        "#,
        id,
        cap.activity_type_code,
        cap.level as ProposalLevel,
        cap.province_code,
        columns.percent_bp,
        cap.rule.max_amount(),
        columns.cap_unit,
        columns.multiplier_num,
        columns.multiplier_den,
        columns.multiplier_label_vi,
        columns.multiplier_label_en,
        cap.legal_ref,
        cap.valid_from,
        cap.valid_to,
    )
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// Every cap rule that could apply at a level in a province on a date, whatever the activity
/// type: those of the province and those for every province, in force that day (one
/// statement for a whole list of proposals). The choice between them, per proposal, is
/// [`caps::cap_in_force`]'s (or take [`cap_in_force`]).
pub async fn caps_in_force_at_level(
    db: impl sqlx::PgExecutor<'_>,
    level: ProposalLevel,
    province_code: &str,
    on: Date,
) -> AppResult<Vec<SupportCap>> {
    sqlx::query_as!(
        RawCap,
        r#"
        select id, activity_type_code, level as "level: ProposalLevel", province_code,
               percent_bp, max_amount, cap_unit, multiplier_num, multiplier_den,
               multiplier_label_vi, multiplier_label_en, legal_ref, valid_from, valid_to
        from support_caps
        where level = $1 and (province_code is null or province_code = $2)
          and valid_from <= $3 and (valid_to is null or valid_to > $3)
        "#,
        level as ProposalLevel,
        province_code,
        on,
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(RawCap::into_cap)
    .collect()
}

/// The cap rule in force for an activity type at a level in a province on a date, or
/// [`NoRule`]: [`caps_in_force_at_level`] chosen from by [`caps::cap_in_force`].
pub async fn cap_in_force(
    db: impl sqlx::PgExecutor<'_>,
    activity_type_code: &str,
    level: ProposalLevel,
    province_code: &str,
    on: Date,
) -> AppResult<Result<SupportCap, NoRule>> {
    let candidates = caps_in_force_at_level(db, level, province_code, on).await?;
    Ok(caps::cap_in_force(&candidates, activity_type_code, level, province_code, on).cloned())
}

// ---------------------------------------------------------------------------------------------
// Required documents

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

// ---------------------------------------------------------------------------------------------
// Priority areas

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

// ---------------------------------------------------------------------------------------------
// Ending a rule

/// A row of rules or reference data. Rows have validity dates and are ended, never deleted.
#[derive(Clone, Copy, Debug)]
pub enum RuleRow<'a> {
    /// A sector, by code.
    Sector(&'a str),
    /// An activity type, by code.
    ActivityType(&'a str),
    /// A support cap, by id.
    SupportCap(i64),
    /// A required-document row, by id.
    RequiredDocument(i64),
    /// A priority area, by id.
    PriorityArea(i64),
    /// An appraisal criterion, by id.
    AppraisalCriterion(i64),
    /// An advance rule, by id.
    AdvanceRule(i64),
    /// A national registration deadline rule, by id.
    NationalDeadline(i64),
    /// A progress reporting rule, by id.
    ProgressRule(i64),
    /// An adjustment rule, by id.
    AdjustmentRule(i64),
    /// An acceptance evidence item, by id.
    AcceptanceEvidence(i64),
}

/// Ends a row: from `on` it is no longer in force. `NotFound` if there is none.
pub async fn end_rule(pool: &PgPool, row: RuleRow<'_>, on: Date) -> AppResult<()> {
    // One literal statement per table (`query!` checks each), run the same way.
    macro_rules! set_valid_to {
        ($sql:tt, $key:expr) => {
            sqlx::query!($sql, $key, on).execute(pool).await?
        };
    }
    let done = match row {
        RuleRow::Sector(code) => {
            set_valid_to!("update sectors set valid_to = $2 where code = $1", code)
        }
        RuleRow::ActivityType(code) => {
            set_valid_to!(
                "update activity_types set valid_to = $2 where code = $1",
                code
            )
        }
        RuleRow::SupportCap(id) => {
            set_valid_to!("update support_caps set valid_to = $2 where id = $1", id)
        }
        RuleRow::RequiredDocument(id) => {
            set_valid_to!(
                "update required_documents set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::PriorityArea(id) => {
            set_valid_to!("update priority_areas set valid_to = $2 where id = $1", id)
        }
        RuleRow::AppraisalCriterion(id) => {
            set_valid_to!(
                "update appraisal_criteria set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::AdvanceRule(id) => {
            set_valid_to!("update advance_rules set valid_to = $2 where id = $1", id)
        }
        RuleRow::NationalDeadline(id) => {
            set_valid_to!(
                "update national_deadlines set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::ProgressRule(id) => {
            set_valid_to!("update progress_rules set valid_to = $2 where id = $1", id)
        }
        RuleRow::AdjustmentRule(id) => {
            set_valid_to!(
                "update adjustment_rules set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::AcceptanceEvidence(id) => {
            set_valid_to!(
                "update acceptance_evidence set valid_to = $2 where id = $1",
                id
            )
        }
    };
    found(done.rows_affected())
}

// ---------------------------------------------------------------------------------------------

fn localised<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}
