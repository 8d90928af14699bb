//! Plan decisions, their lines and the amendment chain a decision heads: what a decision
//! approved, and the locks that keep two directors from committing the same envelope twice.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::funding::EnvelopeFigures;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

/// A plan decision, as lists show it.
#[derive(Clone, Debug)]
pub struct DecisionSummary {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Date.
    pub decided_on: Date,
    /// Who signed it.
    pub signer: String,
    /// Source of funds.
    pub source_code: String,
    /// The number of the decision it amends.
    pub amends_number: Option<String>,
    /// Proposals in it.
    pub lines: i64,
    /// Support it approves.
    pub total: i64,
}

/// A province's plan decisions for a plan year, newest first.
pub async fn decisions(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
) -> AppResult<Vec<DecisionSummary>> {
    Ok(sqlx::query_as!(
        DecisionSummary,
        r#"
        select d.id, d.number, d.decided_on, d.signer, e.source_code, a.number as "amends_number?",
               count(l.proposal_id) as "lines!",
               coalesce(sum(l.approved_support), 0)::bigint as "total!"
        from plan_decisions d
        join funding_envelopes e on e.id = d.envelope_id
        left join plan_decisions a on a.id = d.amends_id
        left join plan_decision_lines l on l.decision_id = d.id
        where e.province_code = $1 and e.plan_year = $2
        group by d.id, e.source_code, a.number
        order by d.decided_on desc, d.id desc
        "#,
        province_code,
        plan_year,
    )
    .fetch_all(pool)
    .await?)
}

/// A plan decision with its envelope.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Date.
    pub decided_on: Date,
    /// Who signed it.
    pub signer: String,
    /// The envelope.
    pub envelope_id: i64,
    /// Province.
    pub province_code: String,
    /// The decision it amends: id and number.
    pub amends: Option<(i64, String)>,
    /// The first decision of its chain (itself, for an original).
    pub original_id: i64,
    /// Why it amends.
    pub reason: String,
    /// Plan year.
    pub plan_year: i16,
    /// Source of funds.
    pub source_code: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: OffsetDateTime,
}

/// The decision, if it is of `province_code`.
pub async fn decision(pool: &PgPool, province_code: &str, id: i64) -> AppResult<Decision> {
    let row = sqlx::query!(
        r#"
        select d.id, d.envelope_id, d.province_code, d.number, d.decided_on, d.signer, d.amends_id,
               a.number as "amends_number?", coalesce(d.original_id, d.id) as "original_id!",
               d.reason, e.plan_year, e.source_code, u.full_name as recorded_by, d.created_at
        from plan_decisions d
        join funding_envelopes e on e.id = d.envelope_id
        join users u on u.id = d.created_by
        left join plan_decisions a on a.id = d.amends_id
        where d.id = $1 and d.province_code = $2
        "#,
        id,
        province_code,
    )
    .fetch_one(pool)
    .await?;
    Ok(Decision {
        id: row.id,
        number: row.number,
        decided_on: row.decided_on,
        signer: row.signer,
        envelope_id: row.envelope_id,
        province_code: row.province_code,
        amends: row.amends_id.zip(row.amends_number),
        original_id: row.original_id,
        reason: row.reason,
        plan_year: row.plan_year,
        source_code: row.source_code,
        recorded_by: row.recorded_by,
        recorded_at: row.created_at,
    })
}

/// A line of a decision, with its proposal.
#[derive(Clone, Debug)]
pub struct DecisionLine {
    /// Proposal id.
    pub proposal_id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Beneficiaries' names.
    pub facilities: String,
    /// Location.
    pub unit_name: String,
    /// Total cost.
    pub total_cost: i64,
    /// Counterpart funds.
    pub counterpart_funds: i64,
    /// Requested support.
    pub requested_support: i64,
    /// Approved in this decision.
    pub approved_support: i64,
    /// What it was before (an amendment's line).
    pub previous_support: Option<i64>,
    /// What the cap in force on the decision's date allowed.
    pub cap_limit: Option<i64>,
    /// Whether this line is the one in force for the proposal.
    pub in_force: bool,
    /// The proposal's state now.
    pub state: ProposalState,
}

