//! Funding: sources, envelopes and their allocation rounds, plan decisions and their lines.
//! The envelope row is the lock of its plan: every approval, amendment and round updates it
//! in the transaction that writes the lines, and its check (`committed <= amount`) holds
//! even when two directors approve at once.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::funding::EnvelopeFigures;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

/// A source of funds.
#[derive(Clone, Debug)]
pub struct Source {
    /// Code (`national`, `local`, …).
    pub code: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// The level of the proposals it funds.
    pub level: ProposalLevel,
}

/// Every source, in the order pages list them.
pub async fn sources(pool: &PgPool) -> AppResult<Vec<Source>> {
    Ok(sqlx::query_as!(
        Source,
        r#"select code, name_vi, name_en, level as "level: ProposalLevel"
           from funding_sources order by sort_order, code"#
    )
    .fetch_all(pool)
    .await?)
}

/// A source's figures for a plan year (zeros where nothing was allocated yet).
#[derive(Clone, Debug)]
pub struct EnvelopeRow {
    /// The source.
    pub source: Source,
    /// Allocated and approved.
    pub figures: EnvelopeFigures,
    /// Approved support of proposals whose contract is signed (contracted or later).
    pub contracted: i64,
    /// Advanced on their contracts.
    pub advanced: i64,
    /// Paid on their contracts, net of recoveries (advances included).
    pub paid: i64,
    /// Allocation rounds.
    pub rounds: i64,
}

/// Every source's envelope for a province and plan year, with what is contracted.
pub async fn envelopes(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
) -> AppResult<Vec<EnvelopeRow>> {
    let rows = sqlx::query!(
        r#"
        select s.code, s.name_vi, s.name_en, s.level as "level: ProposalLevel",
               coalesce(e.amount, 0) as "amount!", coalesce(e.committed, 0) as "committed!",
               coalesce(c.contracted, 0)::bigint as "contracted!",
               coalesce(c.advanced, 0)::bigint as "advanced!",
               coalesce(c.paid, 0)::bigint as "paid!",
               (select count(*) from envelope_rounds r where r.envelope_id = e.id) as "rounds!"
        from funding_sources s
        left join funding_envelopes e
               on e.source_code = s.code and e.province_code = $1 and e.plan_year = $2
        left join lateral (
            select sum(p.approved_support) filter (where p.state in
                       ('contracted', 'in_progress', 'result_accepted', 'settled', 'completed'))
                       as contracted,
                   sum(k.advanced) as advanced, sum(k.paid) as paid
            from plan_decisions d join proposals p on p.plan_decision_id = d.id
            left join contracts k on k.proposal_id = p.id
            where d.envelope_id = e.id
        ) c on true
        order by s.sort_order, s.code
        "#,
        province_code,
        plan_year,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| EnvelopeRow {
            source: Source {
                code: r.code,
                name_vi: r.name_vi,
                name_en: r.name_en,
                level: r.level,
            },
            figures: EnvelopeFigures {
                amount: r.amount,
                committed: r.committed,
            },
            contracted: r.contracted,
            advanced: r.advanced,
            paid: r.paid,
            rounds: r.rounds,
        })
        .collect())
}

/// An allocation round, for the envelope's history.
#[derive(Clone, Debug)]
pub struct Round {
    /// The source.
    pub source_code: String,
    /// Amount (a cut is negative).
    pub amount: i64,
    /// Date of the allocation.
    pub decided_on: Date,
    /// The allocating document's number.
    pub reference: String,
    /// Note.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: OffsetDateTime,
}

/// The rounds of a province's envelopes for a plan year, in the order they were decided.
pub async fn rounds(pool: &PgPool, province_code: &str, plan_year: i16) -> AppResult<Vec<Round>> {
    Ok(sqlx::query_as!(
        Round,
        r#"
        select e.source_code, r.amount, r.decided_on, r.reference, r.note,
               u.full_name as recorded_by, r.created_at as recorded_at
        from envelope_rounds r
        join funding_envelopes e on e.id = r.envelope_id
        join users u on u.id = r.created_by
        where e.province_code = $1 and e.plan_year = $2
        order by r.decided_on, r.id
        "#,
        province_code,
        plan_year,
    )
    .fetch_all(pool)
    .await?)
}

/// The envelope of a province, year and source, created empty if there is none, locked for
/// the rest of the transaction: its id and figures.
pub async fn lock_envelope(
    conn: &mut PgConnection,
    province_code: &str,
    plan_year: i16,
    source_code: &str,
) -> AppResult<(i64, EnvelopeFigures)> {
    sqlx::query!(
        r#"
        insert into funding_envelopes (province_code, plan_year, source_code)
        values ($1, $2, $3) on conflict do nothing
        "#,
        province_code,
        plan_year,
        source_code,
    )
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query!(
        r#"
        select id, amount, committed from funding_envelopes
        where province_code = $1 and plan_year = $2 and source_code = $3
        for update
        "#,
        province_code,
        plan_year,
        source_code,
    )
    .fetch_one(conn)
    .await?;
    Ok((
        row.id,
        EnvelopeFigures {
            amount: row.amount,
            committed: row.committed,
        },
    ))
}

/// A round to record.
#[derive(Clone, Copy, Debug)]
pub struct NewRound<'a> {
    /// The (locked) envelope.
    pub envelope_id: i64,
    /// Amount (a cut is negative).
    pub amount: i64,
    /// The envelope's amount after it.
    pub new_total: i64,
    /// Date of the allocation.
    pub decided_on: Date,
    /// The allocating document's number.
    pub reference: &'a str,
    /// Note.
    pub note: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a round and sets the envelope's amount.
