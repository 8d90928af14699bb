//! A contract's money: the implementing side asks for an advance while the work is in
//! progress; the Centre confirms or refuses it (not the person who asked); the accountant
//! pays it with a voucher. Each is an entry on the timeline, told to the followers with
//! the amount.

use serde_json::json;
use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, StepError, StepResult, Subject, record, tell};
use crate::db;
use crate::db::payments::NewPayment;
use crate::domain::money::format_vnd;
use crate::domain::payment::PaymentKind;
use crate::domain::step::Entry;
use crate::error::{AppError, ResultExt as _};

/// An advance request, as the contract's ledger lists it.
#[derive(Clone, Copy, Debug)]
pub struct Advance {
    /// The contract.
    pub contract_id: i64,
    /// The request.
    pub request_id: i64,
    /// Its amount.
    pub amount: i64,
    /// Who asked.
    pub requested_by: i64,
}

/// What the Centre decides on an advance request.
#[derive(Clone, Copy, Debug)]
pub enum Decision<'a> {
    /// Confirmed: the accountant pays it next.
    Confirm,
    /// Refused, with the reason the implementing side reads.
    Refuse(&'a str),
}

/// A payment's voucher.
#[derive(Clone, Debug)]
pub struct Voucher {
    /// Its number (unique in the province).
    pub number: String,
    /// The day paid.
    pub paid_on: Date,
}

/// Asks for an advance of `amount` on `contract_id`, while the work is in progress; an
/// amount the terms do not allow is refused by its field.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn request_advance(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    contract_id: i64,
    amount: i64,
) -> StepResult<i64> {
    if !subject.state.is_carried_out() {
        return Err(AppError::Conflict("advance.not_in_progress").into());
    }
    let id = db::advances::request(conn, contract_id, amount, act.by.user_id)
        .await?
        .map_err(|problem| StepError::refused("amount", problem.message_key()))?;
    entry(conn, act, subject, Entry::AdvanceRequested, "", amount).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        amount,
        "advance requested"
    );
    Ok(id)
}

/// Confirms or refuses `advance`: by someone other than who asked, once.
#[instrument(
    skip_all,
    fields(proposal.id = subject.id, actor.id = act.by.user_id, request.id = advance.request_id),
    err
)]
pub async fn decide_advance(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    advance: &Advance,
    decision: Decision<'_>,
) -> StepResult<()> {
    open(subject)?;
    // Four eyes: who asked does not confirm.
    if advance.requested_by == act.by.user_id {
        return Err(AppError::Conflict("advance.own_request").into());
    }
    let (reason, step) = match decision {
        Decision::Confirm => ("", Entry::AdvanceConfirmed),
        Decision::Refuse(reason) => (reason, Entry::AdvanceRefused),
    };
    let (contract, request) = (advance.contract_id, advance.request_id);
    if !db::advances::decide(conn, contract, request, reason, act.by.user_id).await? {
        return Err(AppError::Conflict("advance.decided").into());
    }
    entry(conn, act, subject, step, reason, advance.amount).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        request,
        action = step.code()
    );
    Ok(())
}

/// Pays a confirmed `advance` with `voucher`; a voucher the province used already, or a
/// payment the contract does not allow, is refused by the voucher's field.
#[instrument(
    skip_all,
    fields(proposal.id = subject.id, actor.id = act.by.user_id, request.id = advance.request_id),
    err
)]
pub async fn pay_advance(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    advance: &Advance,
    voucher: &Voucher,
) -> StepResult<()> {
    open(subject)?;
    let paid = db::advances::pay(
        conn,
        advance.contract_id,
        advance.request_id,
        voucher.paid_on,
        &voucher.number,
        act.by.user_id,
    )
    .await
    .on_constraint("payments_province_code_voucher_number_key", || {
        AppError::Conflict("payment.voucher_taken")
    });
    match paid {
        Ok(Some(Ok(_))) => {}
        Ok(Some(Err(problem))) => {
            return Err(StepError::refused("voucher_number", problem.message_key()));
        }
        Ok(None) => return Err(AppError::Conflict("advance.decided").into()),
        Err(AppError::Conflict(key)) => return Err(StepError::refused("voucher_number", key)),
        Err(other) => return Err(other.into()),
    }
    let amount = advance.amount;
    entry(
        conn,
        act,
        subject,
        Entry::AdvancePaid,
        &voucher.number,
        amount,
    )
    .await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        request = advance.request_id,
        "advance paid"
    );
    Ok(())
}

/// Records `amount` recovered with `voucher` on the contract `contract_id` of a stopped
/// `subject`: it goes back to the envelope. More than is left to recover is refused by the
/// amount's field, a voucher the province used already by the voucher's.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn recover(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    contract_id: i64,
    amount: i64,
    voucher: &Voucher,
) -> StepResult<()> {
    if !subject.state.is_stopped() {
        return Err(AppError::Conflict("stop.not_stopped").into());
    }
    let payment = NewPayment {
        contract_id,
        kind: PaymentKind::Recovery,
        amount,
        paid_on: voucher.paid_on,
        voucher_number: &voucher.number,
        note: "",
        recorded_by: act.by.user_id,
    };
    let recovered = db::stops::recover(conn, &payment)
        .await
        .on_constraint("payments_province_code_voucher_number_key", || {
            AppError::Conflict("payment.voucher_taken")
        });
    match recovered {
        Ok(Ok(_)) => {}
        Ok(Err(problem)) => {
            return Err(StepError::refused("recovery_amount", problem.message_key()));
        }
        Err(AppError::Conflict(key)) => return Err(StepError::refused("recovery_voucher", key)),
        Err(other) => return Err(other.into()),
    }
    let step = Entry::RecoveryPaid;
    entry(conn, act, subject, step, &voucher.number, amount).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        amount,
        "recovery recorded"
    );
    Ok(())
}

/// Refused unless the advances of `subject` may still be decided and paid.
fn open(subject: &Subject) -> StepResult<()> {
    if subject.state.advances_open() {
        Ok(())
    } else {
        Err(AppError::Conflict("advance.not_in_progress").into())
    }
}

/// The timeline's entry of a step on the money, with its amount, and its notices.
async fn entry(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    step: Entry,
    note: &str,
    amount: i64,
) -> Result<(), AppError> {
    let state = (subject.state, subject.state);
    let details = json!({ "amount": amount });
    record(conn, act, subject.id, step.into(), state, note, details).await?;
    let link = payments_link(subject.id);
    tell(conn, act, step.into(), subject, &format_vnd(amount), &link).await
}

/// The payments page of proposal `id`, where the notices of its money lead.
pub(crate) fn payments_link(id: i64) -> String {
    format!("/proposals/{id}/payments")
}
