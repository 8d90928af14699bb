//! Implementation contracts, their amendments, and the advance rules their terms come from.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::contract::AdvanceTerms;
use crate::error::AppResult;

/// The advance rule in force for an activity type in a province on a date: the most
/// specific (province before every province, activity type before every type), the latest.
pub async fn advance_terms<'e>(
    db: impl sqlx::PgExecutor<'e>,
    province_code: &str,
    activity_type_code: &str,
    on: Date,
) -> AppResult<Option<(i64, AdvanceTerms)>> {
    let row = sqlx::query!(
        r#"
        select id, share_bp, threshold_bp from advance_rules
        where (province_code is null or province_code = $1)
          and (activity_type_code is null or activity_type_code = $2)
          and (valid_from is null or valid_from <= $3) and (valid_to is null or valid_to > $3)
        order by province_code is not null desc, activity_type_code is not null desc,
                 valid_from desc nulls last, id desc
        limit 1
        "#,
        province_code,
        activity_type_code,
        on,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        (
            r.id,
            AdvanceTerms {
                share_bp: u32::try_from(r.share_bp).unwrap_or(0),
                threshold_bp: u32::try_from(r.threshold_bp).unwrap_or(0),
            },
        )
    }))
}

/// A signed contract.
#[derive(Clone, Debug)]
pub struct Contract {
    /// Id.
    pub id: i64,
    /// Proposal.
    pub proposal_id: i64,
    /// Number.
    pub number: String,
    /// Signed on.
    pub signed_on: Date,
    /// The fund holder.
    pub holder_name: String,
    /// Who signs for it.
    pub holder_signer: String,
    /// The implementing side.
    pub implementer_name: String,
    /// Who signs for it.
    pub implementer_signer: String,
    /// Support.
    pub approved_support: i64,
    /// Counterpart funds.
    pub counterpart_funds: i64,
    /// Deadline.
    pub deadline: Date,
    /// Advance share, basis points.
    pub advance_share_bp: i32,
    /// Progress needed first, basis points.
    pub advance_threshold_bp: i32,
    /// Other payment terms.
    pub payment_terms: String,
    /// Version (amendments guard on it).
    pub version: i32,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: OffsetDateTime,
}

impl Contract {
    /// The advance terms.
    pub fn advance(&self) -> AdvanceTerms {
        AdvanceTerms {
            share_bp: u32::try_from(self.advance_share_bp).unwrap_or(0),
            threshold_bp: u32::try_from(self.advance_threshold_bp).unwrap_or(0),
        }
    }
}

/// The contract of proposal `proposal_id`, if signed.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Option<Contract>> {
    Ok(sqlx::query_as!(
        Contract,
        r#"
        select c.id, c.proposal_id, c.number, c.signed_on, c.holder_name, c.holder_signer,
               c.implementer_name, c.implementer_signer, c.approved_support, c.counterpart_funds,
               c.deadline, c.advance_share_bp, c.advance_threshold_bp, c.payment_terms,
               c.version, u.full_name as recorded_by, c.created_at as recorded_at
        from contracts c join users u on u.id = c.created_by
        where c.proposal_id = $1
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
}

/// A contract to record.
#[derive(Clone, Debug)]
pub struct NewContract<'a> {
    /// Proposal.
    pub proposal_id: i64,
    /// Province.
    pub province_code: &'a str,
    /// Number.
    pub number: &'a str,
    /// Signed on.
    pub signed_on: Date,
    /// The fund holder and who signs for it.
    pub holder: (&'a str, &'a str),
    /// The implementing side and who signs for it.
    pub implementer: (&'a str, &'a str),
    /// Support (the approved amount).
    pub approved_support: i64,
    /// Counterpart funds.
    pub counterpart_funds: i64,
    /// Deadline.
    pub deadline: Date,
    /// The advance rule applied and its terms.
    pub advance: (Option<i64>, AdvanceTerms),
    /// Other payment terms.
    pub payment_terms: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a contract. A number the province used already violates
/// `contracts_province_code_number_key`; a second contract for the proposal,
/// `contracts_proposal_id_key`.
pub async fn insert(conn: &mut PgConnection, c: &NewContract<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into contracts (proposal_id, province_code, number, signed_on, holder_name,
                               holder_signer, implementer_name, implementer_signer,
                               approved_support, counterpart_funds, deadline, advance_rule_id,
                               advance_share_bp, advance_threshold_bp, payment_terms, created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        returning id
        "#,
        c.proposal_id,
        c.province_code,
        c.number,
        c.signed_on,
        c.holder.0,
        c.holder.1,
        c.implementer.0,
        c.implementer.1,
        c.approved_support,
        c.counterpart_funds,
        c.deadline,
        c.advance.0,
        i32::try_from(c.advance.1.share_bp).unwrap_or(0),
        i32::try_from(c.advance.1.threshold_bp).unwrap_or(0),
        c.payment_terms,
        c.recorded_by,
    )
    .fetch_one(conn)
    .await?)
}

