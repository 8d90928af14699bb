//! Payments against contracts: advances, final payments and recoveries, with the contract's
//! running totals (`contracts.advanced`, `contracts.paid`) kept in the same transaction.

use sqlx::PgConnection;
use time::Date;

use crate::domain::contract::AdvanceTerms;
use crate::domain::payment::{self, Paid, PaymentKind, PaymentProblem};
use crate::error::{AppError, AppResult};

/// A payment to record.
#[derive(Clone, Copy, Debug)]
pub struct NewPayment<'a> {
    /// The contract paid against.
    pub contract_id: i64,
    /// What it is.
    pub kind: PaymentKind,
    /// How much, in đồng.
    pub amount: i64,
    /// The day of the voucher.
    pub paid_on: Date,
    /// The accountant's voucher number (unique in the province).
    pub voucher_number: &'a str,
    /// A note.
    pub note: &'a str,
    /// Who records it.
    pub recorded_by: i64,
}

/// Records a payment: locks the contract row, checks the payment against its support, terms
/// and what it has had paid, then writes the payment and the new totals. A voucher number
/// the province used already violates `payments_province_code_voucher_number_key`.
pub async fn record(
    conn: &mut PgConnection,
    p: &NewPayment<'_>,
) -> AppResult<Result<i64, PaymentProblem>> {
    let contract = sqlx::query!(
        r#"
        select province_code, approved_support, advance_share_bp, advance_threshold_bp,
               advanced, paid
        from contracts where id = $1 for update
        "#,
        p.contract_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let terms = AdvanceTerms {
        share_bp: u32::try_from(contract.advance_share_bp).unwrap_or(0),
        threshold_bp: u32::try_from(contract.advance_threshold_bp).unwrap_or(0),
    };
    let paid = Paid {
        advanced: contract.advanced,
        net: contract.paid,
    };
    let after = match payment::check(p.kind, p.amount, contract.approved_support, terms, paid) {
        Ok(after) => after,
        Err(problem) => return Ok(Err(problem)),
    };
    sqlx::query!(
        "update contracts set advanced = $2, paid = $3 where id = $1",
        p.contract_id,
        after.advanced,
        after.net,
    )
    .execute(&mut *conn)
    .await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into payments (contract_id, province_code, kind, amount, paid_on, voucher_number,
                              note, recorded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        returning id
        "#,
        p.contract_id,
        contract.province_code,
        p.kind as PaymentKind,
        p.amount,
        p.paid_on,
        p.voucher_number,
        p.note,
        p.recorded_by,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Ok(id))
}
