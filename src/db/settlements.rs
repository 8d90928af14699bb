//! Settlement (thanh lý, quyết toán): the contract's liquidation with the final payment or
//! the recovery, and the support approved but not admitted given back to the envelope.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tracing::instrument;

use super::payments::{self, NewPayment};
use crate::domain::payment::{self as money, Paid, PaymentKind, PaymentProblem, Settlement};
use crate::error::{AppError, AppResult};

/// A recorded settlement.
#[derive(Clone, Debug)]
pub struct SettlementRow {
    /// Liquidation minutes' number.
    pub liquidation_number: String,
    /// Their day.
    pub liquidated_on: Date,
    /// Support admitted at acceptance.
    pub admitted_support: i64,
    /// Paid before the settlement (advances less recoveries).
    pub advanced: i64,
    /// Positive: paid at settlement; negative: to recover.
    pub balance: i64,
    /// Given back to the envelope.
    pub returned: i64,
    /// The voucher of the final payment or recovery.
    pub voucher_number: Option<String>,
    /// Its day.
    pub paid_on: Option<Date>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// The settlement of a proposal, if settled.
pub async fn of_proposal(pool: &PgPool, proposal_id: i64) -> AppResult<Option<SettlementRow>> {
    Ok(sqlx::query_as!(
        SettlementRow,
        r#"
        select s.liquidation_number, s.liquidated_on, s.admitted_support, s.advanced, s.balance,
               s.returned, p.voucher_number as "voucher_number?", p.paid_on as "paid_on?",
               u.full_name as recorded_by, s.created_at
        from settlements s
        join users u on u.id = s.recorded_by
        left join payments p on p.id = s.payment_id
        where s.proposal_id = $1
        "#,
        proposal_id
    )
    .fetch_optional(pool)
    .await?)
}

/// A settlement to record.
#[derive(Clone, Copy, Debug)]
pub struct NewSettlement<'a> {
    /// The proposal (moved to `settled` in this transaction).
    pub proposal_id: i64,
    /// Its contract.
    pub contract_id: i64,
    /// The passed acceptance record.
    pub acceptance_record_id: i64,
    /// The support it admitted.
    pub admitted_support: i64,
    /// Province.
    pub province_code: &'a str,
    /// Liquidation minutes' number (unique in the province).
    pub liquidation_number: &'a str,
    /// Their day.
    pub liquidated_on: Date,
    /// The voucher of the final payment or recovery (none when even).
    pub voucher_number: &'a str,
    /// Its day.
    pub paid_on: Date,
    /// Who records it.
    pub recorded_by: i64,
}

/// What the settlement came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    /// Paid, recovered or even.
    pub settlement: Settlement,
    /// Given back to the envelope.
    pub returned: i64,
}

/// Settles: locks the contract, works out the final payment or recovery from what was paid
/// (never on a figure read before the lock), records it as a payment, gives the envelope
/// back the support not admitted, and writes the settlement. A liquidation number the
/// province used already violates `settlements_province_code_liquidation_number_key`.
#[instrument(skip_all, fields(proposal.id = s.proposal_id, actor.id = s.recorded_by), err)]
pub async fn settle(
    conn: &mut PgConnection,
    s: &NewSettlement<'_>,
) -> AppResult<Result<Settled, PaymentProblem>> {
    let contract = sqlx::query!(
        r#"
        select c.approved_support, c.advanced, c.paid, d.envelope_id
        from contracts c
        join proposals p on p.id = c.proposal_id
        join plan_decisions d on d.id = p.plan_decision_id
        where c.id = $1
        for update of c
        "#,
        s.contract_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let paid = Paid {
        advanced: contract.advanced,
        net: contract.paid,
    };
    let settlement = money::settle(s.admitted_support, paid);
    let payment = match settlement {
        Settlement::Pay(amount) => Some((PaymentKind::Final, amount)),
        Settlement::Recover(amount) => Some((PaymentKind::Recovery, amount)),
        Settlement::Even => None,
    };
    let payment_id = match payment {
        Some((kind, amount)) => {
            let recorded = payments::record(
                conn,
                &NewPayment {
                    contract_id: s.contract_id,
                    kind,
                    amount,
                    paid_on: s.paid_on,
                    voucher_number: s.voucher_number,
                    note: s.liquidation_number,
                    recorded_by: s.recorded_by,
                },
            )
            .await?;
            match recorded {
                Ok(id) => Some(id),
                Err(problem) => return Ok(Err(problem)),
            }
        }
        None => None,
    };
    let returned = contract
        .approved_support
        .saturating_sub(s.admitted_support)
        .max(0);
    super::stops::give_back(conn, contract.envelope_id, returned).await?;
    sqlx::query!(
        r#"
        insert into settlements (proposal_id, contract_id, acceptance_record_id, province_code,
                                 liquidation_number, liquidated_on, admitted_support, advanced,
                                 balance, returned, payment_id, recorded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        "#,
        s.proposal_id,
        s.contract_id,
        s.acceptance_record_id,
        s.province_code,
        s.liquidation_number,
        s.liquidated_on,
        s.admitted_support,
        contract.paid,
        s.admitted_support - contract.paid,
        returned,
        payment_id,
        s.recorded_by,
    )
    .execute(&mut *conn)
    .await?;
    Ok(Ok(Settled {
        settlement,
        returned,
    }))
}
