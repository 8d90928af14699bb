//! Adjustment requests and the rules that say who decides them.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use super::documents::AttachedKind;
use crate::domain::adjustment::{AdjustmentKind, AdjustmentLevel};
use crate::error::{AppError, AppResult};

/// A request's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdjustmentStatus {
    /// Waiting for a decision.
    Requested,
    /// Approved (by the Department, or by the top level).
    Approved,
    /// Refused, with a reason.
    Refused,
}

impl AdjustmentStatus {
    const ALL: [AdjustmentStatus; 3] = [Self::Requested, Self::Approved, Self::Refused];

    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }

    /// The state a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Requested => "adjustment_status.requested",
            Self::Approved => "adjustment_status.approved",
            Self::Refused => "adjustment_status.refused",
        }
    }
}

/// The rule in force for `kind` in `province_code` on `day`: the province's own, else the
/// national default; (rule id, level).
pub async fn rule_in_force(
    conn: &mut PgConnection,
    province_code: &str,
    kind: AdjustmentKind,
    day: Date,
) -> AppResult<(i64, AdjustmentLevel)> {
    let row = sqlx::query!(
        r#"
        select id, level as "level: AdjustmentLevel" from adjustment_rules
        where kind = $2 and (province_code = $1 or province_code is null)
          and valid_from <= $3 and (valid_to is null or valid_to >= $3)
        order by province_code is null, valid_from desc
        limit 1
        "#,
        province_code,
        kind as AdjustmentKind,
        day,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::Conflict("adjustment.no_rule"))?;
    Ok((row.id, row.level))
}

/// A request as the proposal's page lists it.
#[derive(Clone, Debug)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: AdjustmentKind,
    /// Who decides it.
    pub level: AdjustmentLevel,
    /// The rule's legal basis.
    pub legal_basis: String,
    /// Why.
    pub reason: String,
    /// What changes, in words.
    pub change: String,
    /// The new deadline asked.
    pub new_deadline: Option<Date>,
    /// The new support asked.
    pub new_support: Option<i64>,
    /// The support before it was changed.
    pub support_before: Option<i64>,
    /// Its state.
    pub status: AdjustmentStatus,
    /// Who asked.
    pub requested_by: String,
    /// Their account.
    pub requested_by_id: i64,
    /// When.
    pub requested_at: OffsetDateTime,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The decision's number.
    pub decision_number: Option<String>,
    /// Its day.
    pub decided_on: Option<Date>,
    /// Who issued it (the top level's name).
    pub decision_issuer: Option<String>,
    /// Why refused.
    pub refusal_reason: Option<String>,
    /// Its papers: (document id, file name).
    pub documents: Vec<(i64, String)>,
    /// A change of beneficiary: the facility that takes over.
    pub new_facility: Option<String>,
    /// And the one it replaces.
    pub replaced_facility: Option<String>,
}

/// A proposal's requests, newest first, with their papers (two statements).
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Vec<Request>> {
    let rows = sqlx::query!(
        r#"
        select a.id, a.kind as "kind: AdjustmentKind", a.level as "level: AdjustmentLevel",
               r.legal_basis, a.reason, a.change, a.new_deadline, a.new_support, a.support_before,
               a.status as "status: AdjustmentStatus", u.full_name as requested_by,
               a.requested_by as requested_by_id, a.requested_at, d.full_name as "decided_by?",
               a.decision_number, a.decided_on, a.decision_issuer, a.refusal_reason,
               nf.name as "new_facility?", rf.name as "replaced_facility?"
        from adjustment_requests a
        join adjustment_rules r on r.id = a.rule_id
        join users u on u.id = a.requested_by
        left join users d on d.id = a.decided_by
        left join facilities nf on nf.id = a.new_facility_id
        left join facilities rf on rf.id = a.replaced_facility_id
        where a.proposal_id = $1
        order by a.requested_at desc, a.id desc
        "#,
        proposal_id
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let papers = super::documents::attached(pool, AttachedKind::AdjustmentRequests, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Request {
            documents: super::documents::of_owner(&papers, r.id),
            id: r.id,
            kind: r.kind,
            level: r.level,
            legal_basis: r.legal_basis,
            reason: r.reason,
            change: r.change,
            new_deadline: r.new_deadline,
            new_support: r.new_support,
            support_before: r.support_before,
            status: r.status,
            requested_by: r.requested_by,
            requested_by_id: r.requested_by_id,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decision_number: r.decision_number,
            decided_on: r.decided_on,
            decision_issuer: r.decision_issuer,
            refusal_reason: r.refusal_reason,
            new_facility: r.new_facility,
            replaced_facility: r.replaced_facility,
        })
        .collect())
}

