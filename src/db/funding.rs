//! Funding: sources, envelopes and their allocation rounds, plan decisions and their lines.
//! The envelope row is the lock of its plan: every approval, amendment and round updates it
//! in the transaction that writes the lines, and its check (`committed <= amount`) holds
//! even when two directors approve at once.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

use crate::domain::funding::EnvelopeFigures;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::error::AppResult;

mod decisions;
mod sources;
pub use decisions::{
    AnnexLine, ChainLine, Decision, DecisionLine, DecisionSummary, NewDecision, NewLine,
    annex_lines, chain_lines, decision, decision_lines, decisions, insert_decision, insert_lines,
    lock_chain,
};
pub use sources::{SourceInput, SourceRow, get_source, insert_source, source_rows, update_source};

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