pub async fn insert_round(conn: &mut PgConnection, round: &NewRound<'_>) -> AppResult<()> {
    sqlx::query!(
        r#"
        insert into envelope_rounds (envelope_id, amount, decided_on, reference, note, created_by)
        values ($1, $2, $3, $4, $5, $6)
        "#,
        round.envelope_id,
        round.amount,
        round.decided_on,
        round.reference,
        round.note,
        round.recorded_by,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update funding_envelopes set amount = $2 where id = $1",
        round.envelope_id,
        round.new_total,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds `change` to what is approved against an envelope. The row's check refuses a total
/// above the envelope (constraint `funding_envelopes_check`).
pub async fn commit(conn: &mut PgConnection, envelope_id: i64, change: i64) -> AppResult<()> {
    sqlx::query!(
        "update funding_envelopes set committed = committed + $2 where id = $1",
        envelope_id,
        change,
    )
    .execute(conn)
    .await?;
    Ok(())
}

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

/// An appraised proposal as a plan line is checked against it.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Plan year.
    pub plan_year: i16,
    /// Level.
    pub level: ProposalLevel,
    /// State (locked).
    pub state: ProposalState,
    /// Activity type.
    pub activity_type_code: String,
    /// Total cost.
    pub total_cost: i64,
    /// Requested support.
    pub requested_support: i64,
    /// Approved support (an amendment's starting point).
    pub approved_support: Option<i64>,
    /// The decision in force.
    pub plan_decision_id: Option<i64>,
    /// Whether a technology line (raises the machinery cap).
    pub technology_line: bool,
    /// Beneficiaries.
    pub beneficiaries: i64,
    /// What the final appraisal proposed.
    pub proposed_support: Option<i64>,
    /// The date of its final appraisal's visit.
    pub appraised_on: Option<Date>,
}

/// The proposals of `ids` in `province_code`, locked for the rest of the transaction (in id
/// order, so two plans over the same proposals wait for each other instead of deadlocking),
/// with what their lines are checked against.
pub async fn lock_candidates(
    conn: &mut PgConnection,
    province_code: &str,
    ids: &[i64],
) -> AppResult<Vec<Candidate>> {
    Ok(sqlx::query_as!(
        Candidate,
        r#"
        select p.id, p.code, p.title, p.plan_year, p.level as "level: ProposalLevel",
               p.state as "state: ProposalState", p.activity_type_code, p.total_cost,
               p.requested_support, p.approved_support, p.plan_decision_id, p.technology_line,
               cardinality(p.beneficiary_ids)::bigint as "beneficiaries!",
               r.proposed_support, v.visit_date as "appraised_on?"
        from proposals p
        left join appraisal_records r on r.proposal_id = p.id and r.status = 'final'
        left join appraisal_visits v on v.id = r.visit_id
        where p.id = any($1) and p.province_code = $2
        order by p.id
        for update of p
        "#,
        ids,
        province_code,
    )
    .fetch_all(conn)
    .await?)
}

/// The proposals of a level and plan year in `state` (waiting for a plan): the plan's choice.
pub async fn candidate_ids(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
    level: ProposalLevel,
    state: ProposalState,
) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"
        select id from proposals
        where province_code = $1 and plan_year = $2 and level = $3 and state = $4
        order by id
        "#,
        province_code,
        plan_year,
        level as ProposalLevel,
        state as ProposalState,
    )
    .fetch_all(pool)
    .await?)
}

/// What a source, activity type and area have approved and contracted for a plan year: the
/// finest grain, which the accountant's page adds up each way.
#[derive(Clone, Debug)]
pub struct CommitmentRow {
    /// Source of funds.
    pub source_code: String,
    /// Activity type.
    pub activity_type_code: String,
    /// Its name, Vietnamese.
    pub activity_vi: String,
    /// Its name, English.
    pub activity_en: String,
    /// The district (legacy units) or the commune (2025 units) of the location.
    pub area: String,
    /// Proposals.
    pub proposals: i64,
    /// Support approved (lines in force).
    pub approved: i64,
    /// Of which contracted.
    pub contracted: i64,
}

/// A province's commitments for a plan year, by source, activity type and area.
pub async fn commitments(
    pool: &PgPool,
    province_code: &str,
    plan_year: i16,
) -> AppResult<Vec<CommitmentRow>> {
    Ok(sqlx::query_as!(
        CommitmentRow,
        r#"
        select e.source_code, p.activity_type_code, t.name_vi as activity_vi,
               t.name_en as activity_en,
               case when pu.level = 'district' then pu.full_name else u.full_name end as "area!",
               count(*) as "proposals!",
               -- A stopped proposal keeps committed only what was paid on it, a settled one
               -- what its acceptance admitted.
               coalesce(sum(case when p.state = 'stopped' then coalesce(k.paid, 0)
                                 when s.admitted_support is not null then s.admitted_support
                                 else p.approved_support end), 0)::bigint as "approved!",
               coalesce(sum(p.approved_support) filter (where p.state in
                   ('contracted', 'in_progress', 'result_accepted', 'settled', 'completed')), 0)::bigint
                   as "contracted!"
        from proposals p
        left join contracts k on k.proposal_id = p.id
        left join settlements s on s.proposal_id = p.id
        join plan_decisions d on d.id = p.plan_decision_id
        join funding_envelopes e on e.id = d.envelope_id
        join activity_types t on t.code = p.activity_type_code
        join admin_units u on u.id = p.unit_id
        left join admin_units pu on pu.id = u.parent_id
        where e.province_code = $1 and e.plan_year = $2
        group by 1, 2, 3, 4, 5
        order by 1, 2, 5
        "#,
        province_code,
        plan_year,
    )
    .fetch_all(pool)
    .await?)
}

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
