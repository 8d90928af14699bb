//! Support caps as rows: lists, inserts and edits, and the candidates in force that
//! `domain::caps` chooses from.

use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use super::localised;
use crate::db::found;
use crate::domain::caps::{self, CapRule, CapUnit, CaseMultiplier, Multiplier, NoRule, SupportCap};
use crate::domain::proposal::ProposalLevel;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

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
