//! Stopping a proposal's work: the decision, the support that goes back to the envelope, and
//! recoveries of what was paid, each going back to the envelope as it comes in.

use sqlx::{PgConnection, PgPool};
use time::Date;

use super::payments::{self, NewPayment};
use crate::domain::payment::{PaymentKind, PaymentProblem};
use crate::error::{AppError, AppResult};

/// A stop decision as the pages show it.
#[derive(Clone, Debug)]
pub struct StopDecision {
    /// Number.
    pub number: String,
    /// Day of the decision.
    pub decided_on: Date,
    /// Why.
    pub reason: String,
    /// What went back to the envelope.
    pub returned: i64,
    /// What had been paid, to recover.
    pub to_recover: i64,
}

/// The stop decision of a proposal, if it was stopped.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Option<StopDecision>> {
    Ok(sqlx::query_as!(
        StopDecision,
        r#"
        select number, decided_on, reason, returned, to_recover from stop_decisions
        where proposal_id = $1
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
}

/// A stop to record.
#[derive(Clone, Copy, Debug)]
pub struct NewStop<'a> {
    /// The proposal (already moved to `stopped` in this transaction).
    pub proposal_id: i64,
    /// Province.
    pub province_code: &'a str,
    /// Number of the decision.
    pub number: &'a str,
    /// Its day.
    pub decided_on: Date,
    /// Why.
    pub reason: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a stop: locks the contract row, gives the envelope back the support not paid,
/// and writes the decision with what is to recover. Returns (returned, to recover). A
/// number the province used already violates `stop_decisions_province_code_number_key`.
pub async fn stop(conn: &mut PgConnection, s: &NewStop<'_>) -> AppResult<(i64, i64)> {
    let contract = sqlx::query!(
        r#"
        select c.approved_support, c.paid, d.envelope_id
        from contracts c
        join proposals p on p.id = c.proposal_id
        join plan_decisions d on d.id = p.plan_decision_id
        where c.proposal_id = $1
        for update of c
        "#,
        s.proposal_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let returned = contract
        .approved_support
        .saturating_sub(contract.paid)
        .max(0);
    give_back(conn, contract.envelope_id, returned).await?;
    sqlx::query!(
        r#"
        insert into stop_decisions (proposal_id, province_code, number, decided_on, reason,
                                    returned, to_recover, recorded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        s.proposal_id,
        s.province_code,
        s.number,
        s.decided_on,
        s.reason,
        returned,
        contract.paid,
        s.recorded_by,
    )
    .execute(&mut *conn)
    .await?;
    Ok((returned, contract.paid))
}

/// Takes `amount` off what an envelope has committed: it can be approved again.
pub(super) async fn give_back(
    conn: &mut PgConnection,
    envelope_id: i64,
    amount: i64,
) -> AppResult<()> {
    sqlx::query!(
        "update funding_envelopes set committed = committed - $2 where id = $1",
        envelope_id,
        amount
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a recovery of a stopped proposal's contract, and gives it back to the envelope.
/// A voucher number the province used already violates
/// `payments_province_code_voucher_number_key`.
pub async fn recover(
    conn: &mut PgConnection,
    payment: &NewPayment<'_>,
) -> AppResult<Result<i64, PaymentProblem>> {
    debug_assert_eq!(payment.kind, PaymentKind::Recovery);
    let id = match payments::record(conn, payment).await? {
        Ok(id) => id,
        Err(problem) => return Ok(Err(problem)),
    };
    let envelope = sqlx::query_scalar!(
        r#"
        select d.envelope_id from contracts c
        join proposals p on p.id = c.proposal_id
        join plan_decisions d on d.id = p.plan_decision_id
        where c.id = $1
        "#,
        payment.contract_id
    )
    .fetch_one(&mut *conn)
    .await?;
    give_back(conn, envelope, payment.amount).await?;
    Ok(Ok(id))
}