/// A contract amendment, as the contract's page lists it.
#[derive(Clone, Debug)]
pub struct Amendment {
    /// Number.
    pub number: String,
    /// Date.
    pub amended_on: Date,
    /// Why.
    pub reason: String,
    /// Deadline before and after.
    pub deadline_before: Date,
    /// After.
    pub deadline_after: Date,
    /// Counterpart funds before.
    pub counterpart_before: i64,
    /// After.
    pub counterpart_after: i64,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A contract's amendments, in order.
pub async fn amendments(pool: &PgPool, contract_id: i64) -> AppResult<Vec<Amendment>> {
    Ok(sqlx::query_as!(
        Amendment,
        r#"
        select a.number, a.amended_on, a.reason, a.deadline_before, a.deadline_after,
               a.counterpart_before, a.counterpart_after, u.full_name as recorded_by
        from contract_amendments a join users u on u.id = a.created_by
        where a.contract_id = $1
        order by a.amended_on, a.id
        "#,
        contract_id
    )
    .fetch_all(pool)
    .await?)
}

/// An amendment to record: the new terms, with the version the form was made from.
#[derive(Clone, Debug)]
pub struct NewAmendment<'a> {
    /// Contract.
    pub contract_id: i64,
    /// The version the form showed.
    pub version: i32,
    /// Number.
    pub number: &'a str,
    /// Date.
    pub amended_on: Date,
    /// Why.
    pub reason: &'a str,
    /// New deadline.
    pub deadline: Date,
    /// New counterpart funds.
    pub counterpart_funds: i64,
    /// New payment terms.
    pub payment_terms: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records an amendment and sets the contract's terms, if the contract is still at the
/// version the form showed; `false` when it moved meanwhile.
pub async fn amend(conn: &mut PgConnection, a: &NewAmendment<'_>) -> AppResult<bool> {
    let inserted = sqlx::query!(
        r#"
        with old as (
            select id, deadline, counterpart_funds, payment_terms from contracts
            where id = $1 and version = $2 for update
        ), amendment as (
            insert into contract_amendments (contract_id, number, amended_on, reason,
                                             deadline_before, deadline_after, counterpart_before,
                                             counterpart_after, terms_before, terms_after,
                                             created_by)
            select old.id, $3, $4, $5, old.deadline, $6, old.counterpart_funds, $7,
                   old.payment_terms, $8, $9
            from old
            returning contract_id
        )
        update contracts c
        set deadline = $6, counterpart_funds = $7, payment_terms = $8, version = c.version + 1
        from amendment where c.id = amendment.contract_id
        "#,
        a.contract_id,
        a.version,
        a.number,
        a.amended_on,
        a.reason,
        a.deadline,
        a.counterpart_funds,
        a.payment_terms,
        a.recorded_by,
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// An advance rule as a rule row (the admin pages).
#[derive(Clone, Debug)]
pub struct AdvanceRuleRow {
    /// Id.
    pub id: i64,
    /// `None`: every province without a rule of its own.
    pub province_code: Option<String>,
    /// `None`: every activity type without a rule of its own.
    pub activity_type_code: Option<String>,
    /// Most of the approved support advanced, in basis points.
    pub share_bp: i32,
    /// Progress from which an advance may be asked, in basis points.
    pub threshold_bp: i32,
    /// Legal basis.
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated advance rule to write.
#[derive(Clone, Copy, Debug)]
pub struct AdvanceRuleInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// Activity type, or every type.
    pub activity_type_code: Option<&'a str>,
    /// Share, basis points.
    pub share_bp: i32,
    /// Threshold, basis points.
    pub threshold_bp: i32,
    /// Legal basis.
    pub legal_ref: &'a str,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every advance rule, by scope and start.
pub async fn list_advance_rules(pool: &PgPool) -> AppResult<Vec<AdvanceRuleRow>> {
    Ok(sqlx::query_as!(
        AdvanceRuleRow,
        r#"
        select id, province_code, activity_type_code, share_bp, threshold_bp, legal_ref,
               valid_from, valid_to
        from advance_rules
        order by province_code nulls first, activity_type_code nulls first,
                 valid_from nulls first, id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One advance rule.
pub async fn get_advance_rule(pool: &PgPool, id: i64) -> AppResult<AdvanceRuleRow> {
    Ok(sqlx::query_as!(
        AdvanceRuleRow,
        r#"
        select id, province_code, activity_type_code, share_bp, threshold_bp, legal_ref,
               valid_from, valid_to
        from advance_rules where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds an advance rule; its id.
pub async fn insert_advance_rule(pool: &PgPool, r: &AdvanceRuleInput<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into advance_rules (province_code, activity_type_code, share_bp, threshold_bp,
                                   legal_ref, valid_from, valid_to)
        values ($1, $2, $3, $4, $5, $6, $7)
        returning id
        "#,
        r.province_code,
        r.activity_type_code,
        r.share_bp,
        r.threshold_bp,
        r.legal_ref,
        r.valid_from,
        r.valid_to,
    )
    .fetch_one(pool)
    .await?)
}

/// Changes advance rule `id`.
pub async fn update_advance_rule(
    pool: &PgPool,
    id: i64,
    r: &AdvanceRuleInput<'_>,
) -> AppResult<()> {
    let done = sqlx::query!(
        r#"
        update advance_rules
        set province_code = $2, activity_type_code = $3, share_bp = $4, threshold_bp = $5,
            legal_ref = $6, valid_from = $7, valid_to = $8
        where id = $1
        "#,
        id,
        r.province_code,
        r.activity_type_code,
        r.share_bp,
        r.threshold_bp,
        r.legal_ref,
        r.valid_from,
        r.valid_to,
    )
    .execute(pool)
    .await?;
    super::found(done.rows_affected())
}

/// Whether a contract copied its terms from advance rule `id` (it is then ended and
/// replaced, not edited).
pub async fn advance_rule_in_use(pool: &PgPool, id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from contracts where advance_rule_id = $1) as "used!""#,
        id
    )
    .fetch_one(pool)
    .await?)
}
