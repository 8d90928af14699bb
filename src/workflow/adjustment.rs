//! Adjustments of a proposal under contract (DOMAIN.md §4.8): the implementing side asks,
//! with its papers; the director approves (the change takes effect at once: the contract's
//! deadline, the support, the location, the content or a beneficiary) or refuses with a
//! reason. Each is an entry on the timeline; who asked hears the answer.

use serde_json::json;
use sqlx::PgConnection;
use tracing::instrument;

use super::{Act, StepResult, Subject, record, tell, tell_each};
use crate::db;
use crate::db::adjustments::{Decision, NewRequest, Request};
use crate::db::contracts::{Contract, NewAmendment};
use crate::db::documents::{AttachedTo, NewDocument};
use crate::domain::adjustment::AdjustmentKind;
use crate::domain::step::{Entry, Step};
use crate::error::{AppError, ResultExt as _};

/// Asks for the adjustment `asked` of `subject` with its papers `documents`; a kind already
/// open is refused by the `kind` field.
#[instrument(skip_all, fields(proposal.id = subject.id, actor.id = act.by.user_id), err)]
pub async fn request(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    asked: &NewRequest<'_>,
    documents: &[NewDocument],
) -> StepResult<i64> {
    let open = "adjustment.already_open";
    let id = db::adjustments::insert(conn, asked)
        .await
        .on_constraint("adjustment_requests_open_key", || AppError::Conflict(open))
        .map_err(|error| match error {
            AppError::Conflict(key) if key == open => super::StepError::refused("kind", key),
            other => other.into(),
        })?;
    let kind = "adjustment_document";
    let attached = AttachedTo::AdjustmentRequest(id);
    let by = act.by.user_id;
    db::documents::insert_attached(conn, subject.id, attached, kind, by, documents).await?;
    let details = json!({
        "adjustment_id": id,
        "kind": asked.kind.code(),
        "documents": documents.len(),
    });
    let step = Entry::AdjustmentRequested.into();
    let states = (subject.state, subject.state);
    record(conn, act, subject.id, step, states, asked.reason, details).await?;
    tell(conn, act, step, subject, &subject.name(), &link(subject.id)).await?;
    Ok(id)
}

/// The director's decision of the top level's, approving an adjustment.
#[derive(Clone, Copy, Debug)]
pub struct Approval<'a> {
    /// Its number.
    pub number: &'a str,
    /// Its day.
    pub day: time::Date,
    /// Who issued it (empty: the Department).
    pub issuer: &'a str,
}

/// Approves `request` of `subject`, under `contract`, by `approval`: the change takes effect
/// in the same transaction.
#[instrument(skip_all, fields(proposal.id = subject.id, request.id = request.id), err)]
pub async fn approve(
    conn: &mut PgConnection,
    act: &Act<'_>,
    (subject, contract): (&Subject, &Contract),
    request: &Request,
    approval: Approval<'_>,
) -> StepResult<()> {
    let (number, day, issuer) = (approval.number, approval.day, approval.issuer);
    decide(
        conn,
        act,
        request,
        Decision::Approve {
            number,
            day,
            issuer,
        },
    )
    .await?;
    if let Some(deadline) = request.new_deadline {
        let amendment = NewAmendment {
            contract_id: contract.id,
            version: contract.version,
            number,
            amended_on: day,
            reason: &request.reason,
            deadline,
            counterpart_funds: contract.counterpart_funds,
            payment_terms: &contract.payment_terms,
            recorded_by: act.by.user_id,
        };
        if !db::contracts::amend(conn, &amendment).await? {
            return Err(AppError::Conflict("contract.stale").into());
        }
    }
    let id = subject.id;
    if let Some(support) = request.new_support {
        let before = db::adjustments::change_support(conn, id, support)
            .await?
            .map_err(AppError::Conflict)?;
        db::adjustments::set_support_before(conn, request.id, before).await?;
    }
    match request.kind {
        AdjustmentKind::Location => {
            db::adjustments::set_location(conn, id, &request.change).await?;
        }
        AdjustmentKind::Content => {
            let amendment = format!("[{number}] {}", request.change);
            db::adjustments::amend_content(conn, id, &amendment).await?;
        }
        AdjustmentKind::Beneficiary => {
            if let Some((new, replaced)) =
                db::adjustments::beneficiary_change(conn, request.id).await?
            {
                db::adjustments::replace_beneficiary(conn, id, replaced, new).await?;
                db::search::refresh_proposals(conn, &[id]).await?;
            }
        }
        _ => {}
    }
    answer(
        conn,
        act,
        subject,
        request,
        (Entry::AdjustmentApproved, number),
    )
    .await
}

/// Refuses `request` of `subject` for `reason`.
#[instrument(skip_all, fields(proposal.id = subject.id, request.id = request.id), err)]
pub async fn refuse(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    request: &Request,
    reason: &str,
) -> StepResult<()> {
    decide(conn, act, request, Decision::Refuse { reason }).await?;
    answer(
        conn,
        act,
        subject,
        request,
        (Entry::AdjustmentRefused, reason),
    )
    .await
}

/// Decides `request` once.
async fn decide(
    conn: &mut PgConnection,
    act: &Act<'_>,
    request: &Request,
    decision: Decision<'_>,
) -> StepResult<()> {
    if !db::adjustments::decide(conn, request.id, decision, act.by.user_id).await? {
        return Err(AppError::Conflict("adjustment.decided").into());
    }
    Ok(())
}

/// The decision's entry on the timeline with `note`, told to the followers and to who asked.
async fn answer(
    conn: &mut PgConnection,
    act: &Act<'_>,
    subject: &Subject,
    request: &Request,
    (entry, note): (Entry, &str),
) -> StepResult<()> {
    let details = json!({
        "adjustment_id": request.id,
        "kind": request.kind.code(),
        "new_deadline": request.new_deadline.map(|d| d.to_string()),
        "new_support": request.new_support,
    });
    let step: Step = entry.into();
    let states = (subject.state, subject.state);
    record(conn, act, subject.id, step, states, note, details).await?;
    // Who asked hears the answer, a Centre officer too (no follower): the step's notice says so.
    let (name, link) = (vec![subject.name()], vec![link(subject.id)]);
    let asker = Some(request.requested_by_id);
    Ok(tell_each(conn, act, step, &[subject.id], &name, &link, asker).await?)
}

/// The proposal's adjustments page.
fn link(id: i64) -> String {
    format!("/proposals/{id}/adjustments")
}