/// A decision's lines, by proposal code.
pub async fn decision_lines(pool: &PgPool, decision_id: i64) -> AppResult<Vec<DecisionLine>> {
    Ok(sqlx::query_as!(
        DecisionLine,
        r#"
        select p.id as proposal_id, p.code, p.title,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!",
               u.full_name as unit_name, p.total_cost, p.counterpart_funds, p.requested_support,
               l.approved_support, l.previous_support, l.cap_limit,
               (p.plan_decision_id = l.decision_id) as "in_force!",
               p.state as "state: ProposalState"
        from plan_decision_lines l
        join proposals p on p.id = l.proposal_id
        join admin_units u on u.id = p.unit_id
        where l.decision_id = $1
        order by p.code, p.id
        "#,
        decision_id,
    )
    .fetch_all(pool)
    .await?)
}

/// A line of a decision as its annex lists it (the approval decision's "Phụ lục").
#[derive(Clone, Debug)]
pub struct AnnexLine {
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Beneficiaries' names, joined (empty for a proposal without any).
    pub facilities: String,
    /// The submitting office (the implementer when there is no beneficiary).
    pub office_name: String,
    /// Activity type code.
    pub activity_type_code: String,
    /// Activity type, Vietnamese.
    pub activity_vi: String,
    /// Activity type, English.
    pub activity_en: String,
    /// Location (commune/ward).
    pub unit_name: String,
    /// The district above it (legacy units), if any.
    pub district_name: Option<String>,
    /// Total cost.
    pub total_cost: i64,
    /// Approved in this decision.
    pub approved_support: i64,
    /// What it was before (an amendment's line).
    pub previous_support: Option<i64>,
    /// Start.
    pub start_date: Option<Date>,
    /// End.
    pub end_date: Option<Date>,
}

/// A decision's lines for its annex, by activity type (in the reference order), then code.
pub async fn annex_lines(pool: &PgPool, decision_id: i64) -> AppResult<Vec<AnnexLine>> {
    Ok(sqlx::query_as!(
        AnnexLine,
        r#"
        select p.code, p.title,
               coalesce((select string_agg(f.name, ', ' order by f.name)
                         from proposal_facilities pf join facilities f on f.id = pf.facility_id
                         where pf.proposal_id = p.id), '') as "facilities!",
               o.name as office_name, p.activity_type_code, t.name_vi as activity_vi,
               t.name_en as activity_en, u.full_name as unit_name,
               case when pu.level = 'district' then pu.full_name end as "district_name?",
               p.total_cost, l.approved_support, l.previous_support, p.start_date, p.end_date
        from plan_decision_lines l
        join proposals p on p.id = l.proposal_id
        join activity_types t on t.code = p.activity_type_code
        join organisations o on o.id = p.office_id
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        where l.decision_id = $1
        order by t.sort_order, t.code, p.code, p.id
        "#,
        decision_id,
    )
    .fetch_all(pool)
    .await?)
}

/// A decision to record.
#[derive(Clone, Copy, Debug)]
pub struct NewDecision<'a> {
    /// The (locked) envelope.
    pub envelope_id: i64,
    /// Province.
    pub province_code: &'a str,
    /// Number.
    pub number: &'a str,
    /// Date.
    pub decided_on: Date,
    /// Who signed it.
    pub signer: &'a str,
    /// The decision it amends and the original of the chain.
    pub amends: Option<(i64, i64)>,
    /// Why it amends.
    pub reason: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a decision; its id. A number the province used already violates
/// `plan_decisions_province_code_number_key`.
pub async fn insert_decision(conn: &mut PgConnection, d: &NewDecision<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"
        insert into plan_decisions
            (envelope_id, province_code, number, decided_on, signer, amends_id, original_id, reason,
             created_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        returning id
        "#,
        d.envelope_id,
        d.province_code,
        d.number,
        d.decided_on,
        d.signer,
        d.amends.map(|(amends, _)| amends),
        d.amends.map(|(_, original)| original),
        d.reason,
        d.recorded_by,
    )
    .fetch_one(conn)
    .await?)
}

