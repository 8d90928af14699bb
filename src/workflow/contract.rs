//! The contract (Thông tư 36/2013/TT-BCT Art. 6.4): the Centre signs it once the proposal is
//! approved, with the advance terms of the rule in force on the signing day, which moves the
//! proposal to `contracted`.

use serde_json::json;
use sqlx::PgConnection;
use time::Date;
use tracing::instrument;

use super::{Act, Change, StepError, StepResult, Subject, record, take, tell};
use crate::db;
use crate::db::contracts::{NewAmendment, NewContract};
use crate::domain::contract::{self, AdvanceTerms};
use crate::domain::step::Entry;
use crate::domain::transition::Action;
use crate::error::{AppError, ResultExt as _};

/// What the contract stands on: the approval.
#[derive(Clone, Debug)]
pub struct Approval {
    /// The support approved.
    pub support: i64,
    /// The day of the decision in force.
    pub approved_on: Option<Date>,
    /// The activity type, which picks the advance rule.
    pub activity_type_code: String,
}

/// A contract as the Centre entered it.
#[derive(Clone, Debug)]
pub struct Terms {
    /// Its number (unique in the province).
    pub number: String,
    /// The day signed.
    pub signed_on: Date,
    /// The fund holder and who signs for it.
    pub holder: (String, String),
    /// The implementing side and who signs for it.
    pub implementer: (String, String),
    /// Counterpart funds.
    pub counterpart_funds: i64,
    /// The day the work ends.
    pub deadline: Date,
    /// Other payment terms.
    pub payment_terms: String,
}

/// The advance rule in force on `on` for the proposal's activity: its id, or the national
/// default when the province has none.
pub async fn advance_terms<'e>(
    db: impl sqlx::PgExecutor<'e>,
    province_code: &str,
    activity_type_code: &str,
    on: Date,
) -> Result<(Option<i64>, AdvanceTerms), AppError> {
    let rule = db::contracts::advance_terms(db, province_code, activity_type_code, on).await?;
    Ok(
        rule.map_or((None, AdvanceTerms::NATIONAL_DEFAULT), |(id, t)| {
            (Some(id), t)
        }),
    )
}

/// Signs the contract of `subject` on `approval` with `terms`: dates not before the approval
/// nor after today, a number the province has not used (each refused by its field), the move
/// and its notices. Returns the contract's id.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn sign(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    approval: &Approval,
    terms: &Terms,
) -> StepResult<i64> {
    contract::check_dates(
        terms.signed_on,
        terms.deadline,
        approval.approved_on,
        act.today(),
    )
    .map_err(|problem| StepError::refused(problem.field(), problem.message_key()))?;
    let advance = advance_terms(
        &mut *conn,
        &subject.province_code,
        &approval.activity_type_code,
        terms.signed_on,
    )
    .await?;
    let details = json!({
        "contract": terms.number,
        "signed_on": terms.signed_on.to_string(),
        "deadline": terms.deadline.to_string(),
        "approved_support": approval.support,
    });
    let change = Change {
        details,
        ..Change::default()
    };
    take(conn, act, subject, Action::SignContract, change).await?;
    let id = db::contracts::insert(
        conn,
        &NewContract {
            proposal_id: subject.id,
            province_code: &subject.province_code,
            number: &terms.number,
            signed_on: terms.signed_on,
            holder: (&terms.holder.0, &terms.holder.1),
            implementer: (&terms.implementer.0, &terms.implementer.1),
            approved_support: approval.support,
            counterpart_funds: terms.counterpart_funds,
            deadline: terms.deadline,
            advance,
            payment_terms: &terms.payment_terms,
            recorded_by: act.by.user_id,
        },
    )
    .await
    .on_constraint("contracts_province_code_number_key", || {
        AppError::Conflict("contract.number_taken")
    })
    .map_err(|error| match error {
        AppError::Conflict(key @ "contract.number_taken") => StepError::refused("number", key),
        other => other.into(),
    })?;
    let link = contract_link(subject.id);
    tell(
        conn,
        act,
        Action::SignContract.into(),
        subject,
        &terms.number,
        &link,
    )
    .await?;
    Ok(id)
}

/// An amendment (phụ lục) as the Centre entered it: the new terms and why.
#[derive(Clone, Debug)]
pub struct Amendment {
    /// Its number.
    pub number: String,
    /// Its day.
    pub amended_on: Date,
    /// Why the terms change.
    pub reason: String,
    /// The new deadline.
    pub deadline: Date,
    /// The new counterpart funds.
    pub counterpart_funds: i64,
    /// The new payment terms.
    pub payment_terms: String,
}

/// The contract being amended, as the Centre saw it.
#[derive(Clone, Copy, Debug)]
pub struct Signed {
    /// Its id.
    pub id: i64,
    /// The version the form was made from: an amendment on a contract changed since then
    /// is refused as stale.
    pub version: i32,
    /// The day it was signed.
    pub signed_on: Date,
}

/// Amends `contract` of `subject` while the work is under way: dated between the signing and
/// today, ending not before the signing (each refused by its field). The old terms are kept
/// in the amendment's row.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn amend(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    contract: &Signed,
    amendment: &Amendment,
) -> StepResult<()> {
    if !subject.state.is_running() {
        return Err(AppError::Conflict("contract.closed").into());
    }
    let dates = (Some(amendment.amended_on), Some(amendment.deadline));
    let problems = contract::amendment_problems(contract.signed_on, dates.0, dates.1, act.today());
    if let Some(problem) = problems.first() {
        return Err(StepError::refused(problem.field(), problem.message_key()));
    }
    let amended = db::contracts::amend(
        conn,
        &NewAmendment {
            contract_id: contract.id,
            version: contract.version,
            number: &amendment.number,
            amended_on: amendment.amended_on,
            reason: &amendment.reason,
            deadline: amendment.deadline,
            counterpart_funds: amendment.counterpart_funds,
            payment_terms: &amendment.payment_terms,
            recorded_by: act.by.user_id,
        },
    )
    .await?;
    if !amended {
        return Err(StepError::Stale);
    }
    let details = json!({
        "amendment": amendment.number,
        "deadline": amendment.deadline.to_string(),
        "counterpart_funds": amendment.counterpart_funds,
    });
    let state = (subject.state, subject.state);
    let step = Entry::AmendContract.into();
    record(
        conn,
        act,
        subject.id,
        step,
        state,
        &amendment.reason,
        details,
    )
    .await?;
    Ok(())
}

/// The contract page of proposal `id`, where its notice leads.
pub(crate) fn contract_link(id: i64) -> String {
    format!("/proposals/{id}/contract")
}