/// A request to record.
#[derive(Clone, Copy, Debug)]
pub struct NewRequest<'a> {
    /// Proposal.
    pub proposal_id: i64,
    /// Province.
    pub province_code: &'a str,
    /// Kind.
    pub kind: AdjustmentKind,
    /// The rule in force and its level.
    pub rule: (i64, AdjustmentLevel),
    /// Why.
    pub reason: &'a str,
    /// What changes.
    pub change: &'a str,
    /// New deadline.
    pub new_deadline: Option<Date>,
    /// New support.
    pub new_support: Option<i64>,
    /// A change of beneficiary: (the facility taking over, the one it replaces).
    pub beneficiary: Option<(i64, i64)>,
    /// Who asks.
    pub requested_by: i64,
}

/// Records a request; an open one of the same kind violates `adjustment_requests_open_key`.
pub async fn insert(conn: &mut PgConnection, r: &NewRequest<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into adjustment_requests (proposal_id, province_code, kind, level, rule_id, reason,
                                         change, new_deadline, new_support, requested_by,
                                         new_facility_id, replaced_facility_id)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        returning id
        "#,
        r.proposal_id,
        r.province_code,
        r.kind as AdjustmentKind,
        r.rule.1 as AdjustmentLevel,
        r.rule.0,
        r.reason,
        r.change,
        r.new_deadline,
        r.new_support,
        r.requested_by,
        r.beneficiary.map(|b| b.0),
        r.beneficiary.map(|b| b.1),
    )
    .fetch_one(conn)
    .await?)
}

/// The facilities of an approved change of beneficiary: (taking over, replaced).
pub async fn beneficiary_change(conn: &mut PgConnection, id: i64) -> AppResult<Option<(i64, i64)>> {
    let row = sqlx::query!(
        "select new_facility_id, replaced_facility_id from adjustment_requests where id = $1",
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.new_facility_id.zip(row.replaced_facility_id))
}

