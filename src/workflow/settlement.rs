//! Settlement: once the work is accepted, the accountant records the contract's liquidation
//! minutes with the final payment (admitted support less what was paid) or the recovery
//! (when the advances were more); the support not admitted goes back to the envelope and
//! the proposal is settled.

use serde_json::json;
use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, StepError, StepResult, Subject, announce, shift};
use crate::db;
use crate::db::settlements::{NewSettlement, Settled};
use crate::domain::payment::Settlement;
use crate::domain::transition::Action;
use crate::error::{AppError, ResultExt as _};

/// What the settlement stands on: the contract and the passed acceptance record.
#[derive(Clone, Copy, Debug)]
pub struct Accepted {
    /// The contract.
    pub contract_id: i64,
    /// The passed acceptance record.
    pub record_id: i64,
    /// The support it admitted.
    pub admitted_support: i64,
}

/// The liquidation as the accountant entered it.
#[derive(Clone, Debug)]
pub struct Liquidation {
    /// The minutes' number (unique in the province).
    pub number: String,
    /// Their day.
    pub liquidated_on: Date,
    /// The voucher of the final payment or recovery (blank when even).
    pub voucher_number: String,
    /// Its day.
    pub paid_on: Date,
}

/// Settles `subject` on `accepted` with `liquidation`: the payment or recovery worked out
/// under the contract's lock, the envelope given back what was not admitted, the move and
/// its notices. A number or voucher the province used already is refused by its field.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn settle(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    accepted: &Accepted,
    liquidation: &Liquidation,
) -> StepResult<Settled> {
    // The move first: a second settlement waits for this one, then finds it stale.
    let step = shift(conn, act, subject, Action::Settle).await?;
    let done = write(conn, act, subject, accepted, liquidation).await?;
    let (paid, recovered) = match done.settlement {
        Settlement::Pay(a) => (a, 0),
        Settlement::Recover(a) => (0, a),
        Settlement::Even => (0, 0),
    };
    let details = json!({
        "liquidation": liquidation.number,
        "admitted_support": accepted.admitted_support,
        "final_payment": paid,
        "to_recover": recovered,
        "returned": done.returned,
    });
    let note = (liquidation.number.as_str(), details);
    let link = settlement_link(subject.id);
    announce(conn, act, subject, step, note, (&subject.name(), &link)).await?;
    tracing::info!(
        proposal.id = subject.id,
        user.id = act.by.user_id,
        paid,
        recovered,
        returned = done.returned,
        "settled"
    );
    Ok(done)
}

/// Writes the settlement and its payment; a taken number or voucher is refused by its field.
async fn write(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    accepted: &Accepted,
    liquidation: &Liquidation,
) -> StepResult<Settled> {
    let settled = db::settlements::settle(
        conn,
        &NewSettlement {
            proposal_id: subject.id,
            contract_id: accepted.contract_id,
            acceptance_record_id: accepted.record_id,
            admitted_support: accepted.admitted_support,
            province_code: &subject.province_code,
            liquidation_number: &liquidation.number,
            liquidated_on: liquidation.liquidated_on,
            voucher_number: &liquidation.voucher_number,
            paid_on: liquidation.paid_on,
            recorded_by: act.by.user_id,
        },
    )
    .await
    .on_constraint("settlements_province_code_liquidation_number_key", || {
        AppError::Conflict("settlement.number_taken")
    })
    .on_constraint("payments_province_code_voucher_number_key", || {
        AppError::Conflict("payment.voucher_taken")
    });
    match settled {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(problem)) => Err(StepError::refused("voucher_number", problem.message_key())),
        Err(AppError::Conflict(key @ "settlement.number_taken")) => {
            Err(StepError::refused("liquidation_number", key))
        }
        Err(AppError::Conflict(key @ "payment.voucher_taken")) => {
            Err(StepError::refused("voucher_number", key))
        }
        Err(other) => Err(other.into()),
    }
}

/// The settlement page of proposal `id`, where its notice leads.
pub(crate) fn settlement_link(id: i64) -> String {
    format!("/proposals/{id}/settlement")
}
