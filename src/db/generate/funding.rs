//! The money of the generated timelines, set-wise after the proposals are written: the
//! province's envelopes, one plan decision per plan year and level with a line for each
//! approved proposal, a contract for each proposal that reached one, its advance and final
//! payments, and an evaluation a year after each completed proposal — so the reports and the
//! funding pages are measured on rows as many as a province's ten years would hold.

use sqlx::PgConnection;

use crate::error::AppResult;

/// What [`insert_funding`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Funding {
    /// Plan decisions.
    pub decisions: i64,
    /// Contracts.
    pub contracts: i64,
    /// Payments (advances and final payments).
    pub payments: i64,
    /// Evaluations.
    pub evaluations: i64,
}

/// Funds the proposals of `province` that have approved support and no plan decision yet
/// (the generated ones: the demo's are decided), recorded by `staff`:
///
/// - an envelope per plan year and source of their level (the demo's own when there is one),
///   raised by a round of what they were approved plus a tenth;
/// - a decision per plan year and level, dated 16 March, with their lines;
/// - for those contracted or further on (stopped ones excepted), a contract signed a month
///   after the decision on the rule in force (70 % advance), due at the planned end; carried
///   out ones advanced their share, settled and completed ones paid in full, with the
///   payments behind those figures;
/// - for completed ones, an evaluation twelve months after the deadline, with jobs and
///   revenue a little above the dossier's baseline (from the id, so every run agrees).
///
/// A few statements in the caller's transaction.
pub async fn insert_funding(
    conn: &mut PgConnection,
    province: &str,
    staff: i64,
) -> AppResult<Funding> {
    sqlx::query!(
        r#"
        insert into funding_envelopes (province_code, plan_year, source_code)
        select distinct p.province_code, p.plan_year,
               (select s.code from funding_sources s where s.level = p.level
                order by s.sort_order, s.code limit 1)
        from proposals p
        where p.province_code = $1 and p.approved_support is not null
          and p.plan_decision_id is null
        on conflict (province_code, plan_year, source_code) do nothing
        "#,
        province,
    )
    .execute(&mut *conn)
    .await?;
    // The decision is written on the proposals in the same statement, and without touching
    // `updated_at`: nothing a user did changed.
    sqlx::query!("alter table proposals disable trigger proposals_updated_at")
        .execute(&mut *conn)
        .await?;
    let decisions = sqlx::query_scalar!(
        r#"
        with undecided as (
            select p.id, p.plan_year, p.level, p.state, p.approved_support,
                   (select s.code from funding_sources s where s.level = p.level
                    order by s.sort_order, s.code limit 1) as source_code
            from proposals p
            where p.province_code = $1 and p.approved_support is not null
              and p.plan_decision_id is null
        ),
        per_envelope as (
            -- A stopped (or withdrawn) proposal's support went back to the envelope.
            select e.id as envelope_id, u.plan_year, u.level,
                   sum(u.approved_support) as approved,
                   coalesce(sum(u.approved_support)
                            filter (where u.state not in ('stopped', 'withdrawn')), 0)
                       as committed
            from undecided u
            join funding_envelopes e on e.province_code = $1 and e.plan_year = u.plan_year
                                    and e.source_code = u.source_code
            group by e.id, u.plan_year, u.level
        ),
        raised as (
            update funding_envelopes e
               set amount = e.amount + g.approved + g.approved / 10,
                   committed = e.committed + g.committed
              from per_envelope g
             where e.id = g.envelope_id
        ),
        rounds as (
            insert into envelope_rounds (envelope_id, amount, decided_on, reference, created_by)
            select g.envelope_id, g.approved + g.approved / 10, make_date(g.plan_year - 1, 12, 10),
                   format('Giao dự toán khuyến công năm %s (dữ liệu sinh)', g.plan_year), $2
            from per_envelope g
        ),
        decisions as (
            insert into plan_decisions (envelope_id, province_code, number, decided_on, signer,
                                        created_by)
            select g.envelope_id, $1,
                   format('KC-%s-%s/QĐ-SCT', g.plan_year, upper(g.level::text)),
                   make_date(g.plan_year, 3, 16), 'Giám đốc Sở Công Thương', $2
            from per_envelope g
            returning id, envelope_id
        ),
        decided as (
            select d.id as decision_id, u.id as proposal_id, u.approved_support
            from undecided u
            join per_envelope g on g.plan_year = u.plan_year and g.level = u.level
            join decisions d on d.envelope_id = g.envelope_id
        ),
        lines as (
            insert into plan_decision_lines (decision_id, proposal_id, approved_support)
            select decision_id, proposal_id, approved_support from decided
        ),
        on_proposals as (
            update proposals p set plan_decision_id = x.decision_id
              from decided x where p.id = x.proposal_id
        )
        select count(*) as "decisions!" from decisions
        "#,
        province,
        staff,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("alter table proposals enable trigger proposals_updated_at")
        .execute(&mut *conn)
        .await?;
    let (contracts, payments, evaluations) = contracts_and_after(conn, province, staff).await?;
    Ok(Funding {
        decisions,
        contracts,
        payments,
        evaluations,
    })
}

/// The contracts, payments and evaluations of [`insert_funding`]; answers how many of each.
async fn contracts_and_after(
    conn: &mut PgConnection,
    province: &str,
    staff: i64,
) -> AppResult<(i64, i64, i64)> {
    let row = sqlx::query!(
        r#"
        with rule as (
            select r.id, r.share_bp, r.threshold_bp from advance_rules r
            where r.province_code is null and r.activity_type_code is null
            order by r.valid_from desc nulls last limit 1
        ),
        due as (
            select p.id, p.code, p.state, p.approved_support, p.counterpart_funds,
                   p.baseline_jobs, p.baseline_revenue,
                   d.decided_on + 30 as signed_on,
                   greatest(coalesce(p.end_date, d.decided_on + 300), d.decided_on + 30)
                       as deadline,
                   coalesce(f.name, 'Cơ sở công nghiệp nông thôn') as implementer,
                   coalesce(f.owner_name, 'Chủ cơ sở') as implementer_signer
            from proposals p
            join plan_decisions d on d.id = p.plan_decision_id
            left join facilities f on f.id = p.beneficiary_ids[1]
            where p.province_code = $1
              and p.state in ('contracted', 'in_progress', 'result_accepted', 'settled',
                              'completed')
              and not exists (select 1 from contracts c where c.proposal_id = p.id)
        ),
        contracts as (
            insert into contracts (proposal_id, province_code, number, signed_on, holder_name,
                holder_signer, implementer_name, implementer_signer, approved_support,
                counterpart_funds, deadline, advance_rule_id, advance_share_bp,
                advance_threshold_bp, advanced, paid, created_by, created_at)
            select u.id, $1, format('%s/HĐ-KC', u.code), u.signed_on,
                   'Trung tâm Khuyến công', 'Giám đốc Trung tâm', u.implementer,
                   u.implementer_signer, u.approved_support, u.counterpart_funds, u.deadline,
                   r.id, r.share_bp, r.threshold_bp,
                   case when u.state = 'contracted' then 0
                        else u.approved_support * r.share_bp / 10000 end,
                   case when u.state in ('settled', 'completed') then u.approved_support
                        when u.state = 'contracted' then 0
                        else u.approved_support * r.share_bp / 10000 end,
                   $2, u.signed_on::timestamptz
            from due u cross join rule r
            returning id, proposal_id, number, signed_on, deadline, advanced, paid
        ),
        payments as (
            insert into payments (contract_id, province_code, kind, amount, paid_on,
                                  voucher_number, recorded_by)
            select c.id, $1, 'advance'::payment_kind, c.advanced, c.signed_on + 20, c.number || '/TU', $2
            from contracts c where c.advanced > 0
            union all
            select c.id, $1, 'final'::payment_kind, c.paid - c.advanced, c.deadline + 30, c.number || '/TT', $2
            from contracts c where c.paid > c.advanced
            returning id
        ),
        evaluations as (
            insert into evaluations (proposal_id, months_after, evaluated_on, revenue, jobs,
                                     productivity_change, recorded_by)
            select u.id, 12, u.deadline + 365,
                   u.baseline_revenue + u.baseline_revenue * (5 + u.id % 20) / 100,
                   u.baseline_jobs + (u.id % 6)::int, (5 + u.id % 15)::int, $2
            from due u where u.state = 'completed'
            returning id
        )
        select (select count(*) from contracts) as "contracts!",
               (select count(*) from payments) as "payments!",
               (select count(*) from evaluations) as "evaluations!"
        "#,
        province,
        staff,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.contracts, row.payments, row.evaluations))
}