/// Locks a decision's envelope, then the proposals of its chain (the original and every
/// amendment) in id order, for the rest of the transaction; the envelope's figures.
pub async fn lock_chain(
    conn: &mut PgConnection,
    envelope_id: i64,
    original_id: i64,
) -> AppResult<EnvelopeFigures> {
    let envelope = sqlx::query!(
        "select amount, committed from funding_envelopes where id = $1 for update",
        envelope_id
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        select p.id from proposals p join plan_decisions d on d.id = p.plan_decision_id
        where coalesce(d.original_id, d.id) = $1 order by p.id for update of p
        "#,
        original_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(EnvelopeFigures {
        amount: envelope.amount,
        committed: envelope.committed,
    })
}

/// The approvals in force of a decision's chain, with what an amended amount is checked
/// against.
pub async fn chain_lines(conn: &mut PgConnection, original_id: i64) -> AppResult<Vec<ChainLine>> {
    Ok(sqlx::query_as!(
        ChainLine,
        r#"
        select p.id as proposal_id, p.code, p.title, p.state as "state: ProposalState",
               p.approved_support as "approved_support!", p.requested_support, p.total_cost,
               p.activity_type_code, p.level as "level: ProposalLevel", p.technology_line,
               cardinality(p.beneficiary_ids)::bigint as "beneficiaries!",
               r.proposed_support
        from proposals p
        join plan_decisions d on d.id = p.plan_decision_id
        left join appraisal_records r on r.proposal_id = p.id and r.status = 'final'
        where coalesce(d.original_id, d.id) = $1 and p.approved_support is not null
        order by p.code, p.id
        "#,
        original_id,
    )
    .fetch_all(conn)
    .await?)
}

/// A proposal whose approval an amendment may change.
#[derive(Clone, Debug)]
pub struct ChainLine {
    /// Proposal.
    pub proposal_id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// State (amounts change while `approved`; later, the contract is amended instead).
    pub state: ProposalState,
    /// Approved support in force.
    pub approved_support: i64,
    /// Requested.
    pub requested_support: i64,
    /// Total cost.
    pub total_cost: i64,
    /// Activity type.
    pub activity_type_code: String,
    /// Level.
    pub level: ProposalLevel,
    /// Technology line.
    pub technology_line: bool,
    /// Beneficiaries.
    pub beneficiaries: i64,
    /// Proposed by the final appraisal.
    pub proposed_support: Option<i64>,
}

/// A checked line to write.
#[derive(Clone, Copy, Debug)]
pub struct NewLine {
    /// Proposal.
    pub proposal_id: i64,
    /// Approved support.
    pub approved_support: i64,
    /// The cap rule applied.
    pub support_cap_id: Option<i64>,
    /// What it allowed.
    pub cap_limit: Option<i64>,
    /// The amount it replaces (an amendment).
    pub previous_support: Option<i64>,
}

/// Writes a decision's lines and makes them the ones in force for their proposals (amount
/// and decision), in one statement each.
pub async fn insert_lines(
    conn: &mut PgConnection,
    decision_id: i64,
    lines: &[NewLine],
) -> AppResult<()> {
    let ids: Vec<i64> = lines.iter().map(|l| l.proposal_id).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.approved_support).collect();
    let caps: Vec<Option<i64>> = lines.iter().map(|l| l.support_cap_id).collect();
    let limits: Vec<Option<i64>> = lines.iter().map(|l| l.cap_limit).collect();
    let previous: Vec<Option<i64>> = lines.iter().map(|l| l.previous_support).collect();
    sqlx::query!(
        r#"
        insert into plan_decision_lines
            (decision_id, proposal_id, approved_support, support_cap_id, cap_limit, previous_support)
        select $1, t.id, t.amount, t.cap, t.cap_limit, t.previous
        from unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
             as t(id, amount, cap, cap_limit, previous)
        "#,
        decision_id,
        &ids,
        &amounts,
        &caps as &[Option<i64>],
        &limits as &[Option<i64>],
        &previous as &[Option<i64>],
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        update proposals p
        set approved_support = t.amount, plan_decision_id = $1, version = p.version + 1
        from unnest($2::bigint[], $3::bigint[]) as t(id, amount)
        where p.id = t.id
        "#,
        decision_id,
        &ids,
        &amounts,
    )
    .execute(conn)
    .await?;
    Ok(())
}