/// Puts facility `new` in the place of `replaced` among the proposal's beneficiaries (its
/// `beneficiary_ids` follow by trigger).
pub async fn replace_beneficiary(
    conn: &mut PgConnection,
    proposal_id: i64,
    replaced: i64,
    new: i64,
) -> AppResult<()> {
    sqlx::query!(
        "delete from proposal_facilities where proposal_id = $1 and facility_id = $2",
        proposal_id,
        replaced
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into proposal_facilities (proposal_id, facility_id) values ($1, $2)
         on conflict do nothing",
        proposal_id,
        new
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds an approved change of content to the proposal's content, after what it said.
pub async fn amend_content(
    conn: &mut PgConnection,
    proposal_id: i64,
    amendment: &str,
) -> AppResult<()> {
    sqlx::query!(
        r#"
        update proposals set content = left(content || E'\n\n' || $2, 50000), version = version + 1
        where id = $1
        "#,
        proposal_id,
        amendment,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A decision on a request.
#[derive(Clone, Copy, Debug)]
pub enum Decision<'a> {
    /// Approved by decision `number` of `day`, issued by `issuer` (empty: the Department).
    Approve {
        /// Number.
        number: &'a str,
        /// Day.
        day: Date,
        /// Issuer.
        issuer: &'a str,
    },
    /// Refused.
    Refuse {
        /// Why.
        reason: &'a str,
    },
}

/// Decides a request still open; `false` when someone decided it meanwhile.
pub async fn decide(
    conn: &mut PgConnection,
    id: i64,
    decision: Decision<'_>,
    user_id: i64,
) -> AppResult<bool> {
    let (status, number, day, issuer, refusal) = match decision {
        Decision::Approve {
            number,
            day,
            issuer,
        } => (
            AdjustmentStatus::Approved,
            Some(number),
            Some(day),
            Some(issuer),
            None,
        ),
        Decision::Refuse { reason } => (AdjustmentStatus::Refused, None, None, None, Some(reason)),
    };
    Ok(sqlx::query!(
        r#"
        update adjustment_requests
        set status = $2, decided_by = $3, decided_at = now(), decision_number = $4,
            decided_on = $5, decision_issuer = $6, refusal_reason = $7
        where id = $1 and status = 'requested'
        "#,
        id,
        status as AdjustmentStatus,
        user_id,
        number,
        day,
        issuer,
        refusal,
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Changes a contract's approved support to `new_support` (an approved adjustment): the
/// envelope takes the difference under its row lock and the database's checks (within the
/// envelope; what was paid and advanced within the new support and share), then the contract
/// and the proposal follow. Returns the support before; `Err` with the catalogue key when a
/// check refuses it.
pub async fn change_support(
    conn: &mut PgConnection,
    proposal_id: i64,
    new_support: i64,
) -> AppResult<Result<i64, &'static str>> {
    let row = sqlx::query!(
        r#"
        select c.id as contract_id, c.approved_support, d.envelope_id
        from contracts c
        join proposals p on p.id = c.proposal_id
        join plan_decisions d on d.id = p.plan_decision_id
        where c.proposal_id = $1
        for update of c
        "#,
        proposal_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let difference = new_support - row.approved_support;
    let moved = sqlx::query!(
        "update funding_envelopes set committed = committed + $2
         where id = $1 and committed + $2 <= amount",
        row.envelope_id,
        difference,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(Err("adjustment.no_room"));
    }
    let changed = sqlx::query!(
        r#"
        update contracts set approved_support = $2, version = version + 1
        where id = $1 and paid <= $2
          and advanced::numeric * 10000 <= $2::numeric * advance_share_bp
        "#,
        row.contract_id,
        new_support,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Err("adjustment.below_paid"));
    }
    sqlx::query!(
        "update proposals set approved_support = $2, version = version + 1 where id = $1",
        proposal_id,
        new_support,
    )
    .execute(&mut *conn)
    .await?;
    Ok(Ok(row.approved_support))
}

/// Keeps the support before an approved change of support on its request.
pub async fn set_support_before(conn: &mut PgConnection, id: i64, before: i64) -> AppResult<()> {
    sqlx::query!(
        "update adjustment_requests set support_before = $2 where id = $1",
        id,
        before
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets where the work is done (an approved change of location).
pub async fn set_location(
    conn: &mut PgConnection,
    proposal_id: i64,
    location: &str,
) -> AppResult<()> {
    sqlx::query!(
        "update proposals set location_detail = $2, version = version + 1 where id = $1",
        proposal_id,
        location,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An adjustment rule as the admin pages show it.
#[derive(Clone, Debug)]
pub struct RuleRowData {
    /// Id.
    pub id: i64,
    /// `None`: every province without a rule of its own.
    pub province_code: Option<String>,
    /// The kind of adjustment.
    pub kind: AdjustmentKind,
    /// Who decides it.
    pub level: AdjustmentLevel,
    /// Legal basis.
    pub legal_basis: String,
    /// First day in force.
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// A validated adjustment rule to write.
#[derive(Clone, Copy, Debug)]
pub struct RuleInput<'a> {
    /// Province, or every province.
    pub province_code: Option<&'a str>,
    /// Kind.
    pub kind: AdjustmentKind,
    /// Level.
    pub level: AdjustmentLevel,
    /// Legal basis.
    pub legal_basis: &'a str,
    /// First day in force (the regulation's when empty).
    pub valid_from: Option<Date>,
    /// First day no longer in force.
    pub valid_to: Option<Date>,
}

/// Every adjustment rule, by scope, kind and start.
pub async fn list_rules(pool: &PgPool) -> AppResult<Vec<RuleRowData>> {
    Ok(sqlx::query_as!(
        RuleRowData,
        r#"
        select id, province_code, kind as "kind: AdjustmentKind", level as "level: AdjustmentLevel",
               legal_basis, valid_from as "valid_from?", valid_to
        from adjustment_rules
        order by province_code nulls first, kind, valid_from, id
        "#
    )
    .fetch_all(pool)
    .await?)
}

/// One adjustment rule.
pub async fn get_rule(pool: &PgPool, id: i64) -> AppResult<RuleRowData> {
    Ok(sqlx::query_as!(
        RuleRowData,
        r#"
        select id, province_code, kind as "kind: AdjustmentKind", level as "level: AdjustmentLevel",
               legal_basis, valid_from as "valid_from?", valid_to
        from adjustment_rules where id = $1
        "#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Whether a request copied rule `id` (it is then ended, not edited).
pub async fn rule_in_use(pool: &PgPool, id: i64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from adjustment_requests where rule_id = $1) as "used!""#,
        id
    )
    .fetch_one(pool)
    .await?)
}

/// Adds a rule (`id` `None`) or changes rule `id`.
pub async fn save_rule(pool: &PgPool, id: Option<i64>, r: &RuleInput<'_>) -> AppResult<()> {
    let done = match id {
        None => sqlx::query!(
            r#"
            insert into adjustment_rules (province_code, kind, level, legal_basis, valid_from, valid_to)
            values ($1, $2, $3, $4, coalesce($5, date '2013-01-01'), $6)
            "#,
            r.province_code,
            r.kind as AdjustmentKind,
            r.level as AdjustmentLevel,
            r.legal_basis,
            r.valid_from,
            r.valid_to,
        )
        .execute(pool)
        .await?,
        Some(id) => sqlx::query!(
            r#"
            update adjustment_rules
            set province_code = $2, kind = $3, level = $4, legal_basis = $5,
                valid_from = coalesce($6, date '2013-01-01'), valid_to = $7
            where id = $1
            "#,
            id,
            r.province_code,
            r.kind as AdjustmentKind,
            r.level as AdjustmentLevel,
            r.legal_basis,
            r.valid_from,
            r.valid_to,
        )
        .execute(pool)
        .await?,
    };
    super::found(done.rows_affected())
}
